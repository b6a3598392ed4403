-- Freight after booking (issue 12): cancelling a label is its own audited action, and
-- the hub polls each live booking's tracking state for the stations' lists.
ALTER TABLE freight_booking ADD COLUMN origin_outlet_id TEXT;      -- who sends (stations' pulls)
ALTER TABLE freight_booking ADD COLUMN destination_outlet_id TEXT;
ALTER TABLE freight_booking ADD COLUMN cancelled_ms INTEGER;
ALTER TABLE freight_booking ADD COLUMN tracking_state TEXT NOT NULL DEFAULT 'booked'
    CHECK (tracking_state IN ('booked', 'in_transit', 'delivered', 'cancelled', 'other'));
ALTER TABLE freight_booking ADD COLUMN carrier_status TEXT;         -- the carrier's own words
ALTER TABLE freight_booking ADD COLUMN tracking_checked_ms INTEGER; -- last poll that answered
ALTER TABLE freight_booking ADD COLUMN tracking_changed_ms INTEGER;
CREATE INDEX freight_booking_live ON freight_booking(tracking_state);

-- Who did what to a booking, when and why, with the booking before and after.
CREATE TABLE freight_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms          INTEGER NOT NULL,
    action         TEXT NOT NULL,        -- freight.cancelled
    reference      TEXT NOT NULL REFERENCES freight_booking(reference),
    consignment_id TEXT NOT NULL,
    device_id      TEXT NOT NULL,        -- the station that asked
    person         TEXT NOT NULL,        -- the signed-in person at that station
    reason         TEXT NOT NULL,
    before_json    TEXT NOT NULL,
    after_json     TEXT NOT NULL
);
CREATE INDEX freight_audit_consignment ON freight_audit(consignment_id);
