-- Supplier returns: the supplier's return authorisation number, why each product goes
-- back, and the credit notes received against the return. Synced like any consignment
-- data (the hub validates and keeps them; other stations pull them).
CREATE TABLE supplier_return_details (
    consignment_id       TEXT PRIMARY KEY REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    authorisation_number TEXT,
    updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE supplier_return_reasons (
    consignment_id TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    product_id     TEXT NOT NULL,
    reason         TEXT NOT NULL,
    note           TEXT,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (consignment_id, product_id)
) STRICT;

CREATE TABLE supplier_credits (
    id                 TEXT PRIMARY KEY,
    consignment_id     TEXT NOT NULL REFERENCES consignments (id) DEFERRABLE INITIALLY DEFERRED,
    amount             TEXT NOT NULL,
    credit_note_number TEXT NOT NULL,
    credited_on        TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX supplier_credits_by_consignment ON supplier_credits (consignment_id, recorded_at);

-- The hub's record of every change it applied to a consignment, from every station
-- (pulled; display only). The station's own changes not yet applied there are read
-- from its audit log.
CREATE TABLE hub_history (
    mutation_id    TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL,
    applied_at     INTEGER NOT NULL,
    entry_json     TEXT NOT NULL
) STRICT;
CREATE INDEX hub_history_by_consignment ON hub_history (consignment_id, applied_at);
