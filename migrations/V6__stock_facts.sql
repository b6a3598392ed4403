-- Stock facts of this station's outlet, pulled from the hub (which reads them from
-- Lightspeed): on hand and the outlet's reorder settings per product, and units sold
-- per UTC day. Reorder suggestions are computed from them; nothing here is pushed.
-- Ids are Lightspeed's (the same text as products.id and outlets.id).
CREATE TABLE stock_levels (
    outlet_id      TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    on_hand        TEXT NOT NULL,
    reorder_point  TEXT,
    reorder_amount TEXT,
    version        INTEGER NOT NULL,   -- the hub's change position: only moves forward
    hub_updated_at INTEGER NOT NULL,   -- when the hub applied the newest fact
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, product_id)
) STRICT;

-- Rewritten whole with each pulled stock row; days outside the window are ignored
-- when read, so the window slides without a pull.
CREATE TABLE stock_daily_sales (
    outlet_id  TEXT NOT NULL,
    product_id TEXT NOT NULL,
    day        TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    units      TEXT NOT NULL,
    PRIMARY KEY (outlet_id, product_id, day)
) STRICT;

-- A pulled product's supplier as the hub sent it, kept even while that supplier has
-- not reached this station yet (products.supplier_id follows once it has).
ALTER TABLE products ADD COLUMN supplier_ref TEXT;
