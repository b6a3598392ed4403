//! A supplier's recent orders and how their deliveries went (short, over, damaged), for
//! the approver deciding on a new one.
//!
//! Sources: the orders this station created for the supplier (indexed in the audit log
//! when created) and the open orders of this outlet. Orders created at other stations and
//! already closed are not known here: the store has no query of closed consignments by
//! supplier yet.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Money, Quantity};
use uuid::Uuid;

use super::facts::totals_of;
use super::views::{qty, SupplierHistoryView, SupplierOrderSummary};
use super::{marks, parse_id, rfc3339};
use crate::error::AppError;
use crate::App;

/// Orders shown.
const RECENT: usize = 10;

impl App {
    /// A supplier's recent purchase orders with their received variances.
    pub fn supplier_history(&self, supplier_id: &str) -> Result<SupplierHistoryView, AppError> {
        self.actor()?;
        self.supplier_history_for(parse_id("supplier", supplier_id)?)
    }

    pub(crate) fn supplier_history_for(
        &self,
        supplier: Uuid,
    ) -> Result<SupplierHistoryView, AppError> {
        let store = self.store();
        let mut ids: BTreeSet<Uuid> = store
            .audit_entries_for("supplier", &supplier.to_string())?
            .into_iter()
            .filter(|e| e.action == marks::SUPPLIER_ORDER)
            .filter_map(|e| e.after?.get("consignment_id")?.as_str()?.parse().ok())
            .collect();
        let here = store.station_outlet()?;
        for c in store.list_open_consignments(here)? {
            if c.kind == ConsignmentKind::PurchaseOrder {
                ids.insert(c.id);
            }
        }
        let mut orders = Vec::new();
        for id in ids {
            let h = store.consignment(id)?;
            if h.kind != ConsignmentKind::PurchaseOrder || h.supplier_id != Some(supplier) {
                continue;
            }
            let lines = store.consignment_lines(id)?;
            let ordered: Decimal = lines.iter().map(|l| l.line.expected_qty).sum();
            let received: Decimal = lines.iter().map(|l| l.received).sum();
            let damaged: Decimal = lines.iter().map(|l| l.damaged).sum();
            let arrived = received > Decimal::ZERO || h.status == ConsignmentStatus::Received;
            let variance_value: Money = lines
                .iter()
                .map(|l| {
                    Quantity::new(l.received - l.line.expected_qty)
                        * Money::new(l.line.unit_cost.unwrap_or_default())
                })
                .sum();
            orders.push((
                h.created_at,
                h.status,
                SupplierOrderSummary {
                    id: id.to_string(),
                    reference: h.reference,
                    status: h.status,
                    created_at: rfc3339(h.created_at),
                    total_excl: totals_of(&lines).excl_gst.into(),
                    ordered: qty(Quantity::new(ordered)),
                    received: qty(Quantity::new(received)),
                    variance_units: arrived.then(|| qty(Quantity::new(received - ordered))),
                    variance_value: arrived.then(|| variance_value.into()),
                    damaged: qty(Quantity::new(damaged)),
                },
            ));
        }
        orders.sort_by_key(|o| std::cmp::Reverse(o.0));
        let delivered: Vec<&SupplierOrderSummary> = orders
            .iter()
            .filter(|(_, s, _)| *s == ConsignmentStatus::Received)
            .map(|(_, _, o)| o)
            .collect();
        let with_variance = delivered
            .iter()
            .filter(|o| o.variance_units.as_deref().is_some_and(|v| v != "0") || o.damaged != "0")
            .count();
        Ok(SupplierHistoryView {
            delivered: u32::try_from(delivered.len()).unwrap_or(u32::MAX),
            delivered_with_variance: u32::try_from(with_variance).unwrap_or(u32::MAX),
            orders: orders.into_iter().take(RECENT).map(|(_, _, o)| o).collect(),
        })
    }
}
