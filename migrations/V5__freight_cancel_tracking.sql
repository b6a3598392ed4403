-- Freight after booking (issue 12). A booked label may be cancelled (its own audited
-- action; offline the cancel waits here until the hub answers), and the hub's polled
-- tracking state of each consignment's latest booking arrives with pulls.
CREATE TABLE freight_cancellations (
    id             TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments(id),
    booking_id     TEXT NOT NULL,          -- the carrier's id of the cancelled booking
    carrier_name   TEXT,
    state          TEXT NOT NULL CHECK (state IN ('waiting', 'done')),
    reason         TEXT NOT NULL,
    requested_by   TEXT NOT NULL,          -- the signed-in person
    requested_at   INTEGER NOT NULL,
    done_at        INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
) STRICT;
CREATE INDEX freight_cancellations_consignment ON freight_cancellations(consignment_id, state);

-- Where each consignment's latest carrier booking is, as the hub last said. Display
-- only (the station never sends it anywhere).
CREATE TABLE consignment_freight (
    consignment_id TEXT PRIMARY KEY,
    booking_id     TEXT NOT NULL,
    carrier_name   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('booked', 'in_transit', 'delivered', 'cancelled', 'other')),
    carrier_status TEXT,
    changed_at     TEXT,
    updated_at     INTEGER NOT NULL
) STRICT;
