-- Stock facts read from Lightspeed by the poller, for reorder suggestions at the
-- stations: one row per outlet and product (inventory), and the lines of completed
-- register sales (sales), from which units sold per day are summed.

-- A product's main supplier in Lightspeed (NULL when it has none).
ALTER TABLE product ADD COLUMN supplier_id TEXT;

CREATE TABLE stock_level (
    outlet_id      TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    on_hand        TEXT NOT NULL,
    reorder_point  TEXT,
    reorder_amount TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (outlet_id, product_id)
);

-- Rewritten whole each time the sale comes through the walk (a voided or deleted
-- sale keeps no lines), so a page read twice counts once.
CREATE TABLE sale_line (
    sale_id    TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    outlet_id  TEXT NOT NULL,
    product_id TEXT NOT NULL,
    day        TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    units      TEXT NOT NULL,
    PRIMARY KEY (sale_id, line_no)
);
CREATE INDEX sale_line_by_stock ON sale_line (outlet_id, product_id, day);
CREATE INDEX sale_line_by_day ON sale_line (day);
