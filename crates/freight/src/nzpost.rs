//! NZ Post Parcel APIs: OAuth2 client credentials (token cached until shortly
//! before expiry), domestic shipping options, label creation, status polling, PDF
//! download and cancelling an unused label.
//!
//! Search by reference: labels are created with our idempotency reference in
//! `sender_reference_2`, and looked up with
//! `GET /parcellabel/v3/consignments?sender_reference_2=` before booking again.
//! (NZ Post's published `labels/{id}/related` groups consignments by that field;
//! the search form is what the fake implements, to confirm against the live API.)

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::freight::chargeable_weight;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::booking::{BookedParcel, Booking, BookingStatus, Label, LabelFormat, TrackingState};
use crate::carrier::{Carrier, CarrierKind};
use crate::credentials::NzPostCredentials;
use crate::error::FreightError;
use crate::http::{send, Answer};
use crate::quote::{BoxCharge, Quote, ServiceLevel};
use crate::shipment::{Address, ShipBox, Shipment};

const KIND: CarrierKind = CarrierKind::NzPost;

/// Settings of the NZ Post client.
#[derive(Debug, Clone)]
pub struct NzPostConfig {
    /// API base, e.g. `https://api.nzpost.co.nz` (a fake's `http://127.0.0.1:port` in tests).
    pub base_url: String,
    /// OAuth2 token endpoint.
    pub token_url: String,
    pub credentials: NzPostCredentials,
    /// NZ Post billing account, for account rates.
    pub account_number: Option<String>,
    /// cm³ per kg for cubic weight.
    pub cubic_divisor: u32,
    /// Refresh the token this long before it expires.
    pub token_refresh_margin: Duration,
    pub label_poll_interval: Duration,
    pub label_poll_attempts: u32,
    pub request_timeout: Duration,
}

impl NzPostConfig {
    /// Defaults for a base URL: token at `{base}/oauth/token`, divisor 5000, poll every 500 ms up to 20 times.
    pub fn new(base_url: impl Into<String>, credentials: NzPostCredentials) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Self {
            token_url: format!("{base_url}/oauth/token"),
            base_url,
            credentials,
            account_number: None,
            cubic_divisor: 5000,
            token_refresh_margin: Duration::from_secs(60),
            label_poll_interval: Duration::from_millis(500),
            label_poll_attempts: 20,
            request_timeout: Duration::from_secs(20),
        }
    }
}

struct Token {
    value: String,
    refresh_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"***")
            .field("refresh_at", &self.refresh_at)
            .finish()
    }
}

/// The NZ Post client.
#[derive(Debug)]
pub struct NzPost {
    cfg: NzPostConfig,
    http: reqwest::Client,
    // Held while a token is fetched, so concurrent calls share one fetch.
    token: Mutex<Option<Token>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct ApiErrors {
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<String>,
    message: String,
}

fn error_reason(body: &[u8]) -> Option<String> {
    let e: ApiErrors = serde_json::from_slice(body).ok()?;
    let first = e.errors.into_iter().next()?;
    Some(match first.code {
        Some(code) => format!("{} ({code})", first.message),
        None => first.message,
    })
}

#[derive(Deserialize)]
struct OptionsAnswer {
    #[serde(default)]
    services: Vec<ServiceOption>,
}

#[derive(Deserialize)]
struct ServiceOption {
    carrier: String,
    description: String,
    service_code: String,
    price_excluding_gst: f64,
    #[serde(default)]
    estimated_delivery: Option<String>,
    #[serde(default)]
    rural_delivery: bool,
}

#[derive(Serialize)]
struct Contact<'a> {
    name: &'a str,
    phone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct WireAddress<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    company_name: Option<&'a str>,
    street: &'a str,
    suburb: &'a str,
    city: &'a str,
    postcode: &'a str,
    country_code: &'a str,
}

impl<'a> WireAddress<'a> {
    fn of(a: &'a Address) -> Self {
        Self {
            company_name: a.company.as_deref(),
            street: &a.street,
            suburb: &a.suburb,
            city: &a.city,
            postcode: &a.postcode,
            country_code: &a.country_code,
        }
    }
}

#[derive(Serialize)]
struct ParcelDimensions {
    length_cm: Decimal,
    width_cm: Decimal,
    height_cm: Decimal,
}

#[derive(Serialize)]
struct ParcelDetail {
    service_code: String,
    return_indicator: &'static str,
    description: String,
    dimensions: ParcelDimensions,
    weight_kg: Decimal,
}

#[derive(Serialize)]
struct LabelRequest<'a> {
    carrier: &'static str,
    sender_reference_1: &'a str,
    sender_reference_2: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_number: Option<&'a str>,
    sender_details: Contact<'a>,
    pickup_address: WireAddress<'a>,
    receiver_details: Contact<'a>,
    delivery_address: WireAddress<'a>,
    parcel_details: Vec<ParcelDetail>,
    add_ons: Vec<&'static str>,
}

#[derive(Deserialize)]
struct LabelCreated {
    consignment_id: String,
}

#[derive(Deserialize)]
struct StatusAnswer {
    consignment_id: String,
    consignment_status: String,
    #[serde(default)]
    service_code: Option<String>,
    #[serde(default)]
    labels: Vec<LabelState>,
}

#[derive(Deserialize)]
struct LabelState {
    tracking_reference: String,
}

#[derive(Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    consignments: Vec<Found>,
}

#[derive(Deserialize)]
struct Found {
    consignment_id: String,
}

fn cm(mm: u32) -> Decimal {
    Decimal::new(i64::from(mm), 1)
}

impl NzPost {
    /// A client for the configured endpoint.
    pub fn new(cfg: NzPostConfig) -> Result<Self, FreightError> {
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .build()
            .map_err(|e| FreightError::InvalidShipment {
                reason: format!("HTTP client could not start: {e}"),
            })?;
        Ok(Self {
            cfg,
            http,
            token: Mutex::new(None),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url)
    }

    /// A valid bearer token: the cached one, or a fresh one when it is near expiry.
    async fn token(&self, force: bool) -> Result<String, FreightError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref() {
            if !force && Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let c = &self.cfg.credentials;
        let req = self.http.post(&self.cfg.token_url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.expose()),
        ]);
        let ans = send(KIND, req).await?;
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        let t: TokenAnswer = ans.json(KIND)?;
        let life = Duration::from_secs(t.expires_in);
        tracing::debug!(carrier = %KIND, expires_in = t.expires_in, "fetched carrier token");
        *slot = Some(Token {
            value: t.access_token.clone(),
            refresh_at: Instant::now() + life.saturating_sub(self.cfg.token_refresh_margin),
        });
        Ok(t.access_token)
    }

    /// Sends an authorised request; on 401 refreshes the token once and retries.
    async fn call(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, FreightError> {
        let token = self.token(false).await?;
        let ans = send(KIND, build(&token)).await?;
        if ans.status != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(ans);
        }
        tracing::info!(carrier = %KIND, "token refused; fetching a new one");
        let token = self.token(true).await?;
        send(KIND, build(&token)).await
    }

    async fn options_for_box(
        &self,
        shipment: &Shipment,
        b: &ShipBox,
    ) -> Result<Vec<ServiceOption>, FreightError> {
        let d = &shipment.destination;
        let o = shipment.options;
        let query: Vec<(&str, String)> = vec![
            ("pickup_postcode", shipment.origin.postcode.clone()),
            ("pickup_city", shipment.origin.city.clone()),
            ("delivery_street", d.street.clone()),
            ("delivery_suburb", d.suburb.clone()),
            ("delivery_city", d.city.clone()),
            ("delivery_postcode", d.postcode.clone()),
            ("weight", b.weight.kg().normalize().to_string()),
            ("length", cm(b.outer.length_mm).normalize().to_string()),
            ("width", cm(b.outer.width_mm).normalize().to_string()),
            ("height", cm(b.outer.height_mm).normalize().to_string()),
            ("signature_required", o.signature_required.to_string()),
            ("age_restricted", o.age_restricted.to_string()),
            ("saturday_delivery", o.saturday.to_string()),
        ];
        let url = self.url("/shippingoptions/2.0/domestic");
        let ans = self
            .call(|t| self.http.get(&url).bearer_auth(t).query(&query))
            .await?;
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        Ok(ans.json::<OptionsAnswer>(KIND)?.services)
    }

    async fn status_of(&self, consignment_id: &str) -> Result<StatusAnswer, FreightError> {
        let url = self.url(&format!("/parcellabel/v3/labels/{consignment_id}/status"));
        let ans = self.call(|t| self.http.get(&url).bearer_auth(t)).await?;
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        ans.json(KIND)
    }

    /// Polls until the labels are made (tracking numbers come with them).
    async fn await_complete(&self, consignment_id: &str) -> Result<StatusAnswer, FreightError> {
        for attempt in 0..self.cfg.label_poll_attempts.max(1) {
            let s = self.status_of(consignment_id).await?;
            // Labels exist once made, also after pick-up or cancellation.
            if TrackingState::from_carrier_words(&s.consignment_status)
                != TrackingState::LabelPending
            {
                return Ok(s);
            }
            tracing::debug!(carrier = %KIND, consignment_id, attempt, status = %s.consignment_status, "label not ready");
            tokio::time::sleep(self.cfg.label_poll_interval).await;
        }
        Err(FreightError::LabelNotReady {
            carrier: KIND,
            booking_id: consignment_id.to_owned(),
        })
    }

    fn booking_from(
        &self,
        s: StatusAnswer,
        shipment: &Shipment,
        reference: &str,
        price: Option<Decimal>,
        found: bool,
    ) -> Result<Booking, FreightError> {
        if s.labels.len() != shipment.boxes.len() {
            return Err(FreightError::BadResponse {
                carrier: KIND,
                detail: format!(
                    "{} labels for {} boxes",
                    s.labels.len(),
                    shipment.boxes.len()
                ),
            });
        }
        let parcels = shipment
            .boxes
            .iter()
            .zip(s.labels)
            .map(|(b, l)| BookedParcel {
                box_number: b.number,
                tracking_url: Some(format!(
                    "https://www.nzpost.co.nz/tools/tracking/item/{}",
                    l.tracking_reference
                )),
                tracking_number: l.tracking_reference,
            })
            .collect();
        Ok(Booking {
            carrier: KIND,
            carrier_name: "NZ Post".to_owned(),
            reference: reference.to_owned(),
            label_ids: vec![s.consignment_id.clone()],
            booking_id: s.consignment_id,
            service_code: s.service_code.unwrap_or_default(),
            parcels,
            price_excl_gst: price,
            found_existing: found,
        })
    }
}

#[async_trait]
impl Carrier for NzPost {
    fn kind(&self) -> CarrierKind {
        KIND
    }

    async fn quote(&self, shipment: &Shipment) -> Result<Vec<Quote>, FreightError> {
        if shipment.boxes.is_empty() {
            return Err(FreightError::InvalidShipment {
                reason: "it has no boxes".to_owned(),
            });
        }
        // NZ Post prices one parcel per call; a service is offered for the shipment
        // only if every box can have it.
        let mut totals: BTreeMap<String, (ServiceOption, Decimal, bool, usize)> = BTreeMap::new();
        for b in &shipment.boxes {
            for s in self.options_for_box(shipment, b).await? {
                let price = Decimal::from_f64(s.price_excluding_gst)
                    .ok_or_else(|| FreightError::BadResponse {
                        carrier: KIND,
                        detail: format!("price {} is not a number", s.price_excluding_gst),
                    })?
                    .round_dp(4);
                let e =
                    totals
                        .entry(s.service_code.clone())
                        .or_insert((s, Decimal::ZERO, false, 0));
                e.1 += price;
                e.2 |= e.0.rural_delivery;
                e.3 += 1;
            }
        }
        let charges: Vec<BoxCharge> = shipment
            .boxes
            .iter()
            .map(|b| BoxCharge {
                box_number: b.number,
                chargeable: chargeable_weight(b.weight, b.outer, self.cfg.cubic_divisor),
                weighed: b.weighed,
            })
            .collect();
        Ok(totals
            .into_values()
            .filter(|(_, _, _, n)| *n == shipment.boxes.len())
            .map(|(s, price, rural, _)| Quote {
                carrier: KIND,
                carrier_name: s.carrier,
                level: ServiceLevel::from_description(&s.description),
                service_code: s.service_code,
                description: s.description,
                price_excl_gst: price,
                delivery_estimate: s.estimated_delivery,
                rural,
                quote_id: None,
                charges: charges.clone(),
            })
            .collect())
    }

    async fn find_booking(
        &self,
        shipment: &Shipment,
        reference: &str,
    ) -> Result<Option<Booking>, FreightError> {
        let url = self.url("/parcellabel/v3/consignments");
        let ans = self
            .call(|t| {
                self.http
                    .get(&url)
                    .bearer_auth(t)
                    .query(&[("sender_reference_2", reference)])
            })
            .await?;
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        let found: SearchAnswer = ans.json(KIND)?;
        let Some(first) = found.consignments.into_iter().next() else {
            return Ok(None);
        };
        tracing::info!(carrier = %KIND, reference, consignment_id = %first.consignment_id, "found an earlier booking by reference");
        let s = self.await_complete(&first.consignment_id).await?;
        self.booking_from(s, shipment, reference, None, true)
            .map(Some)
    }

    async fn book(
        &self,
        shipment: &Shipment,
        quote: &Quote,
        reference: &str,
    ) -> Result<Booking, FreightError> {
        if quote.carrier != KIND {
            return Err(FreightError::QuoteCarrierMismatch {
                carrier: KIND,
                quote_carrier: quote.carrier,
            });
        }
        shipment.check_bookable()?;
        let (o, d, opts) = (&shipment.origin, &shipment.destination, shipment.options);
        let mut add_ons = Vec::new();
        for (on, code) in [
            (opts.signature_required, "CPSR"),
            (opts.age_restricted, "CPAGE"),
            (opts.no_authority_to_leave, "CPNATL"),
            (opts.photo_on_delivery, "CPPOD"),
        ] {
            if on {
                add_ons.push(code);
            }
        }
        let body = LabelRequest {
            carrier: "COURIERPOST",
            sender_reference_1: &shipment.consignment_ref,
            sender_reference_2: reference,
            account_number: self.cfg.account_number.as_deref(),
            sender_details: Contact {
                name: &o.name,
                phone: &o.phone,
                email: o.email.as_deref(),
            },
            pickup_address: WireAddress::of(o),
            receiver_details: Contact {
                name: &d.name,
                phone: &d.phone,
                email: d.email.as_deref(),
            },
            delivery_address: WireAddress::of(d),
            parcel_details: shipment
                .boxes
                .iter()
                .map(|b| ParcelDetail {
                    service_code: quote.service_code.clone(),
                    return_indicator: "OUTBOUND",
                    description: format!("Box {}", b.number),
                    dimensions: ParcelDimensions {
                        length_cm: cm(b.outer.length_mm),
                        width_cm: cm(b.outer.width_mm),
                        height_cm: cm(b.outer.height_mm),
                    },
                    weight_kg: b.weight.kg(),
                })
                .collect(),
            add_ons,
        };
        let url = self.url("/parcellabel/v3/labels");
        let ans = self
            .call(|t| self.http.post(&url).bearer_auth(t).json(&body))
            .await?;
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        let created: LabelCreated = ans.json(KIND)?;
        tracing::info!(carrier = %KIND, reference, consignment_id = %created.consignment_id, "label requested");
        let s = self.await_complete(&created.consignment_id).await?;
        let mut booking =
            self.booking_from(s, shipment, reference, Some(quote.price_excl_gst), false)?;
        if booking.service_code.is_empty() {
            booking.service_code = quote.service_code.clone();
        }
        Ok(booking)
    }

    async fn label(
        &self,
        booking: &Booking,
        format: LabelFormat,
    ) -> Result<Vec<Label>, FreightError> {
        if format != LabelFormat::Pdf {
            // The Parcel Label API renders PDF or PNG, not thermal formats.
            return Err(FreightError::LabelFormatNotOffered {
                carrier: KIND,
                format: format.to_string(),
            });
        }
        let mut labels = Vec::new();
        for id in &booking.label_ids {
            let url = self.url(&format!("/parcellabel/v3/labels/{id}"));
            let ans = self
                .call(|t| {
                    self.http
                        .get(&url)
                        .bearer_auth(t)
                        .query(&[("format", "PDF")])
                })
                .await?;
            if !ans.status.is_success() {
                return Err(ans.error(KIND, error_reason));
            }
            if !ans.body.starts_with(b"%PDF-") {
                return Err(FreightError::BadResponse {
                    carrier: KIND,
                    detail: "label is not a PDF".to_owned(),
                });
            }
            labels.push(Label {
                label_id: id.clone(),
                format,
                bytes: ans.body,
            });
        }
        Ok(labels)
    }

    async fn status(&self, booking: &Booking) -> Result<BookingStatus, FreightError> {
        let s = self.status_of(&booking.booking_id).await?;
        Ok(BookingStatus {
            state: TrackingState::from_carrier_words(&s.consignment_status),
            carrier_status: s.consignment_status,
        })
    }

    /// `DELETE /parcellabel/v3/labels/{consignment_id}`: NZ Post voids unused labels;
    /// it answers 409 once a parcel has been picked up.
    async fn cancel(&self, booking: &Booking) -> Result<(), FreightError> {
        let url = self.url(&format!("/parcellabel/v3/labels/{}", booking.booking_id));
        let ans = self.call(|t| self.http.delete(&url).bearer_auth(t)).await?;
        if ans.status == reqwest::StatusCode::CONFLICT {
            return Err(FreightError::CancelRefused {
                carrier: KIND,
                reason: error_reason(&ans.body)
                    .unwrap_or_else(|| "the parcel is already on its way".to_owned()),
            });
        }
        if !ans.status.is_success() {
            return Err(ans.error(KIND, error_reason));
        }
        tracing::info!(carrier = %KIND, consignment_id = %booking.booking_id, "label cancelled");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::credentials::Secret;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn junk_from_the_carrier_never_panics(body in prop::collection::vec(any::<u8>(), 0..200), text in ".{0,120}") {
            let _ = error_reason(&body);
            let _ = error_reason(text.as_bytes());
            let _ = serde_json::from_slice::<OptionsAnswer>(&body);
            let _ = serde_json::from_str::<StatusAnswer>(&text);
            let _ = serde_json::from_str::<SearchAnswer>(&text);
        }
    }

    #[test]
    fn carrier_error_messages_are_passed_on() {
        let body = br#"{"success":false,"errors":[{"code":"WEIGHT_LIMIT","message":"too heavy"}]}"#;
        assert_eq!(
            error_reason(body).as_deref(),
            Some("too heavy (WEIGHT_LIMIT)")
        );
    }

    #[test]
    fn the_cached_token_never_prints() {
        let secret = format!(
            "not-a-secret-{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let client = NzPost::new(NzPostConfig::new(
            "http://127.0.0.1:9",
            NzPostCredentials {
                client_id: "id".into(),
                client_secret: Secret::new(&secret),
            },
        ))
        .unwrap();
        *client.token.try_lock().unwrap() = Some(Token {
            value: "bearer-xyz".into(),
            refresh_at: Instant::now(),
        });
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("bearer-xyz") && !shown.contains(&secret),
            "{shown}"
        );
    }
}
