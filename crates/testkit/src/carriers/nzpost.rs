//! Fake NZ Post Parcel APIs: OAuth2 client credentials, domestic shipping options,
//! label creation with status polling, PDF labels, search by `sender_reference_2`,
//! cancelling an unused label, and stages a test moves along ([`NzPostState::advance`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::{after_commit, Endpoint, Fault, FaultPlan};
use super::label_file::label_pdf;
use super::server::{serve, Running};
use super::stage::{Courier, Stage};
use super::tariff::{is_rural, money, Parcel, Surcharges, Tariff};

/// How the fake NZ Post behaves.
#[derive(Debug, Clone)]
pub struct FakeNzPostConfig {
    pub client_id: String,
    pub client_secret: String,
    /// More accepted `(client_id, client_secret)` pairs: outlets' own accounts.
    pub other_clients: Vec<(String, String)>,
    /// `expires_in` of issued tokens, seconds.
    pub token_lifetime_secs: u64,
    /// Status polls answered "Processing" before a label is "Complete".
    pub label_ready_after_polls: u32,
    pub cubic_divisor: u32,
    pub overnight: Tariff,
    pub economy: Tariff,
    pub surcharges: Surcharges,
    /// Postcodes treated as rural (as well as any "RD n" address line).
    pub rural_postcodes: Vec<String>,
    /// Moves booked labels along with time on its own (the demo's); `None` in tests.
    pub courier: Option<Courier>,
}

impl Default for FakeNzPostConfig {
    fn default() -> Self {
        Self {
            client_id: "fake-nzpost-client".to_owned(),
            // Made up per fake: the clients read it from the config, as from a keychain.
            client_secret: uuid::Uuid::new_v4().simple().to_string(),
            other_clients: Vec::new(),
            token_lifetime_secs: 3600,
            label_ready_after_polls: 1,
            cubic_divisor: 5000,
            overnight: Tariff::nz_post_overnight(),
            economy: Tariff::nz_post_economy(),
            surcharges: Surcharges::default(),
            rural_postcodes: vec!["7073".to_owned(), "3881".to_owned(), "9586".to_owned()],
            courier: None,
        }
    }
}

/// A label request the fake accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeConsignment {
    pub consignment_id: String,
    pub sender_reference_1: String,
    pub sender_reference_2: String,
    pub service_code: String,
    pub tracking_numbers: Vec<String>,
    pub add_ons: Vec<String>,
    pub receiver_name: String,
    /// Status polls so far.
    pub polls: u32,
    /// Where the parcels are (moved along with [`NzPostState::advance`], or by the
    /// configured [`Courier`]).
    pub stage: Stage,
    /// When the label was made (the courier's clock).
    pub booked_at: std::time::Instant,
}

/// One authenticated call: which endpoint, and the client whose token it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NzPostCall {
    pub endpoint: Endpoint,
    pub client_id: String,
}

#[derive(Debug, Default)]
struct Inner {
    /// Issued token → the client it was issued to.
    tokens: HashMap<String, String>,
    calls: Vec<NzPostCall>,
    tokens_issued: u32,
    consignments: Vec<FakeConsignment>,
    seq: u32,
}

/// What the fake NZ Post has seen and done; for assertions.
#[derive(Debug)]
pub struct NzPostState {
    pub config: FakeNzPostConfig,
    pub faults: FaultPlan,
    inner: Mutex<Inner>,
}

impl NzPostState {
    /// The fake's state, its labels moved along by the courier if it has one.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for c in &mut inner.consignments {
            Courier::move_along(self.config.courier.as_ref(), &mut c.stage, c.booked_at);
        }
        inner
    }

    /// How many OAuth tokens were issued.
    pub fn tokens_issued(&self) -> u32 {
        self.lock().tokens_issued
    }

    /// Invalidates every issued token (as if they expired early); the next call gets 401.
    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    /// Every call with a valid token, in order, with the client it was issued to.
    pub fn calls(&self) -> Vec<NzPostCall> {
        self.lock().calls.clone()
    }

    /// Every label request accepted, in order.
    pub fn consignments(&self) -> Vec<FakeConsignment> {
        self.lock().consignments.clone()
    }

    /// Test control: moves a consignment to its next stage (picked up, in transit,
    /// delivered); returns the new stage, `None` for an unknown id.
    pub fn advance(&self, consignment_id: &str) -> Option<Stage> {
        let mut inner = self.lock();
        let c = inner
            .consignments
            .iter_mut()
            .find(|c| c.consignment_id == consignment_id)?;
        c.stage = c.stage.next();
        Some(c.stage)
    }
}

/// NZ Post's words for a stage.
fn status_words(stage: Stage) -> &'static str {
    match stage {
        Stage::Booked => "Complete",
        Stage::PickedUp => "Picked Up",
        Stage::InTransit => "In Transit",
        Stage::Delivered => "Delivered",
        Stage::Cancelled => "Cancelled",
    }
}

/// A running fake NZ Post.
#[derive(Debug)]
pub struct FakeNzPost {
    /// `http://127.0.0.1:port`; the token endpoint is `{base_url}/oauth/token`.
    pub base_url: String,
    pub state: Arc<NzPostState>,
    _running: Running,
}

impl FakeNzPost {
    /// Starts the fake on an ephemeral loopback port.
    pub async fn start(config: FakeNzPostConfig) -> std::io::Result<Self> {
        let state = Arc::new(NzPostState {
            config,
            faults: FaultPlan::default(),
            inner: Mutex::new(Inner::default()),
        });
        let router = Router::new()
            .route("/oauth/token", post(token))
            .route("/shippingoptions/2.0/domestic", get(options))
            .route("/parcellabel/v3/labels", post(create_label))
            .route("/parcellabel/v3/labels/{id}/status", get(label_status))
            .route("/parcellabel/v3/labels/{id}", get(download).delete(cancel))
            .route("/parcellabel/v3/consignments", get(search))
            .with_state(state.clone());
        let running = serve(router).await?;
        Ok(Self {
            base_url: running.base_url.clone(),
            state,
            _running: running,
        })
    }

    /// The OAuth2 token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.base_url)
    }
}

type S = State<Arc<NzPostState>>;

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"success": false, "errors": [{"code": code, "message": message}]})),
    )
        .into_response()
}

/// The client whose valid token the request carried, if any.
fn authorised(state: &NzPostState, headers: &HeaderMap) -> Option<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    state.lock().tokens.get(token).cloned()
}

/// Takes the call's fault (a `Status` fault answers at once), then checks the
/// bearer token. Ok: the fault left for the handler to apply after its work.
async fn guard(
    state: &NzPostState,
    endpoint: Endpoint,
    headers: &HeaderMap,
) -> Result<Option<Fault>, Response> {
    let fault = state.faults.enter(endpoint).await?;
    if let Some(client_id) = authorised(state, headers) {
        state.lock().calls.push(NzPostCall {
            endpoint,
            client_id,
        });
        Ok(fault)
    } else {
        Err(errors(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "invalid or expired token",
        ))
    }
}

/// NZ Post's parcel limits: 30 kg, 150 cm longest side, 300 cm for the three sides added.
fn over_nz_post_limits(parcel: &Parcel) -> Option<Response> {
    parcel
        .over_limits(30, 150, 300)
        .map(|(code, why)| errors(StatusCode::BAD_REQUEST, code, &why))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

async fn token(State(state): S, Form(f): Form<TokenForm>) -> Response {
    let fault = match state.faults.enter(Endpoint::Token).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if f.grant_type != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    let known = std::iter::once((&state.config.client_id, &state.config.client_secret))
        .chain(state.config.other_clients.iter().map(|(i, s)| (i, s)))
        .any(|(i, s)| *i == f.client_id && *s == f.client_secret);
    if !known {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let value = {
        let mut inner = state.lock();
        inner.tokens_issued += 1;
        let value = format!("fake-token-{}", inner.tokens_issued);
        inner.tokens.insert(value.clone(), f.client_id.clone());
        value
    };
    let ok = Json(json!({
        "access_token": value,
        "token_type": "Bearer",
        "expires_in": state.config.token_lifetime_secs,
    }))
    .into_response();
    after_commit(fault, ok)
}

#[derive(Deserialize)]
struct OptionsQuery {
    #[serde(default)]
    delivery_postcode: String,
    #[serde(default)]
    delivery_street: String,
    #[serde(default)]
    delivery_suburb: String,
    #[serde(default)]
    delivery_city: String,
    weight: Decimal,
    length: Decimal,
    width: Decimal,
    height: Decimal,
    #[serde(default)]
    signature_required: bool,
    #[serde(default)]
    age_restricted: bool,
    #[serde(default)]
    saturday_delivery: bool,
}

async fn options(
    State(state): S,
    headers: HeaderMap,
    q: Result<Query<OptionsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = guard(&state, Endpoint::Quote, &headers).await {
        return r;
    }
    let Ok(Query(q)) = q else {
        return errors(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETERS",
            "weight, length, width and height are required",
        );
    };
    let parcel = Parcel {
        kg: q.weight,
        length_cm: q.length,
        width_cm: q.width,
        height_cm: q.height,
    };
    if let Some(r) = over_nz_post_limits(&parcel) {
        return r;
    }
    let cfg = &state.config;
    let rural = is_rural(
        &cfg.rural_postcodes,
        &q.delivery_postcode,
        &[&q.delivery_street, &q.delivery_suburb, &q.delivery_city],
    );
    let s = &cfg.surcharges;
    let mut extras = Decimal::ZERO;
    if rural {
        extras += s.rural;
    }
    if q.signature_required {
        extras += s.signature;
    }
    if q.age_restricted {
        extras += s.age_check;
    }
    let d = cfg.cubic_divisor;
    let service = |code: &str, desc: &str, price: Decimal, eta: &str| {
        json!({
            "carrier": "CourierPost",
            "description": desc,
            "service_code": code,
            "price_excluding_gst": money(price + extras),
            "estimated_delivery": eta,
            "rural_delivery": rural,
        })
    };
    let services: Vec<Value> = if q.saturday_delivery {
        // Saturday switches to the express service.
        vec![service(
            "CPOLPS",
            "Saturday Express",
            cfg.overnight.price(&parcel, d) + s.saturday,
            "Saturday",
        )]
    } else {
        vec![
            service(
                "CPOLP",
                "Parcel Overnight",
                cfg.overnight.price(&parcel, d),
                "Next business day",
            ),
            service(
                "CPOLE",
                "Parcel Economy",
                cfg.economy.price(&parcel, d),
                "2-3 business days",
            ),
        ]
    };
    Json(json!({"success": true, "services": services})).into_response()
}

#[derive(Deserialize)]
struct LabelRequest {
    #[serde(default)]
    sender_reference_1: String,
    #[serde(default)]
    sender_reference_2: String,
    receiver_details: Receiver,
    parcel_details: Vec<ParcelDetail>,
    #[serde(default)]
    add_ons: Vec<String>,
}

#[derive(Deserialize)]
struct Receiver {
    name: String,
}

#[derive(Deserialize)]
struct ParcelDetail {
    service_code: String,
    dimensions: Dims,
    weight_kg: Decimal,
}

#[derive(Deserialize)]
struct Dims {
    length_cm: Decimal,
    width_cm: Decimal,
    height_cm: Decimal,
}

/// Consignment ids look like NZ Post's six-character ones.
fn consignment_id(seq: u32) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut n = seq as usize + 7_654_321;
    (0..6)
        .map(|_| {
            let c = ALPHABET[n % ALPHABET.len()] as char;
            n /= ALPHABET.len();
            c
        })
        .collect()
}

async fn create_label(
    State(state): S,
    headers: HeaderMap,
    body: Result<Json<LabelRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let fault = match guard(&state, Endpoint::Book, &headers).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(Json(req)) = body else {
        return errors(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "the label request could not be read",
        );
    };
    if req.parcel_details.is_empty() {
        return errors(
            StatusCode::BAD_REQUEST,
            "NO_PARCELS",
            "parcel_details is empty",
        );
    }
    for p in &req.parcel_details {
        let parcel = Parcel {
            kg: p.weight_kg,
            length_cm: p.dimensions.length_cm,
            width_cm: p.dimensions.width_cm,
            height_cm: p.dimensions.height_cm,
        };
        if let Some(r) = over_nz_post_limits(&parcel) {
            return r;
        }
    }
    let id = {
        let mut inner = state.lock();
        inner.seq += 1;
        let seq = inner.seq;
        let id = consignment_id(seq);
        let tracking_numbers = (0..req.parcel_details.len())
            .map(|i| format!("00794210{:06}{:04}", seq, i + 1))
            .collect();
        inner.consignments.push(FakeConsignment {
            consignment_id: id.clone(),
            sender_reference_1: req.sender_reference_1,
            sender_reference_2: req.sender_reference_2,
            service_code: req.parcel_details[0].service_code.clone(),
            tracking_numbers,
            add_ons: req.add_ons,
            receiver_name: req.receiver_details.name,
            polls: 0,
            stage: Stage::Booked,
            booked_at: std::time::Instant::now(),
        });
        id
    };
    let ok =
        Json(json!({"success": true, "consignment_id": id, "message_id": format!("msg-{id}")}))
            .into_response();
    after_commit(fault, ok)
}

fn complete(c: &FakeConsignment, ready_after: u32) -> bool {
    c.polls > ready_after
}

async fn label_status(State(state): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let fault = match guard(&state, Endpoint::Status, &headers).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ready_after = state.config.label_ready_after_polls;
    let mut inner = state.lock();
    let Some(c) = inner
        .consignments
        .iter_mut()
        .find(|c| c.consignment_id == id)
    else {
        return errors(StatusCode::NOT_FOUND, "NOT_FOUND", "no such consignment");
    };
    c.polls += 1;
    let done = complete(c, ready_after);
    let labels: Vec<Value> = if done {
        c.tracking_numbers
            .iter()
            .map(|t| json!({"tracking_reference": t, "label_status": "Complete"}))
            .collect()
    } else {
        vec![]
    };
    let ok = Json(json!({
        "success": true,
        "consignment_id": c.consignment_id,
        "consignment_status": if done { status_words(c.stage) } else { "Processing" },
        "service_code": c.service_code,
        "labels": labels,
    }))
    .into_response();
    drop(inner);
    after_commit(fault, ok)
}

#[derive(Deserialize)]
struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn download(
    State(state): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Response {
    if let Err(r) = guard(&state, Endpoint::Label, &headers).await {
        return r;
    }
    if q.format
        .as_deref()
        .is_some_and(|f| !f.eq_ignore_ascii_case("PDF"))
    {
        return errors(
            StatusCode::BAD_REQUEST,
            "INVALID_FORMAT",
            "format must be PDF",
        );
    }
    let ready_after = state.config.label_ready_after_polls;
    let c = state
        .lock()
        .consignments
        .iter()
        .find(|c| c.consignment_id == id)
        .cloned();
    let Some(c) = c else {
        return errors(StatusCode::NOT_FOUND, "NOT_FOUND", "no such consignment");
    };
    if !complete(&c, ready_after) {
        return errors(
            StatusCode::CONFLICT,
            "LABEL_NOT_READY",
            "the label is still being generated",
        );
    }
    let n = c.tracking_numbers.len();
    let labels: Vec<(Vec<String>, String)> = c
        .tracking_numbers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let lines = vec![
                "CourierPost".to_owned(),
                format!("Service {}", c.service_code),
                format!("To: {}", c.receiver_name),
                format!("Ref: {}", c.sender_reference_1),
                format!("Parcel {} of {n}", i + 1),
            ];
            (lines, t.clone())
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/pdf")],
        label_pdf(&labels),
    )
        .into_response()
}

/// `DELETE /parcellabel/v3/labels/{id}`: voids an unused label; a repeat answers the
/// same; a parcel already picked up is refused with 409.
async fn cancel(State(state): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let fault = match guard(&state, Endpoint::Cancel, &headers).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut inner = state.lock();
    let Some(c) = inner
        .consignments
        .iter_mut()
        .find(|c| c.consignment_id == id)
    else {
        return errors(StatusCode::NOT_FOUND, "NOT_FOUND", "no such consignment");
    };
    if !c.stage.cancellable() {
        return errors(StatusCode::CONFLICT, "LABEL_IN_USE", &c.stage.refusal());
    }
    c.stage = Stage::Cancelled;
    drop(inner);
    let ok =
        Json(json!({"success": true, "consignment_id": id, "consignment_status": "Cancelled"}))
            .into_response();
    after_commit(fault, ok)
}

#[derive(Deserialize)]
struct SearchQuery {
    sender_reference_2: String,
}

async fn search(State(state): S, headers: HeaderMap, Query(q): Query<SearchQuery>) -> Response {
    if let Err(r) = guard(&state, Endpoint::Search, &headers).await {
        return r;
    }
    let found: Vec<Value> = state
        .lock()
        .consignments
        .iter()
        .filter(|c| c.sender_reference_2 == q.sender_reference_2)
        .map(|c| json!({"consignment_id": c.consignment_id, "sender_reference_2": c.sender_reference_2, "consignment_status": status_words(c.stage)}))
        .collect();
    Json(json!({"success": true, "consignments": found})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every authenticated endpoint: (method, path, endpoint).
    const ROUTES: [(&str, &str, Endpoint); 6] = [
        (
            "GET",
            "/shippingoptions/2.0/domestic?weight=1&length=10&width=10&height=10",
            Endpoint::Quote,
        ),
        ("POST", "/parcellabel/v3/labels", Endpoint::Book),
        ("GET", "/parcellabel/v3/labels/ABC/status", Endpoint::Status),
        ("GET", "/parcellabel/v3/labels/ABC", Endpoint::Label),
        ("DELETE", "/parcellabel/v3/labels/ABC", Endpoint::Cancel),
        (
            "GET",
            "/parcellabel/v3/consignments?sender_reference_2=x",
            Endpoint::Search,
        ),
    ];

    async fn call(fake: &FakeNzPost, method: &str, path: &str) -> (u16, Value) {
        let http = reqwest::Client::new();
        let url = format!("{}{path}", fake.base_url);
        let req = match method {
            "POST" => http.post(url).json(&json!({})),
            "DELETE" => http.delete(url),
            _ => http.get(url),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn every_endpoint_refuses_a_call_without_a_token_and_answers_an_injected_status_first() {
        let fake = FakeNzPost::start(FakeNzPostConfig::default())
            .await
            .unwrap();
        for (method, path, endpoint) in ROUTES {
            let (status, body) = call(&fake, method, path).await;
            assert_eq!(status, 401, "{path}");
            assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED", "{path}");
            fake.state.faults.inject(endpoint, Fault::Status(503));
            let (status, _) = call(&fake, method, path).await;
            assert_eq!(
                status, 503,
                "{path}: the fault answers before the token check"
            );
            assert_eq!(fake.state.faults.calls(endpoint), 2, "{path}");
        }
        fake.state
            .faults
            .inject(Endpoint::Token, Fault::Status(502));
        let token = reqwest::Client::new()
            .post(fake.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", fake.state.config.client_id.as_str()),
                ("client_secret", fake.state.config.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 502);
        assert_eq!(fake.state.tokens_issued(), 0);
    }
}
