-- A supplier return's authorisation number, line reasons and credits, as one JSON
-- document per return (`SupplierReturnRow`), checked by the domain before it is written.
CREATE TABLE supplier_return (
    consignment_id TEXT PRIMARY KEY,
    row_json       TEXT NOT NULL
);

-- Every mutation the hub applied to a consignment, and the hub's own changes
-- (escalations): who, when, from which station, status before and after, the change.
CREATE TABLE consignment_history (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    consignment_id TEXT NOT NULL,
    mutation_id    TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    row_json       TEXT NOT NULL
);
CREATE INDEX consignment_history_by_consignment ON consignment_history (consignment_id, seq);
