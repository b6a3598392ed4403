-- Blocks of reference sequence numbers issued to stations. Blocks never overlap
-- (numbers are unique across the chain: a reference has no outlet code) and are
-- never reused: the next block starts after the highest ever issued.
CREATE TABLE reference_block (
    first      INTEGER PRIMARY KEY,
    last       INTEGER NOT NULL,
    device_id  TEXT NOT NULL REFERENCES device (id),
    issued_at  TEXT NOT NULL,
    CHECK (first >= 1 AND first <= last)
);

CREATE INDEX reference_block_by_device ON reference_block (device_id, first);
