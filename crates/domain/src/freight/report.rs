//! The freight report: cost per consignment, per box and per unit shipped, by
//! carrier and by route, so the saving against the old system can be measured.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One carrier booking, as stored when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRecord {
    pub consignment_id: String,
    /// Carrier that delivers (e.g. "NZ Post", "NZ Couriers").
    pub carrier: String,
    pub service: String,
    /// Sending outlet (or supplier) name.
    pub origin: String,
    /// Receiving outlet (or supplier) name.
    pub destination: String,
    pub boxes: u32,
    pub units: u32,
    /// What the carrier charged, excluding GST.
    pub cost_excl_gst: Decimal,
    /// A cancelled booking costs nothing and ships nothing.
    pub cancelled: bool,
}

/// Totals and ratios for a group of bookings. Ratios are `None` when the divisor is 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostSummary {
    pub consignments: u32,
    pub boxes: u32,
    pub units: u32,
    pub cost_excl_gst: Decimal,
    pub per_consignment: Option<Decimal>,
    pub per_box: Option<Decimal>,
    pub per_unit: Option<Decimal>,
}

/// Cost of one consignment (all its live bookings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsignmentCost {
    pub consignment_id: String,
    pub carriers: Vec<String>,
    pub route: String,
    pub summary: CostSummary,
}

/// One row of a grouped view (a carrier, or a route "from → to").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCost {
    pub key: String,
    pub summary: CostSummary,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightReport {
    pub total: CostSummary,
    pub by_consignment: Vec<ConsignmentCost>,
    pub by_carrier: Vec<GroupCost>,
    pub by_route: Vec<GroupCost>,
    /// Bookings left out because they were cancelled.
    pub cancelled_bookings: u32,
}

#[derive(Default)]
struct Acc<'a> {
    consignments: std::collections::BTreeSet<&'a str>,
    boxes: u32,
    units: u32,
    cost: Decimal,
}

impl<'a> Acc<'a> {
    fn add(&mut self, r: &'a BookingRecord) {
        self.consignments.insert(r.consignment_id.as_str());
        self.boxes = self.boxes.saturating_add(r.boxes);
        self.units = self.units.saturating_add(r.units);
        self.cost += r.cost_excl_gst;
    }

    fn summary(&self) -> CostSummary {
        let per = |n: u32| (n > 0).then(|| self.cost / Decimal::from(n));
        let consignments = u32::try_from(self.consignments.len()).unwrap_or(u32::MAX);
        CostSummary {
            consignments,
            boxes: self.boxes,
            units: self.units,
            cost_excl_gst: self.cost,
            per_consignment: per(consignments),
            per_box: per(self.boxes),
            per_unit: per(self.units),
        }
    }
}

fn route_of(r: &BookingRecord) -> String {
    format!("{} → {}", r.origin, r.destination)
}

/// Builds the report from booking records (unrounded; round when displaying).
pub fn freight_report(records: &[BookingRecord]) -> FreightReport {
    let mut total = Acc::default();
    let mut by_consignment: BTreeMap<&str, (Acc, Vec<String>, String)> = BTreeMap::new();
    let mut by_carrier: BTreeMap<String, Acc> = BTreeMap::new();
    let mut by_route: BTreeMap<String, Acc> = BTreeMap::new();
    let mut cancelled = 0u32;
    for r in records {
        if r.cancelled {
            cancelled += 1;
            continue;
        }
        total.add(r);
        let entry = by_consignment
            .entry(r.consignment_id.as_str())
            .or_insert_with(|| (Acc::default(), Vec::new(), route_of(r)));
        entry.0.add(r);
        if !entry.1.contains(&r.carrier) {
            entry.1.push(r.carrier.clone());
        }
        by_carrier.entry(r.carrier.clone()).or_default().add(r);
        by_route.entry(route_of(r)).or_default().add(r);
    }
    let grouped = |m: BTreeMap<String, Acc>| {
        m.into_iter()
            .map(|(key, acc)| GroupCost {
                key,
                summary: acc.summary(),
            })
            .collect()
    };
    FreightReport {
        total: total.summary(),
        by_consignment: by_consignment
            .into_iter()
            .map(|(id, (acc, carriers, route))| ConsignmentCost {
                consignment_id: id.to_owned(),
                carriers,
                route,
                summary: acc.summary(),
            })
            .collect(),
        by_carrier: grouped(by_carrier),
        by_route: grouped(by_route),
        cancelled_bookings: cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(
        id: &str,
        carrier: &str,
        from: &str,
        to: &str,
        boxes: u32,
        units: u32,
        cents: i64,
    ) -> BookingRecord {
        BookingRecord {
            consignment_id: id.into(),
            carrier: carrier.into(),
            service: "Overnight".into(),
            origin: from.into(),
            destination: to.into(),
            boxes,
            units,
            cost_excl_gst: Decimal::new(cents, 2),
            cancelled: false,
        }
    }

    #[test]
    fn costs_are_split_per_consignment_box_and_unit_by_carrier_and_route() {
        let records = vec![
            rec("C1", "NZ Post", "Akl", "Wlg", 2, 20, 2000),
            rec("C2", "NZ Couriers", "Akl", "Wlg", 1, 5, 1000),
            rec("C3", "NZ Post", "Akl", "Chc", 1, 10, 900),
        ];
        let r = freight_report(&records);
        assert_eq!(r.total.consignments, 3);
        assert_eq!(r.total.cost_excl_gst, Decimal::new(3900, 2));
        assert_eq!(r.total.per_box, Some(Decimal::new(975, 2)));
        assert_eq!(
            r.total.per_unit,
            Some(Decimal::new(3900, 2) / Decimal::from(35))
        );
        let post = r.by_carrier.iter().find(|g| g.key == "NZ Post").unwrap();
        assert_eq!(post.summary.per_consignment, Some(Decimal::new(1450, 2)));
        assert_eq!(
            post.summary.per_unit,
            Some(Decimal::new(29, 0) / Decimal::new(30, 0))
        );
        let wlg = r.by_route.iter().find(|g| g.key == "Akl → Wlg").unwrap();
        assert_eq!(wlg.summary.consignments, 2);
        assert_eq!(
            wlg.summary.per_unit,
            Some(Decimal::new(3000, 2) / Decimal::from(25))
        );
        assert_eq!(
            r.by_consignment[0].summary.per_box,
            Some(Decimal::new(1000, 2))
        );
    }

    #[test]
    fn cancelled_bookings_cost_nothing_and_a_split_consignment_counts_once() {
        let mut cancelled = rec("C1", "NZ Post", "Akl", "Wlg", 2, 20, 2000);
        cancelled.cancelled = true;
        let records = vec![
            cancelled,
            rec("C1", "NZ Couriers", "Akl", "Wlg", 2, 20, 1500),
            rec("C1", "NZ Post", "Akl", "Wlg", 1, 4, 500),
        ];
        let r = freight_report(&records);
        assert_eq!(r.cancelled_bookings, 1);
        assert_eq!(r.total.consignments, 1);
        assert_eq!(r.total.cost_excl_gst, Decimal::new(2000, 2));
        assert_eq!(r.by_consignment[0].carriers, vec!["NZ Couriers", "NZ Post"]);
    }

    #[test]
    fn an_empty_report_has_no_ratios() {
        let r = freight_report(&[]);
        assert_eq!(r.total.per_unit, None);
        assert!(r.by_carrier.is_empty());
    }
}
