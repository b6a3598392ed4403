//! [`LightspeedPort`] over the real X-Series client (`tally-lightspeed`): the
//! client owns OAuth, the shared rate budget and Retry-After; this adapter maps its
//! models and errors to what the saga and poller need.

use std::sync::Arc;

use rust_decimal::Decimal;
use tally_lightspeed::models::{
    Consignment, ConsignmentLine, InventoryRecord, LineValues, NewConsignment, NewLine, Outlet,
    Product, Sale, Supplier,
};
use tally_lightspeed::{ErrorClass, LightspeedClient, LsError};
use tally_sync::{OutletRow, ProductCode, ProductRow, SupplierRow};

use super::port::{
    LightspeedPort, LsConsignment, LsConsignmentChange, LsFailure, LsLine, LsResult, LsSale,
    LsStock, NewLsConsignment, VersionPage,
};

/// The hub's one Lightspeed client, as a port.
#[derive(Clone)]
pub struct LightspeedApi {
    client: Arc<LightspeedClient>,
}

impl LightspeedApi {
    /// Wraps a configured client.
    pub fn new(client: Arc<LightspeedClient>) -> Self {
        Self { client }
    }

    /// The client (stats, budget snapshot).
    pub fn client(&self) -> &LightspeedClient {
        &self.client
    }
}

/// Maps the client's error to retry-or-park.
pub fn failure(e: LsError) -> LsFailure {
    match e.class() {
        ErrorClass::Retryable => LsFailure::Retryable {
            message: e.to_string(),
            retry_after: e.retry_after(),
            rate_limited: matches!(e, LsError::RateLimited { .. }),
        },
        ErrorClass::Rejected { status, body } => LsFailure::Rejected {
            status: status.unwrap_or(0),
            body: body.map(str::to_string).unwrap_or_else(|| e.to_string()),
        },
    }
}

fn header(c: Consignment) -> LsConsignment {
    LsConsignment {
        id: c.id,
        kind: c.kind,
        status: c.status,
        reference: c.reference,
        name: c.name,
    }
}

fn line(l: ConsignmentLine) -> LsLine {
    LsLine {
        product_id: l.product_id,
        count: l.count,
        received: l.received.unwrap_or(Decimal::ZERO),
        cost: l.cost,
    }
}

fn new_line(l: &LsLine) -> NewLine {
    NewLine {
        product_id: l.product_id.clone(),
        count: l.count,
        received: (!l.received.is_zero()).then_some(l.received),
        cost: l.cost,
    }
}

fn deleted(deleted_at: &Option<String>, deleted: Option<bool>) -> bool {
    deleted_at.is_some() || deleted == Some(true)
}

fn product(p: Product) -> ProductRow {
    let gone = deleted(&p.deleted_at, p.deleted);
    ProductRow {
        sku: p.sku.unwrap_or_default(),
        name: p.name.unwrap_or_default(),
        variant_name: p.variant_name,
        supplier_id: p.supplier_id,
        supplier_code: p.supplier_code,
        supply_price: p.supply_price,
        active: p.active.unwrap_or(true) && !gone,
        codes: p
            .product_codes
            .into_iter()
            .map(|c| ProductCode {
                kind: c.kind,
                code: c.code,
            })
            .collect(),
        deleted: gone,
        id: p.id,
    }
}

fn stock(r: InventoryRecord) -> LsStock {
    LsStock {
        deleted: deleted(&r.deleted_at, r.deleted),
        on_hand: r.inventory_level.unwrap_or(Decimal::ZERO),
        reorder_point: r.reorder_point,
        reorder_amount: r.reorder_amount,
        outlet_id: r.outlet_id,
        product_id: r.product_id,
    }
}

/// The UTC day of an RFC 3339 time, `YYYY-MM-DD`.
fn utc_day(at: &str) -> Option<String> {
    let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    Some(crate::stock::day_string(
        t.to_offset(time::UtcOffset::UTC).date(),
    ))
}

fn sale(s: Sale) -> LsSale {
    let day = s.sale_date.as_deref().and_then(utc_day);
    if day.is_none() {
        tracing::warn!(sale_id = %s.id, "sale without a readable sale_date; not counted");
    }
    LsSale {
        completed: s.is_completed(),
        lines: s
            .line_items
            .into_iter()
            .map(|l| (l.product_id, l.quantity))
            .collect(),
        day,
        id: s.id,
        outlet_id: s.outlet_id,
    }
}

async fn page<T, R>(
    client: &LightspeedClient,
    resource: &'static str,
    after: i64,
    map: impl Fn(T) -> R,
) -> LsResult<VersionPage<R>>
where
    T: serde::de::DeserializeOwned + tally_lightspeed::models::Versioned,
{
    let mut walker = client.walker::<T>(resource, u64::try_from(after).unwrap_or(0));
    match walker.next_page().await.map_err(failure)? {
        None => Ok(VersionPage {
            items: vec![],
            max_version: None,
        }),
        Some(items) => Ok(VersionPage {
            max_version: Some(i64::try_from(walker.progress().cursor).unwrap_or(i64::MAX)),
            items: items.into_iter().map(map).collect(),
        }),
    }
}

impl LightspeedPort for LightspeedApi {
    fn rate_budget(&self) -> Option<crate::edges::BudgetReading> {
        let s = self.client().budget();
        (s.limit.is_some() || s.remaining.is_some()).then_some(crate::edges::BudgetReading {
            limit: s.limit,
            remaining: s.remaining,
        })
    }

    async fn find_consignment_by_reference(
        &self,
        reference: &str,
    ) -> LsResult<Option<LsConsignment>> {
        let found = self
            .client
            .find_consignments_by_reference(reference)
            .await
            .map_err(failure)?;
        Ok(found.into_iter().next().map(header))
    }

    async fn create_consignment(&self, new: &NewLsConsignment) -> LsResult<LsConsignment> {
        let req = NewConsignment {
            kind: new.kind,
            status: Some(new.status),
            name: Some(new.name.clone()),
            reference: Some(new.reference.clone()),
            outlet_id: new.outlet_id.clone(),
            source_outlet_id: new.source_outlet_id.clone(),
            supplier_id: new.supplier_id.clone(),
            due_at: None,
        };
        self.client
            .create_consignment(&req)
            .await
            .map(header)
            .map_err(failure)
    }

    async fn consignment(&self, id: &str) -> LsResult<LsConsignment> {
        self.client
            .get_consignment(id)
            .await
            .map(header)
            .map_err(failure)
    }

    async fn set_status(
        &self,
        id: &str,
        status: tally_domain::LsConsignmentStatus,
    ) -> LsResult<LsConsignment> {
        self.client
            .set_consignment_status(id, status)
            .await
            .map(header)
            .map_err(failure)
    }

    async fn set_name(&self, id: &str, name: &str) -> LsResult<LsConsignment> {
        self.client
            .update_consignment(
                id,
                &tally_lightspeed::models::ConsignmentUpdate {
                    name: Some(name.to_string()),
                    ..Default::default()
                },
            )
            .await
            .map(header)
            .map_err(failure)
    }

    async fn delete_consignment(&self, id: &str) -> LsResult<()> {
        self.client.delete_consignment(id).await.map_err(failure)
    }

    async fn lines(&self, id: &str) -> LsResult<Vec<LsLine>> {
        self.client
            .consignment_lines(id)
            .await
            .map(|ls| ls.into_iter().map(line).collect())
            .map_err(failure)
    }

    async fn add_line(&self, id: &str, l: &LsLine) -> LsResult<()> {
        self.client
            .add_line(id, &new_line(l))
            .await
            .map(|_| ())
            .map_err(failure)
    }

    async fn put_line(&self, id: &str, l: &LsLine) -> LsResult<()> {
        let values = LineValues {
            count: Some(l.count),
            received: Some(l.received),
            cost: l.cost,
        };
        self.client
            .put_line(id, &l.product_id, &values)
            .await
            .map(|_| ())
            .map_err(failure)
    }

    async fn delete_line(&self, id: &str, product_id: &str) -> LsResult<()> {
        self.client
            .delete_line(id, product_id)
            .await
            .map_err(failure)
    }

    async fn bulk_add_lines(&self, id: &str, lines: &[LsLine]) -> LsResult<()> {
        let batch: Vec<NewLine> = lines.iter().map(new_line).collect();
        self.client
            .bulk_add_lines(id, &batch)
            .await
            .map(|_| ())
            .map_err(failure)
    }

    async fn products_after(&self, after: i64, _n: u32) -> LsResult<VersionPage<ProductRow>> {
        page::<Product, _>(&self.client, "products", after, product).await
    }

    async fn outlets_after(&self, after: i64, _n: u32) -> LsResult<VersionPage<OutletRow>> {
        page::<Outlet, _>(&self.client, "outlets", after, |o| OutletRow {
            deleted: deleted(&o.deleted_at, o.deleted),
            name: o.name.unwrap_or_default(),
            id: o.id,
        })
        .await
    }

    async fn suppliers_after(&self, after: i64, _n: u32) -> LsResult<VersionPage<SupplierRow>> {
        page::<Supplier, _>(&self.client, "suppliers", after, |s| SupplierRow {
            deleted: deleted(&s.deleted_at, s.deleted),
            name: s.name.unwrap_or_default(),
            id: s.id,
        })
        .await
    }

    async fn inventory_after(&self, after: i64, _n: u32) -> LsResult<VersionPage<LsStock>> {
        page::<InventoryRecord, _>(&self.client, "inventory", after, stock).await
    }

    async fn sales_after(&self, after: i64, _n: u32) -> LsResult<VersionPage<LsSale>> {
        page::<Sale, _>(&self.client, "sales", after, sale).await
    }

    async fn consignments_after(
        &self,
        after: i64,
        _n: u32,
    ) -> LsResult<VersionPage<LsConsignmentChange>> {
        page::<Consignment, _>(&self.client, "consignments", after, |c| {
            LsConsignmentChange {
                deleted: deleted(&c.deleted_at, c.deleted),
                id: c.id,
                status: c.status,
                reference: c.reference,
            }
        })
        .await
    }
}

#[cfg(test)]
mod sale_day_tests {
    use super::utc_day;

    #[test]
    fn a_sale_counts_on_its_utc_day_and_an_unreadable_date_on_none() {
        assert_eq!(
            utc_day("2026-11-27T09:00:00+13:00").as_deref(),
            Some("2026-11-26")
        );
        assert_eq!(
            utc_day("2026-11-26T23:59:59Z").as_deref(),
            Some("2026-11-26")
        );
        assert_eq!(utc_day("26/11/2026"), None);
    }
}
