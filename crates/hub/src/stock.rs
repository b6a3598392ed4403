//! Stock facts for reorder suggestions: what the poller reads from Lightspeed's
//! inventory and sales walks, kept per outlet and product and logged for pull (only the
//! outlet's own stations see its rows). Sales are kept as lines of completed sales and
//! summed per day when a row is served, so a sale read twice counts once and a voided
//! one stops counting.

use time::{Date, OffsetDateTime};

use crate::ls::{LsSale, LsStock};
use crate::store::{Entity, HubTx, SaleLine, StockLevel, StoreResult};

/// Days of sales the hub keeps (and sends); the reorder window cannot be longer.
pub const SALES_KEPT_DAYS: u32 = 92;

/// `YYYY-MM-DD` of a date.
pub fn day_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The first day still kept on `now`'s date.
pub fn oldest_kept_day(now: OffsetDateTime) -> String {
    day_string(now.date() - time::Duration::days(i64::from(SALES_KEPT_DAYS) - 1))
}

/// Stores an outlet's stock record and logs it for pull, unless nothing changed. A
/// record deleted in Lightspeed reads as nothing on hand and no reorder point.
pub fn put_stock(tx: &mut dyn HubTx, s: &LsStock, now: OffsetDateTime) -> StoreResult<()> {
    let row = StockLevel {
        outlet_id: s.outlet_id.clone(),
        product_id: s.product_id.clone(),
        on_hand: if s.deleted {
            rust_decimal::Decimal::ZERO
        } else {
            s.on_hand
        },
        reorder_point: s.reorder_point.filter(|_| !s.deleted),
        reorder_amount: s.reorder_amount.filter(|_| !s.deleted),
        updated_at: now,
    };
    if let Some(old) = tx.stock_level(&row.outlet_id, &row.product_id)? {
        let same = StockLevel {
            updated_at: now,
            ..old
        };
        if same == row {
            return Ok(());
        }
    }
    tx.upsert_stock_level(&row)?;
    tx.record_change(
        Entity::Stock,
        &StockLevel::key(&row.outlet_id, &row.product_id),
    )
}

/// Keeps a sale's lines (none once voided or deleted) and logs every outlet product
/// whose sales changed.
pub fn apply_sale(tx: &mut dyn HubTx, s: &LsSale) -> StoreResult<()> {
    let lines: Vec<SaleLine> = match (&s.day, s.completed) {
        (Some(day), true) => s
            .lines
            .iter()
            .map(|(product_id, units)| SaleLine {
                outlet_id: s.outlet_id.clone(),
                product_id: product_id.clone(),
                day: day.clone(),
                units: *units,
            })
            .collect(),
        _ => Vec::new(),
    };
    for (outlet, product) in tx.replace_sale_lines(&s.id, &lines)? {
        tx.record_change(Entity::Stock, &StockLevel::key(&outlet, &product))?;
    }
    Ok(())
}

/// The pull row of an outlet's product: stock and units sold per day kept, when
/// Lightspeed has a stock record for it.
pub fn stock_row(
    tx: &mut dyn HubTx,
    outlet_id: &str,
    product_id: &str,
    now: OffsetDateTime,
) -> StoreResult<Option<tally_sync::StockRow>> {
    let Some(level) = tx.stock_level(outlet_id, product_id)? else {
        return Ok(None);
    };
    let daily_sales = tx
        .daily_sales(outlet_id, product_id, &oldest_kept_day(now))?
        .into_iter()
        .map(|(day, units)| tally_sync::DailySales { day, units })
        .collect();
    Ok(Some(tally_sync::StockRow {
        outlet_id: level.outlet_id,
        product_id: level.product_id,
        on_hand: level.on_hand,
        reorder_point: level.reorder_point,
        reorder_amount: level.reorder_amount,
        daily_sales,
        updated_at: level.updated_at,
    }))
}
