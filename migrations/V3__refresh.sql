-- Consignments whose local view must be replaced by the hub's: a person discarded a
-- change the hub refused, so what this station shows is no longer true. The sync
-- loop fetches each one (GET /sync/consignment) and deletes its row once applied.
CREATE TABLE consignment_refresh (
    consignment_id TEXT PRIMARY KEY,
    requested_at   INTEGER NOT NULL
) STRICT;
