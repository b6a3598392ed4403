//! Fake GoSweetSpot: `access_key` + `site_id` headers, rates with Available[] and
//! Rejected[], shipments by QuoteId, labels by connote (PDF or ZPL, base64), and
//! shipments searchable by `DeliveryReference`, deleted by connote before pick-up,
//! stages a test moves along ([`GssState::advance`]), and a log of the keys each call carried.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::{after_commit, Endpoint, Fault, FaultPlan};
use super::label_file::{label_pdf, label_zpl};
use super::server::{serve, Running};
use super::stage::{Courier, Stage};
use super::tariff::{is_rural, money, Parcel, Surcharges, Tariff};

/// How the fake GoSweetSpot behaves.
#[derive(Debug, Clone)]
pub struct FakeGoSweetSpotConfig {
    /// Accepted `(access_key, site_id)` pairs: one per outlet site.
    pub accounts: Vec<(String, String)>,
    pub cubic_divisor: u32,
    /// NZ Couriers standard (overnight).
    pub standard: Tariff,
    pub surcharges: Surcharges,
    pub rural_postcodes: Vec<String>,
    /// Moves booked shipments along with time on its own (the demo's); `None` in tests.
    pub courier: Option<Courier>,
}

impl Default for FakeGoSweetSpotConfig {
    fn default() -> Self {
        Self {
            accounts: vec![("fake-gss-key".to_owned(), "1001".to_owned())],
            cubic_divisor: 5000,
            standard: Tariff::nz_couriers_standard(),
            surcharges: Surcharges::default(),
            rural_postcodes: vec!["7073".to_owned(), "3881".to_owned(), "9586".to_owned()],
            courier: None,
        }
    }
}

/// A shipment the fake booked.
#[derive(Debug, Clone, PartialEq)]
pub struct GssShipment {
    pub connote: String,
    pub site_id: String,
    pub delivery_reference: String,
    pub reference: String,
    pub carrier_name: String,
    pub delivery_type: String,
    pub cost: Decimal,
    pub packages: usize,
    pub receiver: String,
    /// Where the parcels are (moved along with [`GssState::advance`], or by the
    /// configured [`Courier`]).
    pub stage: Stage,
    /// When it was booked (the courier's clock).
    pub booked_at: std::time::Instant,
}

/// One authenticated call: which endpoint, and the keys it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssCall {
    pub endpoint: Endpoint,
    pub site_id: String,
    pub access_key: String,
}

#[derive(Debug, Clone)]
struct IssuedQuote {
    site_id: String,
    carrier_name: String,
    delivery_type: String,
    cost: Decimal,
}

#[derive(Debug, Default)]
struct Inner {
    quotes: HashMap<String, IssuedQuote>,
    shipments: Vec<GssShipment>,
    calls: Vec<GssCall>,
    seq: u32,
}

/// What the fake GoSweetSpot has seen and done; for assertions.
#[derive(Debug)]
pub struct GssState {
    pub config: FakeGoSweetSpotConfig,
    pub faults: FaultPlan,
    inner: Mutex<Inner>,
}

impl GssState {
    /// The fake's state, its shipments moved along by the courier if it has one.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for s in &mut inner.shipments {
            Courier::move_along(self.config.courier.as_ref(), &mut s.stage, s.booked_at);
        }
        inner
    }

    /// Every shipment booked, in order.
    pub fn shipments(&self) -> Vec<GssShipment> {
        self.lock().shipments.clone()
    }

    /// How many quotes were issued.
    pub fn quotes_issued(&self) -> usize {
        self.lock().quotes.len()
    }

    /// Every call with valid keys, in order, with the site and key it carried.
    pub fn calls(&self) -> Vec<GssCall> {
        self.lock().calls.clone()
    }

    /// Test control: moves a shipment to its next stage (picked up, in transit,
    /// delivered); returns the new stage, `None` for an unknown connote.
    pub fn advance(&self, connote: &str) -> Option<Stage> {
        let mut inner = self.lock();
        let s = inner.shipments.iter_mut().find(|s| s.connote == connote)?;
        s.stage = s.stage.next();
        Some(s.stage)
    }
}

/// GoSweetSpot's words for a stage.
fn status_words(stage: Stage) -> &'static str {
    match stage {
        Stage::Booked => "LabelCreated",
        Stage::PickedUp => "PickedUp",
        Stage::InTransit => "InTransit",
        Stage::Delivered => "Delivered",
        Stage::Cancelled => "Deleted",
    }
}

/// A running fake GoSweetSpot.
#[derive(Debug)]
pub struct FakeGoSweetSpot {
    /// `http://127.0.0.1:port`.
    pub base_url: String,
    pub state: Arc<GssState>,
    _running: Running,
}

impl FakeGoSweetSpot {
    /// Starts the fake on an ephemeral loopback port.
    pub async fn start(config: FakeGoSweetSpotConfig) -> std::io::Result<Self> {
        let state = Arc::new(GssState {
            config,
            faults: FaultPlan::default(),
            inner: Mutex::new(Inner::default()),
        });
        let router = Router::new()
            .route("/api/rates", axum::routing::post(rates))
            .route(
                "/api/shipments",
                get(search).post(create_shipment).delete(delete_shipments),
            )
            .route("/api/labels", get(labels))
            .with_state(state.clone());
        let running = serve(router).await?;
        Ok(Self {
            base_url: running.base_url.clone(),
            state,
            _running: running,
        })
    }
}

type S = State<Arc<GssState>>;

fn bad(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"Message": message, "Errors": [message]})),
    )
        .into_response()
}

/// The site whose keys came with the request, if they are valid.
fn site(state: &GssState, headers: &HeaderMap) -> Option<String> {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (key, site) = (h("access_key")?, h("site_id")?);
    state
        .config
        .accounts
        .iter()
        .any(|(k, s)| *k == key && *s == site)
        .then_some(site)
}

async fn guard(
    state: &GssState,
    endpoint: Endpoint,
    headers: &HeaderMap,
) -> Result<(Option<Fault>, String), Response> {
    let fault = state.faults.enter(endpoint).await?;
    match site(state, headers) {
        Some(s) => {
            let access_key = headers
                .get("access_key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            state.lock().calls.push(GssCall {
                endpoint,
                site_id: s.clone(),
                access_key,
            });
            Ok((fault, s))
        }
        None => Err(bad(
            StatusCode::UNAUTHORIZED,
            "Authorization has been denied for this request.",
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireAddress {
    #[serde(default)]
    street_address: String,
    #[serde(default)]
    suburb: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    post_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Party {
    #[serde(default)]
    name: String,
    address: WireAddress,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Package {
    length: Decimal,
    width: Decimal,
    height: Decimal,
    kg: Decimal,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RatesRequest {
    destination: Party,
    packages: Vec<Package>,
    #[serde(default)]
    is_saturday_delivery: bool,
    #[serde(default)]
    is_signature_required: bool,
    #[serde(default)]
    is_age_restricted: bool,
}

async fn rates(
    State(state): S,
    headers: HeaderMap,
    body: Result<Json<RatesRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let site_id = match guard(&state, Endpoint::Quote, &headers).await {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let Ok(Json(req)) = body else {
        return bad(StatusCode::BAD_REQUEST, "The request could not be read.");
    };
    if req.packages.is_empty() {
        return bad(StatusCode::BAD_REQUEST, "At least one package is required.");
    }
    let cfg = &state.config;
    let (carrier, delivery_type, standard) = if req.is_saturday_delivery {
        ("NZ Couriers", "Saturday", "Saturday delivery")
    } else {
        ("NZ Couriers", "Standard", "Next business day (overnight)")
    };
    let mut rejected = Vec::new();
    let mut cost = Decimal::ZERO;
    let a = &req.destination.address;
    let rural = is_rural(
        &cfg.rural_postcodes,
        &a.post_code,
        &[&a.street_address, &a.suburb, &a.city],
    );
    let s = &cfg.surcharges;
    for p in &req.packages {
        let parcel = Parcel {
            kg: p.kg,
            length_cm: p.length,
            width_cm: p.width,
            height_cm: p.height,
        };
        if let Some((_, why)) = parcel.over_limits(50, 200, 300) {
            rejected.push(
                json!({"CarrierName": carrier, "DeliveryType": delivery_type, "Reason": why}),
            );
            continue;
        }
        cost += cfg.standard.price(&parcel, cfg.cubic_divisor);
        for (on, extra) in [
            (rural, s.rural),
            (req.is_saturday_delivery, s.saturday),
            (req.is_signature_required, s.signature),
            (req.is_age_restricted, s.age_check),
        ] {
            if on {
                cost += extra;
            }
        }
    }
    let mut available = Vec::new();
    if rejected.is_empty() {
        let quote_id = {
            let mut inner = state.lock();
            inner.seq += 1;
            let id = format!("Q{:08}", inner.seq);
            inner.quotes.insert(
                id.clone(),
                IssuedQuote {
                    site_id,
                    carrier_name: carrier.to_owned(),
                    delivery_type: delivery_type.to_owned(),
                    cost,
                },
            );
            id
        };
        available.push(json!({
            "QuoteId": quote_id,
            "CarrierName": carrier,
            "DeliveryType": delivery_type,
            "Cost": money(cost),
            "ServiceStandard": standard,
            "IsRuralDelivery": rural,
        }));
    }
    Json(json!({"Available": available, "Rejected": rejected})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShipmentRequest {
    quote_id: String,
    #[serde(default)]
    delivery_reference: String,
    #[serde(default)]
    reference: String,
    destination: Party,
    packages: Vec<Package>,
    #[serde(default)]
    outputs: Vec<String>,
}

fn tracking_url(connote: &str) -> String {
    format!("https://track.example.invalid/nzc/{connote}")
}

fn label_lines(s: &GssShipment, package: usize) -> Vec<String> {
    vec![
        s.carrier_name.clone(),
        format!("{} {}", s.delivery_type, s.connote),
        format!("To: {}", s.receiver),
        format!("Ref: {}", s.reference),
        format!("Package {} of {}", package + 1, s.packages),
    ]
}

fn label_files(s: &GssShipment, zpl: bool) -> Vec<String> {
    let engine = &base64::engine::general_purpose::STANDARD;
    (0..s.packages)
        .map(|i| {
            let lines = label_lines(s, i);
            let bytes = if zpl {
                label_zpl(&lines, &s.connote)
            } else {
                label_pdf(&[(lines, s.connote.clone())])
            };
            engine.encode(bytes)
        })
        .collect()
}

async fn create_shipment(
    State(state): S,
    headers: HeaderMap,
    body: Result<Json<ShipmentRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let (fault, site_id) = match guard(&state, Endpoint::Book, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(Json(req)) = body else {
        return bad(StatusCode::BAD_REQUEST, "The request could not be read.");
    };
    let shipment = {
        let mut inner = state.lock();
        let Some(q) = inner
            .quotes
            .get(&req.quote_id)
            .cloned()
            .filter(|q| q.site_id == site_id)
        else {
            drop(inner);
            return bad(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Quote {} was not found or has expired; get new rates.",
                    req.quote_id
                ),
            );
        };
        inner.seq += 1;
        let s = GssShipment {
            connote: format!("NZC{:08}", inner.seq),
            site_id,
            delivery_reference: req.delivery_reference,
            reference: req.reference,
            carrier_name: q.carrier_name,
            delivery_type: q.delivery_type,
            cost: q.cost,
            packages: req.packages.len().max(1),
            receiver: req.destination.name,
            stage: Stage::Booked,
            booked_at: std::time::Instant::now(),
        };
        inner.shipments.push(s.clone());
        s
    };
    let zpl = req.outputs.iter().any(|o| o == "LABEL_ZPL");
    let mut files = serde_json::Map::new();
    files.insert(
        if zpl { "LABEL_ZPL" } else { "LABEL_PDF" }.to_owned(),
        json!(label_files(&shipment, zpl)),
    );
    let ok = Json(json!({
        "Consignments": [{
            "Connote": shipment.connote,
            "TrackingUrl": tracking_url(&shipment.connote),
            "CarrierName": shipment.carrier_name,
            "Cost": money(shipment.cost),
            "OutputFiles": files,
        }],
        "Errors": [],
    }))
    .into_response();
    after_commit(fault, ok)
}

#[derive(Deserialize)]
struct SearchQuery {
    reference: String,
}

async fn search(State(state): S, headers: HeaderMap, Query(q): Query<SearchQuery>) -> Response {
    let site_id = match guard(&state, Endpoint::Search, &headers).await {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let results: Vec<Value> = state
        .lock()
        .shipments
        .iter()
        .filter(|s| s.site_id == site_id && s.delivery_reference == q.reference)
        .map(|s| {
            json!({
                "Connote": s.connote,
                "TrackingUrl": tracking_url(&s.connote),
                "CarrierName": s.carrier_name,
                "DeliveryReference": s.delivery_reference,
                "Status": status_words(s.stage),
                "PackageCount": s.packages,
            })
        })
        .collect();
    Json(json!({"Results": results})).into_response()
}

/// `DELETE /api/shipments` with a JSON array of connotes: each of this site's
/// shipments not yet picked up is deleted (a repeat answers deleted again); the rest
/// are kept, with the reason.
async fn delete_shipments(
    State(state): S,
    headers: HeaderMap,
    body: Result<Json<Vec<String>>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let (fault, site_id) = match guard(&state, Endpoint::Cancel, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(Json(connotes)) = body else {
        return bad(
            StatusCode::BAD_REQUEST,
            "The body must be a list of connotes.",
        );
    };
    let mut inner = state.lock();
    let results: Vec<Value> = connotes
        .iter()
        .map(|c| {
            match inner
                .shipments
                .iter_mut()
                .find(|s| s.connote == *c && s.site_id == site_id)
            {
                None => json!({"Connote": c, "Deleted": false, "Reason": format!("No consignment {c}.")}),
                Some(s) if !s.stage.cancellable() => {
                    json!({"Connote": c, "Deleted": false, "Reason": s.stage.refusal()})
                }
                Some(s) => {
                    s.stage = Stage::Cancelled;
                    json!({"Connote": c, "Deleted": true})
                }
            }
        })
        .collect();
    drop(inner);
    after_commit(fault, Json(json!({"Results": results})).into_response())
}

#[derive(Deserialize)]
struct LabelQuery {
    connote: String,
    #[serde(default)]
    format: Option<String>,
}

async fn labels(State(state): S, headers: HeaderMap, Query(q): Query<LabelQuery>) -> Response {
    let site_id = match guard(&state, Endpoint::Label, &headers).await {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let zpl = match q.format.as_deref().unwrap_or("LABEL_PDF") {
        "LABEL_PDF" | "PDF" => false,
        "LABEL_ZPL" | "ZPL" => true,
        other => {
            return bad(
                StatusCode::BAD_REQUEST,
                &format!("Unknown label format {other}."),
            )
        }
    };
    let found = state
        .lock()
        .shipments
        .iter()
        .find(|s| s.connote == q.connote && s.site_id == site_id)
        .cloned();
    match found {
        Some(s) => Json(label_files(&s, zpl)).into_response(),
        None => bad(
            StatusCode::NOT_FOUND,
            &format!("No consignment {}.", q.connote),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_endpoint_refuses_unknown_keys_and_answers_an_injected_status_first() {
        let fake = FakeGoSweetSpot::start(FakeGoSweetSpotConfig::default())
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let routes = [
            ("POST", "/api/rates", Endpoint::Quote),
            ("POST", "/api/shipments", Endpoint::Book),
            ("GET", "/api/shipments?reference=x", Endpoint::Search),
            ("GET", "/api/labels?connote=NZC1", Endpoint::Label),
            ("DELETE", "/api/shipments", Endpoint::Cancel),
        ];
        for (method, path, endpoint) in routes {
            let url = format!("{}{path}", fake.base_url);
            let send = || {
                let req = match method {
                    "POST" => http.post(&url).json(&json!({})),
                    "DELETE" => http.delete(&url).json(&json!(["NZC1"])),
                    _ => http.get(&url),
                };
                req.header("access_key", "wrong")
                    .header("site_id", "1001")
                    .send()
            };
            assert_eq!(send().await.unwrap().status(), 401, "{path}");
            fake.state.faults.inject(endpoint, Fault::Status(503));
            assert_eq!(send().await.unwrap().status(), 503, "{path}");
            assert_eq!(fake.state.faults.calls(endpoint), 2, "{path}");
        }
    }
}
