-- Freight booked for a consignment at this station (issue 12). One row per
-- consignment: "waiting" while the hub is out of reach (the sync loop books it when
-- the hub is back), "booked" with the carrier's tracking numbers once done. The
-- tracking numbers also go on the boxes (boxes.tracking_number), which sync to the
-- receiving outlet.
CREATE TABLE freight_bookings (
    consignment_id   TEXT PRIMARY KEY REFERENCES consignments(id),
    state            TEXT NOT NULL CHECK (state IN ('waiting', 'booked')),
    request          TEXT NOT NULL,            -- the booking request sent to the hub (JSON)
    carrier_name     TEXT,
    service          TEXT,
    price_excl_gst   TEXT,                     -- exact decimal
    tracking_numbers TEXT,                     -- JSON array, one per box
    booking_id       TEXT,
    requested_by     TEXT,
    requested_at     INTEGER NOT NULL,
    booked_at        INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
);
CREATE INDEX freight_bookings_waiting ON freight_bookings(state);
