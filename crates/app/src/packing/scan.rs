//! Scanning at the packing bench: a raw code is resolved (command barcode, then the
//! domain's `parse_scan` — AIM, GS1, GTIN, SKU — then the store's code lookup) and either
//! recorded as units in the open box or answered with what to do instead. Every
//! recorded scan is durable before this returns (the store commits with fsync).

use tally_domain::{parse_scan, ScanConfig, ScannedCode};
use tally_store::{ProductHit, ScanInput, ScanPurpose};
use uuid::Uuid;

use super::boxes::default_container_after;
use super::command_codes::parse_command;
use super::context::{start_packing_in, PackCtx};
use super::error::PackingError;
use super::pick_list::{line_state, next_line, totals, with_packed};
use super::views::{BoxView, ProductCard, ScanOutcome, UndoResult};
use crate::app::parse_id;
use crate::error::AppError;
use crate::App;

/// The most units one scan may add (quantity key × GS1 count).
pub const MAX_UNITS_PER_SCAN: u32 = 9_999;
/// A reason must say something.
const MIN_REASON_CHARS: usize = 3;

/// What a scan resolved to, before any rule about the consignment.
enum Resolved {
    Product(ProductHit, i64),
    Outcome(Box<ScanOutcome>),
}

/// How a recording may treat over-packs and products not on the consignment.
#[derive(Clone, Copy)]
enum Permit<'a> {
    /// An ordinary scan: both are refused with an outcome.
    Plain,
    /// The packer confirmed an over-pack with this reason.
    Overpack(&'a str),
    /// The packer added the product to the consignment with this reason.
    AddLine(&'a str),
}

fn card(h: &ProductHit) -> ProductCard {
    ProductCard {
        product_id: h.product_id.to_string(),
        sku: h.sku.clone(),
        name: h.name.clone(),
        active: h.active,
    }
}

fn check_reason(reason: &str, what: &'static str) -> Result<String, AppError> {
    let r = reason.trim();
    if r.chars().count() < MIN_REASON_CHARS {
        return Err(PackingError::ReasonRequired { what }.into());
    }
    Ok(r.chars().take(500).collect())
}

fn check_quantity(quantity: Option<u32>) -> Result<i64, AppError> {
    match quantity.unwrap_or(1) {
        0 => Err(PackingError::BadQuantity {
            max: MAX_UNITS_PER_SCAN,
        }
        .into()),
        q if q > MAX_UNITS_PER_SCAN => Err(PackingError::BadQuantity {
            max: MAX_UNITS_PER_SCAN,
        }
        .into()),
        q => Ok(i64::from(q)),
    }
}

fn rejected(code: &str, message: impl Into<String>) -> Resolved {
    Resolved::Outcome(Box::new(ScanOutcome::Rejected {
        code: code.into(),
        message: message.into(),
    }))
}

fn clamp_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

impl App {
    fn scan_config(&self) -> ScanConfig {
        ScanConfig {
            gs_substitute: self.devices().and_then(|d| d.config().wedge.gs_substitute),
            ..ScanConfig::default()
        }
    }

    /// Resolves a raw scan to a product and a unit count, or to the outcome to show.
    fn resolve(&self, raw: &str, quantity: i64) -> Result<Resolved, AppError> {
        let shown: String = raw.trim().chars().take(60).collect();
        let scanned = parse_scan(raw, &self.scan_config());
        let code = match &scanned {
            ScannedCode::Rejected { error, .. } => {
                return Ok(rejected(
                    error.code(),
                    format!("{error} Scan it again, or type the SKU."),
                ))
            }
            ScannedCode::Reference(r) => {
                return Ok(rejected(
                    "SCAN_NOT_A_PRODUCT",
                    format!(
                        "{} is a consignment reference, not a product. Scan the product's barcode.",
                        r
                    ),
                ))
            }
            ScannedCode::Gs1(data) if data.gtin().is_none() => return Ok(rejected(
                "SCAN_NOT_A_PRODUCT",
                "That is a carton or pallet label, not a product. Scan the product's own barcode.",
            )),
            ScannedCode::Gtin(g) => g.as_str().to_string(),
            ScannedCode::Gs1(data) => data
                .gtin()
                .map(|g| g.as_str().to_string())
                .unwrap_or_default(),
            ScannedCode::Text(t) => t.clone(),
        };
        let per_scan = scanned
            .units()
            .value()
            .trunc()
            .try_into()
            .unwrap_or(i64::MAX)
            .max(1);
        let units = per_scan.saturating_mul(quantity);
        if units > i64::from(MAX_UNITS_PER_SCAN) {
            return Err(PackingError::BadQuantity {
                max: MAX_UNITS_PER_SCAN,
            }
            .into());
        }
        Ok(match self.store().lookup_code(&code)? {
            Some(hit) => Resolved::Product(hit, units),
            None => Resolved::Outcome(Box::new(ScanOutcome::Unknown {
                code: "SCAN_UNKNOWN".into(),
                message: format!(
                    "No product has the code {shown}. Search for the product by name and add it (F9), or put it aside."
                ),
                raw: shown,
            })),
        })
    }

    /// One scan at the bench: `raw` is exactly what the scanner sent; `quantity` is the
    /// quantity key (units per scan, default 1; a GS1 count multiplies it).
    pub fn scan(
        &self,
        consignment_id: &str,
        raw: &str,
        quantity: Option<u32>,
    ) -> Result<ScanOutcome, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        if let Some(command) = parse_command(raw) {
            return Ok(ScanOutcome::Command { command });
        }
        ctx.check_can_pack()?;
        let quantity = check_quantity(quantity)?;
        match self.resolve(raw, quantity)? {
            Resolved::Outcome(o) => Ok(*o),
            Resolved::Product(hit, units) => self.pack_units(&ctx, &hit, units, raw, Permit::Plain),
        }
    }

    /// Records a scan that over-packs its line, with the packer's reason (audited).
    pub fn confirm_overpack(
        &self,
        consignment_id: &str,
        raw: &str,
        quantity: Option<u32>,
        reason: &str,
    ) -> Result<ScanOutcome, AppError> {
        let reason = check_reason(reason, "why more than expected is packed")?;
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        match self.resolve(raw, check_quantity(quantity)?)? {
            Resolved::Outcome(_) => Err(PackingError::NothingToConfirm {
                what: "That code is not a product on this consignment any more".into(),
            }
            .into()),
            Resolved::Product(hit, units) => {
                self.pack_units(&ctx, &hit, units, raw, Permit::Overpack(&reason))
            }
        }
    }

    /// Adds a product that is not on the consignment as a new line of the scanned
    /// quantity, with the packer's reason, and records the scan (one action).
    pub fn add_to_consignment(
        &self,
        consignment_id: &str,
        product_id: &str,
        raw: &str,
        quantity: Option<u32>,
        reason: &str,
    ) -> Result<ScanOutcome, AppError> {
        let reason = check_reason(reason, "why this product goes too")?;
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        tally_domain::check_line_change(
            ctx.header.kind,
            if ctx.is_draft() {
                tally_domain::ConsignmentStatus::Packing
            } else {
                ctx.header.status
            },
            tally_domain::LineChange::Lines,
        )?;
        let hit = self.product_hit(product_id)?;
        let units = check_quantity(quantity)?;
        let raw = if raw.trim().is_empty() {
            format!("manual:{}", hit.sku)
        } else {
            raw.to_string()
        };
        self.pack_units(&ctx, &hit, units, &raw, Permit::AddLine(&reason))
    }

    /// Packs a product chosen by search (its barcode was unknown or unreadable). The same
    /// rules as a scan apply; `raw` is what was scanned, if anything.
    pub fn pack_product(
        &self,
        consignment_id: &str,
        product_id: &str,
        raw: Option<&str>,
        quantity: Option<u32>,
    ) -> Result<ScanOutcome, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        let hit = self.product_hit(product_id)?;
        let units = check_quantity(quantity)?;
        let raw = raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map_or_else(|| format!("manual:{}", hit.sku), str::to_string);
        self.pack_units(&ctx, &hit, units, &raw, Permit::Plain)
    }

    /// Products by name or SKU, for "search and add" after an unknown barcode.
    pub fn search_products(&self, query: &str) -> Result<Vec<ProductCard>, AppError> {
        self.actor()?;
        Ok(self
            .store()
            .search_products(query, 20)?
            .iter()
            .map(card)
            .collect())
    }

    fn product_hit(&self, product_id: &str) -> Result<ProductHit, AppError> {
        let p = self.store().product(parse_id("product", product_id)?)?;
        if p.deleted {
            return Err(AppError::new(
                "PRODUCT_DELETED",
                format!(
                    "{} was deleted from the catalog and cannot be packed.",
                    p.name
                ),
            ));
        }
        Ok(ProductHit {
            product_id: p.id,
            sku: p.sku,
            name: p.name,
            supplier_code: p.supplier_code,
            price: p.price,
            weight_grams: p.weight_grams,
            active: p.active,
            matched_by: None,
            other_matches: 0,
        })
    }

    /// The rules every recording passes, then one store action: start packing (a draft),
    /// open a box (none open), add the line (an added product), record the scan, audit
    /// the reason. All or nothing.
    fn pack_units(
        &self,
        ctx: &PackCtx,
        hit: &ProductHit,
        units: i64,
        raw: &str,
        permit: Permit<'_>,
    ) -> Result<ScanOutcome, AppError> {
        let mut lines = self.pick_lines(ctx)?;
        let product = hit.product_id.to_string();
        let at = lines.iter().position(|l| l.product_id == product);
        let raw_shown: String = raw.trim().chars().take(60).collect();
        match (at, permit) {
            (Some(_), Permit::AddLine(_)) => {
                return Err(PackingError::AlreadyOnConsignment {
                    name: hit.name.clone(),
                }
                .into())
            }
            (None, Permit::Plain | Permit::Overpack(_)) => {
                return Ok(ScanOutcome::NotOnConsignment {
                    code: "SCAN_NOT_ON_CONSIGNMENT".into(),
                    message: format!(
                        "{} ({}) is not on this consignment. Add it with a reason (Enter), or put it aside (Esc).",
                        hit.name, hit.sku
                    ),
                    product: card(hit),
                    units: clamp_i32(units),
                    raw: raw_shown,
                })
            }
            (Some(i), Permit::Plain) => {
                let l = &lines[i];
                let would_be = i64::from(l.packed) + units;
                if would_be > i64::from(l.expected) {
                    return Ok(ScanOutcome::Overpack {
                        code: "SCAN_OVERPACK".into(),
                        message: format!(
                            "{} needs {} and {} are packed: this makes {would_be}. Confirm the extra with a reason (Enter), or put it aside (Esc).",
                            l.name, l.expected, l.packed
                        ),
                        line: l.clone(),
                        units: clamp_i32(units),
                        would_be: clamp_i32(would_be),
                        raw: raw_shown,
                    });
                }
            }
            (Some(_), Permit::Overpack(_)) | (None, Permit::AddLine(_)) => {}
        }
        if ctx.is_draft() {
            self.check_start_packing(ctx)?;
        }
        let open = self.current_box(ctx)?;
        let container = match (&open, self.bench.chosen_container(ctx.id())) {
            (Some(_), _) => String::new(),
            (None, Some(chosen)) => chosen,
            (None, None) => {
                let boxes = self.store().boxes(ctx.id())?;
                match boxes.last() {
                    Some(b) => default_container_after(Some(b.container_type.as_str())),
                    // The first box: the container the packing screen suggested.
                    None => self
                        .suggested_first_container(ctx)
                        .unwrap_or_else(|| default_container_after(None)),
                }
            }
        };
        let device_id = self.bench_device_id()?;
        let consignment_id = ctx.id();
        let (ack, started, opened) = self.store().transact(&ctx.actor, |t| {
            let started = start_packing_in(t, ctx)?;
            let (box_id, opened) = match &open {
                Some(b) => (b.id, None),
                None => {
                    let b = t.open_box(consignment_id, &container)?;
                    (b.id, Some((b.id, b.number)))
                }
            };
            if let Permit::AddLine(_) = permit {
                t.set_line(
                    consignment_id,
                    hit.product_id,
                    rust_decimal::Decimal::from(units),
                    None,
                )?;
            }
            let ack = t.record_scan(ScanInput {
                consignment_id,
                product_id: hit.product_id,
                box_id: Some(box_id),
                purpose: ScanPurpose::Pack,
                delta: units,
                raw_code: raw.chars().take(200).collect(),
                device_id: device_id.clone(),
                staff_id: ctx.staff_id,
            })?;
            let note = match permit {
                Permit::Plain => None,
                Permit::Overpack(r) => Some(("packing.overpack_confirmed", r)),
                Permit::AddLine(r) => Some(("packing.product_added", r)),
            };
            if let Some((action, reason)) = note {
                t.audit(
                    action,
                    "scan_event",
                    &ack.event_id.to_string(),
                    None::<&()>,
                    Some(&serde_json::json!({
                        "consignment_id": consignment_id,
                        "product_id": hit.product_id,
                        "units": units,
                        "reason": reason,
                    })),
                    None,
                )?;
            }
            Ok((ack, started, opened))
        })?;
        if opened.is_some() {
            self.bench.box_opened(consignment_id);
        }
        tracing::info!(consignment_id = %consignment_id, product_id = %hit.product_id, units,
            event_id = %ack.event_id, line_total = ack.line_total, "scan recorded");

        let packed = clamp_i32(ack.line_total);
        let (line, before) = match at {
            Some(i) => {
                let before = lines[i].packed;
                lines[i] = with_packed(&lines[i], packed);
                (lines[i].clone(), before)
            }
            None => {
                // The new line: re-read the list so it sits in picking order.
                lines = self.pick_lines(ctx)?;
                let l = lines
                    .iter()
                    .find(|l| l.product_id == product)
                    .cloned()
                    .ok_or_else(|| AppError::new("NOT_FOUND", "The added line was not found."))?;
                (l, 0)
            }
        };
        let line_complete =
            before < line.expected && line.packed >= line.expected && line.expected > 0;
        let box_number = match (&open, opened) {
            (Some(b), _) => b.number,
            (None, Some((_, n))) => n,
            (None, None) => 0,
        };
        let box_opened: Option<BoxView> = match opened {
            Some((id, _)) => Some(self.one_box_view(ctx, id)?),
            None => None,
        };
        Ok(ScanOutcome::Accepted {
            units: clamp_i32(units),
            line_complete,
            event_id: ack.event_id.to_string(),
            box_number,
            box_opened,
            packing_started: started,
            next_line_id: next_line(&lines),
            totals: totals(&lines),
            line,
        })
    }

    /// Takes back this bench's last scan on the consignment (a negative event; events are
    /// never edited). A scan in a box that is already closed and weighed is not taken back.
    pub fn undo_last_scan(&self, consignment_id: &str) -> Result<UndoResult, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        let device_id = self.bench_device_id()?;
        let events = self.store().scan_events(ctx.id())?;
        let undone: std::collections::HashSet<Uuid> =
            events.iter().filter_map(|e| e.undoes).collect();
        let last = events
            .iter()
            .rev()
            .find(|e| {
                e.device_id == device_id
                    && e.origin == tally_store::ScanOrigin::Local
                    && e.undoes.is_none()
                    && !undone.contains(&e.id)
            })
            .ok_or_else(|| {
                AppError::new(
                    "NOTHING_TO_UNDO",
                    "There is no scan from this bench to undo on this consignment.",
                )
            })?;
        if let Some(b) = last.box_id {
            if let Some(p) = self
                .store()
                .boxes(ctx.id())?
                .into_iter()
                .find(|p| p.id == b && p.closed_at.is_some())
            {
                return Err(AppError::new(
                    "UNDO_BOX_CLOSED",
                    format!(
                        "The last scan went into box {}, which is already closed and weighed. Take the item out of that box only if a manager reopens packing.",
                        p.number
                    ),
                ));
            }
        }
        let ack = self
            .store()
            .undo_last_scan(ctx.staff_id, ctx.id(), &device_id)?;
        tracing::info!(consignment_id = %ctx.id(), event_id = %ack.event_id, "scan undone");
        let mut lines = self.pick_lines(&ctx)?;
        let product = ack.product_id.to_string();
        let line = lines.iter_mut().find(|l| l.product_id == product).map(|l| {
            l.state = line_state(l.expected, l.packed);
            l.clone()
        });
        let name = match &line {
            Some(l) => l.name.clone(),
            None => self.store().product(ack.product_id)?.name,
        };
        Ok(UndoResult {
            units: clamp_i32(last.delta),
            name,
            next_line_id: next_line(&lines),
            totals: totals(&lines),
            line,
        })
    }
}
