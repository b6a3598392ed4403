//! The pick list: lines with expected, packed and remaining units in picking order, the
//! next line to pick, and totals. Pure functions over the store's line progress, plus the
//! `packing_view` use case that gathers the whole screen.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use tally_store::LineProgress;

use super::command_codes::command_codes;
use super::context::PackCtx;
use super::views::{LineState, PackingView, PickLine, PickTotals};
use crate::error::AppError;
use crate::App;

/// Whole units of a decimal quantity: a fraction counts as one more unit to pack.
pub(crate) fn units(q: Decimal) -> i32 {
    q.ceil().to_i32().unwrap_or(i32::MAX)
}

/// A line's state from its expected and packed units.
pub(crate) fn line_state(expected: i32, packed: i32) -> LineState {
    if packed > expected {
        LineState::Over
    } else if packed == expected && expected > 0 {
        LineState::Complete
    } else if packed <= 0 {
        if expected == 0 {
            LineState::Complete
        } else {
            LineState::Todo
        }
    } else {
        LineState::Partial
    }
}

/// A pick-list line from the store's line progress. The catalog holds no bin
/// locations yet, so `bin` is blank.
pub(crate) fn pick_line(p: &LineProgress) -> PickLine {
    let expected = units(p.line.expected_qty);
    let packed = i32::try_from(p.packed).unwrap_or(i32::MAX);
    PickLine {
        line_id: p.line.id.to_string(),
        product_id: p.line.product_id.to_string(),
        sku: p.sku.clone(),
        name: p.name.clone(),
        bin: String::new(),
        expected,
        packed,
        remaining: (expected - packed).max(0),
        state: line_state(expected, packed),
    }
}

/// The same line with a new packed count.
pub(crate) fn with_packed(line: &PickLine, packed: i32) -> PickLine {
    PickLine {
        packed,
        remaining: (line.expected - packed).max(0),
        state: line_state(line.expected, packed),
        ..line.clone()
    }
}

/// Picking order: lines with a bin first, by bin (a walk through the shop), then by
/// name and SKU, so the list reads the same at every bench.
pub(crate) fn sort_for_picking(lines: &mut [PickLine]) {
    lines.sort_by(|a, b| {
        (a.bin.is_empty(), &a.bin, &a.name, &a.sku).cmp(&(
            b.bin.is_empty(),
            &b.bin,
            &b.name,
            &b.sku,
        ))
    });
}

/// The first line in picking order that still has units to pack.
pub(crate) fn next_line(lines: &[PickLine]) -> Option<String> {
    lines
        .iter()
        .find(|l| l.remaining > 0)
        .map(|l| l.line_id.clone())
}

/// Totals over the lines.
pub(crate) fn totals(lines: &[PickLine]) -> PickTotals {
    lines.iter().fold(PickTotals::default(), |mut t, l| {
        t.lines += 1;
        if matches!(l.state, LineState::Complete | LineState::Over) {
            t.lines_done += 1;
        }
        t.expected = t.expected.saturating_add(l.expected);
        t.packed = t.packed.saturating_add(l.packed);
        t.remaining = t.remaining.saturating_add(l.remaining);
        t
    })
}

impl App {
    /// The pick list of a consignment, in picking order.
    pub(crate) fn pick_lines(&self, ctx: &PackCtx) -> Result<Vec<PickLine>, AppError> {
        let mut lines: Vec<PickLine> = self
            .store()
            .consignment_lines(ctx.id())?
            .iter()
            .map(pick_line)
            .collect();
        sort_for_picking(&mut lines);
        Ok(lines)
    }

    /// Everything the packing screen shows for one consignment.
    pub fn packing_view(&self, consignment_id: &str) -> Result<PackingView, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        let lines = self.pick_lines(&ctx)?;
        let boxes = self.box_views(&ctx)?;
        let open_box = boxes.iter().rev().find(|b| !b.closed && b.here).cloned();
        let suggestion = self.box_suggestion(&ctx, &lines);
        let first = suggestion
            .as_ref()
            .and_then(|s| s.containers.first())
            .map(|b| b.code.as_str());
        let next_container = self.next_container(&ctx, &boxes, first);
        Ok(PackingView {
            consignment_id: ctx.id().to_string(),
            reference: ctx.header.reference.clone(),
            kind: ctx.header.kind,
            status: ctx.header.status,
            destination: self.destination_name(&ctx)?,
            can_pack: ctx.check_can_pack().is_ok(),
            next_line_id: next_line(&lines),
            totals: totals(&lines),
            lines,
            next_container,
            boxes,
            open_box,
            containers: super::boxes::containers(),
            bench: self.bench_info(),
            commands: command_codes(),
            suggestion,
            lightspeed: self.store().lightspeed_state(ctx.id())?,
        })
    }

    /// Where the consignment goes: the destination outlet's or the supplier's name.
    pub(crate) fn destination_name(&self, ctx: &PackCtx) -> Result<String, AppError> {
        let c = &ctx.header;
        let name = match (c.destination_outlet_id, c.supplier_id) {
            (Some(o), _) => self
                .store()
                .outlets()?
                .into_iter()
                .find(|x| x.id == o)
                .map(|x| x.name),
            (None, Some(s)) => self
                .store()
                .suppliers()?
                .into_iter()
                .find(|x| x.id == s)
                .map(|x| x.name),
            _ => None,
        };
        Ok(name.unwrap_or_else(|| "—".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, bin: &str, expected: i32, packed: i32) -> PickLine {
        PickLine {
            line_id: format!("id-{name}"),
            product_id: format!("p-{name}"),
            sku: format!("SKU-{name}"),
            name: name.into(),
            bin: bin.into(),
            expected,
            packed,
            remaining: (expected - packed).max(0),
            state: line_state(expected, packed),
        }
    }

    #[test]
    fn states_follow_packed_against_expected() {
        assert_eq!(line_state(3, 0), LineState::Todo);
        assert_eq!(line_state(3, 1), LineState::Partial);
        assert_eq!(line_state(3, 3), LineState::Complete);
        assert_eq!(line_state(3, 4), LineState::Over);
        assert_eq!(
            line_state(3, -1),
            LineState::Todo,
            "an undo never goes below zero"
        );
    }

    #[test]
    fn fractional_expected_quantities_round_up_to_whole_units() {
        assert_eq!(units(Decimal::new(25, 1)), 3);
        assert_eq!(units(Decimal::from(4)), 4);
    }

    #[test]
    fn lines_with_a_bin_come_first_in_bin_order_then_by_name() {
        let mut lines = vec![
            line("Zest", "", 1, 0),
            line("Apple", "", 1, 0),
            line("Mango", "B-02", 1, 0),
            line("Kiwi", "A-10", 1, 0),
        ];
        sort_for_picking(&mut lines);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Kiwi", "Mango", "Apple", "Zest"]);
    }

    #[test]
    fn the_next_line_is_the_first_with_units_remaining() {
        let lines = vec![
            line("A", "", 2, 2),
            line("B", "", 2, 3),
            line("C", "", 2, 1),
            line("D", "", 2, 0),
        ];
        assert_eq!(next_line(&lines).as_deref(), Some("id-C"));
        assert_eq!(next_line(&lines[..2]), None, "all packed: nothing next");
    }

    #[test]
    fn totals_count_units_and_finished_lines() {
        let t = totals(&[
            line("A", "", 2, 2),
            line("B", "", 2, 3),
            line("C", "", 5, 1),
        ]);
        assert_eq!(
            t,
            PickTotals {
                lines: 3,
                lines_done: 2,
                expected: 9,
                packed: 6,
                remaining: 4
            }
        );
    }
}
