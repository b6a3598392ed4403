-- Carrier bookings the hub made (it holds the carrier keys and is the only booker).
-- One row per box set: `reference` is the idempotency key the carrier was booked
-- under (consignment reference + digest of the boxes), so a retry finds it here.
CREATE TABLE freight_booking (
    reference        TEXT PRIMARY KEY,
    consignment_id   TEXT NOT NULL,
    consignment_ref  TEXT NOT NULL,
    device_id        TEXT NOT NULL,        -- the station that asked
    carrier          TEXT NOT NULL,        -- API: nz_post | go_sweet_spot
    carrier_name     TEXT NOT NULL,        -- who delivers (NZ Post, NZ Couriers, ...)
    service          TEXT NOT NULL,
    origin           TEXT NOT NULL,        -- outlet names, for the report's routes
    destination      TEXT NOT NULL,
    boxes            INTEGER NOT NULL,
    units            INTEGER NOT NULL,
    cost_excl_gst    TEXT NOT NULL,        -- exact decimal
    booking_json     TEXT NOT NULL,        -- the carrier booking (ids, tracking numbers)
    booked_ms        INTEGER NOT NULL,
    cancelled        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX freight_booking_consignment ON freight_booking(consignment_id);
