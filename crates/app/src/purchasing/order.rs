//! Drafting a purchase order: create it for a supplier at this outlet, add products by
//! scan or search, change quantities and costs. Each change is one store action, so the
//! draft is saved on every change. Editing an approved order that moves its total into a
//! higher tier sends it back for approval in the same action.

use rust_decimal::Decimal;
use serde_json::json;
use tally_domain::{
    check_line_change, check_transition, consignment_totals, initial_status, ConsignmentKind,
    ConsignmentReference, ConsignmentStatus, EditOutcome, LineAmount, LineChange, Money, Quantity,
};
use tally_store::{NewConsignment, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

use super::facts::{line_amount, OrderFacts};
use super::settings::PurchasingSettings;
use super::views::{
    qty, DeliveryView, MoneyView, PersonView, PoLineEdit, PoLineView, PoScanOutcome, ProductChoice,
    PurchaseOrderView, SentDocumentView, SupplierCard,
};
use super::{marks, parse_id, rfc3339};
use crate::error::AppError;
use crate::App;

const PO: ConsignmentKind = ConsignmentKind::PurchaseOrder;

/// How many products a search returns.
const SEARCH_LIMIT: u32 = 20;

fn parse_quantity(field: &'static str, s: &str) -> Result<Decimal, AppError> {
    let q = Quantity::parse(s)?;
    if q.is_negative() {
        return Err(tally_domain::DomainError::NegativeQuantity { field }.into());
    }
    Ok(q.value())
}

fn parse_cost(s: &str) -> Result<Decimal, AppError> {
    let m = Money::parse(s)?;
    if m.is_negative() {
        return Err(tally_domain::DomainError::NegativeQuantity {
            field: "The unit cost",
        }
        .into());
    }
    Ok(m.amount())
}

impl App {
    /// A person for a screen (name looked up; unknown ids shown as such).
    pub(crate) fn person(&self, id: Option<Uuid>) -> PersonView {
        match id.map(|id| (id, self.store().staff_member(id))) {
            Some((id, Ok(m))) => PersonView {
                id: id.to_string(),
                name: m.name,
                role: Some(m.role),
            },
            Some((id, Err(_))) => PersonView {
                id: id.to_string(),
                name: "someone at another station".into(),
                role: None,
            },
            None => PersonView {
                id: String::new(),
                name: "unknown".into(),
                role: None,
            },
        }
    }

    pub(crate) fn supplier_card(&self, id: Option<Uuid>) -> Result<SupplierCard, AppError> {
        let found = match id {
            Some(id) => self.store().suppliers()?.into_iter().find(|s| s.id == id),
            None => None,
        };
        Ok(match found {
            Some(s) => SupplierCard {
                id: s.id.to_string(),
                name: s.name,
                code: s.code,
            },
            None => SupplierCard {
                id: id.map(|u| u.to_string()).unwrap_or_default(),
                name: "Unknown supplier".into(),
                code: None,
            },
        })
    }

    pub(crate) fn outlet_name(&self, id: Option<Uuid>) -> Result<String, AppError> {
        Ok(id
            .and_then(|id| {
                self.store()
                    .outlets()
                    .ok()?
                    .into_iter()
                    .find(|o| o.id == id)
            })
            .map(|o| o.name)
            .unwrap_or_else(|| "—".into()))
    }

    /// Suppliers that can be ordered from, by name.
    pub fn list_suppliers(&self) -> Result<Vec<SupplierCard>, AppError> {
        self.actor()?;
        Ok(self
            .store()
            .suppliers()?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| SupplierCard {
                id: s.id.to_string(),
                name: s.name,
                code: s.code,
            })
            .collect())
    }

    /// Creates a draft purchase order for `supplier_id`, delivered to this outlet, with a
    /// reference from this station's sequence.
    pub fn create_purchase_order(&self, supplier_id: &str) -> Result<PurchaseOrderView, AppError> {
        let actor = self.actor()?;
        let supplier = parse_id("supplier", supplier_id)?;
        let outlet = self.store().station_outlet()?;
        let known = self
            .store()
            .suppliers()?
            .into_iter()
            .find(|s| s.id == supplier)
            .ok_or_else(|| {
                AppError::new("SUPPLIER_NOT_FOUND", "That supplier is not known here.")
            })?;
        if !known.active {
            return Err(AppError::new(
                "SUPPLIER_INACTIVE",
                format!("{} is no longer ordered from.", known.name),
            ));
        }
        let today = OffsetDateTime::now_utc().date();
        let header = self.store().transact(&actor, |t| {
            let n = t.next_reference_number()?;
            let reference = ConsignmentReference::for_date(PO, today, n)
                .map_err(|e| StoreError::BadInput {
                    field: "reference",
                    reason: e.to_string(),
                })?
                .to_string();
            let h = t.create_consignment(NewConsignment {
                kind: PO,
                status: initial_status(PO),
                source_outlet_id: None,
                destination_outlet_id: Some(outlet),
                supplier_id: Some(supplier),
                reference,
            })?;
            let entry =
                json!({ "consignment_id": h.id, "reference": h.reference, "outlet_id": outlet });
            t.audit(
                marks::SUPPLIER_ORDER,
                "supplier",
                &supplier.to_string(),
                None::<&serde_json::Value>,
                Some(&entry),
                None,
            )?;
            Ok(h)
        })?;
        tracing::info!(consignment_id = %header.id, reference = %header.reference, "purchase order drafted");
        self.purchase_order_view(header.id)
    }

    /// One purchase order with lines, totals, approval state and delivery progress.
    pub fn purchase_order(&self, id: &str) -> Result<PurchaseOrderView, AppError> {
        self.actor()?;
        self.purchase_order_view(parse_id("purchase order", id)?)
    }

    pub(crate) fn purchase_order_view(&self, id: Uuid) -> Result<PurchaseOrderView, AppError> {
        let settings = self.purchasing_settings();
        let f = self.order_facts(id, PO)?;
        self.order_view(&f, &settings)
    }

    pub(crate) fn order_view(
        &self,
        f: &OrderFacts,
        settings: &PurchasingSettings,
    ) -> Result<PurchaseOrderView, AppError> {
        let h = &f.header;
        let lines: Vec<PoLineView> = f
            .lines
            .iter()
            .map(|l| {
                let a = line_amount(l);
                let remaining = (l.line.expected_qty - l.received).max(Decimal::ZERO);
                PoLineView {
                    product_id: l.line.product_id.to_string(),
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: qty(a.quantity),
                    unit_cost: l.line.unit_cost.map(|c| Money::new(c).into()),
                    line_total: a.total_excl().into(),
                    received: qty(Quantity::new(l.received)),
                    damaged: qty(Quantity::new(l.damaged)),
                    remaining: qty(Quantity::new(remaining)),
                }
            })
            .collect();
        let sent_or_later = matches!(
            h.status,
            ConsignmentStatus::Sent
                | ConsignmentStatus::InTransit
                | ConsignmentStatus::Receiving
                | ConsignmentStatus::Received
        );
        let delivery = if sent_or_later {
            let ordered: Decimal = f.lines.iter().map(|l| l.line.expected_qty).sum();
            let received: Decimal = f.lines.iter().map(|l| l.received).sum();
            let remaining: Decimal = f
                .lines
                .iter()
                .map(|l| (l.line.expected_qty - l.received).max(Decimal::ZERO))
                .sum();
            let deliveries = self.store().receipts_for(h.id)?.len();
            Some(DeliveryView {
                ordered: qty(Quantity::new(ordered)),
                received: qty(Quantity::new(received)),
                remaining: qty(Quantity::new(remaining)),
                deliveries: u32::try_from(deliveries).unwrap_or(u32::MAX),
                partial: received > Decimal::ZERO && remaining > Decimal::ZERO,
            })
        } else {
            None
        };
        let document = f
            .audit
            .iter()
            .rev()
            .find(|e| e.action == marks::SENT)
            .and_then(|e| e.after.as_ref())
            .map(|a| SentDocumentView {
                path: a["pdf_path"].as_str().unwrap_or_default().to_string(),
                sha256: a["pdf_sha256"].as_str().unwrap_or_default().to_string(),
                email_to: a["email_to"].as_str().map(str::to_string),
            });
        let approval = self.approval_state(&settings.policy, f, OffsetDateTime::now_utc());
        let can_edit = check_line_change(PO, h.status, LineChange::Lines).is_ok();
        let can_submit =
            h.status == ConsignmentStatus::Draft && !f.lines.is_empty() && !f.cost_missing;
        let can_send = h.status == ConsignmentStatus::Approved && approval.satisfied;
        let uuid_of = |s: &tally_domain::StaffId| Uuid::parse_str(&s.0).ok();
        Ok(PurchaseOrderView {
            id: h.id.to_string(),
            reference: h.reference.clone(),
            status: h.status,
            supplier: self.supplier_card(h.supplier_id)?,
            outlet: self.outlet_name(h.destination_outlet_id)?,
            created_by: self.person(h.created_by),
            last_edited_by: self.person(uuid_of(&f.last_edited_by)),
            created_at: rfc3339(h.created_at),
            updated_at: rfc3339(h.updated_at),
            lines,
            totals: f.totals.into(),
            approval,
            delivery,
            document,
            can_edit,
            can_submit,
            can_send,
            lightspeed_id: h.lightspeed_id.clone(),
        })
    }

    /// Products matching `query` (name, SKU or supplier code), this supplier's first.
    pub fn search_products_for_order(
        &self,
        query: &str,
        supplier_id: Option<&str>,
    ) -> Result<Vec<ProductChoice>, AppError> {
        self.actor()?;
        let supplier = supplier_id.map(|s| parse_id("supplier", s)).transpose()?;
        let mut out = Vec::new();
        for hit in self.store().search_products(query, SEARCH_LIMIT)? {
            let p = self.store().product(hit.product_id)?;
            out.push(ProductChoice {
                product_id: p.id.to_string(),
                sku: p.sku,
                name: p.name,
                supplier_code: p.supplier_code,
                supply_price: p.supply_price.map(|c| MoneyView::from(Money::new(c))),
                from_this_supplier: supplier.is_some() && p.supplier_id == supplier,
                active: p.active,
            });
        }
        // Stable: keeps the search's ranking within each group.
        out.sort_by_key(|c| !c.from_this_supplier);
        Ok(out)
    }

    /// The product a scanned or typed code names (barcode, SKU or supplier code).
    pub fn lookup_product_code(
        &self,
        code: &str,
        supplier_id: Option<&str>,
    ) -> Result<ProductChoice, AppError> {
        self.actor()?;
        let supplier = supplier_id.map(|s| parse_id("supplier", s)).transpose()?;
        let hit = self.store().lookup_code(code)?.ok_or_else(|| {
            AppError::new(
                "PRODUCT_NOT_FOUND",
                format!(
                    "No product has the code \"{}\".",
                    code.chars().take(40).collect::<String>()
                ),
            )
        })?;
        let p = self.store().product(hit.product_id)?;
        Ok(ProductChoice {
            product_id: p.id.to_string(),
            sku: p.sku,
            name: p.name,
            supplier_code: p.supplier_code,
            supply_price: p.supply_price.map(|c| MoneyView::from(Money::new(c))),
            from_this_supplier: supplier.is_some() && p.supplier_id == supplier,
            active: p.active,
        })
    }

    /// Adds `quantity` (default 1) of a product to the order, at the supplier price.
    pub fn add_to_purchase_order(
        &self,
        order_id: &str,
        product_id: &str,
        quantity: Option<&str>,
    ) -> Result<PurchaseOrderView, AppError> {
        let order = parse_id("purchase order", order_id)?;
        let product = parse_id("product", product_id)?;
        let add = match quantity {
            Some(q) => parse_quantity("The quantity", q)?,
            None => Decimal::ONE,
        };
        self.add_units(order, product, add)
    }

    /// Adds one unit of the product a scanned or typed code names.
    pub fn scan_into_purchase_order(
        &self,
        order_id: &str,
        code: &str,
    ) -> Result<PoScanOutcome, AppError> {
        self.actor()?;
        let order = parse_id("purchase order", order_id)?;
        let hit = self.store().lookup_code(code)?.ok_or_else(|| {
            AppError::new(
                "PRODUCT_NOT_FOUND",
                format!(
                    "No product has the code \"{}\".",
                    code.chars().take(40).collect::<String>()
                ),
            )
        })?;
        let view = self.add_units(order, hit.product_id, Decimal::ONE)?;
        let quantity = view
            .lines
            .iter()
            .find(|l| l.product_id == hit.product_id.to_string())
            .map(|l| l.quantity.clone())
            .unwrap_or_default();
        Ok(PoScanOutcome {
            order: view,
            product_id: hit.product_id.to_string(),
            name: hit.name,
            quantity,
        })
    }

    fn add_units(
        &self,
        order: Uuid,
        product: Uuid,
        add: Decimal,
    ) -> Result<PurchaseOrderView, AppError> {
        self.actor()?;
        let p = self.store().product(product)?;
        if p.deleted || !p.active {
            return Err(AppError::new(
                "PRODUCT_INACTIVE",
                format!("{} is no longer sold, so it cannot be ordered.", p.name),
            ));
        }
        let f = self.order_facts(order, PO)?;
        let current = f.lines.iter().find(|l| l.line.product_id == product);
        let (quantity, cost) = match current {
            Some(l) => (l.line.expected_qty + add, l.line.unit_cost),
            None => (add, p.supply_price),
        };
        self.edit_line(f, product, Some((quantity, cost)))
    }

    /// Sets a line's quantity and unit cost (absolute); quantity 0 removes the line.
    pub fn set_purchase_order_line(
        &self,
        order_id: &str,
        edit: PoLineEdit,
    ) -> Result<PurchaseOrderView, AppError> {
        self.actor()?;
        let order = parse_id("purchase order", order_id)?;
        let product = parse_id("product", &edit.product_id)?;
        let quantity = parse_quantity("The quantity", &edit.quantity)?;
        let cost = parse_cost(&edit.unit_cost)?;
        let f = self.order_facts(order, PO)?;
        if quantity.is_zero() {
            return self.edit_line(f, product, None);
        }
        self.edit_line(f, product, Some((quantity, Some(cost))))
    }

    /// Removes a product from the order.
    pub fn remove_purchase_order_line(
        &self,
        order_id: &str,
        product_id: &str,
    ) -> Result<PurchaseOrderView, AppError> {
        self.actor()?;
        let order = parse_id("purchase order", order_id)?;
        let product = parse_id("product", product_id)?;
        let f = self.order_facts(order, PO)?;
        self.edit_line(f, product, None)
    }

    /// One line change as one action: the line, its audit entry with the order's totals
    /// before and after, and (for an approved order) the approval's fate.
    fn edit_line(
        &self,
        f: OrderFacts,
        product: Uuid,
        new: Option<(Decimal, Option<Decimal>)>,
    ) -> Result<PurchaseOrderView, AppError> {
        let actor = self.actor()?;
        let settings = self.purchasing_settings();
        let policy = &settings.policy;
        let h = &f.header;
        check_line_change(PO, h.status, LineChange::Lines)?;
        let before = f.lines.iter().find(|l| l.line.product_id == product);
        if new.is_none() && before.is_none() {
            return Err(AppError::new(
                "NOT_ON_ORDER",
                "That product is not on this order.",
            ));
        }
        let mut amounts: Vec<LineAmount> = f
            .lines
            .iter()
            .filter(|l| l.line.product_id != product)
            .map(line_amount)
            .collect();
        if let Some((q, c)) = new {
            amounts.push(LineAmount {
                quantity: Quantity::new(q),
                unit_cost_excl: Money::new(c.unwrap_or(Decimal::ZERO)),
            });
        }
        let total_before = f.totals.excl_gst;
        let total_after = consignment_totals(&amounts).excl_gst;
        let reapproval = match (
            h.status,
            policy.edit_outcome(f.approved_tier(), total_after),
        ) {
            (ConsignmentStatus::Approved, EditOutcome::NeedsReapproval { new_tier }) => {
                check_transition(
                    PO,
                    ConsignmentStatus::Approved,
                    ConsignmentStatus::PendingApproval,
                    &f.transition_context(policy),
                )?;
                Some(new_tier)
            }
            _ => None,
        };
        let p = self.store().product(product)?;
        let line_json = |q: Decimal, c: Option<Decimal>| {
            json!({
                "product_id": product, "sku": p.sku, "name": p.name,
                "quantity": Quantity::new(q), "unit_cost": c.map(Money::new),
            })
        };
        let before_json = json!({
            "line": before.map(|l| line_json(l.line.expected_qty, l.line.unit_cost)),
            "total_excl_gst": total_before,
        });
        let id = h.id;
        let (status, version, approved_tier) = (h.status, h.version, f.approved_tier());
        self.store().transact(&actor, |t| {
            let line = match new {
                Some((q, c)) => t.set_line(id, product, q, c)?,
                None => t.remove_line(id, product)?,
            };
            let after_json = json!({
                "line_id": line.id,
                "line": new.map(|(q, c)| line_json(q, c)),
                "total_excl_gst": total_after,
            });
            t.audit(
                marks::LINE_CHANGED,
                "consignment",
                &id.to_string(),
                Some(&before_json),
                Some(&after_json),
                None,
            )?;
            if let Some(new_tier) = reapproval {
                t.set_consignment_status(id, version, ConsignmentStatus::PendingApproval)?;
                let note = json!({
                    "approved_tier": approved_tier, "new_tier": new_tier,
                    "total_excl_gst": total_after,
                });
                t.audit(
                    marks::REAPPROVAL_REQUIRED,
                    "consignment",
                    &id.to_string(),
                    Some(&json!({ "status": status })),
                    Some(&note),
                    None,
                )?;
            } else if status == ConsignmentStatus::Approved {
                let note = json!({ "approved_tier": approved_tier, "total_excl_gst": total_after });
                t.audit(
                    marks::EDITED_AFTER_APPROVAL,
                    "consignment",
                    &id.to_string(),
                    None::<&serde_json::Value>,
                    Some(&note),
                    None,
                )?;
            }
            Ok(())
        })?;
        if let Some(new_tier) = reapproval {
            tracing::info!(consignment_id = %id, new_tier, "edit raised the tier: back to pending approval");
        }
        self.purchase_order_view(id)
    }
}
