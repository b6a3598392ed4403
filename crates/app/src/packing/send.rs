//! Sending: every line packed or sent short with a reason, every box with goods weighed
//! and closed; then the domain moves the consignment packing → packed → sent (a carrier
//! handover stays packed until its booking), the packing slip is printed or saved, and
//! the changes wait in the outbox for the sync loop. One store action; works offline.

use serde::Serialize;
use tally_domain::{check_transition, ConsignmentStatus, Quantity, TransitionContext};
use tally_labels::{PackingSlip, SlipKind, SlipLine};
use uuid::Uuid;

use super::context::PackCtx;
use super::error::PackingError;
use super::pick_list::totals;
use super::views::{
    BoxView, Handover, PickLine, SendCheck, SendInput, SendResult, ShortLine, ShortReason,
};
use crate::error::AppError;
use crate::App;

/// Outbox kind of a line sent short (payload: [`ShortShipped`]).
pub const SHORT_SHIPPED: &str = "packing.short_shipped";
/// Audit action recording the handover and the slip.
const SENT_ACTION: &str = "packing.handed_over";

/// The outbox payload of a line sent short; `consignment_id`, `product_id` and `reason`
/// are the sync protocol's `short_ship_recorded` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShortShipped {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The line's product.
    pub product_id: String,
    /// Stable reason name (`out_of_stock`, ...).
    pub reason: String,
    /// The packer's note (required for `other`).
    pub note: Option<String>,
    /// Units expected.
    pub expected: i32,
    /// Units packed.
    pub packed: i32,
}

#[derive(Serialize)]
struct HandedOver<'a> {
    handover: Handover,
    driver: Option<&'a str>,
    slip_sha256: String,
    status: ConsignmentStatus,
}

fn short_lines(lines: &[PickLine]) -> Vec<PickLine> {
    lines
        .iter()
        .filter(|l| l.packed < l.expected)
        .cloned()
        .collect()
}

fn problems(short: &[PickLine], open: &[u32], unweighed: &[u32], nothing: bool) -> Vec<String> {
    let mut p = Vec::new();
    if nothing {
        p.push("Nothing is packed yet.".to_string());
    }
    if !short.is_empty() {
        p.push(format!(
            "{} line(s) are packed short: give each a reason to send them short.",
            short.len()
        ));
    }
    if !open.is_empty() {
        p.push(format!(
            "Box {} still open: weigh and close it.",
            open.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !unweighed.is_empty() {
        p.push(format!(
            "Box {} has no weight.",
            unweighed
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    p
}

/// Checks the short-ship reasons against the lines packed short.
fn check_short(short: &[PickLine], all: &[PickLine], given: &[ShortLine]) -> Result<(), AppError> {
    for g in given {
        if !short.iter().any(|l| l.product_id == g.product_id) {
            let sku = all
                .iter()
                .find(|l| l.product_id == g.product_id)
                .map_or_else(|| g.product_id.clone(), |l| l.sku.clone());
            return Err(PackingError::NotShort { sku }.into());
        }
        if g.reason == ShortReason::Other && g.note.as_deref().is_none_or(|n| n.trim().len() < 3) {
            return Err(PackingError::ReasonRequired {
                what: "a note for the reason 'other'",
            }
            .into());
        }
    }
    let missing: Vec<&PickLine> = short
        .iter()
        .filter(|l| !given.iter().any(|g| g.product_id == l.product_id))
        .collect();
    if let Some(first) = missing.first() {
        return Err(PackingError::ShortWithoutReason {
            count: missing.len(),
            first: format!("{} {}", first.sku, first.name),
        }
        .into());
    }
    Ok(())
}

impl App {
    /// What stands between the consignment and sending, for the send dialog.
    pub fn send_check(&self, consignment_id: &str) -> Result<SendCheck, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        let lines = self.pick_lines(&ctx)?;
        let boxes = self.box_views(&ctx)?;
        let short = short_lines(&lines);
        let open: Vec<u32> = boxes
            .iter()
            .filter(|b| !b.closed)
            .map(|b| b.number)
            .collect();
        let unweighed: Vec<u32> = boxes
            .iter()
            .filter(|b| b.closed && b.units > 0 && b.weight.is_none())
            .map(|b| b.number)
            .collect();
        let nothing = totals(&lines).packed <= 0;
        Ok(SendCheck {
            problems: problems(&short, &open, &unweighed, nothing),
            ready: open.is_empty() && unweighed.is_empty() && !nothing,
            short_lines: short,
            open_boxes: open,
            unweighed_boxes: unweighed,
            nothing_packed: nothing,
        })
    }

    /// Sends the consignment: checks everything, then in one action records the short
    /// lines and moves it to packed and (unless a carrier must collect it) sent; then
    /// prints or saves the packing slip.
    pub fn send(&self, consignment_id: &str, input: &SendInput) -> Result<SendResult, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        let from = ctx.header.status;
        if !matches!(from, ConsignmentStatus::Packing | ConsignmentStatus::Packed) {
            return Err(PackingError::NotPacking {
                reference: ctx.header.reference.clone(),
                status: from.label().to_lowercase(),
            }
            .into());
        }
        let lines = self.pick_lines(&ctx)?;
        let boxes = self.box_views(&ctx)?;
        let short = short_lines(&lines);
        check_short(&short, &lines, &input.short)?;
        if let Some(b) = boxes
            .iter()
            .find(|b| b.closed && b.units > 0 && b.weight.is_none())
        {
            return Err(PackingError::BoxNotWeighed { number: b.number }.into());
        }
        let t = totals(&lines);
        let tctx = TransitionContext {
            line_count: t.lines,
            total_packed: Quantity::units(i64::from(t.packed.max(0))),
            // Every open box counts, as at the hub: an open box cannot travel.
            open_boxes: boxes.iter().filter(|b| !b.closed).count() as u32,
            outlet_counting: self.outlet_counting(ctx.outlet_id)?,
            ..TransitionContext::default()
        };
        let mut path = Vec::new();
        if from == ConsignmentStatus::Packing {
            check_transition(ctx.header.kind, from, ConsignmentStatus::Packed, &tctx)?;
            path.push(ConsignmentStatus::Packed);
        }
        if input.handover != Handover::Carrier {
            check_transition(
                ctx.header.kind,
                ConsignmentStatus::Packed,
                ConsignmentStatus::Sent,
                &tctx,
            )?;
            path.push(ConsignmentStatus::Sent);
        }
        let slip = self.packing_slip(&ctx, &lines, &boxes, input)?;
        let (bytes, slip_hash) = self.render_slip(&slip)?;
        let id = ctx.id();
        let status = self.store().transact(&ctx.actor, |t| {
            for s in &input.short {
                let line = short.iter().find(|l| l.product_id == s.product_id);
                let payload = ShortShipped {
                    consignment_id: id,
                    product_id: s.product_id.clone(),
                    reason: s.reason.as_str().to_string(),
                    note: s.note.as_ref().map(|n| n.trim().to_string()),
                    expected: line.map_or(0, |l| l.expected),
                    packed: line.map_or(0, |l| l.packed),
                };
                let m = t.enqueue(SHORT_SHIPPED, Some(id), &payload)?;
                let entity = line.map_or_else(|| s.product_id.clone(), |l| l.line_id.clone());
                t.audit(
                    SHORT_SHIPPED,
                    "consignment_line",
                    &entity,
                    None::<&()>,
                    Some(&payload),
                    Some(m.mutation_id),
                )?;
            }
            let mut version = ctx.header.version;
            let mut status = from;
            for to in &path {
                let after = t.set_consignment_status(id, version, *to)?;
                version = after.version;
                status = after.status;
            }
            t.audit(
                SENT_ACTION,
                "consignment",
                &id.to_string(),
                None::<&()>,
                Some(&HandedOver {
                    handover: input.handover,
                    driver: input
                        .driver
                        .as_deref()
                        .map(str::trim)
                        .filter(|d| !d.is_empty()),
                    slip_sha256: slip_hash.to_string(),
                    status,
                }),
                None,
            )?;
            Ok(status)
        })?;
        tracing::info!(consignment_id = %id, status = status.as_str(), short = input.short.len(), "consignment sent");
        let slip = self.print_slip(&bytes);
        Ok(SendResult {
            status,
            slip,
            pending_sync: self.store().sync_status()?.pending as u32,
        })
    }

    fn packing_slip(
        &self,
        ctx: &PackCtx,
        lines: &[PickLine],
        boxes: &[BoxView],
        input: &SendInput,
    ) -> Result<PackingSlip, AppError> {
        let (from, to) = self.slip_parties(ctx)?;
        let mut notes: Vec<String> = input
            .short
            .iter()
            .filter_map(|s| {
                let l = lines.iter().find(|l| l.product_id == s.product_id)?;
                Some(format!(
                    "{} sent short {} of {}: {}{}",
                    l.sku,
                    l.packed.max(0),
                    l.expected,
                    s.reason.label(),
                    s.note
                        .as_deref()
                        .map(|n| format!(" ({})", n.trim()))
                        .unwrap_or_default()
                ))
            })
            .collect();
        if let Some(d) = input
            .driver
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            notes.push(format!("Driver: {d}"));
        }
        let date = input
            .local_date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| d.chars().take(40).collect())
            .unwrap_or_else(|| {
                let now = time::OffsetDateTime::now_utc();
                format!(
                    "{:04}-{:02}-{:02} UTC",
                    now.year(),
                    u8::from(now.month()),
                    now.day()
                )
            });
        Ok(PackingSlip {
            kind: SlipKind::PackingSlip,
            consignment_ref: ctx.header.reference.clone(),
            from,
            to,
            date,
            box_count: Some(boxes.iter().filter(|b| b.units > 0).count() as u32),
            lines: lines
                .iter()
                .map(|l| SlipLine {
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    expected: l.expected.into(),
                    counted: Some(l.packed.max(0).into()),
                })
                .collect(),
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packing::pick_list::line_state;

    fn line(id: &str, expected: i32, packed: i32) -> PickLine {
        PickLine {
            line_id: format!("l-{id}"),
            product_id: id.into(),
            sku: format!("SKU-{id}"),
            name: id.into(),
            bin: String::new(),
            expected,
            packed,
            remaining: (expected - packed).max(0),
            state: line_state(expected, packed),
        }
    }

    fn reason(id: &str, reason: ShortReason, note: Option<&str>) -> ShortLine {
        ShortLine {
            product_id: id.into(),
            reason,
            note: note.map(str::to_string),
        }
    }

    #[test]
    fn every_short_line_needs_a_reason() {
        let all = [line("a", 3, 3), line("b", 3, 1), line("c", 2, 0)];
        let short = short_lines(&all);
        let e =
            check_short(&short, &all, &[reason("b", ShortReason::OutOfStock, None)]).unwrap_err();
        assert_eq!(e.code, "SHORT_WITHOUT_REASON");
        assert!(e.message.contains("SKU-c"), "{}", e.message);
        check_short(
            &short,
            &all,
            &[
                reason("b", ShortReason::OutOfStock, None),
                reason("c", ShortReason::NotFound, None),
            ],
        )
        .unwrap();
    }

    #[test]
    fn a_reason_for_a_full_line_is_refused() {
        let all = [line("a", 3, 3)];
        let e = check_short(&[], &all, &[reason("a", ShortReason::Damaged, None)]).unwrap_err();
        assert_eq!(e.code, "NOT_SHORT");
    }

    #[test]
    fn other_needs_a_note() {
        let all = [line("b", 3, 1)];
        let short = short_lines(&all);
        assert_eq!(
            check_short(&short, &all, &[reason("b", ShortReason::Other, Some(" "))])
                .unwrap_err()
                .code,
            "REASON_REQUIRED"
        );
        check_short(
            &short,
            &all,
            &[reason("b", ShortReason::Other, Some("recalled"))],
        )
        .unwrap();
    }

    #[test]
    fn problems_name_the_boxes() {
        let p = problems(&[], &[2, 3], &[], false);
        assert_eq!(p, vec!["Box 2, 3 still open: weigh and close it."]);
    }
}
