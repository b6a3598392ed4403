//! The freight report page (`GET /admin/freight`): cost per consignment, per box and
//! per unit shipped, by carrier and by route, from the hub's bookings, so the saving
//! against the old system can be measured. Server-rendered like the sync dashboard.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use rust_decimal::{Decimal, RoundingStrategy};
use tally_domain::freight::{freight_report, CostSummary, FreightReport};

use crate::admin::session::{AdminRejection, AdminSession};
use crate::{Hub, HubError};

/// One row of a table on the page, figures already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// One table of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub with_detail: bool,
    pub rows: Vec<ReportRow>,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub total: ReportRow,
    pub by_carrier: Vec<ReportRow>,
    pub by_route: Vec<ReportRow>,
    pub by_consignment: Vec<ReportRow>,
    pub cancelled: u32,
}

fn dollars(d: Decimal) -> String {
    format!(
        "${}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

fn row(key: String, detail: String, s: &CostSummary) -> ReportRow {
    let opt = |d: Option<Decimal>| d.map_or_else(|| "—".to_owned(), dollars);
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
    }
}

impl ReportView {
    /// Formats the domain's report; `refs` names consignments by their reference.
    pub fn new(r: &FreightReport, refs: &dyn Fn(&str) -> String) -> Self {
        Self {
            total: row("All freight".into(), String::new(), &r.total),
            by_carrier: r
                .by_carrier
                .iter()
                .map(|g| row(g.key.clone(), String::new(), &g.summary))
                .collect(),
            by_route: r
                .by_route
                .iter()
                .map(|g| row(g.key.clone(), String::new(), &g.summary))
                .collect(),
            by_consignment: r
                .by_consignment
                .iter()
                .map(|c| {
                    row(
                        refs(&c.consignment_id),
                        format!("{} · {}", c.carriers.join(", "), c.route),
                        &c.summary,
                    )
                })
                .collect(),
            cancelled: r.cancelled_bookings,
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

#[derive(Template)]
#[template(path = "admin/freight.html")]
struct FreightPage<'a> {
    view: &'a ReportView,
    sections: Vec<Section>,
    account: &'a str,
    csrf: &'a str,
}

/// The report from every booking the hub made (empty when freight is not set up).
pub async fn report_view(hub: &Hub) -> Result<ReportView, HubError> {
    let Some(desk) = hub.freight() else {
        return Ok(ReportView::new(&freight_report(&[]), &|id| id.to_owned()));
    };
    let entries = tokio::task::spawn_blocking(move || desk.ledger().all())
        .await
        .map_err(|e| HubError::Task(e.to_string()))??;
    let records: Vec<_> = entries.iter().map(|e| e.record.clone()).collect();
    let refs = |id: &str| {
        entries
            .iter()
            .find(|e| e.record.consignment_id == id)
            .map_or_else(|| id.to_owned(), |e| e.consignment_ref.clone())
    };
    Ok(ReportView::new(&freight_report(&records), &refs))
}

/// `GET /admin/freight`.
pub async fn page(State(hub): State<Hub>, who: AdminSession) -> Result<Response, AdminRejection> {
    let view = report_view(&hub).await?;
    let rendered = FreightPage {
        sections: view.sections(),
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
