//! Expected against received for one consignment, over all its receive sessions: the
//! one place the screen, the scan, the close and the report read their numbers from.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use tally_domain::{
    assess_line, ConsignmentKind, Money, Quantity, ReceivedLine, VariancePolicy, VarianceReason,
};
use tally_store::{Consignment, ContentHash, Receipt, ReceiptLine, Store};
use uuid::Uuid;

use crate::error::AppError;

/// One product's progress (a consignment line, or an unexpected item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductProgress {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub on_consignment: bool,
    /// What should arrive: ordered (PO) or sent (transfer).
    pub expected: Decimal,
    pub unit_cost: Decimal,
    /// Over all sessions (this one included).
    pub received: Decimal,
    pub damaged: Decimal,
    /// In the open session.
    pub this_session: Decimal,
    pub damaged_this_session: Decimal,
    /// The open session's own line for this product, if any.
    pub session_line: Option<ReceiptLine>,
    /// Latest reason any session gave, with its note.
    pub reason: Option<VarianceReason>,
    pub note: Option<String>,
    /// Photos over all sessions, oldest first.
    pub photos: Vec<ContentHash>,
}

impl ProductProgress {
    /// The domain's view of this line, numbered `line_no`.
    pub fn domain_line(&self, line_no: u32) -> ReceivedLine {
        ReceivedLine {
            line_no,
            expected: Quantity::new(self.expected),
            received: Quantity::new(self.received),
            damaged: Quantity::new(self.damaged),
            unit_cost_excl: Money::new(self.unit_cost),
            reason: self.reason,
            note: self.note.clone(),
            photos: u32::try_from(self.photos.len()).unwrap_or(u32::MAX),
        }
    }
}

/// Everything about one consignment's receiving, read in one go.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub consignment: Consignment,
    pub sessions: Vec<Receipt>,
    /// Lines per session id, for the session list and the report.
    pub session_lines: BTreeMap<Uuid, Vec<ReceiptLine>>,
    pub open_session: Option<Receipt>,
    /// Consignment lines (by product name), then unexpected items (by first count).
    pub lines: Vec<ProductProgress>,
}

impl Snapshot {
    /// Reads the consignment, its lines and every session.
    pub fn read(store: &Store, consignment_id: Uuid) -> Result<Snapshot, AppError> {
        let consignment = store.consignment(consignment_id)?;
        let progress = store.consignment_lines(consignment_id)?;
        // A transfer is received against what was packed (sent), when the packing
        // scans are known here; a purchase order against what was ordered.
        let against_packed = consignment.kind == ConsignmentKind::OutletTransfer
            && progress.iter().any(|p| p.packed > 0);
        let mut lines: Vec<ProductProgress> = progress
            .into_iter()
            .map(|p| ProductProgress {
                product_id: p.line.product_id,
                sku: p.sku,
                name: p.name,
                on_consignment: true,
                expected: if against_packed {
                    Decimal::from(p.packed)
                } else {
                    p.line.expected_qty
                },
                unit_cost: p.line.unit_cost.unwrap_or_default(),
                received: Decimal::ZERO,
                damaged: Decimal::ZERO,
                this_session: Decimal::ZERO,
                damaged_this_session: Decimal::ZERO,
                session_line: None,
                reason: None,
                note: None,
                photos: Vec::new(),
            })
            .collect();
        let sessions = store.receipts_for(consignment_id)?;
        let open_session = sessions
            .iter()
            .rev()
            .find(|r| r.closed_at.is_none())
            .cloned();
        let mut session_lines = BTreeMap::new();
        let mut all: Vec<ReceiptLine> = Vec::new();
        for s in &sessions {
            let rl = store.receipt_lines(s.id)?;
            all.extend(rl.iter().cloned());
            session_lines.insert(s.id, rl);
        }
        // Oldest first, so the latest reason wins.
        all.sort_by_key(|l| (l.recorded_at, l.id));
        for rl in all {
            let idx = match lines.iter().position(|p| p.product_id == rl.product_id) {
                Some(i) => i,
                None => {
                    let product = store.product(rl.product_id)?;
                    lines.push(ProductProgress {
                        product_id: product.id,
                        sku: product.sku,
                        name: product.name,
                        on_consignment: false,
                        expected: Decimal::ZERO,
                        unit_cost: product.supply_price.unwrap_or_default(),
                        received: Decimal::ZERO,
                        damaged: Decimal::ZERO,
                        this_session: Decimal::ZERO,
                        damaged_this_session: Decimal::ZERO,
                        session_line: None,
                        reason: None,
                        note: None,
                        photos: Vec::new(),
                    });
                    lines.len() - 1
                }
            };
            let p = &mut lines[idx];
            p.received += rl.received_qty;
            p.damaged += rl.damaged_qty;
            if rl.variance_reason.is_some() {
                p.reason = rl.variance_reason;
                p.note = rl.note.clone();
            }
            for h in &rl.photos {
                if !p.photos.contains(h) {
                    p.photos.push(h.clone());
                }
            }
            if open_session.as_ref().is_some_and(|s| s.id == rl.receipt_id) {
                p.this_session = rl.received_qty;
                p.damaged_this_session = rl.damaged_qty;
                p.session_line = Some(rl);
            }
        }
        Ok(Snapshot {
            consignment,
            sessions,
            session_lines,
            open_session,
            lines,
        })
    }

    /// The line of `product_id`, if it is on the consignment or was received.
    pub fn line(&self, product_id: Uuid) -> Option<&ProductProgress> {
        self.lines.iter().find(|l| l.product_id == product_id)
    }

    /// The domain's lines, numbered as the screen shows them.
    pub fn domain_lines(&self) -> Vec<ReceivedLine> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| l.domain_line(line_no(i)))
            .collect()
    }

    /// Total received over all sessions.
    pub fn total_received(&self) -> Decimal {
        self.lines.iter().map(|l| l.received).sum()
    }

    /// What the variances and damage are worth at cost, over all lines.
    pub fn variance_value(&self, policy: &VariancePolicy) -> Money {
        self.domain_lines()
            .iter()
            .map(|l| assess_line(l, policy).variance_value)
            .sum()
    }
}

/// Line numbers start at 1.
pub(crate) fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
