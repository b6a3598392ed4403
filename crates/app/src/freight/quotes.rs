//! Quotes for a consignment's weighed boxes, from the hub, as rows side by side.

use rust_decimal::Decimal;
use tally_domain::freight::{ChargeBasis, DeliveryOptions, Dimensions, Grams};
use tally_freight::{QuoteComparison, QuoteRow, ShipBox, ShipmentRequest, Weighed};
use tally_store::Weight;

use super::views::{
    BoxChargeView, DeliveryChoice, FreightFailureView, FreightQuoteRow, FreightQuotes,
};
use super::{freight_error, REQUIRED_LEVEL};
use crate::error::AppError;
use crate::App;

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn kg(d: Decimal) -> String {
    d.round_dp(2).to_string()
}

/// The row key `book_freight` takes: carrier API and service code.
pub(crate) fn row_key(q: &tally_freight::Quote) -> String {
    format!("{}/{}", snake(&q.carrier), q.service_code)
}

fn row_view(r: &QuoteRow, cheapest: bool) -> FreightQuoteRow {
    let q = &r.quote;
    let boxes: Vec<BoxChargeView> = q
        .charges
        .iter()
        .map(|c| BoxChargeView {
            box_number: c.box_number,
            dead_kg: kg(c.chargeable.dead_kg),
            cubic_kg: kg(c.chargeable.cubic_kg),
            chargeable_kg: kg(c.chargeable.chargeable_kg),
            basis: snake(&c.chargeable.basis),
        })
        .collect();
    let total =
        |f: fn(&tally_freight::BoxCharge) -> Decimal| -> Decimal { q.charges.iter().map(f).sum() };
    let cubic = q
        .charges
        .iter()
        .filter(|c| c.chargeable.basis == ChargeBasis::Cubic)
        .count();
    let basis = match cubic {
        0 => "dead",
        n if n == q.charges.len() => "cubic",
        _ => "mixed",
    };
    FreightQuoteRow {
        key: row_key(q),
        carrier: snake(&q.carrier),
        carrier_name: q.carrier_name.clone(),
        service: q.description.clone(),
        service_code: q.service_code.clone(),
        level: snake(&q.level),
        price_excl_gst: r.price.excl_gst.to_string(),
        gst: r.price.gst.to_string(),
        price_incl_gst: r.price.incl_gst.to_string(),
        delivery_estimate: q.delivery_estimate.clone(),
        rural: q.rural,
        chargeable_kg: kg(total(|c| c.chargeable.chargeable_kg)),
        dead_kg: kg(total(|c| c.chargeable.dead_kg)),
        basis: basis.to_owned(),
        boxes,
        meets_required_level: r.meets_required_level,
        cheapest,
    }
}

/// The comparison as the panel shows it.
pub(crate) fn quotes_view(
    consignment_id: &str,
    reference: &str,
    req: &ShipmentRequest,
    c: &QuoteComparison,
) -> FreightQuotes {
    FreightQuotes {
        options: DeliveryChoice::of(&req.options),
        consignment_id: consignment_id.to_owned(),
        reference: reference.to_owned(),
        rows: c
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| row_view(r, c.preselected == Some(i)))
            .collect(),
        preselected: c.preselected.and_then(|i| u32::try_from(i).ok()),
        required_level: snake(&c.required_level),
        all_weights_measured: c.all_weights_measured,
        typed_boxes: req
            .boxes
            .iter()
            .filter(|b| b.weighed == Weighed::Typed)
            .map(|b| b.number)
            .collect(),
        failures: c
            .failures
            .iter()
            .map(|f| FreightFailureView {
                carrier: f.carrier.display_name().to_owned(),
                code: f.code.clone(),
                message: f.message.clone(),
            })
            .collect(),
        booked: None,
    }
}

impl App {
    /// The shipment of a consignment's boxes, refused until every box is closed and
    /// weighed (a quote is only valid with the measured weight of every box).
    pub(crate) fn shipment_request(
        &self,
        consignment_id: &str,
    ) -> Result<(ShipmentRequest, u32, String), AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        let destination = ctx.header.destination_outlet_id.ok_or_else(|| {
            AppError::new(
                "FREIGHT_NO_DESTINATION",
                "Only transfers to another outlet are booked here; book supplier returns with the supplier's carrier.",
            )
        })?;
        let parcels = self.store().boxes(ctx.id())?;
        if parcels.is_empty() {
            return Err(AppError::new(
                "FREIGHT_NO_BOXES",
                "There are no boxes yet. Pack and close the boxes on the scale first.",
            ));
        }
        let containers = self.packing_containers();
        let views = self.box_views(&ctx)?;
        let mut boxes = Vec::with_capacity(parcels.len());
        for p in &parcels {
            if p.closed_at.is_none() {
                return Err(AppError::new(
                    "FREIGHT_BOX_OPEN",
                    format!(
                        "Box {} is still open. Close it on the scale (F4), then get quotes.",
                        p.number
                    ),
                ));
            }
            let (grams, weighed) = match &p.weight {
                Some(Weight::Scale { grams, stable, .. }) => (
                    *grams,
                    if *stable {
                        Weighed::Scale
                    } else {
                        Weighed::Unstable
                    },
                ),
                Some(Weight::Typed { grams }) => (*grams, Weighed::Typed),
                None => {
                    return Err(AppError::new(
                        "FREIGHT_BOX_NOT_WEIGHED",
                        format!(
                            "Box {} has no weight. Weigh it before asking for prices.",
                            p.number
                        ),
                    ));
                }
            };
            let outer = match p.dimensions {
                Some(d) => Dimensions::mm(d.length_mm, d.width_mm, d.height_mm),
                None => containers
                    .iter()
                    .find(|c| c.code == p.container_type)
                    .map_or(Dimensions::mm(400, 300, 200), |c| {
                        Dimensions::mm(c.length_mm, c.width_mm, c.height_mm)
                    }),
            };
            boxes.push(ShipBox {
                number: p.number,
                container_code: Some(p.container_type.clone()),
                outer,
                weight: Grams(grams),
                weighed,
            });
        }
        let units: i64 = views.iter().map(|b| i64::from(b.units.max(0))).sum();
        Ok((
            ShipmentRequest {
                consignment_id: ctx.id().to_string(),
                consignment_ref: ctx.header.reference.clone(),
                destination_outlet_id: destination.to_string(),
                boxes,
                options: DeliveryOptions::default(),
                required_level: REQUIRED_LEVEL,
            },
            u32::try_from(units).unwrap_or(u32::MAX),
            ctx.header.reference,
        ))
    }

    /// Prices from every carrier the hub has for the consignment's weighed boxes, side
    /// by side, cheapest first, with the cheapest overnight service preselected.
    pub async fn freight_quotes(
        &self,
        consignment_id: &str,
        choice: DeliveryChoice,
    ) -> Result<FreightQuotes, AppError> {
        let (mut req, _units, reference) = self.shipment_request(consignment_id)?;
        req.options = req.options.union(choice.to_options());
        let id = crate::app::parse_id("consignment", consignment_id)?;
        let booked = self.freight_status(consignment_id)?;
        let client = self.freight.client()?.clone();
        let c = client.quote(&req).await.map_err(|e| freight_error(&e))?;
        tracing::info!(consignment_id, rows = c.rows.len(), preselected = ?c.preselected, "freight quotes shown");
        let mut view = quotes_view(consignment_id, &reference, &req, &c);
        view.booked = booked;
        self.freight.remember(id, req, c);
        Ok(view)
    }
}
