-- The hub's own database. Decimals are TEXT (exact), timestamps RFC 3339 TEXT.

-- Enrolled outlet devices (stations). Only the SHA-256 of the token is stored.
CREATE TABLE device (
    id            TEXT PRIMARY KEY,
    outlet_id     TEXT NOT NULL,
    station       TEXT NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    revoked       INTEGER NOT NULL DEFAULT 0,
    enrolled_at   TEXT NOT NULL,
    last_seen_at  TEXT
);

-- Every mutation the hub has answered, so a replay gets the same answer.
CREATE TABLE mutation_log (
    mutation_id   TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL REFERENCES device(id),
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    consignment_id TEXT,
    outcome       TEXT NOT NULL,          -- applied | rejected
    code          TEXT,
    message       TEXT,
    at            TEXT NOT NULL
);
CREATE UNIQUE INDEX mutation_log_device_seq ON mutation_log(device_id, seq);

CREATE TABLE outlet (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE supplier (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE product (
    id             TEXT PRIMARY KEY,
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    variant_name   TEXT,
    supplier_code  TEXT,
    supply_price   TEXT,
    active         INTEGER NOT NULL,
    codes_json     TEXT NOT NULL DEFAULT '[]',
    deleted        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    outlet_id  TEXT,
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL
);

CREATE TABLE consignment (
    id                     TEXT PRIMARY KEY,
    kind                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    reference              TEXT NOT NULL,
    source_outlet_id       TEXT,
    destination_outlet_id  TEXT,
    supplier_id            TEXT,
    lightspeed_id          TEXT,
    version                INTEGER NOT NULL,
    created_by             TEXT NOT NULL,
    last_edited_by         TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE consignment_line (
    consignment_id  TEXT NOT NULL REFERENCES consignment(id),
    line_id         TEXT NOT NULL UNIQUE,
    product_id      TEXT NOT NULL,
    expected_qty    TEXT NOT NULL,
    unit_cost       TEXT,
    packed_qty      TEXT NOT NULL DEFAULT '0',
    received_qty    TEXT NOT NULL DEFAULT '0',
    damaged_qty     TEXT NOT NULL DEFAULT '0',
    counted_qty     TEXT NOT NULL DEFAULT '0',
    short_reason    TEXT,
    variance_reason TEXT,
    variance_note   TEXT,
    photos          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (consignment_id, product_id)
);

-- Lines removed, so stations that pulled them drop them too.
CREATE TABLE removed_line (
    line_id         TEXT PRIMARY KEY,
    consignment_id  TEXT NOT NULL,
    product_id      TEXT NOT NULL
);

-- Append-only; line totals are the sums of these deltas.
CREATE TABLE scan_event (
    id              TEXT PRIMARY KEY,
    consignment_id  TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    box_id          TEXT,
    delta           TEXT NOT NULL,
    raw_code        TEXT,
    device_id       TEXT NOT NULL,
    at              TEXT NOT NULL,
    by_staff        TEXT NOT NULL,
    undoes          TEXT
);
CREATE INDEX scan_event_consignment ON scan_event(consignment_id);

CREATE TABLE parcel (
    id              TEXT PRIMARY KEY,
    consignment_id  TEXT NOT NULL REFERENCES consignment(id),
    number          INTEGER NOT NULL,
    container       TEXT NOT NULL,
    closed          INTEGER NOT NULL DEFAULT 0,
    weight_grams    INTEGER,
    weight_source   TEXT,
    dimensions      TEXT,
    tracking_number TEXT
);
CREATE INDEX parcel_consignment ON parcel(consignment_id);

CREATE TABLE receipt_session (
    id              TEXT PRIMARY KEY,
    consignment_id  TEXT NOT NULL REFERENCES consignment(id),
    by_staff        TEXT NOT NULL,
    at              TEXT NOT NULL,
    closed_at       TEXT,
    signed_by       TEXT,
    signature       TEXT,            -- sha256 of the signature image
    driver_signature TEXT
);

-- Counts per session and product: absolute within the session (a recount
-- replaces), summed over sessions into consignment_line.received_qty.
CREATE TABLE receipt_line (
    session_id      TEXT NOT NULL REFERENCES receipt_session(id),
    consignment_id  TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    received_qty    TEXT NOT NULL,
    damaged_qty     TEXT NOT NULL,
    PRIMARY KEY (session_id, product_id)
);

-- One domain ApprovalRecord per decision, oldest first by seq.
CREATE TABLE approval (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    consignment_id  TEXT NOT NULL REFERENCES consignment(id),
    record_json     TEXT NOT NULL
);
CREATE INDEX approval_consignment ON approval(consignment_id);

-- The pull log: one entry per row, moved to the end each time the row changes.
-- AUTOINCREMENT: seqs are never reused, so cursors only move forward.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL
);
CREATE UNIQUE INDEX change_log_entity ON change_log(entity, entity_id);

-- The Lightspeed saga outbox: one row per consignment whose hub state Lightspeed
-- must catch up with. `wanted_gen` moves on every change; the worker is done when
-- `done_gen` reaches it.
CREATE TABLE ls_saga (
    consignment_id   TEXT PRIMARY KEY REFERENCES consignment(id),
    wanted_gen       INTEGER NOT NULL,
    done_gen         INTEGER NOT NULL DEFAULT 0,
    priority         INTEGER NOT NULL,
    state            TEXT NOT NULL,        -- pending | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at_ms       INTEGER NOT NULL,     -- unix milliseconds
    create_attempted INTEGER NOT NULL DEFAULT 0,  -- a create was sent: search before another
    bulk_attempted   INTEGER NOT NULL DEFAULT 0,  -- a bulk line add was sent: never again
    last_error       TEXT,
    dead_body        TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ls_saga_due ON ls_saga(state, priority, next_at_ms);

-- Persisted Lightspeed version cursors of the poller.
CREATE TABLE poll_cursor (
    name     TEXT PRIMARY KEY,
    version  INTEGER NOT NULL
);

-- Lightspeed changes the poller refused to apply (a status moving backwards, a
-- consignment deleted under Tally): reported, never applied.
CREATE TABLE inbound_conflict (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    lightspeed_id   TEXT NOT NULL,
    consignment_id  TEXT NOT NULL,
    hub_status      TEXT NOT NULL,
    ls_status       TEXT NOT NULL,
    code            TEXT NOT NULL,
    message         TEXT NOT NULL,
    at              TEXT NOT NULL
);
