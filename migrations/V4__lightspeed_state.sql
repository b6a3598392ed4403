-- How far Lightspeed is with each consignment, as the hub last said: pending, done,
-- refused or not_sent. Display only (the station never sends it anywhere).
CREATE TABLE consignment_lightspeed (
    consignment_id TEXT PRIMARY KEY,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'done', 'refused', 'not_sent')),
    updated_at     INTEGER NOT NULL
) STRICT;
