//! The boxes the domain suggests for what is left to pack: the cheapest safe set of
//! containers by weight and volume (`tally_domain::freight::suggest_boxes`), shown on the
//! packing screen with its reasons, and the first suggested container preselected for
//! the next box.

use serde::Serialize;
use tally_domain::freight::{
    default_catalog, suggest_boxes, Dimensions, Grams, PackingRules, RateCards, ShipLine,
};

use super::context::PackCtx;
use super::views::PickLine;
use crate::App;

/// A suggested set of containers and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BoxSuggestionView {
    /// Containers in suggested order, by code (the container picker's codes).
    pub containers: Vec<SuggestedBox>,
    /// Carrier the set is cheapest with.
    pub carrier: String,
    /// Expected freight excl. GST, e.g. `"9.80"`.
    pub expected_cost_excl_gst: String,
    /// One sentence: the set, the carrier, the cost, and what it was compared with.
    pub summary: String,
    /// Lines whose weight was guessed (no catalog weight): weigh before quoting.
    pub guessed_weights: u32,
}

/// One suggested container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SuggestedBox {
    /// Container code (`BOX-M`, `SATCHEL-S`, ...).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Units of goods it takes.
    pub units: u32,
    /// Expected gross weight, grams.
    pub gross_g: u32,
}

impl App {
    /// The first container suggested for what is left, if any.
    pub(crate) fn suggested_first_container(&self, ctx: &PackCtx) -> Option<String> {
        let lines = self.pick_lines(ctx).ok()?;
        self.box_suggestion(ctx, &lines)?
            .containers
            .into_iter()
            .next()
            .map(|b| b.code)
    }

    /// The suggestion for the units still to pack; `None` when nothing is left or the
    /// rules cannot place them (the packer chooses by hand, as always).
    pub(crate) fn box_suggestion(
        &self,
        ctx: &PackCtx,
        lines: &[PickLine],
    ) -> Option<BoxSuggestionView> {
        if ctx.check_can_pack().is_err() {
            return None;
        }
        let mut ship = Vec::new();
        for l in lines.iter().filter(|l| l.remaining > 0) {
            let product = l
                .product_id
                .parse()
                .ok()
                .and_then(|id| self.store().product(id).ok());
            let mut line = ShipLine::new(
                l.sku.clone(),
                u32::try_from(l.remaining).unwrap_or(0),
                product.as_ref().and_then(|p| p.weight_grams).map(Grams),
            );
            line.unit_dimensions = product
                .as_ref()
                .and_then(|p| p.dimensions)
                .map(|d| Dimensions::mm(d.length_mm, d.width_mm, d.height_mm));
            if let Some(p) = &product {
                line.unit_value = p.price.or(p.supply_price).unwrap_or_default();
            }
            ship.push(line);
        }
        if ship.is_empty() {
            return None;
        }
        let s = match suggest_boxes(
            &ship,
            &default_catalog(),
            &PackingRules::default(),
            &RateCards::default(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "no box suggestion");
                return None;
            }
        };
        Some(BoxSuggestionView {
            containers: s
                .containers
                .iter()
                .map(|c| SuggestedBox {
                    code: c.container.code.clone(),
                    name: c.container.name.clone(),
                    units: c.items.iter().map(|i| i.quantity).sum(),
                    gross_g: c.gross_weight.0,
                })
                .collect(),
            carrier: s.carrier.display_name().to_string(),
            expected_cost_excl_gst: s.total_expected_cost_excl_gst.round_dp(2).to_string(),
            summary: s.explanation.summary.clone(),
            guessed_weights: u32::try_from(s.explanation.defaulted_weights.len()).unwrap_or(0),
        })
    }
}
