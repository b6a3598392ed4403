//! Counting goods in: open a session, scan or type counts, record damage, reasons and
//! photos, receive everything as expected in one action, add items that were not on the
//! consignment. Each action checks the domain first and writes one store transaction.

use std::str::FromStr;

use rust_decimal::Decimal;
use tally_domain::{
    assess_line, check_line_change, check_transition, parse_scan, ConsignmentKind,
    ConsignmentStatus, DomainError, LineChange, Quantity, ScanConfig, ScannedCode, SignOffMode,
    TransitionContext, VarianceReason,
};
use tally_store::{
    ContentHash, EvidenceStore, Receipt, ReceiptLineInput, ScanInput, ScanPurpose, Tx,
};
use uuid::Uuid;

use crate::app::{parse_id, rfc3339};
use crate::consignments::Direction;
use crate::error::AppError;
use crate::receiving::photo;
use crate::receiving::progress::{line_no, ProductProgress, Snapshot};
use crate::receiving::view::*;
use crate::App;

/// Device id recorded on scans made at the receiving screen's keyboard wedge.
const WEDGE_DEVICE: &str = "receiving-wedge";
/// Largest count typed for one line (a mistyped 100000 is refused, not received).
const MAX_COUNT: i64 = 100_000;

fn q(d: Decimal) -> String {
    d.normalize().to_string()
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", q(d))
    } else {
        q(d)
    }
}

/// The signed-in staff member's id (actions here are never done by the system).
pub(crate) fn staff_of(actor: &tally_store::Actor) -> Result<Uuid, AppError> {
    match actor {
        tally_store::Actor::Staff(id) => Ok(*id),
        tally_store::Actor::System(_) => Err(AppError::new(
            "NOT_SIGNED_IN",
            "Sign in with your PIN first.",
        )),
    }
}

/// Parses a typed quantity: a non-negative decimal with at most three places.
pub(crate) fn parse_qty(field: &'static str, s: &str) -> Result<Decimal, AppError> {
    let bad = || {
        AppError::new(
            "BAD_QUANTITY",
            format!(
                "{field}: \"{}\" is not a number of units.",
                s.chars().take(20).collect::<String>()
            ),
        )
    };
    let d = Decimal::from_str(s.trim()).map_err(|_| bad())?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(DomainError::NegativeQuantity { field }.into());
    }
    if d.scale() > 3 && d.normalize().scale() > 3 {
        return Err(bad());
    }
    if d > Decimal::from(MAX_COUNT) {
        return Err(AppError::new(
            "BAD_QUANTITY",
            format!(
                "{field}: {} is more than one line can hold ({MAX_COUNT}).",
                q(d)
            ),
        ));
    }
    Ok(d.normalize())
}

/// What to change on the open session's line for one product.
#[derive(Debug, Default)]
pub(crate) struct LineEdit {
    pub received: Option<Decimal>,
    pub damaged: Option<Decimal>,
    pub reason: Option<Option<VarianceReason>>,
    pub note: Option<Option<String>>,
    pub photos: Vec<ContentHash>,
}

/// The session line after `edit`, starting from what the session holds now.
pub(crate) fn line_input(
    product_id: Uuid,
    current: Option<&ProductProgress>,
    edit: LineEdit,
) -> ReceiptLineInput {
    let now = current.and_then(|p| p.session_line.as_ref());
    ReceiptLineInput {
        product_id,
        received_qty: edit
            .received
            .unwrap_or_else(|| now.map_or(Decimal::ZERO, |l| l.received_qty)),
        damaged_qty: edit
            .damaged
            .unwrap_or_else(|| now.map_or(Decimal::ZERO, |l| l.damaged_qty)),
        variance_reason: edit
            .reason
            .unwrap_or_else(|| now.and_then(|l| l.variance_reason)),
        note: edit
            .note
            .unwrap_or_else(|| now.and_then(|l| l.note.clone()))
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        photos: edit.photos,
    }
}

impl App {
    /// The policy in force at this station.
    pub fn receiving_policy(&self) -> crate::receiving::ReceivingPolicy {
        self.receiving_state().policy()
    }

    /// Sets the chain's receiving policy (configuration, tests).
    pub fn set_receiving_policy(&self, policy: crate::receiving::ReceivingPolicy) {
        self.receiving_state().set_policy(policy);
    }

    pub(crate) fn evidence(&self) -> Result<EvidenceStore, AppError> {
        Ok(EvidenceStore::open(self.data_dir().join("evidence"))?)
    }

    /// Reads a consignment this outlet receives (anything else is refused).
    pub(crate) fn receiving_snapshot(&self, consignment_id: Uuid) -> Result<Snapshot, AppError> {
        let snap = Snapshot::read(self.store(), consignment_id)?;
        let c = &snap.consignment;
        if !matches!(
            c.kind,
            ConsignmentKind::PurchaseOrder | ConsignmentKind::OutletTransfer
        ) {
            return Err(AppError::new(
                "NOT_RECEIVED_HERE",
                format!("{} is not something that is received (only purchase orders and transfers are).", c.reference),
            ));
        }
        if c.destination_outlet_id != Some(self.outlet_id()?) {
            return Err(AppError::new(
                "NOT_THE_RECEIVER",
                format!(
                    "{} is not coming to this outlet; only the receiving outlet receives it.",
                    c.reference
                ),
            ));
        }
        Ok(snap)
    }

    /// The open session, or `NO_OPEN_SESSION`; also checks counts may change now.
    pub(crate) fn counting_session(snap: &Snapshot) -> Result<Receipt, AppError> {
        let c = &snap.consignment;
        check_line_change(c.kind, c.status, LineChange::Received)?;
        snap.open_session.clone().ok_or_else(|| {
            AppError::new(
                "NO_OPEN_SESSION",
                "No receive session is open. Start receiving first.",
            )
        })
    }

    fn staff_name(&self, id: Uuid) -> String {
        self.store()
            .staff_member(id)
            .map(|m| m.name)
            .unwrap_or_else(|_| id.to_string())
    }

    fn counterpart(&self, c: &tally_store::Consignment) -> String {
        let outlet = c.source_outlet_id.and_then(|o| {
            self.store()
                .outlets()
                .ok()?
                .into_iter()
                .find(|x| x.id == o)
                .map(|x| x.name)
        });
        let supplier = || {
            c.supplier_id.and_then(|s| {
                self.store()
                    .suppliers()
                    .ok()?
                    .into_iter()
                    .find(|x| x.id == s)
                    .map(|x| x.name)
            })
        };
        outlet.or_else(supplier).unwrap_or_else(|| "—".into())
    }

    /// Builds the screen's view from a snapshot.
    pub(crate) fn receiving_view_of(&self, snap: &Snapshot) -> ReceivingView {
        let policy = self.receiving_policy();
        let vp = &policy.variance;
        let lines: Vec<ReceivingLine> = snap
            .lines
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let d = p.domain_line(line_no(i));
                let a = assess_line(&d, vp);
                let problem = tally_domain::check_line(&d, vp)
                    .err()
                    .map(|e| e.to_string());
                ReceivingLine {
                    line_no: line_no(i),
                    product_id: p.product_id.to_string(),
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    on_consignment: p.on_consignment,
                    expected: q(p.expected),
                    received_before: q(p.received - p.this_session),
                    this_session: q(p.this_session),
                    received: q(p.received),
                    damaged: q(p.damaged),
                    damaged_this_session: q(p.damaged_this_session),
                    variance: signed(p.received - p.expected),
                    variance_value: a.variance_value.round_cents().to_string(),
                    reason: p.reason.map(ReasonCode::from),
                    note: p.note.clone(),
                    photos: p.photos.iter().map(|h| h.to_string()).collect(),
                    reason_required: a.reason_required,
                    photo_required: a.photo_required,
                    over_flagged: a.over_receipt_flagged,
                    problem,
                    complete: p.received == p.expected && p.damaged.is_zero(),
                }
            })
            .collect();
        let value = snap.variance_value(vp);
        let over = value > vp.sign_off_threshold;
        let session_view = |r: &Receipt| SessionView {
            id: r.id.to_string(),
            started_by: self.staff_name(r.started_by),
            started_at: rfc3339(r.started_at),
            closed_at: r.closed_at.map(rfc3339),
            signed_by: r.signed_by.map(|s| self.staff_name(s)),
            signature: r.signature_png.as_ref().map(|h| h.to_string()),
            driver_signature: r.driver_signature_png.as_ref().map(|h| h.to_string()),
            units: q(snap
                .session_lines
                .get(&r.id)
                .map(|ls| ls.iter().map(|l| l.received_qty).sum())
                .unwrap_or_default()),
        };
        let c = &snap.consignment;
        ReceivingView {
            consignment_id: c.id.to_string(),
            reference: c.reference.clone(),
            kind: c.kind,
            status: c.status,
            direction: Direction::Incoming,
            counterpart: self.counterpart(c),
            open_session: snap.open_session.as_ref().map(session_view),
            sessions: snap.sessions.iter().map(session_view).collect(),
            totals: ReceivingTotals {
                expected: q(snap.lines.iter().map(|l| l.expected).sum()),
                received: q(snap.total_received()),
                this_session: q(snap.lines.iter().map(|l| l.this_session).sum()),
                lines_with_variance: lines.iter().filter(|l| l.reason_required).count() as u32,
                variance_value: value.round_cents().to_string(),
                needs_manager_sign_off: over && vp.sign_off_mode == SignOffMode::ManagerPin,
                goes_to_review_list: over && vp.sign_off_mode == SignOffMode::ReviewList,
            },
            lines,
            policy: PolicyView {
                damage_photo_required: vp.damage_photo_required,
                sign_off_threshold: q(vp.sign_off_threshold.amount()),
                sign_off_rule: vp.sign_off_mode.into(),
                pin_confirmation_allowed: vp.pin_confirmation_allowed,
                max_photo_bytes: u32::try_from(policy.max_photo_bytes).unwrap_or(u32::MAX),
            },
            closed: c.status == ConsignmentStatus::Received,
        }
    }

    fn fresh_view(&self, consignment_id: Uuid) -> Result<ReceivingView, AppError> {
        Ok(self.receiving_view_of(&self.receiving_snapshot(consignment_id)?))
    }

    /// The receiving screen for a consignment (needs a signed-in staff member).
    pub fn receiving_view(&self, consignment_id: &str) -> Result<ReceivingView, AppError> {
        self.actor()?;
        self.fresh_view(parse_id("consignment", consignment_id)?)
    }

    /// Opens a receive session (or returns the one open at this station). The first
    /// session of a sent consignment moves it to `receiving`, checked by the domain.
    pub fn start_receiving(&self, consignment_id: &str) -> Result<ReceivingView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        // A pull may bring a newer version between reading and writing: read again.
        let mut attempt = 1;
        loop {
            match self.start_once(&actor, id) {
                Err(e) if e.code == "VERSION_CONFLICT" && attempt < 3 => attempt += 1,
                other => return other,
            }
        }
    }

    fn start_once(&self, actor: &tally_store::Actor, id: Uuid) -> Result<ReceivingView, AppError> {
        let _serial = self.receiving_state().serial();
        let snap = self.receiving_snapshot(id)?;
        if snap.open_session.is_some() {
            return Ok(self.receiving_view_of(&snap));
        }
        let c = &snap.consignment;
        let move_to_receiving = c.status != ConsignmentStatus::Receiving;
        if move_to_receiving {
            let ctx = TransitionContext {
                line_count: snap.lines.iter().filter(|l| l.on_consignment).count() as u32,
                total_received: Quantity::new(snap.total_received()),
                ..TransitionContext::default()
            };
            check_transition(c.kind, c.status, ConsignmentStatus::Receiving, &ctx)?;
        }
        let version = c.version;
        let session = self.store().transact(actor, |t| {
            if move_to_receiving {
                t.set_consignment_status(id, version, ConsignmentStatus::Receiving)?;
            }
            t.start_receipt(id)
        })?;
        self.nudge_sync();
        tracing::info!(consignment_id = %id, session_id = %session.id, "receive session started");
        self.fresh_view(id)
    }

    /// Sets this session's count of a product (typed; absolute for the session).
    pub fn receiving_count(
        &self,
        consignment_id: &str,
        product_id: &str,
        quantity: &str,
    ) -> Result<ReceivingView, AppError> {
        let received = parse_qty("Received quantity", quantity)?;
        self.edit_receipt_line(consignment_id, product_id, |p| {
            let damaged = p.map_or(Decimal::ZERO, |p| p.damaged_this_session);
            if damaged > received {
                return Err(AppError::new(
                    "DAMAGED_EXCEEDS_RECEIVED",
                    format!("{} of this session's units are marked damaged; the count cannot be lower. Change the damaged count first.", q(damaged)),
                ));
            }
            Ok(LineEdit {
                received: Some(received),
                ..LineEdit::default()
            })
        })
    }

    /// Sets how many of this session's units of a product are damaged.
    pub fn receiving_damaged(
        &self,
        consignment_id: &str,
        product_id: &str,
        quantity: &str,
    ) -> Result<ReceivingView, AppError> {
        let damaged = parse_qty("Damaged quantity", quantity)?;
        self.edit_receipt_line(consignment_id, product_id, |p| {
            let received = p.map_or(Decimal::ZERO, |p| p.this_session);
            if damaged > received {
                return Err(AppError::new(
                    "DAMAGED_EXCEEDS_RECEIVED",
                    format!("Only {} counted in this session; damaged units are part of that count. Count them first.", q(received)),
                ));
            }
            Ok(LineEdit {
                damaged: Some(damaged),
                ..LineEdit::default()
            })
        })
    }

    /// Gives (or clears) the reason a line differs, with a note.
    pub fn receiving_reason(
        &self,
        consignment_id: &str,
        product_id: &str,
        reason: Option<ReasonCode>,
        note: Option<String>,
    ) -> Result<ReceivingView, AppError> {
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(AppError::new(
                "NOTE_TOO_LONG",
                "Keep the note under 500 characters.",
            ));
        }
        self.edit_receipt_line(consignment_id, product_id, |_| {
            Ok(LineEdit {
                reason: Some(reason.map(VarianceReason::from)),
                note: Some(note.clone()),
                ..LineEdit::default()
            })
        })
    }

    /// Applies one edit to the open session's line of a product on the consignment (or
    /// an unexpected item already added).
    fn edit_receipt_line(
        &self,
        consignment_id: &str,
        product_id: &str,
        edit: impl FnOnce(Option<&ProductProgress>) -> Result<LineEdit, AppError>,
    ) -> Result<ReceivingView, AppError> {
        let _serial = self.receiving_state().serial();
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let pid = parse_id("product", product_id)?;
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        let current = snap.line(pid).ok_or_else(|| {
            AppError::new(
                "NOT_ON_CONSIGNMENT",
                "That product is not on this consignment. Add it as an unexpected item.",
            )
        })?;
        let input = line_input(pid, Some(current), edit(Some(current))?);
        self.store()
            .record_receipt_line(&actor, session.id, input)?;
        self.nudge_sync();
        self.fresh_view(id)
    }

    /// A scan at the receiving screen: parsed by the domain, looked up in the catalog,
    /// counted on its line (GS1 count or one unit) and kept as a scan event, durably,
    /// before the answer returns.
    pub fn receiving_scan(&self, consignment_id: &str, raw: &str) -> Result<ReceiveScan, AppError> {
        let _serial = self.receiving_state().serial();
        let actor = self.actor()?;
        let staff_id = staff_of(&actor)?;
        let id = parse_id("consignment", consignment_id)?;
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        let reference = &snap.consignment.reference;
        let same_reference = |s: &str| s.trim().eq_ignore_ascii_case(reference);
        let code = parse_scan(raw, &ScanConfig::default());
        let lookup = match &code {
            ScannedCode::Rejected { error, .. } => return Err(error.clone().into()),
            ScannedCode::Reference(r) if same_reference(&r.to_string()) => None,
            ScannedCode::Reference(r) => {
                return Err(AppError::new(
                    "OTHER_CONSIGNMENT",
                    format!("That label belongs to {r}, not {reference}. Keep its goods apart."),
                ))
            }
            ScannedCode::Text(t) if same_reference(t) => None,
            ScannedCode::Text(t) => Some(t.clone()),
            ScannedCode::Gtin(g) => Some(g.as_str().to_string()),
            ScannedCode::Gs1(data) => {
                match data.gtin() {
                    Some(g) => Some(g.as_str().to_string()),
                    None => return Err(AppError::new(
                        "CARTON_CODE",
                        "That is a carton code (SSCC), not a product. Scan the product's barcode.",
                    )),
                }
            }
        };
        let Some(lookup) = lookup else {
            return Ok(ReceiveScan {
                kind: ScanResultKind::ReferenceConfirmed,
                product_id: None,
                label: reference.clone(),
                units: "0".into(),
                message: format!("Paperwork matches {reference}."),
                view: self.receiving_view_of(&snap),
            });
        };
        let hit = self.store().lookup_code(&lookup)?.ok_or_else(|| {
            AppError::new(
                "UNKNOWN_CODE",
                format!("No product has the code {lookup}. Type the count on its line, or add it as an unexpected item."),
            )
        })?;
        let Some(current) = snap.line(hit.product_id) else {
            return Ok(ReceiveScan {
                kind: ScanResultKind::NotOnConsignment,
                product_id: Some(hit.product_id.to_string()),
                label: hit.name.clone(),
                units: "0".into(),
                message: format!(
                    "{} is not on {reference}. Add it as an unexpected item?",
                    hit.name
                ),
                view: self.receiving_view_of(&snap),
            });
        };
        let units = code.units().value();
        let delta = i64::try_from(units.trunc().mantissa()).unwrap_or(1).max(1);
        let input = line_input(
            hit.product_id,
            Some(current),
            LineEdit {
                received: Some(current.this_session + units),
                ..LineEdit::default()
            },
        );
        let scan = ScanInput {
            consignment_id: id,
            product_id: hit.product_id,
            box_id: None,
            purpose: ScanPurpose::Receive,
            delta,
            raw_code: raw.trim().chars().take(200).collect(),
            device_id: WEDGE_DEVICE.into(),
            staff_id,
        };
        self.store().transact(&actor, |t: &mut Tx<'_>| {
            t.record_scan(scan)?;
            t.record_receipt_line(session.id, input)
        })?;
        self.nudge_sync();
        let after = self.receiving_snapshot(id)?;
        let line = after.line(hit.product_id).cloned();
        let received = line.as_ref().map_or(Decimal::ZERO, |l| l.received);
        let expected = line.as_ref().map_or(Decimal::ZERO, |l| l.expected);
        let kind = if received == expected {
            ScanResultKind::LineComplete
        } else if received > expected {
            ScanResultKind::Over
        } else {
            ScanResultKind::Counted
        };
        let message = match kind {
            ScanResultKind::LineComplete => format!("{}: all {} in.", hit.name, q(expected)),
            ScanResultKind::Over => format!(
                "{}: {} received, only {} expected.",
                hit.name,
                q(received),
                q(expected)
            ),
            _ => format!("{}: {} of {}.", hit.name, q(received), q(expected)),
        };
        tracing::debug!(consignment_id = %id, product_id = %hit.product_id, %units, "receive scan");
        Ok(ReceiveScan {
            kind,
            product_id: Some(hit.product_id.to_string()),
            label: hit.name,
            units: q(units),
            message,
            view: self.receiving_view_of(&after),
        })
    }

    /// "Receive all as expected": every line still short, and not already explained with
    /// a reason, gets its remaining quantity in this session, as one action with one
    /// audit entry per line.
    pub fn receive_all_as_expected(&self, consignment_id: &str) -> Result<ReceivingView, AppError> {
        let _serial = self.receiving_state().serial();
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        let inputs: Vec<ReceiptLineInput> = snap
            .lines
            .iter()
            // A line already explained (e.g. marked short) keeps what was counted.
            .filter(|p| p.on_consignment && p.received < p.expected && p.reason.is_none())
            .map(|p| {
                line_input(
                    p.product_id,
                    Some(p),
                    LineEdit {
                        received: Some(p.this_session + (p.expected - p.received)),
                        ..LineEdit::default()
                    },
                )
            })
            .collect();
        if inputs.is_empty() {
            return Err(AppError::new(
                "NOTHING_LEFT_TO_RECEIVE",
                "Every line already has what was expected.",
            ));
        }
        let n = inputs.len();
        self.store().transact(&actor, |t| {
            for input in inputs {
                t.record_receipt_line(session.id, input)?;
            }
            Ok(())
        })?;
        self.nudge_sync();
        tracing::info!(consignment_id = %id, lines = n, "received all as expected");
        self.fresh_view(id)
    }

    /// Adds an item that arrived but is not on the consignment, with why it is here.
    pub fn receiving_add_unexpected(
        &self,
        consignment_id: &str,
        product_id: &str,
        quantity: &str,
        reason: ReasonCode,
        note: Option<String>,
    ) -> Result<ReceivingView, AppError> {
        let _serial = self.receiving_state().serial();
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let pid = parse_id("product", product_id)?;
        let received = parse_qty("Received quantity", quantity)?;
        if received.is_zero() {
            return Err(AppError::new(
                "BAD_QUANTITY",
                "Count at least one unit of the unexpected item.",
            ));
        }
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        if snap.line(pid).is_some_and(|l| l.on_consignment) {
            return Err(AppError::new(
                "ON_CONSIGNMENT",
                "That product is on the consignment; count it on its line.",
            ));
        }
        let product = self.store().product(pid)?;
        if product.deleted {
            return Err(AppError::new(
                "PRODUCT_DELETED",
                format!("{} was deleted from the catalogue.", product.name),
            ));
        }
        let reason = VarianceReason::from(reason);
        // An unexpected item always needs an explanation; `short` cannot describe one.
        if reason == VarianceReason::Short {
            return Err(AppError::new(
                "VARIANCE_REASON_MISMATCH",
                "An unexpected item cannot be \"short\". Choose wrong item, over, damaged, expired or other.",
            ));
        }
        if reason == VarianceReason::Other && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(DomainError::VarianceNoteRequired {
                line: line_no(snap.lines.len()),
            }
            .into());
        }
        let current = snap.line(pid);
        let input = line_input(
            pid,
            current,
            LineEdit {
                received: Some(current.map_or(Decimal::ZERO, |c| c.this_session) + received),
                reason: Some(Some(reason)),
                note: Some(note),
                ..LineEdit::default()
            },
        );
        self.store()
            .record_receipt_line(&actor, session.id, input)?;
        self.nudge_sync();
        tracing::info!(consignment_id = %id, product_id = %pid, "unexpected item received");
        self.fresh_view(id)
    }

    /// Attaches a photo (camera frame or picked file, base64) to a line of the open
    /// session: checked, metadata stripped, downscaled, stored by content hash.
    pub fn receiving_add_photo(
        &self,
        consignment_id: &str,
        product_id: &str,
        data_base64: &str,
    ) -> Result<PhotoAdded, AppError> {
        let _serial = self.receiving_state().serial();
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let pid = parse_id("product", product_id)?;
        let policy = self.receiving_policy();
        let bytes = photo::decode_base64(data_base64)?;
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        let current = snap.line(pid).ok_or_else(|| {
            AppError::new(
                "NOT_ON_CONSIGNMENT",
                "That product is not on this consignment. Add it as an unexpected item first.",
            )
        })?;
        let processed =
            photo::process_photo(&bytes, policy.max_photo_bytes, policy.photo_max_edge_px)?;
        let hash = self.evidence()?.put(&processed.jpeg)?;
        let thumb = photo::thumbnail_jpeg(&processed.jpeg, policy.thumbnail_edge_px)?;
        let input = line_input(
            pid,
            Some(current),
            LineEdit {
                photos: vec![hash.clone()],
                ..LineEdit::default()
            },
        );
        self.store()
            .record_receipt_line(&actor, session.id, input)?;
        self.nudge_sync();
        tracing::info!(consignment_id = %id, product_id = %pid, %hash, bytes = processed.jpeg.len(), "photo attached");
        Ok(PhotoAdded {
            hash: hash.to_string(),
            thumbnail: photo::data_url(&thumb),
            bytes: u32::try_from(processed.jpeg.len()).unwrap_or(u32::MAX),
            view: self.fresh_view(id)?,
        })
    }

    /// Products matching a code or words, for adding an unexpected item by hand.
    pub fn receiving_find_products(
        &self,
        consignment_id: &str,
        query: &str,
    ) -> Result<Vec<ProductOption>, AppError> {
        self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let snap = self.receiving_snapshot(id)?;
        let query = query.trim();
        let mut hits = Vec::new();
        if let Some(h) = self.store().lookup_code(query)? {
            hits.push(h);
        }
        for h in self.store().search_products(query, 12)? {
            if !hits.iter().any(|x| x.product_id == h.product_id) {
                hits.push(h);
            }
        }
        Ok(hits
            .into_iter()
            .map(|h| ProductOption {
                id: h.product_id.to_string(),
                on_consignment: snap.line(h.product_id).is_some_and(|l| l.on_consignment),
                sku: h.sku,
                name: h.name,
            })
            .collect())
    }

    /// A stored photo or signature as a thumbnail `data:` URL.
    pub fn receiving_evidence_thumbnail(&self, hash: &str) -> Result<String, AppError> {
        self.actor()?;
        let bytes = self.evidence()?.get_by_name(hash)?;
        let edge = self.receiving_policy().thumbnail_edge_px;
        Ok(photo::data_url(&photo::thumbnail_jpeg(&bytes, edge)?))
    }
}
