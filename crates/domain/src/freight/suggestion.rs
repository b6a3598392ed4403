//! Box suggestion: the set of containers with the lowest expected freight cost that
//! respects weight caps, volume (with a packing-efficiency factor), keep-apart
//! classes and the high-value rule, with every unit assigned once and an explanation.
//!
//! Method (a heuristic: exact variable-size bin packing is NP-hard): for each carrier
//! and each container type as the "opening" type, pack units first-fit decreasing by
//! volume; then shrink every filled container to the cheapest type that still holds
//! its contents. The cheapest plan wins; ties go to fewer containers, then to
//! satchels and packs (cheaper to handle), then to the carrier listed first.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::chargeable::{ChargeBasis, ChargeableWeight};
use super::container::{CarrierFamily, Container, ContainerKind};
use super::error::FreightRuleError;
use super::line::{resolve_weight, Handling, ShipLine, WeightSource};
use super::measure::Grams;
use super::options::{required_delivery_options, DeliveryOptions};
use super::rate_card::ContainerPricer;
use super::rules::PackingRules;
use crate::money::Money;

/// Most units planned in one call; beyond this a person should split the consignment.
const MAX_UNITS: u64 = 20_000;

/// Units of one line placed in one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedItem {
    pub line_index: usize,
    pub product: String,
    pub quantity: u32,
}

/// One container of the suggestion and what goes in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedContainer {
    pub container: Container,
    pub items: Vec<AssignedItem>,
    /// Expected weight of the contents (product weights, defaults where unknown).
    pub content_weight: Grams,
    /// Contents + tare.
    pub gross_weight: Grams,
    /// Share of the inner volume the contents take, per mille.
    pub volume_fill_permille: u32,
    pub chargeable: ChargeableWeight,
    pub expected_cost_excl_gst: Decimal,
    /// The keep-apart class in this container, if any.
    pub keep_apart: Vec<Handling>,
    pub high_value_units: u32,
}

/// How a carrier compared in the suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierOption {
    pub carrier: CarrierFamily,
    /// Containers and expected cost excl. GST, or why this carrier cannot take the goods.
    pub outcome: Result<(usize, Decimal), String>,
}

/// A unit weight that was not the product's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultedWeight {
    pub line_index: usize,
    pub product: String,
    pub quantity: u32,
    pub unit_weight: Grams,
    pub source: WeightSource,
}

/// Why the suggestion is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One paragraph for the packing bench.
    pub summary: String,
    pub carriers: Vec<CarrierOption>,
    /// Lines whose weight was defaulted (flagged: weigh or fix the product).
    pub defaulted_weights: Vec<DefaultedWeight>,
    /// Products with no size, whose volume was estimated from weight.
    pub estimated_sizes: Vec<String>,
    pub notes: Vec<String>,
}

/// The suggested containers for a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxSuggestion {
    pub carrier: CarrierFamily,
    pub containers: Vec<SuggestedContainer>,
    pub total_expected_cost_excl_gst: Decimal,
    /// Options the goods require (nicotine: age check and signature).
    pub delivery_options: DeliveryOptions,
    pub explanation: Explanation,
}

/// One unit to place.
#[derive(Debug, Clone)]
struct Unit {
    line: usize,
    weight: u64,
    volume: u64,
    /// Sorted sides, largest first, when known.
    sides: Option<[u32; 3]>,
    /// Bitmask of keep-apart classes (0 = ordinary goods).
    class: u8,
    high_value: bool,
}

/// What one container type can take for one carrier, after fill factors.
#[derive(Debug, Clone)]
struct Capacity {
    container: Container,
    content_weight: u64,
    volume: u64,
    sides: [u32; 3],
}

impl Capacity {
    fn fits_alone(&self, u: &Unit) -> bool {
        u.weight <= self.content_weight && u.volume <= self.volume && sides_fit(u.sides, self.sides)
    }
}

fn sides_fit(item: Option<[u32; 3]>, inner: [u32; 3]) -> bool {
    item.is_none_or(|s| s[0] <= inner[0] && s[1] <= inner[1] && s[2] <= inner[2])
}

/// A container being filled.
#[derive(Debug, Clone)]
struct Bin {
    ty: usize,
    units: Vec<usize>,
    weight: u64,
    volume: u64,
    /// Component-wise largest sides of the units inside.
    max_sides: [u32; 3],
    class: u8,
    high_value: u32,
}

impl Bin {
    fn new(ty: usize) -> Self {
        Bin {
            ty,
            units: Vec::new(),
            weight: 0,
            volume: 0,
            max_sides: [0; 3],
            class: 0,
            high_value: 0,
        }
    }

    fn accepts(&self, u: &Unit, cap: &Capacity, max_hv: u32) -> bool {
        self.weight + u.weight <= cap.content_weight
            && self.volume + u.volume <= cap.volume
            && sides_fit(u.sides, cap.sides)
            && (u.class == 0 || self.class == 0 || self.class == u.class)
            && (!u.high_value || self.high_value < max_hv)
    }

    fn add(&mut self, idx: usize, u: &Unit) {
        self.units.push(idx);
        self.weight += u.weight;
        self.volume += u.volume;
        if let Some(s) = u.sides {
            for (m, v) in self.max_sides.iter_mut().zip(s) {
                *m = (*m).max(v);
            }
        }
        if u.class != 0 {
            self.class = u.class;
        }
        self.high_value += u32::from(u.high_value);
    }

    fn holds_in(&self, cap: &Capacity) -> bool {
        self.weight <= cap.content_weight
            && self.volume <= cap.volume
            && sides_fit(Some(self.max_sides), cap.sides)
    }
}

/// A priced plan for one carrier.
struct Plan {
    bins: Vec<(Bin, Decimal, ChargeableWeight)>,
    total: Decimal,
}

impl Plan {
    /// Ordering key: cost, then containers, then fewer cartons (satchels/packs preferred).
    fn key(&self, caps: &[Capacity]) -> (Decimal, usize, usize) {
        let cartons = self
            .bins
            .iter()
            .filter(|(b, _, _)| caps[b.ty].container.kind == ContainerKind::Box)
            .count();
        (self.total, self.bins.len(), cartons)
    }
}

/// Suggests the cheapest safe set of containers for `lines` (see the module docs).
pub fn suggest_boxes(
    lines: &[ShipLine],
    catalog: &[Container],
    rules: &PackingRules,
    pricer: &dyn ContainerPricer,
) -> Result<BoxSuggestion, FreightRuleError> {
    if catalog.is_empty() {
        return Err(FreightRuleError::NoContainers);
    }
    let total_units: u64 = lines.iter().map(|l| u64::from(l.quantity)).sum();
    if total_units == 0 {
        return Err(FreightRuleError::NothingToShip);
    }
    if total_units > MAX_UNITS {
        return Err(FreightRuleError::TooManyUnits {
            units: total_units,
            max: MAX_UNITS,
        });
    }
    let families = pricer.families();
    if families.is_empty() {
        return Err(FreightRuleError::NoCarrierPriced);
    }

    let (units, defaulted, estimated) = expand_units(lines, rules);
    let order = packing_order(&units);

    let mut options = Vec::new();
    let mut best: Option<(CarrierFamily, Vec<Capacity>, Plan)> = None;
    for family in families {
        let caps = capacities(catalog, family, rules, pricer);
        match plan_for_carrier(family, &caps, &units, &order, lines, rules, pricer) {
            Ok(plan) => {
                options.push(CarrierOption {
                    carrier: family,
                    outcome: Ok((plan.bins.len(), plan.total)),
                });
                let better = best
                    .as_ref()
                    .is_none_or(|(_, bcaps, bplan)| plan.key(&caps) < bplan.key(bcaps));
                if better {
                    best = Some((family, caps, plan));
                }
            }
            Err(e) => options.push(CarrierOption {
                carrier: family,
                outcome: Err(e.to_string()),
            }),
        }
    }

    let Some((carrier, caps, plan)) = best else {
        // Every carrier failed: report the first reason (usually an item too big for all).
        return Err(first_failure(lines, &units, catalog, rules, pricer));
    };

    let containers: Vec<SuggestedContainer> = plan
        .bins
        .iter()
        .map(|(bin, cost, chargeable)| {
            describe_bin(bin, &caps[bin.ty], *cost, *chargeable, &units, lines)
        })
        .collect();
    let explanation = explain(
        carrier,
        &containers,
        plan.total,
        options,
        defaulted,
        estimated,
        lines,
        rules,
    );
    Ok(BoxSuggestion {
        carrier,
        containers,
        total_expected_cost_excl_gst: plan.total,
        delivery_options: required_delivery_options(lines),
        explanation,
    })
}

type Expanded = (Vec<Unit>, Vec<DefaultedWeight>, Vec<String>);

fn expand_units(lines: &[ShipLine], rules: &PackingRules) -> Expanded {
    let mut units = Vec::new();
    let mut defaulted = Vec::new();
    let mut estimated = Vec::new();
    let density = u64::from(rules.assumed_density_kg_m3.max(1));
    for (i, line) in lines.iter().enumerate() {
        if line.quantity == 0 {
            continue;
        }
        let (w, source) = resolve_weight(line, &rules.category_weights, rules.fallback_unit_weight);
        if source != WeightSource::Product {
            defaulted.push(DefaultedWeight {
                line_index: i,
                product: line.product.clone(),
                quantity: line.quantity,
                unit_weight: w,
                source,
            });
        }
        let (volume, sides) = match line.unit_dimensions {
            Some(d) => (d.volume_mm3(), Some(d.sorted_desc())),
            None => {
                estimated.push(line.product.clone());
                // grams / (kg/m³) -> mm³: g × 10⁶ / density.
                ((u64::from(w.0) * 1_000_000).div_ceil(density), None)
            }
        };
        let class = line
            .handling
            .iter()
            .filter(|h| rules.keep_apart.contains(h))
            .fold(0u8, |m, h| m | class_bit(*h));
        let high_value = line.unit_value >= rules.high_value_threshold;
        for _ in 0..line.quantity {
            units.push(Unit {
                line: i,
                weight: u64::from(w.0),
                volume,
                sides,
                class,
                high_value,
            });
        }
    }
    (units, defaulted, estimated)
}

fn class_bit(h: Handling) -> u8 {
    match h {
        Handling::Liquid => 1,
        Handling::LithiumBattery => 2,
        Handling::Fragile => 4,
    }
}

fn class_list(mask: u8) -> Vec<Handling> {
    [
        Handling::Liquid,
        Handling::LithiumBattery,
        Handling::Fragile,
    ]
    .into_iter()
    .filter(|h| mask & class_bit(*h) != 0)
    .collect()
}

/// Units largest first (volume, then weight); units of a line stay together.
fn packing_order(units: &[Unit]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        let (ua, ub) = (&units[a], &units[b]);
        (ub.volume, ub.weight, ua.line).cmp(&(ua.volume, ua.weight, ub.line))
    });
    order
}

fn capacities(
    catalog: &[Container],
    family: CarrierFamily,
    rules: &PackingRules,
    pricer: &dyn ContainerPricer,
) -> Vec<Capacity> {
    let limits = pricer.limits(family);
    catalog
        .iter()
        .filter(|c| c.usable_with(family))
        .filter(|c| limits.check("", c.tare, c.inner).is_ok())
        .filter_map(|c| {
            let cap_g = u64::from(c.max_weight.0.min(limits.max_weight.0));
            let gross = cap_g * u64::from(rules.max_weight_fill_permille) / 1000;
            let content_weight = gross.checked_sub(u64::from(c.tare.0))?;
            Some(Capacity {
                container: c.clone(),
                content_weight,
                volume: c.inner.volume_mm3() * u64::from(rules.max_volume_fill_permille) / 1000,
                sides: c.inner.sorted_desc(),
            })
        })
        .collect()
}

fn plan_for_carrier(
    family: CarrierFamily,
    caps: &[Capacity],
    units: &[Unit],
    order: &[usize],
    lines: &[ShipLine],
    rules: &PackingRules,
    pricer: &dyn ContainerPricer,
) -> Result<Plan, FreightRuleError> {
    if caps.is_empty() {
        return Err(FreightRuleError::NoContainers);
    }
    let mut best: Option<Plan> = None;
    for opening in 0..caps.len() {
        let bins = first_fit_decreasing(opening, caps, units, order, lines, rules)?;
        let Some(plan) = shrink_and_price(family, bins, caps, pricer) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| plan.key(caps) < b.key(caps)) {
            best = Some(plan);
        }
    }
    best.ok_or(FreightRuleError::NoCarrierPriced)
}

fn first_fit_decreasing(
    opening: usize,
    caps: &[Capacity],
    units: &[Unit],
    order: &[usize],
    lines: &[ShipLine],
    rules: &PackingRules,
) -> Result<Vec<Bin>, FreightRuleError> {
    let max_hv = rules.max_high_value_per_box;
    let mut bins: Vec<Bin> = Vec::new();
    // Bins only fill up, so a bin that refused a unit refuses its twins too: skip
    // ahead per line (keeps large quantities near-linear).
    let mut start_for_line: BTreeMap<usize, usize> = BTreeMap::new();
    for &idx in order {
        let u = &units[idx];
        let start = start_for_line.get(&u.line).copied().unwrap_or(0);
        let found = (start..bins.len()).find(|&b| bins[b].accepts(u, &caps[bins[b].ty], max_hv));
        let b = match found {
            Some(b) => b,
            None => {
                if u.high_value && max_hv == 0 {
                    return Err(FreightRuleError::ItemFitsNoContainer {
                        product: lines[u.line].product.clone(),
                        reason: "the high-value limit per box is 0".to_owned(),
                    });
                }
                // A unit the opening type cannot take alone opens the roomiest type that can.
                let ty = if caps[opening].fits_alone(u) {
                    opening
                } else {
                    roomiest_fitting(caps, u).ok_or_else(|| no_fit(lines, u, caps))?
                };
                bins.push(Bin::new(ty));
                bins.len() - 1
            }
        };
        start_for_line.insert(u.line, b);
        bins[b].add(idx, u);
    }
    Ok(bins)
}

fn roomiest_fitting(caps: &[Capacity], u: &Unit) -> Option<usize> {
    (0..caps.len())
        .filter(|&t| caps[t].fits_alone(u))
        .max_by_key(|&t| (caps[t].volume, caps[t].content_weight))
}

fn no_fit(lines: &[ShipLine], u: &Unit, caps: &[Capacity]) -> FreightRuleError {
    let heaviest = caps.iter().map(|c| c.content_weight).max().unwrap_or(0);
    let reason = if u.weight > heaviest {
        format!(
            "one unit weighs {} kg; the most a container here takes is {} kg",
            Grams(u.weight.min(u64::from(u32::MAX)) as u32)
                .kg()
                .normalize(),
            Grams(heaviest.min(u64::from(u32::MAX)) as u32)
                .kg()
                .normalize()
        )
    } else {
        "it is too large for every container".to_owned()
    };
    FreightRuleError::ItemFitsNoContainer {
        product: lines[u.line].product.clone(),
        reason,
    }
}

fn shrink_and_price(
    family: CarrierFamily,
    bins: Vec<Bin>,
    caps: &[Capacity],
    pricer: &dyn ContainerPricer,
) -> Option<Plan> {
    let mut priced = Vec::with_capacity(bins.len());
    let mut total = Decimal::ZERO;
    for mut bin in bins {
        let mut choice: Option<(usize, Decimal, ChargeableWeight)> = None;
        for (t, cap) in caps.iter().enumerate() {
            if !bin.holds_in(cap) {
                continue;
            }
            let gross = Grams(u32::try_from(bin.weight + u64::from(cap.container.tare.0)).ok()?);
            let Some((cost, ch)) = pricer.price(family, &cap.container, gross) else {
                continue;
            };
            let better = choice.as_ref().is_none_or(|(bt, bc, _)| {
                let rank = |i: usize| (caps[i].container.kind, caps[i].volume);
                (cost, rank(t)) < (*bc, rank(*bt))
            });
            if better {
                choice = Some((t, cost, ch));
            }
        }
        let (t, cost, ch) = choice?;
        bin.ty = t;
        total += cost;
        priced.push((bin, cost, ch));
    }
    Some(Plan {
        bins: priced,
        total,
    })
}

fn describe_bin(
    bin: &Bin,
    cap: &Capacity,
    cost: Decimal,
    chargeable: ChargeableWeight,
    units: &[Unit],
    lines: &[ShipLine],
) -> SuggestedContainer {
    let mut per_line: BTreeMap<usize, u32> = BTreeMap::new();
    for &u in &bin.units {
        *per_line.entry(units[u].line).or_default() += 1;
    }
    let items = per_line
        .into_iter()
        .map(|(line_index, quantity)| AssignedItem {
            line_index,
            product: lines[line_index].product.clone(),
            quantity,
        })
        .collect();
    let content = u32::try_from(bin.weight).unwrap_or(u32::MAX);
    let inner = cap.container.inner.volume_mm3().max(1);
    SuggestedContainer {
        container: cap.container.clone(),
        items,
        content_weight: Grams(content),
        gross_weight: Grams(content.saturating_add(cap.container.tare.0)),
        volume_fill_permille: u32::try_from(bin.volume * 1000 / inner).unwrap_or(u32::MAX),
        chargeable,
        expected_cost_excl_gst: cost,
        keep_apart: class_list(bin.class),
        high_value_units: bin.high_value,
    }
}

/// Why no carrier could take the goods: the first unit nothing fits.
fn first_failure(
    lines: &[ShipLine],
    units: &[Unit],
    catalog: &[Container],
    rules: &PackingRules,
    pricer: &dyn ContainerPricer,
) -> FreightRuleError {
    let all: Vec<Capacity> = pricer
        .families()
        .into_iter()
        .flat_map(|f| capacities(catalog, f, rules, pricer))
        .collect();
    units
        .iter()
        .find(|u| !all.iter().any(|c| c.fits_alone(u)))
        .map_or(FreightRuleError::NoCarrierPriced, |u| {
            no_fit(lines, u, &all)
        })
}

#[allow(clippy::too_many_arguments)]
fn explain(
    carrier: CarrierFamily,
    containers: &[SuggestedContainer],
    total: Decimal,
    carriers: Vec<CarrierOption>,
    defaulted_weights: Vec<DefaultedWeight>,
    estimated_sizes: Vec<String>,
    lines: &[ShipLine],
    rules: &PackingRules,
) -> Explanation {
    let units: u32 = containers
        .iter()
        .flat_map(|c| &c.items)
        .map(|i| i.quantity)
        .sum();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in containers {
        *counts.entry(c.container.name.as_str()).or_default() += 1;
    }
    let set = counts
        .iter()
        .map(|(name, n)| format!("{n} × {name}"))
        .collect::<Vec<_>>()
        .join(" + ");
    let mut summary = format!(
        "{units} unit{} in {set} with {}: expected ${} excl. GST, the cheapest safe choice",
        if units == 1 { "" } else { "s" },
        carrier.display_name(),
        Money::new(total).round_cents().amount()
    );
    let others: Vec<String> = carriers
        .iter()
        .filter(|o| o.carrier != carrier)
        .map(|o| match &o.outcome {
            Ok((n, cost)) => format!(
                "{} ${} in {n} container{}",
                o.carrier.display_name(),
                Money::new(*cost).round_cents().amount(),
                if *n == 1 { "" } else { "s" }
            ),
            Err(why) => format!("{} cannot take it ({why})", o.carrier.display_name()),
        })
        .collect();
    if !others.is_empty() {
        let _ = write!(summary, " (vs {})", others.join("; "));
    }
    summary.push('.');
    if !defaulted_weights.is_empty() {
        let _ =
            write!(
            summary,
            " {} line{} had no product weight and used a default: weigh the boxes before quoting.",
            defaulted_weights.len(),
            if defaulted_weights.len() == 1 { "" } else { "s" }
        );
    }

    let mut notes = Vec::new();
    for c in containers {
        let cap = Decimal::from(c.container.max_weight.0)
            * Decimal::from(rules.max_weight_fill_permille)
            / Decimal::from(1000);
        notes.push(format!(
            "{}: {} kg gross of {} kg allowed, {}% of its volume, charged on {} kg ({} weight)",
            c.container.name,
            c.gross_weight.kg().normalize(),
            (cap / Decimal::ONE_THOUSAND).normalize(),
            c.volume_fill_permille / 10,
            c.chargeable.chargeable_kg.normalize(),
            match c.chargeable.basis {
                ChargeBasis::Dead => "dead",
                ChargeBasis::Cubic => "cubic",
            }
        ));
    }
    let apart: Vec<&[Handling]> = containers
        .iter()
        .map(|c| c.keep_apart.as_slice())
        .filter(|k| !k.is_empty())
        .collect();
    if apart.len() > 1 {
        notes.push(
            "Liquids, lithium batteries and fragile goods are packed in separate containers."
                .to_owned(),
        );
    }
    if containers.iter().any(|c| c.high_value_units > 0) {
        notes.push(format!(
            "At most {} items worth ${} or more go in one container.",
            rules.max_high_value_per_box, rules.high_value_threshold
        ));
    }
    if !estimated_sizes.is_empty() {
        notes.push(format!(
            "No size known for {}; volume estimated at {} kg/m³.",
            estimated_sizes.join(", "),
            rules.assumed_density_kg_m3
        ));
    }
    if lines.iter().any(|l| l.nicotine && l.quantity > 0) {
        notes.push("Contains nicotine products: the booking adds age-restricted and signature-required delivery.".to_owned());
    }
    Explanation {
        summary,
        carriers,
        defaulted_weights,
        estimated_sizes,
        notes,
    }
}
