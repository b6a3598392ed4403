//! The receiving report: an A4 PDF of what arrived against what was expected, with each
//! variance's reason and note, thumbnails of the damage photos, the receive sessions and
//! their signatures. The consignment reference is printed as Code 128 so the paper can be
//! scanned back to the consignment. Photos and signatures arrive as RGB pixels (the
//! caller decodes and downsizes them) and are embedded losslessly.

use printpdf::{
    Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, RawImage, RawImageData, RawImageFormat,
    XObjectId, XObjectTransform,
};
use rust_decimal::Decimal;

use crate::barcode::{self, Code128Content};
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::party::Party;
use crate::pdf::PdfCanvas;
use crate::text;

/// An image to place: RGB, 8 bits a channel, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportImage {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

/// One product line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportLine {
    /// Line number (as the station's messages name it).
    pub line_no: u32,
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Not on the consignment: arrived anyway.
    pub unexpected: bool,
    /// Quantity expected.
    pub expected: Decimal,
    /// Quantity received over all sessions.
    pub received: Decimal,
    /// Of those, damaged.
    pub damaged: Decimal,
    /// The variance's worth at cost, formatted (`$30.00`).
    pub value: String,
    /// Reason, in words.
    pub reason: Option<String>,
    /// Note with the reason.
    pub note: Option<String>,
    /// Flagged for audit (over-receipt above the threshold).
    pub flagged: bool,
    /// Photo thumbnails.
    pub photos: Vec<ReportImage>,
}

/// A signature with its caption ("Received by Aroha Ngata, 25 Nov 2026 14:02").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSignature {
    /// Caption under the image.
    pub caption: String,
    /// The signature.
    pub image: ReportImage,
}

/// One receive session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSession {
    /// One-line summary: when, who, how many units, open or closed.
    pub summary: String,
    /// Signatures taken at its close (receiver, then driver).
    pub signatures: Vec<ReportSignature>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivingReport {
    /// Consignment reference (also printed as Code 128).
    pub consignment_ref: String,
    /// "Purchase order" or "Transfer", and the status ("Received").
    pub subtitle: String,
    /// Supplier or sending outlet.
    pub from: Party,
    /// Receiving outlet.
    pub to: Party,
    /// When printed, formatted.
    pub printed: String,
    /// Totals line ("12 expected, 11 received, variance worth $30.00").
    pub summary: String,
    /// How a large variance was handled, if it was.
    pub sign_off: Option<String>,
    /// Lines in order.
    pub lines: Vec<ReportLine>,
    /// Sessions, oldest first.
    pub sessions: Vec<ReportSession>,
}

const A4: (f32, f32) = (210.0, 297.0);
const MARGIN: f32 = 15.0;
/// Lowest y content may reach before a new page (the footer sits below).
const BOTTOM: f32 = A4.1 - 20.0;
const PHOTO_BOX: (f32, f32) = (34.0, 26.0);
const SIGNATURE_BOX: (f32, f32) = (70.0, 24.0);

fn qty(d: Decimal) -> String {
    d.normalize().to_string()
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", qty(d))
    } else {
        qty(d)
    }
}

/// Where an image goes: page, top-left and size in mm.
struct Placement {
    page: usize,
    image: usize,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

/// Pages being laid out top to bottom.
struct Flow {
    pages: Vec<PdfCanvas>,
    y: f32,
    images: Vec<ReportImage>,
    placements: Vec<Placement>,
}

impl Flow {
    fn page(&mut self) -> &mut PdfCanvas {
        self.pages.last_mut().expect("a flow always has a page")
    }

    /// Makes room for `h` mm, starting a new page when needed; true if a page began.
    fn need(&mut self, h: f32) -> bool {
        if self.y + h <= BOTTOM {
            return false;
        }
        self.pages.push(PdfCanvas::new(A4.0, A4.1));
        self.y = MARGIN;
        true
    }

    /// Places an image scaled to fit `(bw, bh)` at x on the current line.
    fn image(&mut self, img: &ReportImage, x: f32, (bw, bh): (f32, f32)) -> (f32, f32) {
        let scale = (bw / img.width as f32).min(bh / img.height as f32);
        let (w, h) = (img.width as f32 * scale, img.height as f32 * scale);
        self.images.push(img.clone());
        self.placements.push(Placement {
            page: self.pages.len() - 1,
            image: self.images.len() - 1,
            x,
            y: self.y,
            w,
            h,
        });
        (w, h)
    }
}

/// Table columns: (x offset from the margin, width, heading, alignment).
const COLUMNS: [(f32, f32, &str, Align); 8] = [
    (0.0, 8.0, "#", Align::Left),
    (8.0, 34.0, "SKU", Align::Left),
    (42.0, 56.0, "Product", Align::Left),
    (98.0, 16.0, "Expected", Align::Right),
    (114.0, 16.0, "Received", Align::Right),
    (130.0, 16.0, "Damaged", Align::Right),
    (146.0, 16.0, "Variance", Align::Right),
    (162.0, 18.0, "Value", Align::Right),
];

impl ReceivingReport {
    /// Checks the input before drawing anything.
    pub fn validate(&self) -> Result<(), LabelError> {
        self.from.validate("sender")?;
        self.to.validate("receiver")?;
        let images = self.lines.iter().flat_map(|l| l.photos.iter()).chain(
            self.sessions
                .iter()
                .flat_map(|s| s.signatures.iter().map(|g| &g.image)),
        );
        for img in images {
            let expected = img.width as usize * img.height as usize * 3;
            if img.width == 0 || img.height == 0 || img.rgb.len() != expected {
                return Err(LabelError::InvalidInput {
                    field: "image",
                    detail: format!(
                        "{}×{} RGB needs {expected} bytes, got {}",
                        img.width,
                        img.height,
                        img.rgb.len()
                    ),
                });
            }
        }
        if self.lines.iter().any(|l| {
            l.expected.is_sign_negative()
                || l.received.is_sign_negative()
                || l.damaged.is_sign_negative()
        }) {
            return Err(LabelError::InvalidInput {
                field: "lines",
                detail: "quantities cannot be negative".into(),
            });
        }
        barcode::code128(&Code128Content::Text(self.consignment_ref.clone())).map(|_| ())
    }

    /// The report as an A4 PDF; returns the bytes and the page count.
    pub fn to_pdf(&self) -> Result<(Vec<u8>, u32), LabelError> {
        self.validate()?;
        let mut flow = Flow {
            pages: vec![PdfCanvas::new(A4.0, A4.1)],
            y: MARGIN,
            images: Vec::new(),
            placements: Vec::new(),
        };
        self.header(&mut flow)?;
        self.table(&mut flow);
        self.sessions_section(&mut flow);
        let total = flow.pages.len();
        let title = format!("Receiving report {}", self.consignment_ref);
        let mut pages: Vec<PdfPage> = Vec::with_capacity(total);
        for (i, mut c) in flow.pages.into_iter().enumerate() {
            let inner = A4.0 - 2.0 * MARGIN;
            c.fill_rect(MARGIN, A4.1 - 15.0, inner, 0.2);
            c.text_in(
                MARGIN,
                A4.1 - 13.0,
                inner / 2.0,
                3.2,
                false,
                Align::Left,
                &format!("RECEIVING REPORT {}", self.consignment_ref),
            );
            c.text_in(
                MARGIN,
                A4.1 - 13.0,
                inner,
                3.2,
                false,
                Align::Right,
                &format!("Page {} of {total}", i + 1),
            );
            pages.push(c.into_page());
        }
        let mut doc = PdfDocument::new(&title);
        let ids: Vec<XObjectId> = flow
            .images
            .iter()
            .map(|img| {
                doc.add_image(&RawImage {
                    pixels: RawImageData::U8(img.rgb.clone()),
                    width: img.width as usize,
                    height: img.height as usize,
                    data_format: RawImageFormat::RGB8,
                    tag: Vec::new(),
                })
            })
            .collect();
        for p in &flow.placements {
            let img = &flow.images[p.image];
            // An image is drawn at `dpi` pixels an inch: pick the dpi that makes it `w` wide.
            let dpi = img.width as f32 / (p.w / 25.4);
            pages[p.page].ops.push(Op::UseXobject {
                id: ids[p.image].clone(),
                transform: XObjectTransform {
                    translate_x: Some(Mm(p.x).into()),
                    translate_y: Some(Mm(A4.1 - p.y - p.h).into()),
                    dpi: Some(dpi),
                    ..XObjectTransform::default()
                },
            });
        }
        let mut warnings = Vec::new();
        let bytes = doc
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut warnings);
        Ok((bytes, u32::try_from(total).unwrap_or(u32::MAX)))
    }

    fn header(&self, f: &mut Flow) -> Result<(), LabelError> {
        let (w, m) = (A4.0, MARGIN);
        let c = f.page();
        c.text(m, m, 7.0, true, "RECEIVING REPORT");
        c.text(
            m,
            m + 9.0,
            4.5,
            false,
            &format!("Consignment {}", self.consignment_ref),
        );
        c.text(m, m + 15.0, 3.8, false, &self.subtitle);
        c.text(
            m,
            m + 20.0,
            3.4,
            false,
            &format!("Printed {}", self.printed),
        );
        let content = Code128Content::Text(self.consignment_ref.clone());
        let symbol = barcode::code128(&content)?;
        let module = fit_module(c, symbol.total_modules(), 80.0, 0.4, 0.25).ok_or(
            LabelError::DoesNotFit {
                symbology: "Code 128",
            },
        )?;
        let bw = symbol.total_modules() as f32 * module;
        c.code128(w - m - bw, m, module, 14.0, &symbol, &content);
        c.text_in(
            w - m - bw,
            m + 15.0,
            bw,
            3.5,
            false,
            Align::Center,
            &self.consignment_ref,
        );

        let mut y = m + 28.0;
        let col = (w - 2.0 * m) / 2.0;
        for (i, (label, party)) in [("From", &self.from), ("To", &self.to)]
            .into_iter()
            .enumerate()
        {
            let x = m + i as f32 * col;
            c.text(x, y, 3.2, false, label);
            c.text_in(x, y + 4.5, col - 4.0, 4.6, true, Align::Left, &party.name);
            for (j, line) in party.lines.iter().take(2).enumerate() {
                c.text_in(
                    x,
                    y + 10.5 + j as f32 * 4.6,
                    col - 4.0,
                    3.8,
                    false,
                    Align::Left,
                    line,
                );
            }
        }
        y += 22.0;
        c.text_in(m, y, w - 2.0 * m, 4.0, true, Align::Left, &self.summary);
        y += 6.0;
        if let Some(s) = &self.sign_off {
            c.text_in(m, y, w - 2.0 * m, 3.8, false, Align::Left, s);
            y += 6.0;
        }
        f.y = y + 2.0;
        Ok(())
    }

    fn table_head(f: &mut Flow) {
        let y = f.y;
        let c = f.page();
        for (x, cw, head, align) in COLUMNS {
            c.text_in(MARGIN + x, y + 1.0, cw, 3.1, true, align, head);
        }
        c.fill_rect(MARGIN, y + 6.0, A4.0 - 2.0 * MARGIN, 0.4);
        f.y += 8.0;
    }

    fn table(&self, f: &mut Flow) {
        Self::table_head(f);
        let inner = A4.0 - 2.0 * MARGIN;
        for line in &self.lines {
            let variance = line.received - line.expected;
            let explain = line.reason.is_some() || line.note.is_some() || line.flagged;
            let note_lines = match (&line.reason, &line.note) {
                (r, n) if r.is_some() || n.is_some() => {
                    let text_ = format!(
                        "{}{}{}{}",
                        r.as_deref().unwrap_or(""),
                        if r.is_some() && n.is_some() { ": " } else { "" },
                        n.as_deref().unwrap_or(""),
                        if line.flagged {
                            "  [flagged for audit]"
                        } else {
                            ""
                        }
                    );
                    text::wrap(&text_, inner - 50.0, 3.3, false, 3)
                }
                _ if line.flagged => vec!["[flagged for audit]".to_string()],
                _ => Vec::new(),
            };
            let photos_h = if line.photos.is_empty() {
                0.0
            } else {
                PHOTO_BOX.1 + 2.0
            };
            let h =
                7.0 + note_lines.len() as f32 * 4.4 + photos_h + if explain { 1.5 } else { 0.0 };
            if f.need(h) {
                Self::table_head(f);
            }
            let y = f.y;
            let name = if line.unexpected {
                format!("{} (not on the order)", line.name)
            } else {
                line.name.clone()
            };
            let cells = [
                line.line_no.to_string(),
                line.sku.clone(),
                name,
                qty(line.expected),
                qty(line.received),
                qty(line.damaged),
                signed(variance),
                line.value.clone(),
            ];
            let differs = !variance.is_zero() || !line.damaged.is_zero();
            let c = f.page();
            for ((x, cw, _, align), cell) in COLUMNS.into_iter().zip(cells.iter()) {
                let bold = differs && x >= 114.0;
                c.text_in(MARGIN + x, y + 1.5, cw, 3.6, bold, align, cell);
            }
            let mut ly = y + 7.0;
            for t in &note_lines {
                c.text_in(MARGIN + 42.0, ly, inner - 50.0, 3.3, false, Align::Left, t);
                ly += 4.4;
            }
            f.y = ly;
            if !line.photos.is_empty() {
                let mut x = MARGIN + 42.0;
                for p in &line.photos {
                    if x + PHOTO_BOX.0 > A4.0 - MARGIN {
                        break;
                    }
                    let (w, _) = f.image(p, x, PHOTO_BOX);
                    x += w + 3.0;
                }
                f.y += PHOTO_BOX.1 + 2.0;
            }
            if explain {
                f.y += 1.5;
            }
            let y_rule = f.y - 0.2;
            f.page().fill_rect(MARGIN, y_rule, inner, 0.15);
        }
        f.y += 4.0;
    }

    fn sessions_section(&self, f: &mut Flow) {
        f.need(14.0);
        let y = f.y;
        f.page()
            .text(MARGIN, y, 4.6, true, "Receive sessions and signatures");
        f.y += 8.0;
        let inner = A4.0 - 2.0 * MARGIN;
        for s in &self.sessions {
            let sig_h = if s.signatures.is_empty() {
                0.0
            } else {
                SIGNATURE_BOX.1 + 8.0
            };
            f.need(6.0 + sig_h);
            let y = f.y;
            f.page()
                .text_in(MARGIN, y, inner, 3.6, false, Align::Left, &s.summary);
            f.y += 5.5;
            if !s.signatures.is_empty() {
                let mut x = MARGIN;
                for sig in &s.signatures {
                    let (w, h) = f.image(&sig.image, x, SIGNATURE_BOX);
                    let (iy, cap_w) = (f.y, SIGNATURE_BOX.0 + 12.0);
                    let c = f.page();
                    c.fill_rect(x, iy + h + 0.5, SIGNATURE_BOX.0, 0.25);
                    c.text_in(
                        x,
                        iy + SIGNATURE_BOX.1 + 1.5,
                        cap_w,
                        3.0,
                        false,
                        Align::Left,
                        &sig.caption,
                    );
                    x += w.max(SIGNATURE_BOX.0) + 14.0;
                }
                f.y += SIGNATURE_BOX.1 + 7.0;
            }
            f.y += 2.0;
        }
    }
}

/// A sample report for tests and the printer test page: one short line, one damaged
/// line with a photo, an unexpected item, two sessions with signatures.
pub fn sample() -> ReceivingReport {
    let photo = ReportImage {
        width: 64,
        height: 48,
        rgb: (0..64 * 48)
            .flat_map(|i| {
                if (i % 64) < 32 {
                    [200, 40, 40]
                } else {
                    [40, 40, 200]
                }
            })
            .collect(),
    };
    let signature = ReportImage {
        width: 120,
        height: 40,
        rgb: (0..120 * 40i32)
            .flat_map(|i| {
                let (x, y) = (i % 120, i / 120);
                if (y - 20 - ((x as f32 / 8.0).sin() * 10.0) as i32).abs() < 2 {
                    [20, 33, 43]
                } else {
                    [255, 255, 255]
                }
            })
            .collect(),
    };
    let line = |n: u32, sku: &str, name: &str, e: i64, r: i64, d: i64| ReportLine {
        line_no: n,
        sku: sku.into(),
        name: name.into(),
        unexpected: e == 0,
        expected: Decimal::from(e),
        received: Decimal::from(r),
        damaged: Decimal::from(d),
        value: "$0.00".into(),
        reason: None,
        note: None,
        flagged: false,
        photos: vec![],
    };
    let mut short = line(1, "VAPE-001", "Mango Ice 50ml", 10, 8, 0);
    short.reason = Some("Short".into());
    short.value = "$24.00".into();
    let mut damaged = line(2, "VAPE-002", "Berry Blast 50ml", 6, 6, 2);
    damaged.reason = Some("Damaged".into());
    damaged.note = Some("Two bottles crushed in the carton".into());
    damaged.value = "$18.00".into();
    damaged.photos = vec![photo.clone(), photo];
    let mut extra = line(4, "COIL-09", "Mesh coil 0.4 ohm", 0, 1, 0);
    extra.reason = Some("Wrong item".into());
    ReceivingReport {
        consignment_ref: "TR-PUR-202611-000042-17".into(),
        subtitle: "Purchase order · Received".into(),
        from: Party::new("Vapour Supplies Ltd", &["12 Queen St", "Auckland 1010"]),
        to: Party::new("Newmarket", &["Broadway", "Auckland 1023"]),
        printed: "25 Nov 2026 14:02".into(),
        summary: "4 lines: 28 expected, 27 received; variance worth $42.00".into(),
        sign_off: None,
        lines: vec![
            short,
            damaged,
            line(3, "VAPE-003", "Mint 50ml", 12, 12, 0),
            extra,
        ],
        sessions: vec![
            ReportSession {
                summary: "Session 1: 25 Nov 2026 10:02-10:30 by Aroha Ngata, 20 units".into(),
                signatures: vec![ReportSignature {
                    caption: "Received by Aroha Ngata, 25 Nov 2026 10:30".into(),
                    image: signature.clone(),
                }],
            },
            ReportSession {
                summary: "Session 2: 25 Nov 2026 13:40-14:00 by Aroha Ngata, 7 units".into(),
                signatures: vec![
                    ReportSignature {
                        caption: "Received by Aroha Ngata, 25 Nov 2026 14:00".into(),
                        image: signature.clone(),
                    },
                    ReportSignature {
                        caption: "Driver: Sam Lee".into(),
                        image: signature,
                    },
                ],
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_renders_with_its_images_embedded() {
        let (pdf, pages) = sample().to_pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pages, 1);
        let images = pdf
            .windows(b"/Subtype /Image".len())
            .filter(|w| *w == b"/Subtype /Image")
            .count()
            + pdf
                .windows(b"/Subtype/Image".len())
                .filter(|w| *w == b"/Subtype/Image")
                .count();
        assert_eq!(images, 5, "two photos and three signatures embedded");
    }

    #[test]
    fn image_bytes_that_do_not_match_the_size_are_refused() {
        let mut r = sample();
        r.lines[1].photos[0].rgb.pop();
        assert_eq!(r.to_pdf().unwrap_err().code(), "LABEL_INVALID_INPUT");
    }

    #[test]
    fn many_lines_flow_onto_more_pages() {
        let mut r = sample();
        let extra: Vec<ReportLine> = (0..60)
            .map(|i| {
                let mut l = r.lines[2].clone();
                l.line_no = 5 + i;
                l
            })
            .collect();
        r.lines.extend(extra);
        let (_, pages) = r.to_pdf().unwrap();
        assert!(pages >= 2, "{pages} pages");
    }
}
