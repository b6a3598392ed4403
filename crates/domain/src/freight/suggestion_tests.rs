//! Examples and properties of the box suggestion.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

fn suggest(lines: &[ShipLine]) -> Result<BoxSuggestion, FreightRuleError> {
    suggest_boxes(
        lines,
        &default_catalog(),
        &PackingRules::default(),
        &RateCards::default(),
    )
}

fn sized(product: &str, qty: u32, grams: u32, d: (u32, u32, u32)) -> ShipLine {
    let mut l = ShipLine::new(product, qty, Some(Grams(grams)));
    l.unit_dimensions = Some(Dimensions::mm(d.0, d.1, d.2));
    l
}

#[test]
fn a_few_small_items_go_in_one_satchel() {
    let s = suggest(&[sized("SOCKS", 3, 80, (150, 100, 20))]).unwrap();
    assert_eq!(s.containers.len(), 1);
    assert_eq!(s.containers[0].container.kind, ContainerKind::Satchel);
    assert_eq!(s.carrier, CarrierFamily::NzPost);
    assert!(
        s.explanation.summary.contains("satchel"),
        "{}",
        s.explanation.summary
    );
}

#[test]
fn heavy_goods_go_in_a_carton() {
    let s = suggest(&[sized("KETTLEBELL", 2, 8_000, (200, 150, 150))]).unwrap();
    assert!(s
        .containers
        .iter()
        .all(|c| c.container.kind == ContainerKind::Box));
    let gross: u32 = s.containers.iter().map(|c| c.gross_weight.0).sum();
    assert!(gross >= 16_000);
}

#[test]
fn lithium_batteries_are_kept_apart_from_liquids() {
    let mut juice = sized("E-LIQUID", 2, 60, (50, 30, 30));
    juice.handling = [Handling::Liquid].into();
    let mut cells = sized("18650-CELL", 2, 50, (70, 20, 20));
    cells.handling = [Handling::LithiumBattery].into();
    let s = suggest(&[juice, cells]).unwrap();
    assert_eq!(
        s.containers.len(),
        2,
        "both would fit one satchel but must not share"
    );
    for c in &s.containers {
        assert_eq!(c.keep_apart.len(), 1);
        assert_eq!(c.items.len(), 1);
    }
    assert!(s.explanation.notes.iter().any(|n| n.contains("separate")));
}

#[test]
fn ordinary_goods_may_share_with_a_kept_apart_class() {
    let mut juice = sized("E-LIQUID", 1, 60, (50, 30, 30));
    juice.handling = [Handling::Liquid].into();
    let s = suggest(&[juice, sized("TEE", 1, 150, (200, 150, 10))]).unwrap();
    assert_eq!(s.containers.len(), 1);
}

#[test]
fn no_more_than_five_high_value_items_share_a_box() {
    let mut phones = sized("PHONE", 7, 200, (150, 80, 10));
    phones.unit_value = Decimal::from(450);
    let s = suggest(&[phones]).unwrap();
    assert_eq!(s.containers.len(), 2);
    assert!(s.containers.iter().all(|c| c.high_value_units <= 5));
}

#[test]
fn unknown_weights_use_the_category_average_else_100_grams_and_are_flagged() {
    let mut rules = PackingRules::default();
    rules.category_weights.insert("candles".into(), Grams(400));
    let mut candle = ShipLine::new("CANDLE", 2, None);
    candle.category = Some("candles".into());
    let mystery = ShipLine::new("MYSTERY", 1, None);
    let known = ShipLine::new("KNOWN", 1, Some(Grams(50)));
    let s = suggest_boxes(
        &[candle, mystery, known],
        &default_catalog(),
        &rules,
        &RateCards::default(),
    )
    .unwrap();
    let d = &s.explanation.defaulted_weights;
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].unit_weight, Grams(400));
    assert_eq!(
        d[0].source,
        WeightSource::CategoryAverage {
            category: "candles".into()
        }
    );
    assert_eq!(d[1].unit_weight, Grams(100));
    assert_eq!(d[1].source, WeightSource::Fallback);
    let content: u32 = s.containers.iter().map(|c| c.content_weight.0).sum();
    assert_eq!(content, 2 * 400 + 100 + 50);
    assert!(s.explanation.summary.contains("default"));
}

#[test]
fn an_item_too_heavy_for_every_container_is_refused_with_its_name() {
    let e = suggest(&[sized("ANVIL", 1, 60_000, (300, 200, 200))]).unwrap_err();
    assert_eq!(e.code(), "FREIGHT_ITEM_FITS_NO_CONTAINER");
    assert!(e.to_string().contains("ANVIL"));
}

#[test]
fn the_cheaper_carrier_is_chosen_and_the_other_is_explained() {
    // 12 kg of flat goods: NZ Post needs cartons (satchels cap at 5 kg), NZ Couriers
    // takes one E60 pack with a much lower cubic weight.
    let s = suggest(&[sized("TILES", 6, 2_000, (300, 200, 10))]).unwrap();
    assert_eq!(s.carrier, CarrierFamily::NzCouriers);
    assert_eq!(s.explanation.carriers.len(), 2);
    let costs: Vec<Decimal> = s
        .explanation
        .carriers
        .iter()
        .filter_map(|o| o.outcome.as_ref().ok().map(|x| x.1))
        .collect();
    assert!(costs.iter().all(|c| *c >= s.total_expected_cost_excl_gst));
}

#[test]
fn nicotine_lines_require_age_check_and_signature() {
    let mut vape = sized("VAPE", 1, 100, (100, 50, 20));
    vape.nicotine = true;
    let s = suggest(&[vape]).unwrap();
    assert!(s.delivery_options.age_restricted && s.delivery_options.signature_required);
}

#[test]
fn nothing_to_ship_and_empty_catalogs_are_refused() {
    assert_eq!(
        suggest(&[ShipLine::new("X", 0, None)]).unwrap_err().code(),
        "FREIGHT_NOTHING_TO_SHIP"
    );
    let e = suggest_boxes(
        &[ShipLine::new("X", 1, None)],
        &[],
        &PackingRules::default(),
        &RateCards::default(),
    );
    assert_eq!(e.unwrap_err().code(), "FREIGHT_NO_CONTAINERS");
}

// ---------------------------------------------------------------- properties

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

fn line_strategy() -> impl Strategy<Value = ShipLine> {
    (
        1u32..25,
        prop::option::weighted(0.8, 0u32..7_000),
        prop::option::weighted(0.7, (5u32..460, 5u32..360, 5u32..260)),
        prop::option::of(Just("candles".to_owned())),
        0i64..300,
        prop::collection::btree_set(
            prop_oneof![
                Just(Handling::Liquid),
                Just(Handling::LithiumBattery),
                Just(Handling::Fragile)
            ],
            0..2,
        ),
    )
        .prop_map(|(qty, w, d, cat, value, handling)| {
            let mut l = ShipLine::new("P", qty, w.map(Grams));
            l.unit_dimensions = d.map(|(a, b, c)| Dimensions::mm(a, b, c));
            l.category = cat;
            l.unit_value = Decimal::from(value);
            l.handling = handling;
            l
        })
}

fn lines_strategy() -> impl Strategy<Value = Vec<ShipLine>> {
    prop::collection::vec(line_strategy(), 1..6).prop_map(|mut ls| {
        for (i, l) in ls.iter_mut().enumerate() {
            l.product = format!("P{i}");
        }
        ls
    })
}

/// The weight and volume the rules say a unit has (recomputed independently).
fn unit_weight_volume(l: &ShipLine, rules: &PackingRules) -> (u64, u64) {
    let w = l
        .unit_weight
        .or_else(|| {
            l.category
                .as_ref()
                .and_then(|c| rules.category_weights.get(c).copied())
        })
        .unwrap_or(rules.fallback_unit_weight)
        .0 as u64;
    let v = l.unit_dimensions.map_or_else(
        || (w * 1_000_000).div_ceil(rules.assumed_density_kg_m3 as u64),
        |d| d.volume_mm3(),
    );
    (w, v)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn suggestions_respect_every_limit_and_assign_every_unit_once(lines in lines_strategy()) {
        let mut rules = PackingRules::default();
        rules.category_weights.insert("candles".into(), Grams(350));
        let cards = RateCards::default();
        let catalog = default_catalog();
        let s = match suggest_boxes(&lines, &catalog, &rules, &cards) {
            Ok(s) => s,
            Err(e) => {
                // Only allowed when some unit really fits nothing.
                prop_assert_eq!(e.code(), "FREIGHT_ITEM_FITS_NO_CONTAINER");
                return Ok(());
            }
        };
        let limits = cards.limits(s.carrier);
        let mut assigned: BTreeMap<usize, u32> = BTreeMap::new();
        let (mut total_w, mut total_v) = (0u64, 0u64);
        for c in &s.containers {
            prop_assert!(c.container.usable_with(s.carrier));
            let cap = c.container.max_weight.0.min(limits.max_weight.0) as u64 * 900 / 1000;
            let (mut w, mut v) = (0u64, 0u64);
            let mut classes = BTreeSet::new();
            let mut hv = 0u32;
            for it in &c.items {
                *assigned.entry(it.line_index).or_default() += it.quantity;
                let l = &lines[it.line_index];
                let (uw, uv) = unit_weight_volume(l, &rules);
                w += uw * it.quantity as u64;
                v += uv * it.quantity as u64;
                if let Some(d) = l.unit_dimensions {
                    prop_assert!(d.fits_inside(&c.container.inner), "{:?} in {}", d, c.container.code);
                }
                if !l.handling.is_empty() {
                    classes.insert(l.handling.clone());
                }
                if l.unit_value >= Decimal::ONE_HUNDRED {
                    hv += it.quantity;
                }
            }
            prop_assert_eq!(c.content_weight.0 as u64, w);
            prop_assert!(w + c.container.tare.0 as u64 <= cap, "over weight cap in {}", c.container.code);
            prop_assert!(v <= c.container.inner.volume_mm3() * 850 / 1000, "over volume in {}", c.container.code);
            prop_assert!(classes.len() <= 1, "keep-apart classes mixed: {:?}", classes);
            prop_assert!(hv <= 5);
            total_w += w;
            total_v += v;
        }
        for (i, l) in lines.iter().enumerate() {
            prop_assert_eq!(assigned.get(&i).copied().unwrap_or(0), l.quantity, "line {}", i);
        }
        // Never fewer containers than total weight or volume allow.
        let usable: Vec<_> = catalog.iter().filter(|c| c.usable_with(s.carrier)).collect();
        let max_w = usable.iter().map(|c| (c.max_weight.0.min(limits.max_weight.0) as u64 * 900 / 1000).saturating_sub(c.tare.0 as u64)).max().unwrap();
        let max_v = usable.iter().map(|c| c.inner.volume_mm3() * 850 / 1000).max().unwrap();
        let n = s.containers.len() as u64;
        prop_assert!(n >= total_w.div_ceil(max_w));
        prop_assert!(n >= total_v.div_ceil(max_v));
        let sum: Decimal = s.containers.iter().map(|c| c.expected_cost_excl_gst).sum();
        prop_assert_eq!(sum, s.total_expected_cost_excl_gst);
    }
}
