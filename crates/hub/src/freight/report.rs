//! The freight report page (`GET /admin/freight`, and the same figures as JSON at
//! `GET /admin/freight.json`): cost per consignment, per box and per unit shipped, by
//! carrier and by route, from the hub's bookings in a period (`?period=this_month`,
//! `last_month`, `last_30_days`, `all`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both
//! included; dates are New Zealand dates, Pacific/Auckland with daylight saving), so the saving can be measured: against the old system's cost per
//! box or unit (`[freight.baseline]` in the hub configuration) and against the previous
//! period of the same length (the previous calendar month for a whole month).
//! Server-rendered like the sync dashboard.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use tally_domain::freight::{freight_report, CostSummary, FreightReport};
use time::{Date, Duration, Month, OffsetDateTime};

use super::{Baseline, BaselineBasis};
use crate::admin::session::{AdminRejection, AdminSession};
use crate::{Hub, HubError};

/// The chain's time zone: report dates are its local dates.
const CHAIN_TZ: &str = "Pacific/Auckland";

/// The New Zealand date (Pacific/Auckland, daylight saving included) at `t`.
pub fn nz_date(t: OffsetDateTime) -> Date {
    let local = jiff::tz::TimeZone::get(CHAIN_TZ)
        .ok()
        .and_then(|tz| {
            let ts = jiff::Timestamp::from_second(t.unix_timestamp()).ok()?;
            let offset = tz.to_offset(ts).seconds();
            time::UtcOffset::from_whole_seconds(offset).ok()
        })
        // The bundled database always has the zone; NZ standard time if it did not.
        .unwrap_or(time::macros::offset!(+12));
    t.to_offset(local).date()
}

/// Today in New Zealand.
pub fn nz_today() -> Date {
    nz_date(OffsetDateTime::now_utc())
}

/// A report period: New Zealand dates, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    /// The preset it came from, if any.
    pub preset: Option<&'static str>,
}

/// The presets offered on the page: (query value, label).
pub const PRESETS: [(&str, &str); 4] = [
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("last_30_days", "Last 30 days"),
    ("all", "All bookings"),
];

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

fn last_of_month(d: Date) -> Date {
    let next = first_of_month(d) + Duration::days(32);
    first_of_month(next) - Duration::days(1)
}

impl Period {
    /// A named preset relative to `today`.
    pub fn preset(name: &str, today: Date) -> Option<Period> {
        let (key, _) = PRESETS.iter().find(|(k, _)| *k == name)?;
        let (from, to) = match *key {
            "this_month" => (first_of_month(today), today),
            "last_month" => {
                let last = first_of_month(today) - Duration::days(1);
                (first_of_month(last), last)
            }
            "last_30_days" => (today - Duration::days(29), today),
            _ => (
                Date::from_calendar_date(2000, Month::January, 1).ok()?,
                today,
            ),
        };
        Some(Period {
            from,
            to,
            preset: Some(key),
        })
    }

    /// From the page's query: a preset, or from/to dates (this month by default).
    pub fn from_query(q: &ReportQuery, today: Date) -> Result<Period, String> {
        let date = |s: &str| {
            Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| format!("{s:?} is not a date like 2026-11-30"))
        };
        match (&q.from, &q.to, &q.period) {
            (Some(f), Some(t), _) if !f.is_empty() && !t.is_empty() => {
                let (from, to) = (date(f)?, date(t)?);
                if from > to {
                    return Err(format!("the period starts ({f}) after it ends ({t})"));
                }
                Ok(Period {
                    from,
                    to,
                    preset: None,
                })
            }
            (_, _, Some(p)) => Period::preset(p, today)
                .ok_or_else(|| format!("{p:?} is not a period this page knows")),
            _ => Period::preset("this_month", today).ok_or_else(|| "no period".to_owned()),
        }
    }

    /// The period before, of the same length (the previous calendar month for a whole
    /// month); none for "all bookings".
    pub fn previous(&self) -> Option<Period> {
        if self.preset == Some("all") {
            return None;
        }
        let whole_month = self.from.day() == 1
            && (self.to == last_of_month(self.from)
                || (self.preset == Some("this_month") && self.to.month() == self.from.month()));
        let (from, to) = if whole_month {
            let last = self.from - Duration::days(1);
            (first_of_month(last), last)
        } else {
            let days = (self.to - self.from).whole_days() + 1;
            (
                self.from - Duration::days(days),
                self.from - Duration::days(1),
            )
        };
        Some(Period {
            from,
            to,
            preset: None,
        })
    }

    /// Whether a booking made at `t` falls in the period (by its New Zealand date).
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        let d = nz_date(t);
        self.from <= d && d <= self.to
    }
}

/// The page's query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One row of a table on the page, figures already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub key: String,
    pub detail: String,
    pub consignments: u32,
    pub boxes: u32,
    pub units: u32,
    pub cost: String,
    pub per_consignment: String,
    pub per_box: String,
    pub per_unit: String,
    /// What the same boxes (or units) cost with the old system.
    pub baseline_cost: String,
    /// Saving against the old system, e.g. "17.4 %" (negative: dearer).
    pub vs_baseline: String,
    /// Saving per box (or unit) against the previous period ("—" without one).
    pub vs_previous: String,
}

/// One table of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub with_detail: bool,
    pub rows: Vec<ReportRow>,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportView {
    pub total: ReportRow,
    pub by_carrier: Vec<ReportRow>,
    pub by_route: Vec<ReportRow>,
    pub by_consignment: Vec<ReportRow>,
    pub cancelled: u32,
    /// The period shown (New Zealand dates, both included) and the one compared with.
    pub from: String,
    pub to: String,
    pub previous: Option<String>,
    /// The preset the period came from ("" for typed dates).
    pub preset: String,
    /// The baseline in words, e.g. "$11.50 per box".
    pub baseline: String,
    /// The saving aimed at, e.g. "15 %".
    pub target: String,
}

/// "$13.00": always two decimals.
fn dollars(d: Decimal) -> String {
    format!(
        "${:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// `(was - now) / was` as a percentage to one decimal, "—" when there is nothing to
/// compare.
pub fn saving_percent(now: Option<Decimal>, was: Option<Decimal>) -> String {
    match (now, was) {
        (Some(now), Some(was)) if was > Decimal::ZERO => {
            let pct = (was - now) / was * Decimal::from(100);
            format!(
                "{} %",
                pct.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            )
        }
        _ => "—".to_owned(),
    }
}

/// The old system's cost of what a summary shipped.
fn baseline_cost(s: &CostSummary, b: &Baseline) -> Decimal {
    match b.basis {
        BaselineBasis::Box => b.per_box * Decimal::from(s.boxes),
        BaselineBasis::Unit => b.per_unit * Decimal::from(s.units),
    }
}

/// Cost per box (or unit, by the baseline's basis).
fn per_basis(s: &CostSummary, b: &Baseline) -> Option<Decimal> {
    match b.basis {
        BaselineBasis::Box => s.per_box,
        BaselineBasis::Unit => s.per_unit,
    }
}

fn row(
    key: String,
    detail: String,
    s: &CostSummary,
    b: &Baseline,
    previous: Option<&CostSummary>,
) -> ReportRow {
    let opt = |d: Option<Decimal>| d.map_or_else(|| "—".to_owned(), dollars);
    let base = baseline_cost(s, b);
    ReportRow {
        key,
        detail,
        consignments: s.consignments,
        boxes: s.boxes,
        units: s.units,
        cost: dollars(s.cost_excl_gst),
        per_consignment: opt(s.per_consignment),
        per_box: opt(s.per_box),
        per_unit: opt(s.per_unit),
        baseline_cost: dollars(base),
        vs_baseline: saving_percent(Some(s.cost_excl_gst), Some(base)),
        vs_previous: saving_percent(per_basis(s, b), previous.and_then(|p| per_basis(p, b))),
    }
}

impl ReportView {
    /// Formats the domain's report of a period against the baseline and the previous
    /// period's report; `refs` names consignments by their reference.
    pub fn new(
        r: &FreightReport,
        previous: Option<&FreightReport>,
        period: &Period,
        baseline: &Baseline,
        refs: &dyn Fn(&str) -> String,
    ) -> Self {
        let b = baseline;
        let prev_group = |groups: Option<&Vec<tally_domain::freight::GroupCost>>, key: &str| {
            groups
                .and_then(|g| g.iter().find(|g| g.key == key))
                .map(|g| g.summary.clone())
        };
        let date = |d: Date| d.to_string();
        Self {
            total: row(
                "All freight".into(),
                String::new(),
                &r.total,
                b,
                previous.map(|p| &p.total),
            ),
            by_carrier: r
                .by_carrier
                .iter()
                .map(|g| {
                    let p = prev_group(previous.map(|p| &p.by_carrier), &g.key);
                    row(g.key.clone(), String::new(), &g.summary, b, p.as_ref())
                })
                .collect(),
            by_route: r
                .by_route
                .iter()
                .map(|g| {
                    let p = prev_group(previous.map(|p| &p.by_route), &g.key);
                    row(g.key.clone(), String::new(), &g.summary, b, p.as_ref())
                })
                .collect(),
            by_consignment: r
                .by_consignment
                .iter()
                .map(|c| {
                    row(
                        refs(&c.consignment_id),
                        format!("{} · {}", c.carriers.join(", "), c.route),
                        &c.summary,
                        b,
                        None,
                    )
                })
                .collect(),
            cancelled: r.cancelled_bookings,
            from: date(period.from),
            to: date(period.to),
            previous: period
                .previous()
                .map(|p| format!("{} to {}", date(p.from), date(p.to))),
            preset: period.preset.unwrap_or_default().to_owned(),
            baseline: match b.basis {
                BaselineBasis::Box => format!("{} per box", dollars(b.per_box)),
                BaselineBasis::Unit => format!("{} per unit", dollars(b.per_unit)),
            },
            target: format!("{} %", b.target_saving_percent.normalize()),
        }
    }

    /// The page's tables in order.
    pub fn sections(&self) -> Vec<Section> {
        let s = |id, title, with_detail, rows: &[ReportRow]| Section {
            id,
            title,
            with_detail,
            rows: rows.to_vec(),
        };
        vec![
            s(
                "freight-total",
                "Total",
                false,
                std::slice::from_ref(&self.total),
            ),
            s("freight-by-carrier", "Carrier", false, &self.by_carrier),
            s("freight-by-route", "Route", false, &self.by_route),
            s(
                "freight-by-consignment",
                "Consignment",
                true,
                &self.by_consignment,
            ),
        ]
    }
}

/// One preset link on the page.
struct PresetLink {
    key: &'static str,
    label: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/freight.html")]
struct FreightPage<'a> {
    view: &'a ReportView,
    sections: Vec<Section>,
    presets: Vec<PresetLink>,
    account: &'a str,
    csrf: &'a str,
}

/// The report of every booking the hub made (empty when freight is not set up).
pub async fn report_view(hub: &Hub) -> Result<ReportView, HubError> {
    let today = nz_today();
    let all = Period::preset("all", today).ok_or_else(|| HubError::Task("no period".into()))?;
    report_view_for(hub, &all).await
}

/// The report of the bookings made in `period`, compared with the previous period and
/// the configured baseline.
pub async fn report_view_for(hub: &Hub, period: &Period) -> Result<ReportView, HubError> {
    let baseline = hub.config().freight.baseline.clone();
    let entries = match hub.freight() {
        Some(desk) => tokio::task::spawn_blocking(move || desk.ledger().all())
            .await
            .map_err(|e| HubError::Task(e.to_string()))??,
        None => Vec::new(),
    };
    let records_in = |p: &Period| -> Vec<_> {
        entries
            .iter()
            .filter(|e| p.contains(e.booked_at))
            .map(|e| e.record.clone())
            .collect()
    };
    let now = freight_report(&records_in(period));
    let previous = period.previous().map(|p| freight_report(&records_in(&p)));
    let refs = |id: &str| {
        entries
            .iter()
            .find(|e| e.record.consignment_id == id)
            .map_or_else(|| id.to_owned(), |e| e.consignment_ref.clone())
    };
    Ok(ReportView::new(
        &now,
        previous.as_ref(),
        period,
        &baseline,
        &refs,
    ))
}

fn period_or_refusal(q: &ReportQuery) -> Result<Period, Box<Response>> {
    Period::from_query(q, nz_today()).map_err(|why| {
        Box::new(
            (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"code": "REPORT_PERIOD_INVALID", "message": why})),
            )
                .into_response(),
        )
    })
}

/// `GET /admin/freight.json`: the page's figures.
pub async fn json(
    State(hub): State<Hub>,
    _who: AdminSession,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AdminRejection> {
    let period = match period_or_refusal(&q) {
        Ok(p) => p,
        Err(r) => return Ok(*r),
    };
    Ok(Json(report_view_for(&hub, &period).await?).into_response())
}

/// `GET /admin/freight`.
pub async fn page(
    State(hub): State<Hub>,
    who: AdminSession,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AdminRejection> {
    let period = match period_or_refusal(&q) {
        Ok(p) => p,
        Err(r) => return Ok(*r),
    };
    let view = report_view_for(&hub, &period).await?;
    let rendered = FreightPage {
        sections: view.sections(),
        presets: PRESETS
            .iter()
            .map(|(key, label)| PresetLink {
                key,
                label,
                active: view.preset == *key,
            })
            .collect(),
        view: &view,
        account: &who.account.name,
        csrf: &who.session.csrf_token,
    }
    .render();
    Ok(match rendered {
        Ok(h) => Html(h).into_response(),
        Err(e) => AdminRejection::Hub(HubError::Task(format!("template: {e}"))).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use tally_domain::freight::BookingRecord;
    use time::macros::date;

    use super::*;

    fn rec(id: &str, carrier: &str, boxes: u32, units: u32, cost_cents: i64) -> BookingRecord {
        BookingRecord {
            consignment_id: id.into(),
            carrier: carrier.into(),
            service: "overnight".into(),
            origin: "Ponsonby".into(),
            destination: "Newmarket".into(),
            boxes,
            units,
            cost_excl_gst: Decimal::new(cost_cents, 2),
            cancelled: false,
        }
    }

    #[test]
    fn presets_and_typed_dates_make_periods_and_the_previous_one() {
        let today = date!(2026 - 11 - 26);
        let this = Period::preset("this_month", today).unwrap();
        assert_eq!((this.from, this.to), (date!(2026 - 11 - 01), today));
        let prev = this.previous().unwrap();
        assert_eq!(
            (prev.from, prev.to),
            (date!(2026 - 10 - 01), date!(2026 - 10 - 31))
        );
        let last = Period::preset("last_month", today).unwrap();
        assert_eq!(
            (last.from, last.to),
            (date!(2026 - 10 - 01), date!(2026 - 10 - 31))
        );
        assert_eq!(last.previous().unwrap().to, date!(2026 - 09 - 30));
        let days = Period::preset("last_30_days", today).unwrap();
        assert_eq!(days.previous().unwrap().to, date!(2026 - 10 - 27));
        assert!(Period::preset("all", today).unwrap().previous().is_none());
        let q = |p: Option<&str>, f: Option<&str>, t: Option<&str>| ReportQuery {
            period: p.map(str::to_owned),
            from: f.map(str::to_owned),
            to: t.map(str::to_owned),
        };
        let typed =
            Period::from_query(&q(None, Some("2026-11-02"), Some("2026-11-08")), today).unwrap();
        assert_eq!(typed.previous().unwrap().from, date!(2026 - 10 - 26));
        assert!(
            Period::from_query(&q(None, Some("2026-11-09"), Some("2026-11-08")), today).is_err()
        );
        assert!(
            Period::from_query(&q(None, Some("9/11/2026"), Some("2026-11-08")), today).is_err()
        );
        assert!(Period::from_query(&q(Some("fortnight"), None, None), today).is_err());
        assert_eq!(
            Period::from_query(&q(None, None, None), today).unwrap(),
            this
        );
        assert!(this.contains(OffsetDateTime::new_utc(today, time::Time::MIDNIGHT)));
        assert!(!this.contains(OffsetDateTime::new_utc(
            date!(2026 - 10 - 31),
            time::Time::MIDNIGHT
        )));
    }

    #[test]
    fn periods_are_new_zealand_dates_with_daylight_saving() {
        use time::macros::datetime;
        // 23:30 on 30 November NZ daylight time (+13) is 10:30 UTC that day.
        let late = datetime!(2026-11-30 23:30 +13);
        assert_eq!(
            late.to_offset(time::UtcOffset::UTC).date(),
            date!(2026 - 11 - 30)
        );
        assert_eq!(nz_date(late), date!(2026 - 11 - 30));
        // 23:30 on 31 May NZ standard time (+12) is 11:30 UTC the same day; 00:30 on
        // 1 December NZ is still 30 November in UTC, and belongs to December.
        assert_eq!(
            nz_date(datetime!(2026-05-31 23:30 +12)),
            date!(2026 - 05 - 31)
        );
        let early = datetime!(2026-12-01 00:30 +13);
        assert_eq!(
            early.to_offset(time::UtcOffset::UTC).date(),
            date!(2026 - 11 - 30)
        );
        assert_eq!(nz_date(early), date!(2026 - 12 - 01));
        let november = Period::preset("this_month", date!(2026 - 11 - 30)).unwrap();
        assert!(november.contains(late));
        assert!(!november.contains(early));
        let december = Period::preset("last_month", date!(2027 - 01 - 15)).unwrap();
        assert!(december.contains(early) && !december.contains(late));
        // Daylight saving ends 5 April 2026 at 03:00 NZDT: 11:30 UTC on 4 April is
        // 00:30 on the 5th in NZ (+13 until 14:00 UTC), 12:30 UTC on 5 April is
        // 00:30 on the 6th (+12).
        assert_eq!(
            nz_date(datetime!(2026-04-04 11:30 UTC)),
            date!(2026 - 04 - 05)
        );
        assert_eq!(
            nz_date(datetime!(2026-04-05 12:30 UTC)),
            date!(2026 - 04 - 06)
        );
        assert_eq!(
            nz_date(datetime!(2026-04-05 11:30 UTC)),
            date!(2026 - 04 - 05)
        );
    }

    #[test]
    fn savings_are_measured_against_the_baseline_and_the_previous_period_per_carrier() {
        let baseline = Baseline::default(); // $11.50 per box
        let now = freight_report(&[
            rec("C1", "NZ Post", 2, 20, 1800),     // $9.00 a box
            rec("C2", "NZ Couriers", 4, 40, 3200), // $8.00 a box
        ]);
        let before = freight_report(&[rec("C0", "NZ Post", 2, 20, 2000)]); // $10.00 a box
        let period = Period::preset("this_month", date!(2026 - 11 - 26)).unwrap();
        let v = ReportView::new(&now, Some(&before), &period, &baseline, &|id| id.to_owned());
        // 6 boxes at $11.50 = $69.00 with the old system; $50.00 now: 27.5 % saved.
        assert_eq!(v.total.baseline_cost, "$69.00");
        assert_eq!(v.total.vs_baseline, "27.5 %");
        // Per box $8.33 now against $10.00: 16.7 % saved.
        assert_eq!(v.total.vs_previous, "16.7 %");
        let nzp = v.by_carrier.iter().find(|r| r.key == "NZ Post").unwrap();
        assert_eq!(
            (nzp.vs_baseline.as_str(), nzp.vs_previous.as_str()),
            ("21.7 %", "10.0 %")
        );
        let nzc = v
            .by_carrier
            .iter()
            .find(|r| r.key == "NZ Couriers")
            .unwrap();
        assert_eq!(
            (nzc.vs_baseline.as_str(), nzc.vs_previous.as_str()),
            ("30.4 %", "—")
        );
        assert_eq!(v.by_route[0].vs_baseline, "27.5 %");
        assert_eq!(
            (v.baseline.as_str(), v.target.as_str()),
            ("$11.50 per box", "15 %")
        );
        assert_eq!(v.previous.as_deref(), Some("2026-10-01 to 2026-10-31"));
        // Dearer than before is a negative saving.
        assert_eq!(
            saving_percent(Some(Decimal::from(12)), Some(Decimal::from(10))),
            "-20.0 %"
        );
        let per_unit = Baseline {
            basis: BaselineBasis::Unit,
            ..Baseline::default()
        };
        let u = ReportView::new(&now, None, &period, &per_unit, &|id| id.to_owned());
        // 60 units at $0.48 = $28.80; $50.00 is dearer.
        assert_eq!(
            (u.total.baseline_cost.as_str(), u.total.vs_baseline.as_str()),
            ("$28.80", "-73.6 %")
        );
    }
}
