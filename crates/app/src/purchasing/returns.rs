//! Supplier returns: made from a receipt's damaged, wrong or expired items (read from the
//! store's receipt lines) or from scratch, a reason per line, the supplier's return
//! authorisation number, and the expected credit. Released to the packing bench, which
//! packs and sends it; the hub makes it a RETURN consignment in Lightspeed.
//!
//! The authorisation number, each line's reason and the supplier's credit notes are the
//! return's own data in the store (`tally_store::supplier_return`), synced through the
//! hub like its lines; the domain checks them first (`tally_domain::supplier_return`).
//! Only the consignment a return was made from stays a station audit entry.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
pub use tally_domain::ReturnReason;
use tally_domain::{
    check_credit, check_line_change, check_return_line, check_transition, consignment_totals,
    credit_position, document_number, initial_status, ConsignmentKind, ConsignmentReference,
    ConsignmentStatus, CreditInput, LineAmount, LineChange, Money, Quantity, TransitionContext,
    VarianceReason,
};
use tally_store::{Consignment, NewConsignment, NewSupplierCredit, ReturnLineReason, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

use super::views::{qty, MoneyView, PersonView, SupplierCard, TotalsView};
use super::{marks, parse_id, rfc3339};
use crate::error::AppError;
use crate::App;

const SR: ConsignmentKind = ConsignmentKind::SupplierReturn;

/// Something a receipt found that can go back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReturnCandidate {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units that can still go back for this reason.
    pub quantity: String,
    /// Why (from the receipt).
    pub reason: ReturnReason,
    /// The receiver's note, if any.
    pub note: Option<String>,
    /// Unit cost on the order, excl. GST.
    pub unit_cost: Option<MoneyView>,
}

/// A line of a new or edited return.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct ReturnLineInput {
    /// Product id.
    pub product_id: String,
    /// Units (decimal string; 0 removes the line when editing).
    pub quantity: String,
    /// Why it goes back.
    pub reason: ReturnReason,
    /// Note (required for `other`).
    pub note: Option<String>,
    /// Unit cost excl. GST (default: the order's cost or the supplier price).
    pub unit_cost: Option<String>,
}

/// A new supplier return.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct NewSupplierReturn {
    /// Supplier (may be left out when made from an order's receipts).
    pub supplier_id: Option<String>,
    /// The consignment whose receipts the items come from.
    pub source_id: Option<String>,
    /// The supplier's return authorisation number, when already known.
    pub authorisation_number: Option<String>,
    /// Lines.
    pub lines: Vec<ReturnLineInput>,
}

/// The consignment a return was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReturnSource {
    /// Its id.
    pub id: String,
    /// Its reference.
    pub reference: String,
}

/// One line of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReturnLineView {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units going back.
    pub quantity: String,
    /// Why.
    pub reason: Option<ReturnReason>,
    /// Note.
    pub note: Option<String>,
    /// Unit cost excl. GST.
    pub unit_cost: Option<MoneyView>,
    /// Credit expected for the line, excl. GST.
    pub credit: MoneyView,
    /// Packed so far at the bench.
    pub packed: String,
}

/// A supplier return with its lines and expected credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SupplierReturnView {
    /// Id.
    pub id: String,
    /// Reference (`TR-RTN-...`).
    pub reference: String,
    /// Status.
    pub status: ConsignmentStatus,
    /// Supplier.
    pub supplier: SupplierCard,
    /// Returning outlet.
    pub outlet: String,
    /// The supplier's return authorisation number.
    pub authorisation_number: Option<String>,
    /// The order it was made from.
    pub source: Option<ReturnSource>,
    /// Lines.
    pub lines: Vec<ReturnLineView>,
    /// Credit expected from the supplier.
    pub expected_credit: TotalsView,
    /// Expected, credited so far and outstanding (excl. GST).
    pub credit: CreditPositionView,
    /// Credit notes recorded, oldest first.
    pub credits: Vec<CreditView>,
    /// Who made it.
    pub created_by: PersonView,
    /// When (RFC 3339).
    pub created_at: String,
    /// Lines may change now.
    pub can_edit: bool,
    /// May go to the packing bench now.
    pub can_release: bool,
}

/// Where a return's credit stands, excl. GST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CreditPositionView {
    /// Expected from the lines (cost × quantity).
    pub expected: MoneyView,
    /// Credited by credit notes so far.
    pub credited: MoneyView,
    /// Still owed.
    pub outstanding: MoneyView,
    /// Credited more than expected (allowed; worth a look).
    pub over_credited: bool,
}

/// A credit note recorded against a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CreditView {
    /// Id.
    pub id: String,
    /// Amount excl. GST.
    pub amount: MoneyView,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note (`YYYY-MM-DD`).
    pub credited_on: String,
    /// Who recorded it.
    pub recorded_by: PersonView,
    /// When (RFC 3339).
    pub recorded_at: String,
}

/// A supplier credit to record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct SupplierCreditInput {
    /// Amount excl. GST (decimal string, more than zero).
    pub amount: String,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note (`YYYY-MM-DD`).
    pub credited_on: String,
}

/// One return in the returns list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SupplierReturnSummary {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Status.
    pub status: ConsignmentStatus,
    /// Supplier name.
    pub supplier: String,
    /// The supplier's return authorisation number.
    pub authorisation_number: Option<String>,
    /// Expected, credited, outstanding.
    pub credit: CreditPositionView,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

fn reason_from_variance(v: VarianceReason) -> Option<ReturnReason> {
    match v {
        VarianceReason::Damaged => Some(ReturnReason::Damaged),
        VarianceReason::WrongItem => Some(ReturnReason::WrongItem),
        VarianceReason::Expired => Some(ReturnReason::Expired),
        VarianceReason::Over => Some(ReturnReason::OverSupplied),
        _ => None,
    }
}

/// A checked line.
struct ReturnLine {
    product: Uuid,
    quantity: Decimal,
    reason: ReturnReason,
    note: Option<String>,
    unit_cost: Option<Decimal>,
}

fn parse_line(input: &ReturnLineInput) -> Result<ReturnLine, AppError> {
    let product = parse_id("product", &input.product_id)?;
    let q = Quantity::parse(&input.quantity)?;
    if q.is_negative() {
        return Err(tally_domain::DomainError::NegativeQuantity {
            field: "The quantity",
        }
        .into());
    }
    let note = check_return_line(input.reason, input.note.as_deref())?;
    let unit_cost = input
        .unit_cost
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            let m = Money::parse(c)?;
            if m.is_negative() {
                Err(AppError::from(
                    tally_domain::DomainError::NegativeQuantity {
                        field: "The unit cost",
                    },
                ))
            } else {
                Ok(m.amount())
            }
        })
        .transpose()?;
    Ok(ReturnLine {
        product,
        quantity: q.value(),
        reason: input.reason,
        note,
        unit_cost,
    })
}

fn clean_authorisation(n: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(document_number("return authorisation number", n)?)
}

fn parse_date(s: &str) -> Result<time::Date, AppError> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        AppError::new(
            "BAD_DATE",
            format!("\"{s}\" is not a date; use the form 2026-03-31."),
        )
    })
}

impl App {
    /// What a consignment's receipts found damaged, wrong, expired or over-supplied that
    /// can still go back (less what earlier returns from it already took).
    pub fn return_candidates(
        &self,
        consignment_id: &str,
    ) -> Result<Vec<ReturnCandidate>, AppError> {
        self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let source = self.store().consignment(id)?;
        self.candidates_of(&source)
    }

    fn candidates_of(&self, source: &Consignment) -> Result<Vec<ReturnCandidate>, AppError> {
        let store = self.store();
        let lines = store.consignment_lines(source.id)?;
        // (product, reason) -> (units, note)
        let mut found: BTreeMap<(Uuid, &'static str), (Decimal, ReturnReason, Option<String>)> =
            BTreeMap::new();
        for r in store.receipts_for(source.id)? {
            for l in store.receipt_lines(r.id)? {
                let mut add = |reason: ReturnReason, units: Decimal| {
                    if units > Decimal::ZERO {
                        let e = found.entry((l.product_id, reason.as_str())).or_insert((
                            Decimal::ZERO,
                            reason,
                            None,
                        ));
                        e.0 += units;
                        if e.2.is_none() {
                            e.2.clone_from(&l.note);
                        }
                    }
                };
                add(ReturnReason::Damaged, l.damaged_qty);
                if let Some(reason) = l.variance_reason.and_then(reason_from_variance) {
                    if reason == ReturnReason::OverSupplied {
                        let expected = lines
                            .iter()
                            .find(|x| x.line.product_id == l.product_id)
                            .map(|x| x.line.expected_qty)
                            .unwrap_or_default();
                        add(reason, l.received_qty - expected);
                    } else if reason != ReturnReason::Damaged {
                        add(reason, l.received_qty - l.damaged_qty);
                    }
                }
            }
        }
        // Less what returns made from this consignment already take, product by product.
        let mut taken: HashMap<Uuid, Decimal> = HashMap::new();
        if let Some(supplier) = source.supplier_id {
            for e in store.audit_entries_for("supplier", &supplier.to_string())? {
                let made_from_this = e.action == marks::SUPPLIER_RETURN
                    && e.after.as_ref().and_then(|a| a["source_id"].as_str())
                        == Some(source.id.to_string().as_str());
                let ret = e
                    .after
                    .as_ref()
                    .and_then(|a| a["consignment_id"].as_str())
                    .and_then(|s| Uuid::parse_str(s).ok());
                if let (true, Some(ret)) = (made_from_this, ret) {
                    if store.consignment(ret)?.status == ConsignmentStatus::Cancelled {
                        continue;
                    }
                    for l in store.consignment_lines(ret)? {
                        *taken.entry(l.line.product_id).or_default() += l.line.expected_qty;
                    }
                }
            }
        }
        let mut out = Vec::new();
        for ((product, _), (mut units, reason, note)) in found {
            let already = taken.entry(product).or_default();
            let used = (*already).min(units);
            units -= used;
            *already -= used;
            if units <= Decimal::ZERO {
                continue;
            }
            let p = store.product(product)?;
            let cost = lines
                .iter()
                .find(|x| x.line.product_id == product)
                .and_then(|x| x.line.unit_cost)
                .or(p.supply_price);
            out.push(ReturnCandidate {
                product_id: product.to_string(),
                sku: p.sku,
                name: p.name,
                quantity: qty(Quantity::new(units)),
                reason,
                note,
                unit_cost: cost.map(|c| Money::new(c).into()),
            });
        }
        Ok(out)
    }

    /// Creates a supplier return (draft) from a receipt's items or from scratch.
    pub fn create_supplier_return(
        &self,
        input: NewSupplierReturn,
    ) -> Result<SupplierReturnView, AppError> {
        let actor = self.actor()?;
        let outlet = self.store().station_outlet()?;
        let source = input
            .source_id
            .as_deref()
            .map(|s| parse_id("consignment", s))
            .transpose()?
            .map(|s| self.store().consignment(s))
            .transpose()?;
        let given_supplier = input
            .supplier_id
            .as_deref()
            .map(|s| parse_id("supplier", s))
            .transpose()?;
        let supplier = match (&source, given_supplier) {
            (Some(src), Some(given)) if src.supplier_id.is_some_and(|s| s != given) => {
                return Err(AppError::new(
                    "SUPPLIER_MISMATCH",
                    format!("{} came from another supplier.", src.reference),
                ))
            }
            (Some(src), given) => src.supplier_id.or(given),
            (None, given) => given,
        }
        .ok_or_else(|| {
            AppError::new(
                "SUPPLIER_REQUIRED",
                "Choose the supplier the items go back to.",
            )
        })?;
        if !self.store().suppliers()?.iter().any(|s| s.id == supplier) {
            return Err(AppError::new(
                "SUPPLIER_NOT_FOUND",
                "That supplier is not known here.",
            ));
        }
        let mut lines = Vec::with_capacity(input.lines.len());
        for l in &input.lines {
            let line = parse_line(l)?;
            if line.quantity.is_zero() {
                continue;
            }
            if lines.iter().any(|x: &ReturnLine| x.product == line.product) {
                return Err(AppError::new(
                    "DUPLICATE_LINE",
                    "A product is listed twice; put all its units on one line.",
                ));
            }
            lines.push(line);
        }
        let candidates = match &source {
            Some(src) => Some(self.candidates_of(src)?),
            None => None,
        };
        let mut costs = Vec::with_capacity(lines.len());
        for line in &lines {
            let p = self.store().product(line.product)?;
            let from_receipt = candidates.as_ref().map(|c| {
                c.iter()
                    .filter(|x| x.product_id == line.product.to_string())
                    .collect::<Vec<_>>()
            });
            if let (Some(found), Some(src)) = (&from_receipt, &source) {
                let available: Decimal = found
                    .iter()
                    .filter_map(|x| x.quantity.parse::<Decimal>().ok())
                    .sum();
                if line.quantity > available {
                    return Err(AppError::new(
                        "RETURN_MORE_THAN_RECEIVED",
                        format!(
                            "Only {} of {} can go back from {} (damaged, wrong or expired and not already returned).",
                            qty(Quantity::new(available)),
                            p.name,
                            src.reference
                        ),
                    ));
                }
            }
            let cost = line.unit_cost.or_else(|| {
                from_receipt
                    .as_ref()
                    .and_then(|f| f.first())
                    .and_then(|x| x.unit_cost.as_ref())
                    .and_then(|m| m.value.parse().ok())
                    .or(p.supply_price)
            });
            costs.push((cost, p.sku, p.name));
        }
        let today = OffsetDateTime::now_utc().date();
        let authorisation = clean_authorisation(input.authorisation_number.as_deref())?;
        let header = self.store().transact(&actor, |t| {
            let n = t.next_reference_number()?;
            let reference = ConsignmentReference::for_date(SR, today, n)
                .map_err(|e| StoreError::BadInput {
                    field: "reference",
                    reason: e.to_string(),
                })?
                .to_string();
            let h = t.create_consignment(NewConsignment {
                kind: SR,
                status: initial_status(SR),
                source_outlet_id: Some(outlet),
                destination_outlet_id: None,
                supplier_id: Some(supplier),
                reference,
            })?;
            let hid = h.id.to_string();
            for (line, (cost, _, _)) in lines.iter().zip(&costs) {
                t.set_line(h.id, line.product, line.quantity, *cost)?;
                t.set_return_reason(ReturnLineReason {
                    consignment_id: h.id,
                    product_id: line.product,
                    reason: line.reason,
                    note: line.note.clone(),
                })?;
            }
            if let Some(src) = &source {
                t.audit(
                    marks::RETURN_SOURCE,
                    "consignment",
                    &hid,
                    None::<&serde_json::Value>,
                    Some(&json!({ "source_id": src.id, "reference": src.reference })),
                    None,
                )?;
            }
            if authorisation.is_some() {
                t.set_return_authorisation(h.id, authorisation.clone())?;
            }
            t.audit(
                marks::SUPPLIER_RETURN,
                "supplier",
                &supplier.to_string(),
                None::<&serde_json::Value>,
                Some(&json!({
                    "consignment_id": h.id, "reference": h.reference,
                    "source_id": source.as_ref().map(|s| s.id),
                })),
                None,
            )?;
            Ok(h)
        })?;
        tracing::info!(consignment_id = %header.id, reference = %header.reference, "supplier return created");
        self.supplier_return_view(header.id)
    }

    /// Sets a return line (absolute quantity, reason); quantity 0 removes it.
    pub fn set_supplier_return_line(
        &self,
        return_id: &str,
        input: ReturnLineInput,
    ) -> Result<SupplierReturnView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("supplier return", return_id)?;
        let h = self.return_header(id)?;
        check_line_change(SR, h.status, LineChange::Lines)?;
        let line = parse_line(&input)?;
        let p = self.store().product(line.product)?;
        let existing = self
            .store()
            .consignment_lines(id)?
            .into_iter()
            .find(|l| l.line.product_id == line.product);
        if line.quantity.is_zero() && existing.is_none() {
            return Err(AppError::new(
                "NOT_ON_RETURN",
                "That product is not on this return.",
            ));
        }
        let cost = line
            .unit_cost
            .or(existing.as_ref().and_then(|l| l.line.unit_cost))
            .or(p.supply_price);
        self.store().transact(&actor, |t| {
            if line.quantity.is_zero() {
                t.remove_line(id, line.product)?;
            } else {
                t.set_line(id, line.product, line.quantity, cost)?;
                t.set_return_reason(ReturnLineReason {
                    consignment_id: id,
                    product_id: line.product,
                    reason: line.reason,
                    note: line.note.clone(),
                })?;
            }
            Ok(())
        })?;
        self.supplier_return_view(id)
    }

    /// Sends a draft return to the packing bench, recording the supplier's return
    /// authorisation number when given.
    pub fn release_supplier_return(
        &self,
        return_id: &str,
        authorisation_number: Option<&str>,
    ) -> Result<SupplierReturnView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("supplier return", return_id)?;
        let h = self.return_header(id)?;
        let lines = self.store().consignment_lines(id)?;
        let ctx = TransitionContext {
            line_count: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            ..TransitionContext::default()
        };
        check_transition(SR, h.status, ConsignmentStatus::Packing, &ctx)?;
        let number = clean_authorisation(authorisation_number)?;
        let previous = self.store().return_details(id)?.authorisation_number;
        self.store().transact(&actor, |t| {
            t.set_consignment_status(id, h.version, ConsignmentStatus::Packing)?;
            if number.is_some() && number != previous {
                t.set_return_authorisation(id, number.clone())?;
            }
            Ok(())
        })?;
        tracing::info!(consignment_id = %id, "supplier return released to packing");
        self.supplier_return_view(id)
    }

    /// Sets (or, with nothing, clears) the supplier's return authorisation number, at
    /// any point until the return is cancelled.
    pub fn set_supplier_return_authorisation(
        &self,
        return_id: &str,
        authorisation_number: Option<&str>,
    ) -> Result<SupplierReturnView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("supplier return", return_id)?;
        let h = self.return_header(id)?;
        if h.status == ConsignmentStatus::Cancelled {
            return Err(tally_domain::DomainError::ConsignmentClosed {
                kind: SR,
                status: h.status,
            }
            .into());
        }
        let number = clean_authorisation(authorisation_number)?;
        if number != self.store().return_details(id)?.authorisation_number {
            self.store().transact(&actor, |t| {
                t.set_return_authorisation(id, number).map(|_| ())
            })?;
        }
        self.supplier_return_view(id)
    }

    /// Records a credit note from the supplier against a return, by the signed-in person.
    /// Crediting more than expected is recorded and flagged, never refused.
    pub fn record_supplier_credit(
        &self,
        return_id: &str,
        input: SupplierCreditInput,
    ) -> Result<SupplierReturnView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("supplier return", return_id)?;
        let h = self.return_header(id)?;
        let amount = Money::parse(&input.amount)?;
        let number = check_credit(
            h.status,
            &CreditInput {
                amount,
                credit_note_number: Some(&input.credit_note_number),
            },
        )?;
        let credited_on = parse_date(&input.credited_on)?;
        let k = self.store().transact(&actor, |t| {
            t.record_supplier_credit(NewSupplierCredit {
                consignment_id: id,
                amount: amount.amount(),
                credit_note_number: number,
                credited_on,
            })
        })?;
        tracing::info!(consignment_id = %id, credit_id = %k.id, "supplier credit recorded");
        self.supplier_return_view(id)
    }

    /// This outlet's supplier returns, newest first; with `outstanding_only`, those
    /// still owed credit (not cancelled, outstanding above zero).
    pub fn supplier_returns(
        &self,
        outstanding_only: bool,
    ) -> Result<Vec<SupplierReturnSummary>, AppError> {
        self.actor()?;
        let outlet = self.store().station_outlet()?;
        let mut out = Vec::new();
        for id in self.store().supplier_return_ids(outlet)? {
            let v = self.supplier_return_view(id)?;
            let owed = v.status != ConsignmentStatus::Cancelled
                && v.credit.outstanding.value != Money::new(Decimal::ZERO).to_wire();
            if outstanding_only && !owed {
                continue;
            }
            out.push(SupplierReturnSummary {
                id: v.id,
                reference: v.reference,
                status: v.status,
                supplier: v.supplier.name,
                authorisation_number: v.authorisation_number,
                credit: v.credit,
                created_at: v.created_at,
            });
        }
        Ok(out)
    }

    /// One supplier return.
    pub fn supplier_return(&self, return_id: &str) -> Result<SupplierReturnView, AppError> {
        self.actor()?;
        self.supplier_return_view(parse_id("supplier return", return_id)?)
    }

    fn return_header(&self, id: Uuid) -> Result<Consignment, AppError> {
        let h = self.store().consignment(id)?;
        if h.kind != SR {
            return Err(AppError::new(
                "WRONG_KIND",
                format!(
                    "{} is a {}, not a supplier return.",
                    h.reference,
                    h.kind.label()
                ),
            ));
        }
        Ok(h)
    }

    fn return_facts(&self, id: Uuid) -> Result<ReturnFacts, AppError> {
        let details = self.store().return_details(id)?;
        let mut facts = ReturnFacts {
            reasons: details
                .reasons
                .into_iter()
                .map(|r| (r.product_id, (Some(r.reason), r.note)))
                .collect(),
            authorisation: details.authorisation_number,
            credits: details.credits,
            source: None,
        };
        for e in self
            .store()
            .audit_entries_for("consignment", &id.to_string())?
        {
            let Some(a) = e.after else { continue };
            if e.action == marks::RETURN_SOURCE {
                facts.source = match (a["source_id"].as_str(), a["reference"].as_str()) {
                    (Some(id), Some(reference)) => Some(ReturnSource {
                        id: id.to_string(),
                        reference: reference.to_string(),
                    }),
                    _ => None,
                };
            }
        }
        Ok(facts)
    }

    pub(crate) fn supplier_return_view(&self, id: Uuid) -> Result<SupplierReturnView, AppError> {
        let h = self.return_header(id)?;
        let facts = self.return_facts(id)?;
        let lines = self.store().consignment_lines(id)?;
        let mut amounts = Vec::with_capacity(lines.len());
        let mut views = Vec::with_capacity(lines.len());
        for l in &lines {
            let a = LineAmount {
                quantity: Quantity::new(l.line.expected_qty),
                unit_cost_excl: Money::new(l.line.unit_cost.unwrap_or_default()),
            };
            amounts.push(a);
            let (reason, note) = facts
                .reasons
                .get(&l.line.product_id)
                .cloned()
                .unwrap_or((None, None));
            views.push(ReturnLineView {
                product_id: l.line.product_id.to_string(),
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: qty(a.quantity),
                reason,
                note,
                unit_cost: l.line.unit_cost.map(|c| Money::new(c).into()),
                credit: a.total_excl().into(),
                packed: l.packed.to_string(),
            });
        }
        let expected = consignment_totals(&amounts);
        let position = credit_position(
            expected.excl_gst,
            &facts
                .credits
                .iter()
                .map(|k| Money::new(k.amount))
                .collect::<Vec<_>>(),
        );
        let credits = facts
            .credits
            .iter()
            .map(|k| CreditView {
                id: k.id.to_string(),
                amount: Money::new(k.amount).into(),
                credit_note_number: k.credit_note_number.clone(),
                credited_on: k.credited_on.to_string(),
                recorded_by: self.person(Some(k.recorded_by)),
                recorded_at: rfc3339(k.recorded_at),
            })
            .collect();
        Ok(SupplierReturnView {
            credit: CreditPositionView {
                expected: position.expected.into(),
                credited: position.credited.into(),
                outstanding: position.outstanding.into(),
                over_credited: position.over_credited,
            },
            credits,
            id: h.id.to_string(),
            reference: h.reference.clone(),
            status: h.status,
            supplier: self.supplier_card(h.supplier_id)?,
            outlet: self.outlet_name(h.source_outlet_id)?,
            authorisation_number: facts.authorisation,
            source: facts.source,
            expected_credit: expected.into(),
            lines: views,
            created_by: self.person(h.created_by),
            created_at: rfc3339(h.created_at),
            can_edit: check_line_change(SR, h.status, LineChange::Lines).is_ok(),
            can_release: h.status == ConsignmentStatus::Draft && !lines.is_empty(),
        })
    }
}

struct ReturnFacts {
    reasons: HashMap<Uuid, (Option<ReturnReason>, Option<String>)>,
    authorisation: Option<String>,
    credits: Vec<tally_store::SupplierCredit>,
    source: Option<ReturnSource>,
}
