-- Tally outlet store, schema version 1.
-- Conventions (crates/store/src/sql.rs):
--   ids       TEXT, UUID hyphenated lowercase (UUIDv7 for rows made here)
--   times     INTEGER, unix milliseconds UTC
--   decimals  TEXT, exact decimal strings (rust_decimal); never REAL
--   enums     TEXT, the domain crate's `as_str` names
-- Foreign keys are DEFERRABLE INITIALLY DEFERRED so a pulled batch may arrive in any
-- order inside its one transaction; they are still checked at commit.

-- Key/value facts about this store: audit head, pull cursor, last sync time.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE outlets (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    code          TEXT,
    lightspeed_id TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE suppliers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    code          TEXT,
    lightspeed_id TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
) STRICT;

-- This station: exactly one row once provisioned.
CREATE TABLE station (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    station_id TEXT NOT NULL,
    outlet_id  TEXT NOT NULL REFERENCES outlets (id) DEFERRABLE INITIALLY DEFERRED,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Reference-number blocks handed to this station by the hub (DOMAIN.md, "References").
CREATE TABLE reference_blocks (
    first INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL,
    next  INTEGER NOT NULL,
    CHECK (first <= last AND next >= first AND next <= last + 1)
) STRICT;

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    outlet_id  TEXT REFERENCES outlets (id) DEFERRABLE INITIALLY DEFERRED,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    pin_hash   TEXT,            -- argon2id PHC string; never the PIN
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_by_outlet ON staff (outlet_id);

-- `pk` is an explicit rowid so VACUUM cannot renumber it under the FTS index.
CREATE TABLE products (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    sku           TEXT NOT NULL,
    name          TEXT NOT NULL,
    supplier_id   TEXT REFERENCES suppliers (id) DEFERRABLE INITIALLY DEFERRED,
    supplier_code TEXT,
    supply_price  TEXT,
    price         TEXT,
    weight_grams  INTEGER,
    length_mm     INTEGER,
    width_mm      INTEGER,
    height_mm     INTEGER,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    lightspeed_id TEXT,
    version       INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Every code a scanner or a person may type for a product: barcodes, the SKU and the
-- supplier code, in one table so a scan is one index probe. Kept in step with
-- `products` by the store (rewritten whole on each product upsert).
CREATE TABLE product_codes (
    code       TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    kind       TEXT NOT NULL CHECK (kind IN ('barcode', 'sku', 'supplier_code')),
    PRIMARY KEY (code, product_id, kind)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_codes_by_product ON product_codes (product_id);

-- Name search for the UI (external-content FTS5 over products).
CREATE VIRTUAL TABLE products_fts USING fts5 (
    name, sku, supplier_code,
    content = 'products', content_rowid = 'pk',
    prefix = '2 3',  -- prefix indexes: search-as-you-type stays fast on short prefixes
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name, sku, supplier_code)
    VALUES (new.pk, new.name, new.sku, new.supplier_code);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, sku, supplier_code)
    VALUES ('delete', old.pk, old.name, old.sku, old.supplier_code);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, sku, supplier_code)
    VALUES ('delete', old.pk, old.name, old.sku, old.supplier_code);
    INSERT INTO products_fts (rowid, name, sku, supplier_code)
    VALUES (new.pk, new.name, new.sku, new.supplier_code);
END;

CREATE TABLE consignments (
    id                    TEXT PRIMARY KEY,
    kind                  TEXT NOT NULL,
    status                TEXT NOT NULL,
    source_outlet_id      TEXT REFERENCES outlets (id) DEFERRABLE INITIALLY DEFERRED,
    destination_outlet_id TEXT REFERENCES outlets (id) DEFERRABLE INITIALLY DEFERRED,
    supplier_id           TEXT REFERENCES suppliers (id) DEFERRABLE INITIALLY DEFERRED,
    reference             TEXT NOT NULL,
    lightspeed_id         TEXT,
    version               INTEGER NOT NULL DEFAULT 0,
    created_by            TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX consignments_by_source ON consignments (source_outlet_id, status);
CREATE INDEX consignments_by_destination ON consignments (destination_outlet_id, status);

-- Packed and received quantities are NOT columns here: they are derived from
-- scan_events and receipt_lines (see consignment.rs).
CREATE TABLE consignment_lines (
    id             TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    product_id     TEXT NOT NULL REFERENCES products (id) DEFERRABLE INITIALLY DEFERRED,
    expected_qty   TEXT NOT NULL,
    unit_cost      TEXT,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    version        INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (consignment_id, product_id)
) STRICT;

CREATE TABLE boxes (
    id              TEXT PRIMARY KEY,
    consignment_id  TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    number          INTEGER NOT NULL,
    container_type  TEXT NOT NULL,
    weight_grams    INTEGER,
    weight_source   TEXT CHECK (weight_source IN ('scale', 'typed')),
    scale_id        TEXT,
    weight_stable   INTEGER CHECK (weight_stable IN (0, 1)),
    length_mm       INTEGER,
    width_mm        INTEGER,
    height_mm       INTEGER,
    label_printed_at INTEGER,
    label_evidence  TEXT,
    tracking_number TEXT,
    closed_at       INTEGER,
    created_by      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (consignment_id, number),
    -- a weight is either measured (scale id + stability flag) or typed; never half of each
    CHECK ((weight_grams IS NULL AND weight_source IS NULL)
        OR (weight_source = 'scale' AND scale_id IS NOT NULL AND weight_stable IS NOT NULL)
        OR (weight_source = 'typed' AND scale_id IS NULL))
) STRICT;

-- Append-only: an undo is a negative event pointing at the one it undoes.
CREATE TABLE scan_events (
    id             TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    product_id     TEXT NOT NULL REFERENCES products (id) DEFERRABLE INITIALLY DEFERRED,
    box_id         TEXT REFERENCES boxes (id) DEFERRABLE INITIALLY DEFERRED,
    purpose        TEXT NOT NULL CHECK (purpose IN ('pack', 'receive', 'count')),
    delta          INTEGER NOT NULL CHECK (delta <> 0),
    raw_code       TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    staff_id       TEXT NOT NULL,
    at             INTEGER NOT NULL,
    undoes         TEXT UNIQUE REFERENCES scan_events (id) DEFERRABLE INITIALLY DEFERRED,
    mutation_id    TEXT,       -- NULL for events pulled from other stations
    origin         TEXT NOT NULL CHECK (origin IN ('local', 'remote'))
) STRICT;
CREATE INDEX scan_events_by_line ON scan_events (consignment_id, product_id, purpose);
CREATE TRIGGER scan_events_no_update BEFORE UPDATE ON scan_events BEGIN
    SELECT RAISE(ABORT, 'scan_events is append-only');
END;
CREATE TRIGGER scan_events_no_delete BEFORE DELETE ON scan_events BEGIN
    SELECT RAISE(ABORT, 'scan_events is append-only');
END;

CREATE TABLE receipts (
    id                 TEXT PRIMARY KEY,
    consignment_id     TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    started_by         TEXT NOT NULL,
    started_at         INTEGER NOT NULL,
    closed_at          INTEGER,
    signed_by          TEXT,
    signature_strokes  TEXT,    -- JSON vector strokes
    signature_png      TEXT,    -- evidence content hash
    driver_signature_png TEXT,  -- evidence content hash
    note               TEXT
) STRICT;
CREATE INDEX receipts_by_consignment ON receipts (consignment_id);

-- Counted quantities of one session; a consignment's received quantity is the sum
-- over its receipts.
CREATE TABLE receipt_lines (
    id              TEXT PRIMARY KEY,
    receipt_id      TEXT NOT NULL REFERENCES receipts (id) DEFERRABLE INITIALLY DEFERRED,
    product_id      TEXT NOT NULL REFERENCES products (id) DEFERRABLE INITIALLY DEFERRED,
    received_qty    TEXT NOT NULL,
    damaged_qty     TEXT NOT NULL,
    variance_reason TEXT CHECK (variance_reason IN ('short', 'over', 'damaged', 'wrong_item', 'expired', 'other')),
    note            TEXT,
    recorded_by     TEXT NOT NULL,
    recorded_at     INTEGER NOT NULL,
    UNIQUE (receipt_id, product_id)
) STRICT;

CREATE TABLE approvals (
    id             TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    tier           INTEGER NOT NULL,
    required_role  TEXT NOT NULL,
    decision       TEXT NOT NULL CHECK (decision IN ('approve', 'request_changes', 'reject')),
    reason         TEXT,
    comment        TEXT,
    decided_by     TEXT NOT NULL,
    decided_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX approvals_by_consignment ON approvals (consignment_id);

-- Which rows refer to which evidence file (photos, signature PNGs, label PDFs).
CREATE TABLE evidence_refs (
    hash        TEXT NOT NULL CHECK (length(hash) = 64),
    kind        TEXT NOT NULL CHECK (kind IN ('photo', 'signature', 'label_pdf', 'other')),
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (entity_type, entity_id, hash)
) STRICT;

-- Transactional outbox: one row per user action, written in the action's transaction.
-- seq is AUTOINCREMENT so it only ever grows, even after done rows are pruned.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id     TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    consignment_id  TEXT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'in_flight', 'done', 'needs_attention', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    last_error_code TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, next_at, seq);
CREATE INDEX outbox_by_consignment ON outbox (consignment_id, seq);

-- Hash-chained audit log: hash = SHA-256(canonical(entry) || prev_hash). See audit.rs.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    mutation_id TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_by_mutation ON audit_log (mutation_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
