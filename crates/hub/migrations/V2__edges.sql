-- The hub's public edges: webhook deliveries (dedupe + hint queue), admin
-- accounts and sessions, login throttling, and when each saga started waiting.
-- Timestamps are unix milliseconds (INTEGER) where the code does arithmetic on them.

-- One row per accepted webhook body. The body itself is never stored (sale and
-- customer webhooks carry personal data); only what the worker needs to re-read.
CREATE TABLE webhook_delivery (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    body_sha256   TEXT NOT NULL UNIQUE,      -- a byte-identical redelivery is a duplicate
    object_key    TEXT UNIQUE,               -- type|id|version when the payload has a version
    event_type    TEXT NOT NULL,
    object_kind   TEXT NOT NULL,             -- consignment | product | inventory | other
    object_id     TEXT,
    received_ms   INTEGER NOT NULL,
    state         TEXT NOT NULL,             -- pending | done | ignored | failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at_ms    INTEGER NOT NULL,
    finished_ms   INTEGER,
    last_error    TEXT
);
CREATE INDEX webhook_delivery_due ON webhook_delivery(state, next_at_ms);
CREATE INDEX webhook_delivery_received ON webhook_delivery(received_ms);

-- People who sign in to the admin pages (not outlet staff, who use PINs).
CREATE TABLE admin_account (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role           TEXT NOT NULL,            -- admin | ops_viewer
    password_hash  TEXT NOT NULL,            -- Argon2id PHC string
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

-- Signed-in browsers. Only the SHA-256 of the cookie value is kept.
CREATE TABLE admin_session (
    token_sha256   TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES admin_account(id),
    csrf_token     TEXT NOT NULL,
    created_ms     INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL
);
CREATE INDEX admin_session_account ON admin_session(account_id);

-- Failed sign-ins per account name and client address; survives restarts so a
-- restart does not reset a brute-force lockout.
CREATE TABLE admin_login_throttle (
    key              TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    window_start_ms  INTEGER NOT NULL,
    locked_until_ms  INTEGER
);

-- When each saga last started waiting for Lightspeed (for "age of the oldest
-- item"). Kept by triggers so the saga code need not know about the dashboard.
CREATE TABLE saga_waiting_since (
    consignment_id  TEXT PRIMARY KEY,
    since_ms        INTEGER NOT NULL
);

INSERT INTO saga_waiting_since (consignment_id, since_ms)
    SELECT consignment_id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
    FROM ls_saga WHERE state = 'pending';

-- No OR IGNORE in the bodies: an outer upsert's conflict policy would override it.
CREATE TRIGGER saga_waiting_on_insert AFTER INSERT ON ls_saga
WHEN NEW.state = 'pending'
BEGIN
    INSERT INTO saga_waiting_since (consignment_id, since_ms)
    SELECT NEW.consignment_id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE NOT EXISTS (SELECT 1 FROM saga_waiting_since WHERE consignment_id = NEW.consignment_id);
END;

CREATE TRIGGER saga_waiting_on_update AFTER UPDATE ON ls_saga
BEGIN
    DELETE FROM saga_waiting_since
    WHERE consignment_id = NEW.consignment_id AND NEW.state != 'pending';
    INSERT INTO saga_waiting_since (consignment_id, since_ms)
    SELECT NEW.consignment_id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE NEW.state = 'pending'
      AND NOT EXISTS (SELECT 1 FROM saga_waiting_since WHERE consignment_id = NEW.consignment_id);
END;

CREATE TRIGGER saga_waiting_on_delete AFTER DELETE ON ls_saga
BEGIN
    DELETE FROM saga_waiting_since WHERE consignment_id = OLD.consignment_id;
END;
