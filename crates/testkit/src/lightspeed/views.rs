//! Read-only snapshots of the fake's state for test assertions.

use rust_decimal::Decimal;
use tally_domain::{LsConsignmentStatus, LsConsignmentType};

use super::rules::{Kind, Status};
use super::store::{ConsignmentRow, ProductRow};

/// A consignment with its lines, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsignmentView {
    pub id: String,
    pub kind: LsConsignmentType,
    pub status: LsConsignmentStatus,
    pub name: Option<String>,
    pub reference: Option<String>,
    pub outlet_id: String,
    pub source_outlet_id: Option<String>,
    pub supplier_id: Option<String>,
    pub version: u64,
    pub deleted: bool,
    pub lines: Vec<LineView>,
}

/// One consignment line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineView {
    pub product_id: String,
    pub count: Decimal,
    pub received: Option<Decimal>,
    pub cost: Decimal,
}

/// A product, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductView {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub barcodes: Vec<String>,
    pub supply_price: Decimal,
    pub version: u64,
    pub deleted: bool,
}

fn kind(k: Kind) -> LsConsignmentType {
    match k {
        Kind::Supplier => LsConsignmentType::Supplier,
        Kind::Outlet => LsConsignmentType::Outlet,
        Kind::Return => LsConsignmentType::Return,
        Kind::Stocktake => LsConsignmentType::Stocktake,
    }
}

fn status(s: Status) -> LsConsignmentStatus {
    match s {
        Status::Open => LsConsignmentStatus::Open,
        Status::Sent => LsConsignmentStatus::Sent,
        Status::Dispatched => LsConsignmentStatus::Dispatched,
        Status::Received => LsConsignmentStatus::Received,
        Status::Cancelled => LsConsignmentStatus::Cancelled,
        Status::StocktakeScheduled => LsConsignmentStatus::StocktakeScheduled,
        Status::StocktakeInProgress => LsConsignmentStatus::StocktakeInProgress,
        Status::StocktakeInProgressProcessed => LsConsignmentStatus::StocktakeInProgressProcessed,
        Status::StocktakeComplete => LsConsignmentStatus::StocktakeComplete,
        Status::Closed => LsConsignmentStatus::Closed,
    }
}

impl From<&ConsignmentRow> for ConsignmentView {
    fn from(r: &ConsignmentRow) -> Self {
        Self {
            id: r.id.clone(),
            kind: kind(r.kind),
            status: status(r.status),
            name: r.name.clone(),
            reference: r.reference.clone(),
            outlet_id: r.outlet_id.clone(),
            source_outlet_id: r.source_outlet_id.clone(),
            supplier_id: r.supplier_id.clone(),
            version: r.version,
            deleted: r.deleted_at.is_some(),
            lines: r
                .lines
                .iter()
                .map(|l| LineView {
                    product_id: l.product_id.clone(),
                    count: l.count,
                    received: l.received,
                    cost: l.cost,
                })
                .collect(),
        }
    }
}

impl From<&ProductRow> for ProductView {
    fn from(p: &ProductRow) -> Self {
        Self {
            id: p.id.clone(),
            sku: p.sku.clone(),
            name: p.name.clone(),
            barcodes: p.product_codes.iter().map(|c| c.code.clone()).collect(),
            supply_price: p.supply_price,
            version: p.version,
            deleted: p.deleted_at.is_some(),
        }
    }
}
