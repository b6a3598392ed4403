//! GoSweetSpot (multi-carrier, NZ): `access_key` and `site_id` headers on every
//! call; rates, shipments by quote id, labels by connote, shipments deleted by connote.
//!
//! Search by reference: shipments carry our idempotency reference in
//! `DeliveryReference` and are looked up with `GET /api/shipments?reference=`
//! before booking again (the form the fake implements; confirm against the live API).

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::freight::chargeable_weight;

use crate::booking::{BookedParcel, Booking, BookingStatus, Label, LabelFormat, TrackingState};
use crate::carrier::{Carrier, CarrierKind};
use crate::credentials::GoSweetSpotCredentials;
use crate::error::FreightError;
use crate::http::{send, Answer};
use crate::quote::{BoxCharge, Quote, ServiceLevel};
use crate::shipment::{Address, Shipment};

const KIND: CarrierKind = CarrierKind::GoSweetSpot;

/// Settings of the GoSweetSpot client (one per outlet site).
#[derive(Debug, Clone)]
pub struct GoSweetSpotConfig {
    /// API base, e.g. `https://api.gosweetspot.com` (a fake's loopback URL in tests).
    pub base_url: String,
    pub credentials: GoSweetSpotCredentials,
    /// cm³ per kg for cubic weight.
    pub cubic_divisor: u32,
    pub request_timeout: Duration,
}

impl GoSweetSpotConfig {
    /// Defaults for a base URL: divisor 5000, 20 s timeout.
    pub fn new(base_url: impl Into<String>, credentials: GoSweetSpotCredentials) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            credentials,
            cubic_divisor: 5000,
            request_timeout: Duration::from_secs(20),
        }
    }
}

/// The GoSweetSpot client.
#[derive(Debug)]
pub struct GoSweetSpot {
    cfg: GoSweetSpotConfig,
    http: reqwest::Client,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireAddress<'a> {
    building_name: &'a str,
    street_address: &'a str,
    suburb: &'a str,
    city: &'a str,
    post_code: &'a str,
    country_code: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Party<'a> {
    name: &'a str,
    contact_person: &'a str,
    phone_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    address: WireAddress<'a>,
}

impl<'a> Party<'a> {
    fn of(a: &'a Address) -> Self {
        Party {
            name: a.company.as_deref().unwrap_or(&a.name),
            contact_person: &a.name,
            phone_number: &a.phone,
            email: a.email.as_deref(),
            address: WireAddress {
                building_name: "",
                street_address: &a.street,
                suburb: &a.suburb,
                city: &a.city,
                post_code: &a.postcode,
                country_code: &a.country_code,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Package {
    length: Decimal,
    width: Decimal,
    height: Decimal,
    kg: Decimal,
    name: String,
    #[serde(rename = "Type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RatesRequest<'a> {
    origin: Party<'a>,
    destination: Party<'a>,
    packages: Vec<Package>,
    is_saturday_delivery: bool,
    is_signature_required: bool,
    is_age_restricted: bool,
    is_no_authority_to_leave: bool,
    is_photo_required: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RatesAnswer {
    #[serde(default)]
    available: Vec<Available>,
    #[serde(default)]
    rejected: Vec<RejectedRate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Available {
    quote_id: String,
    carrier_name: String,
    delivery_type: String,
    cost: f64,
    #[serde(default)]
    service_standard: Option<String>,
    #[serde(default)]
    is_rural_delivery: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RejectedRate {
    carrier_name: String,
    reason: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ShipmentRequest<'a> {
    quote_id: &'a str,
    delivery_reference: &'a str,
    reference: &'a str,
    origin: Party<'a>,
    destination: Party<'a>,
    packages: Vec<Package>,
    outputs: Vec<&'static str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ShipmentAnswer {
    #[serde(default)]
    consignments: Vec<WireConsignment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireConsignment {
    connote: String,
    #[serde(default)]
    tracking_url: Option<String>,
    #[serde(default)]
    carrier_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchAnswer {
    #[serde(default)]
    results: Vec<FoundShipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FoundShipment {
    connote: String,
    #[serde(default)]
    tracking_url: Option<String>,
    #[serde(default)]
    carrier_name: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAnswer {
    #[serde(default)]
    results: Vec<Deleted>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Deleted {
    connote: String,
    deleted: bool,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GssError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<String>,
}

fn error_reason(body: &[u8]) -> Option<String> {
    let e: GssError = serde_json::from_slice(body).ok()?;
    e.errors.into_iter().next().or(e.message)
}

fn packages(shipment: &Shipment) -> Vec<Package> {
    shipment
        .boxes
        .iter()
        .map(|b| Package {
            length: Decimal::new(i64::from(b.outer.length_mm), 1),
            width: Decimal::new(i64::from(b.outer.width_mm), 1),
            height: Decimal::new(i64::from(b.outer.height_mm), 1),
            kg: b.weight.kg(),
            name: format!("Box {}", b.number),
            kind: "Box",
        })
        .collect()
}

impl GoSweetSpot {
    /// A client for the configured site.
    pub fn new(cfg: GoSweetSpotConfig) -> Result<Self, FreightError> {
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .build()
            .map_err(|e| FreightError::InvalidShipment {
                reason: format!("HTTP client could not start: {e}"),
            })?;
        Ok(Self { cfg, http })
    }

    fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.header("access_key", self.cfg.credentials.access_key.expose())
            .header("site_id", &self.cfg.credentials.site_id)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url)
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<Answer, FreightError> {
        let ans = send(KIND, self.authed(req)).await?;
        if ans.status.is_success() {
            Ok(ans)
        } else {
            Err(ans.error(KIND, error_reason))
        }
    }

    async fn search(&self, reference: &str) -> Result<Vec<FoundShipment>, FreightError> {
        let req = self
            .http
            .get(self.url("/api/shipments"))
            .query(&[("reference", reference)]);
        Ok(self.call(req).await?.json::<SearchAnswer>(KIND)?.results)
    }

    fn booking(
        shipment: &Shipment,
        reference: &str,
        c: WireConsignment,
        service: String,
        price: Option<Decimal>,
    ) -> Booking {
        let WireConsignment {
            connote,
            tracking_url: url,
            carrier_name: carrier,
        } = c;
        // One connote covers every box of a GoSweetSpot consignment.
        let parcels = shipment
            .boxes
            .iter()
            .map(|b| BookedParcel {
                box_number: b.number,
                tracking_number: connote.clone(),
                tracking_url: url.clone(),
            })
            .collect();
        Booking {
            carrier: KIND,
            carrier_name: carrier.unwrap_or_else(|| "GoSweetSpot".to_owned()),
            reference: reference.to_owned(),
            label_ids: vec![connote.clone()],
            booking_id: connote,
            service_code: service,
            parcels,
            price_excl_gst: price,
            found_existing: false,
        }
    }
}

#[async_trait]
impl Carrier for GoSweetSpot {
    fn kind(&self) -> CarrierKind {
        KIND
    }

    async fn quote(&self, shipment: &Shipment) -> Result<Vec<Quote>, FreightError> {
        if shipment.boxes.is_empty() {
            return Err(FreightError::InvalidShipment {
                reason: "it has no boxes".to_owned(),
            });
        }
        let o = shipment.options;
        let body = RatesRequest {
            origin: Party::of(&shipment.origin),
            destination: Party::of(&shipment.destination),
            packages: packages(shipment),
            is_saturday_delivery: o.saturday,
            is_signature_required: o.signature_required,
            is_age_restricted: o.age_restricted,
            is_no_authority_to_leave: o.no_authority_to_leave,
            is_photo_required: o.photo_on_delivery,
        };
        let ans: RatesAnswer = self
            .call(self.http.post(self.url("/api/rates")).json(&body))
            .await?
            .json(KIND)?;
        if ans.available.is_empty() && !ans.rejected.is_empty() {
            let reason = ans
                .rejected
                .iter()
                .map(|r| format!("{}: {}", r.carrier_name, r.reason))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(FreightError::Rejected {
                carrier: KIND,
                status: 200,
                reason,
            });
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
        ans.available
            .into_iter()
            .map(|a| {
                let price = Decimal::from_f64(a.cost).ok_or_else(|| FreightError::BadResponse {
                    carrier: KIND,
                    detail: format!("cost {} is not a number", a.cost),
                })?;
                Ok(Quote {
                    carrier: KIND,
                    level: ServiceLevel::from_description(&a.delivery_type),
                    service_code: a.delivery_type.clone(),
                    description: format!("{} {}", a.carrier_name, a.delivery_type),
                    carrier_name: a.carrier_name,
                    price_excl_gst: price.round_dp(4),
                    delivery_estimate: a.service_standard,
                    rural: a.is_rural_delivery,
                    quote_id: Some(a.quote_id),
                    charges: charges.clone(),
                })
            })
            .collect()
    }

    async fn find_booking(
        &self,
        shipment: &Shipment,
        reference: &str,
    ) -> Result<Option<Booking>, FreightError> {
        // A deleted shipment is not a booking of these boxes any more.
        let live = |s: &FoundShipment| {
            TrackingState::from_carrier_words(s.status.as_deref().unwrap_or(""))
                != TrackingState::Cancelled
        };
        let Some(found) = self.search(reference).await?.into_iter().find(live) else {
            return Ok(None);
        };
        tracing::info!(carrier = %KIND, reference, connote = %found.connote, "found an earlier booking by reference");
        let wire = WireConsignment {
            connote: found.connote,
            tracking_url: found.tracking_url,
            carrier_name: found.carrier_name,
        };
        let mut booking = Self::booking(shipment, reference, wire, String::new(), None);
        booking.found_existing = true;
        Ok(Some(booking))
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
        let quote_id = quote
            .quote_id
            .as_deref()
            .ok_or_else(|| FreightError::InvalidShipment {
                reason: "the GoSweetSpot quote has no QuoteId; quote again".to_owned(),
            })?;
        let body = ShipmentRequest {
            quote_id,
            delivery_reference: reference,
            reference: &shipment.consignment_ref,
            origin: Party::of(&shipment.origin),
            destination: Party::of(&shipment.destination),
            packages: packages(shipment),
            outputs: vec!["LABEL_PDF"],
        };
        let ans: ShipmentAnswer = self
            .call(self.http.post(self.url("/api/shipments")).json(&body))
            .await?
            .json(KIND)?;
        let c = ans
            .consignments
            .into_iter()
            .next()
            .ok_or_else(|| FreightError::BadResponse {
                carrier: KIND,
                detail: "no consignment in the answer".to_owned(),
            })?;
        tracing::info!(carrier = %KIND, reference, connote = %c.connote, "shipment booked");
        let c = WireConsignment {
            carrier_name: c.carrier_name.or_else(|| Some(quote.carrier_name.clone())),
            ..c
        };
        Ok(Self::booking(
            shipment,
            reference,
            c,
            quote.service_code.clone(),
            Some(quote.price_excl_gst),
        ))
    }

    async fn label(
        &self,
        booking: &Booking,
        format: LabelFormat,
    ) -> Result<Vec<Label>, FreightError> {
        let wire = match format {
            LabelFormat::Pdf => "LABEL_PDF",
            LabelFormat::Zpl => "LABEL_ZPL",
        };
        let mut labels = Vec::new();
        for id in &booking.label_ids {
            let req = self
                .http
                .get(self.url("/api/labels"))
                .query(&[("connote", id.as_str()), ("format", wire)]);
            let files: Vec<String> = self.call(req).await?.json(KIND)?;
            for f in files {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(f.trim())
                    .map_err(|e| FreightError::BadResponse {
                        carrier: KIND,
                        detail: format!("label is not base64: {e}"),
                    })?;
                labels.push(Label {
                    label_id: id.clone(),
                    format,
                    bytes,
                });
            }
        }
        if labels.is_empty() {
            return Err(FreightError::LabelNotReady {
                carrier: KIND,
                booking_id: booking.booking_id.clone(),
            });
        }
        Ok(labels)
    }

    async fn status(&self, booking: &Booking) -> Result<BookingStatus, FreightError> {
        let found = self.search(&booking.reference).await?;
        let Some(s) = found.into_iter().find(|s| s.connote == booking.booking_id) else {
            return Err(FreightError::Rejected {
                carrier: KIND,
                status: 404,
                reason: format!("no shipment {} found", booking.booking_id),
            });
        };
        let carrier_status = s.status.unwrap_or_else(|| "Unknown".to_owned());
        Ok(BookingStatus {
            state: TrackingState::from_carrier_words(&carrier_status),
            carrier_status,
        })
    }

    /// `DELETE /api/shipments` with the connotes as a JSON array: GoSweetSpot deletes
    /// shipments not yet picked up and says why for each one it keeps.
    async fn cancel(&self, booking: &Booking) -> Result<(), FreightError> {
        let req = self
            .http
            .delete(self.url("/api/shipments"))
            .json(&[booking.booking_id.as_str()]);
        let ans: DeleteAnswer = self.call(req).await?.json(KIND)?;
        match ans
            .results
            .into_iter()
            .find(|r| r.connote == booking.booking_id)
        {
            Some(r) if r.deleted => {
                tracing::info!(carrier = %KIND, connote = %booking.booking_id, "shipment deleted");
                Ok(())
            }
            Some(r) => Err(FreightError::CancelRefused {
                carrier: KIND,
                reason: r
                    .reason
                    .unwrap_or_else(|| "the shipment is already on its way".to_owned()),
            }),
            None => Err(FreightError::BadResponse {
                carrier: KIND,
                detail: format!("no answer for connote {}", booking.booking_id),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn junk_from_the_carrier_never_panics(body in prop::collection::vec(any::<u8>(), 0..200), text in ".{0,120}") {
            let _ = error_reason(&body);
            let _ = serde_json::from_slice::<RatesAnswer>(&body);
            let _ = serde_json::from_str::<RatesAnswer>(&text);
            let _ = serde_json::from_str::<ShipmentAnswer>(&text);
            let _ = serde_json::from_str::<SearchAnswer>(&text);
        }
    }

    #[test]
    fn rejected_rates_are_read_with_their_reasons() {
        let body =
            br#"{"Available":[],"Rejected":[{"CarrierName":"NZ Couriers","Reason":"over 50 kg"}]}"#;
        let a: RatesAnswer = serde_json::from_slice(body).unwrap();
        assert_eq!(a.rejected[0].reason, "over 50 kg");
        assert_eq!(
            error_reason(br#"{"Errors":["Quote expired"]}"#).as_deref(),
            Some("Quote expired")
        );
    }
}
