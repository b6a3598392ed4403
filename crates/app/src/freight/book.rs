//! Booking a quoted row through the hub, printing the carrier labels at the bench and
//! recording the tracking numbers on the boxes and the consignment.

use std::path::PathBuf;

use tally_devices::PrintFormat;
use tally_freight::{BookRequest, BookResponse, FreightError, Label, LabelFormat, ShipmentRequest};
use tally_store::{Actor, FreightBooked, FreightBooking, FreightState};
use uuid::Uuid;

use super::deferred::DeferredFreight;
use super::freight_error;
use super::quotes::row_key;
use super::views::FreightBookingView;
use crate::app::parse_id;
use crate::error::AppError;
use crate::packing::printing::{print_result, Target};
use crate::packing::PrintResult;
use crate::App;

/// Where carrier labels are saved at a bench whose label printer cannot take them.
const SAVED_CARRIER_LABELS: &str = "Saved carrier labels (PDF)";

pub(crate) fn booking_view(b: &FreightBooking) -> FreightBookingView {
    let price = b.price_excl_gst.map(tally_domain::freight::price_with_gst);
    FreightBookingView {
        consignment_id: b.consignment_id.to_string(),
        state: b.state.as_str().to_owned(),
        carrier_name: b.carrier_name.clone(),
        service: b.service.clone(),
        price_excl_gst: price.map(|p| p.excl_gst.to_string()),
        price_incl_gst: price.map(|p| p.incl_gst.to_string()),
        tracking_numbers: b.tracking_numbers.clone(),
        booking_id: b.booking_id.clone(),
        already_booked: false,
        print: None,
        label_files: Vec::new(),
        note: (b.state == FreightState::Waiting).then(|| {
            b.last_error
                .clone()
                .unwrap_or_else(|| "Waiting for the hub: booked as soon as it answers.".to_owned())
        }),
        tracking_state: None,
    }
}

impl App {
    /// The label format the bench's label printer takes.
    pub(crate) fn carrier_label_format(&self) -> LabelFormat {
        let bench = self.bench_info();
        match self.target(
            bench.label_printer,
            (SAVED_CARRIER_LABELS, "carrier-labels"),
        ) {
            Target::Printer(_, PrintFormat::Zpl) => LabelFormat::Zpl,
            _ => LabelFormat::Pdf,
        }
    }

    /// A consignment's freight booking, if freight was booked or is waiting.
    pub fn freight_status(
        &self,
        consignment_id: &str,
    ) -> Result<Option<FreightBookingView>, AppError> {
        let id = parse_id("consignment", consignment_id)?;
        let Some(b) = self.store().freight_booking(id)? else {
            return Ok(None);
        };
        let mut view = booking_view(&b);
        // The hub's tracking of this booking (not of an earlier, cancelled one).
        view.tracking_state = self
            .store()
            .freight_tracking(id)?
            .filter(|t| Some(&t.booking_id) == b.booking_id.as_ref())
            .map(|t| t.state);
        if let Some(c) = self.waiting_cancel(id)? {
            view.state = "cancelling".to_owned();
            view.note = Some(format!(
                "Cancel asked for ({}): sent as soon as the hub answers.{}",
                c.reason,
                c.last_error
                    .map(|e| format!(" Last try: {e}"))
                    .unwrap_or_default()
            ));
        }
        Ok(Some(view))
    }

    /// Books the quoted row `quote_key` (from `freight_quotes`) through the hub, prints
    /// the carrier labels and records the tracking numbers. A retry never books twice:
    /// the hub answers the earlier booking of the same boxes. If the hub is out of
    /// reach, the booking waits and the sync loop makes it when the hub answers.
    pub async fn book_freight(
        &self,
        consignment_id: &str,
        quote_key: &str,
    ) -> Result<FreightBookingView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        if self.waiting_cancel(id)?.is_some() {
            return Err(AppError::new(
                "FREIGHT_CANCEL_PENDING",
                "The old label's cancel is still waiting for the hub. Book again once it is cancelled.",
            ));
        }
        let (req, units, _) = self.shipment_request(consignment_id)?;
        let Some((quoted_req, comparison)) = self.freight.remembered(id) else {
            return Err(AppError::new(
                "FREIGHT_QUOTE_MISSING",
                "Get quotes first (F10), then pick a row and press Enter.",
            ));
        };
        if quoted_req.boxes != req.boxes {
            return Err(AppError::new(
                "FREIGHT_QUOTE_STALE",
                "The boxes changed since these prices. Get quotes again (F10).",
            ));
        }
        // Booked with the delivery options the prices were for.
        let req = ShipmentRequest {
            options: quoted_req.options,
            ..req
        };
        let quote = comparison
            .rows
            .iter()
            .find(|r| row_key(&r.quote) == quote_key)
            .map(|r| r.quote.clone())
            .ok_or_else(|| {
                AppError::new(
                    "FREIGHT_QUOTE_UNKNOWN",
                    "That price is not in the list any more. Get quotes again (F10).",
                )
            })?;
        if comparison.preselected.is_none()
            && req
                .boxes
                .iter()
                .any(|b| b.weighed == tally_freight::Weighed::Unstable)
        {
            return Err(FreightError::WeightNotStable {
                box_number: req
                    .boxes
                    .iter()
                    .find(|b| b.weighed == tally_freight::Weighed::Unstable)
                    .map_or(0, |b| b.number),
            })
            .map_err(|e| freight_error(&e));
        }
        let book = BookRequest {
            shipment: req,
            quote,
            units,
            label_format: self.carrier_label_format(),
        };
        match self.send_booking(&actor, id, &book).await {
            Ok(view) => Ok(view),
            Err(e) if e.is_retryable() => {
                let note = format!("{} Booked when the hub answers.", freight_error(&e).message);
                self.defer_freight(&actor, id, &DeferredFreight::from_book(&book), &note)
            }
            Err(e) => Err(freight_error(&e)),
        }
    }

    /// Sends a booking to the hub and records what came back.
    pub(crate) async fn send_booking(
        &self,
        actor: &Actor,
        id: Uuid,
        book: &BookRequest,
    ) -> Result<FreightBookingView, FreightError> {
        let client = self
            .freight
            .client()
            .map_err(|e| FreightError::HubUnreachable { detail: e.message })?
            .clone();
        let answer = client.book(book).await?;
        self.record_booking(actor, id, book, &answer)
            .map_err(|e| FreightError::HubRefused {
                status: 200,
                code: e.code,
                message: e.message,
            })
    }

    fn record_booking(
        &self,
        actor: &Actor,
        id: Uuid,
        book: &BookRequest,
        answer: &BookResponse,
    ) -> Result<FreightBookingView, AppError> {
        let parcels = self.store().boxes(id)?;
        let box_tracking: Vec<(Uuid, String)> = answer
            .booking
            .parcels
            .iter()
            .filter_map(|bp| {
                parcels
                    .iter()
                    .find(|p| p.number == bp.box_number)
                    .filter(|p| p.tracking_number.as_deref() != Some(bp.tracking_number.as_str()))
                    .map(|p| (p.id, bp.tracking_number.clone()))
            })
            .collect();
        let request = serde_json::to_string(book)
            .map_err(|e| AppError::new("FREIGHT_RECORD_FAILED", e.to_string()))?;
        let booked = FreightBooked {
            carrier_name: answer.booking.carrier_name.clone(),
            service: if book.quote.carrier == answer.booking.carrier {
                book.quote.description.clone()
            } else {
                answer.booking.service_code.clone()
            },
            price_excl_gst: answer.booking.price_excl_gst,
            booking_id: answer.booking.booking_id.clone(),
            box_tracking,
        };
        let mut record = self.store().freight_booked(actor, id, &request, &booked)?;
        // Every box's number, not only those changed now (a retry changes none).
        record.tracking_numbers = answer
            .booking
            .parcels
            .iter()
            .map(|p| p.tracking_number.clone())
            .collect();
        let labels: Vec<Label> = answer
            .labels
            .iter()
            .map(|l| l.to_label())
            .collect::<Result<_, _>>()
            .map_err(|e| freight_error(&e))?;
        let (print, files) = self.print_carrier_labels(id, &book.shipment, &labels);
        tracing::info!(
            consignment_id = %id,
            carrier = %booked.carrier_name,
            booking_id = %booked.booking_id,
            already_booked = answer.already_booked,
            printed = print.done,
            "freight booked"
        );
        self.nudge_sync();
        let mut view = booking_view(&record);
        view.already_booked = answer.already_booked;
        view.print = Some(print);
        view.label_files = files;
        Ok(view)
    }

    /// Prints the labels on the bench's label printer in the format it takes. A PDF-only
    /// label at a ZPL printer goes to the document printer when it takes PDF, else it is
    /// saved as a file to print. Every PDF is kept (evidence and a file to reprint).
    fn print_carrier_labels(
        &self,
        id: Uuid,
        shipment: &ShipmentRequest,
        labels: &[Label],
    ) -> (PrintResult, Vec<String>) {
        let files = self.keep_label_pdfs(id, shipment, labels);
        let bench = self.bench_info();
        let folder = (SAVED_CARRIER_LABELS, "carrier-labels");
        let label_target = self.target(bench.label_printer, folder);
        let doc_target = self.target(bench.document_printer, folder);
        let pick = |t: &Target| -> Option<Vec<&Label>> {
            let want = match t {
                Target::Printer(_, PrintFormat::Zpl) => LabelFormat::Zpl,
                _ => LabelFormat::Pdf,
            };
            let ls: Vec<&Label> = labels.iter().filter(|l| l.format == want).collect();
            (!ls.is_empty()).then_some(ls)
        };
        let (target, chosen) = match (pick(&label_target), pick(&doc_target)) {
            (Some(ls), _) => (label_target, ls),
            (None, Some(ls)) => (doc_target, ls),
            (None, None) => {
                return (
                    PrintResult {
                        done: false,
                        printer: None,
                        file: files.first().cloned(),
                        problem: Some("The carrier sent no label this bench can print. The PDF is saved; print it from any computer.".into()),
                    },
                    files,
                )
            }
        };
        let mut last = None;
        for l in chosen {
            match self.send_to(&target, &l.bytes) {
                Ok(job) => last = Some(print_result(&job)),
                Err(e) => {
                    return (
                        PrintResult {
                            done: false,
                            printer: None,
                            file: files.first().cloned(),
                            problem: Some(format!(
                                "The carrier label was not printed: {} The PDF is saved at {}.",
                                e.message,
                                files.first().map_or("—", String::as_str)
                            )),
                        },
                        files,
                    )
                }
            }
        }
        (
            last.unwrap_or(PrintResult {
                done: false,
                printer: None,
                file: None,
                problem: Some("No label was printed.".into()),
            }),
            files,
        )
    }

    /// Keeps every PDF label: in the evidence store, referred to by the consignment's
    /// freight booking, and as a file named for the consignment (label ids are the
    /// carrier's, so they are cleaned for a file name).
    fn keep_label_pdfs(
        &self,
        id: Uuid,
        shipment: &ShipmentRequest,
        labels: &[Label],
    ) -> Vec<String> {
        let dir: PathBuf = self.data_dir().join("carrier-labels");
        let mut out = Vec::new();
        for l in labels.iter().filter(|l| l.format == LabelFormat::Pdf) {
            let kept = self
                .evidence()
                .and_then(|ev| ev.put(&l.bytes).map_err(AppError::from))
                .and_then(|hash| {
                    self.store()
                        .refer_evidence(&[hash], "label_pdf", "freight_booking", id)
                        .map_err(AppError::from)
                });
            if let Err(e) = kept {
                tracing::warn!(code = %e.code, "carrier label not kept as evidence");
            }
            let clean = |s: &str| -> String {
                s.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect()
            };
            let path = dir.join(format!(
                "{}-{}.pdf",
                clean(&shipment.consignment_ref),
                clean(&l.label_id)
            ));
            let written =
                std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &l.bytes));
            match written {
                Ok(()) => out.push(path.display().to_string()),
                Err(e) => tracing::warn!(error = %e, "carrier label PDF not saved"),
            }
        }
        out
    }

    pub(crate) fn defer_freight(
        &self,
        actor: &Actor,
        id: Uuid,
        deferred: &DeferredFreight,
        note: &str,
    ) -> Result<FreightBookingView, AppError> {
        let json = serde_json::to_string(deferred)
            .map_err(|e| AppError::new("FREIGHT_RECORD_FAILED", e.to_string()))?;
        let b = self.store().freight_defer(actor, id, &json, note)?;
        tracing::info!(consignment_id = %id, "freight booking deferred until the hub answers");
        self.nudge_sync();
        Ok(booking_view(&b))
    }

    /// Offline: records "book when back online" for the consignment's boxes; the sync
    /// loop asks the carriers and books the cheapest overnight service when the hub
    /// answers.
    pub fn book_freight_when_online(
        &self,
        consignment_id: &str,
        choice: super::views::DeliveryChoice,
    ) -> Result<FreightBookingView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let (mut req, units, _) = self.shipment_request(consignment_id)?;
        req.options = req.options.union(choice.to_options());
        let deferred = DeferredFreight {
            shipment: req,
            preferred: None,
            units,
            label_format: self.carrier_label_format(),
        };
        self.defer_freight(
            &actor,
            id,
            &deferred,
            "Waiting for the hub: the cheapest overnight service is booked as soon as it answers.",
        )
    }
}

impl DeferredFreight {
    /// A deferred booking that prefers the row the person picked.
    pub(crate) fn from_book(b: &BookRequest) -> Self {
        Self {
            shipment: b.shipment.clone(),
            preferred: Some(Preferred::of(&b.quote)),
            units: b.units,
            label_format: b.label_format,
        }
    }
}

pub(crate) use super::deferred::Preferred;
