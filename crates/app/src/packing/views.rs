//! What the packing screen shows: the pick list, boxes, containers, the live weight,
//! and what a scan, a box close or a send returned.

use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentKind, ConsignmentStatus};

use super::command_codes::{CommandCode, PackCommand};
use super::weight_check::WeightCheck;

/// Where a pick-list line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Nothing packed yet.
    Todo,
    /// Some packed, some remaining.
    Partial,
    /// Packed exactly as expected.
    Complete,
    /// More packed than expected (confirmed with a reason).
    Over,
}

/// One line of the pick list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PickLine {
    /// Line id.
    pub line_id: String,
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Bin location, blank when the catalog does not know it.
    pub bin: String,
    /// Units to send.
    pub expected: i32,
    /// Units packed (every station's scans, undos included).
    pub packed: i32,
    /// Units still to pack (never below zero).
    pub remaining: i32,
    /// Todo, partial, complete or over.
    pub state: LineState,
}

/// Totals over the pick list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, specta::Type)]
pub struct PickTotals {
    /// Lines on the consignment.
    pub lines: u32,
    /// Lines packed in full (or over).
    pub lines_done: u32,
    /// Units expected.
    pub expected: i32,
    /// Units packed.
    pub packed: i32,
    /// Units remaining.
    pub remaining: i32,
}

/// A container type from the catalog (FREIGHT.md: inner size and tare).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContainerType {
    /// Stable code, e.g. `BOX-M`.
    pub code: String,
    /// Name at the bench, e.g. "Carton M".
    pub name: String,
    /// `satchel`, `pack` or `box`.
    pub kind: String,
    /// Inner length, mm.
    pub length_mm: u32,
    /// Inner width, mm.
    pub width_mm: u32,
    /// Inner height (nominal depth for satchels), mm.
    pub height_mm: u32,
    /// Empty weight, grams.
    pub tare_g: u32,
    /// Rated gross weight, grams.
    pub max_weight_g: u32,
}

/// How a box's weight was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum BoxWeight {
    /// A stable scale reading.
    Scale {
        /// Grams.
        grams: u32,
        /// Which scale.
        scale_id: String,
    },
    /// Typed by a person at a bench without a (working) scale.
    Typed {
        /// Grams.
        grams: u32,
    },
}

/// One box of the consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BoxView {
    /// Box id.
    pub box_id: String,
    /// 1, 2, 3... within the consignment.
    pub number: u32,
    /// Container code.
    pub container: String,
    /// Container name (the code when not in the catalog).
    pub container_name: String,
    /// Container tare, grams (0 when unknown).
    pub tare_g: u32,
    /// Units in the box (this station's scans).
    pub units: i32,
    /// Tare plus the goods' catalog weights, grams.
    pub expected_weight_g: u32,
    /// Units whose weight the catalog does not know (counted at 100 g).
    pub guessed_units: u32,
    /// The recorded weight, once closed.
    pub weight: Option<BoxWeight>,
    /// Closed: takes no more scans.
    pub closed: bool,
    /// The label has been printed at least once.
    pub label_printed: bool,
    /// Opened at this bench (other benches' boxes arrive with a pull).
    pub here: bool,
}

/// What this bench has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BenchInfo {
    /// A scale is set up.
    pub has_scale: bool,
    /// The printer box labels go to; `None` saves them as PDF files.
    pub label_printer: Option<String>,
    /// The printer packing slips go to; `None` saves them as PDF files.
    pub document_printer: Option<String>,
}

/// Everything the packing screen shows for one consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PackingView {
    /// Consignment id.
    pub consignment_id: String,
    /// Human reference.
    pub reference: String,
    /// Transfer or supplier return.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Where it goes (outlet or supplier name).
    pub destination: String,
    /// Scans are accepted now (draft starts packing on the first scan).
    pub can_pack: bool,
    /// The pick list in picking order.
    pub lines: Vec<PickLine>,
    /// The line to pick next (first in picking order with units remaining).
    pub next_line_id: Option<String>,
    /// Totals.
    pub totals: PickTotals,
    /// Boxes by number.
    pub boxes: Vec<BoxView>,
    /// The box this bench's scans go into (its newest open one).
    pub open_box: Option<BoxView>,
    /// Containers to choose from.
    pub containers: Vec<ContainerType>,
    /// The container the next box gets (chosen with "new box", else the last one used).
    pub next_container: ContainerType,
    /// This bench's devices.
    pub bench: BenchInfo,
    /// The command barcodes.
    pub commands: Vec<CommandCode>,
    /// The cheapest safe boxes for what is left to pack, with why.
    pub suggestion: Option<super::suggestion::BoxSuggestionView>,
    /// How far Lightspeed is with it: `pending`, `done`, `refused`, `not_sent`.
    pub lightspeed: Option<String>,
}

/// A product as a scan found it (for "not on this consignment").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProductCard {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Still sold (an inactive product is shown so the packer can say so).
    pub active: bool,
}

/// What a scan did. Only `accepted` wrote anything; every other outcome left the
/// consignment unchanged and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ScanOutcome {
    /// Recorded (durably, before this returned).
    Accepted {
        /// The line after the scan.
        line: PickLine,
        /// Units added.
        units: i32,
        /// This scan completed the line (play the "complete" sound).
        line_complete: bool,
        /// The stored scan event.
        event_id: String,
        /// The box it went into.
        box_number: u32,
        /// A box opened for this scan (there was none open).
        box_opened: Option<BoxView>,
        /// This scan moved a draft into packing.
        packing_started: bool,
        /// The next line to pick.
        next_line_id: Option<String>,
        /// Totals after the scan.
        totals: PickTotals,
    },
    /// No product has this code (`SCAN_UNKNOWN`).
    Unknown {
        /// Stable code.
        code: String,
        /// What happened and the fix.
        message: String,
        /// What was scanned.
        raw: String,
    },
    /// A known product that is not on this consignment (`SCAN_NOT_ON_CONSIGNMENT`).
    NotOnConsignment {
        /// Stable code.
        code: String,
        /// What happened and the fix.
        message: String,
        /// The product.
        product: ProductCard,
        /// Units the scan would add.
        units: i32,
        /// What was scanned.
        raw: String,
    },
    /// The scan would pack more than expected (`SCAN_OVERPACK`).
    Overpack {
        /// Stable code.
        code: String,
        /// What happened and the fix.
        message: String,
        /// The line as it is (nothing recorded).
        line: PickLine,
        /// Units the scan would add.
        units: i32,
        /// Packed after the scan, if confirmed.
        would_be: i32,
        /// What was scanned.
        raw: String,
    },
    /// Not a product code: unreadable, or a label of another kind.
    Rejected {
        /// Stable code (`BAD_CHECK_DIGIT`, `SCAN_NOT_A_PRODUCT`, ...).
        code: String,
        /// What happened and the fix.
        message: String,
    },
    /// A command barcode: the screen carries it out.
    Command {
        /// The command.
        command: PackCommand,
    },
}

/// What an undo removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct UndoResult {
    /// The line after the undo.
    pub line: Option<PickLine>,
    /// Units removed.
    pub units: i32,
    /// Product name, for the message.
    pub name: String,
    /// The next line to pick.
    pub next_line_id: Option<String>,
    /// Totals after the undo.
    pub totals: PickTotals,
}

/// How to weigh a box being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum CloseWeight {
    /// Take a stable reading from the scale, waiting up to `wait_ms` for it to settle.
    Scale {
        /// Longest wait for a stable reading, ms.
        wait_ms: u32,
    },
    /// A weight typed at a bench without a working scale.
    Typed {
        /// Grams.
        grams: u32,
    },
}

/// What happened to a label or slip that should have been printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PrintResult {
    /// It reached a printer or was saved.
    pub done: bool,
    /// The printer's name (`None`: saved as a file).
    pub printer: Option<String>,
    /// The saved file, when saved rather than printed.
    pub file: Option<String>,
    /// Why it failed, with the fix (`done` is false).
    pub problem: Option<String>,
}

/// A closed box, its weight check and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CloseBoxResult {
    /// The box, closed.
    pub closed: BoxView,
    /// Expected vs measured.
    pub check: WeightCheck,
    /// The label.
    pub label: PrintResult,
}

/// Why a line leaves short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ShortReason {
    /// Not on the shelf.
    OutOfStock,
    /// Found damaged while picking.
    Damaged,
    /// Could not be found.
    NotFound,
    /// Kept back on purpose (a manager asked).
    HeldBack,
    /// Anything else (a note is required).
    Other,
}

impl ShortReason {
    /// The stable name sent to the hub.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutOfStock => "out_of_stock",
            Self::Damaged => "damaged",
            Self::NotFound => "not_found",
            Self::HeldBack => "held_back",
            Self::Other => "other",
        }
    }

    /// Words for the packing slip.
    pub fn label(self) -> &'static str {
        match self {
            Self::OutOfStock => "out of stock",
            Self::Damaged => "damaged",
            Self::NotFound => "not found",
            Self::HeldBack => "held back",
            Self::Other => "other",
        }
    }
}

/// A line sent short, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ShortLine {
    /// Product id of the line.
    pub product_id: String,
    /// Why.
    pub reason: ShortReason,
    /// Required for `other`.
    pub note: Option<String>,
}

/// How the goods leave (DOMAIN.md: handover modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    /// A staff member drives it over.
    InternalDrive,
    /// The destination collects it.
    Pickup,
    /// Dropped at a carrier depot.
    DepotDrop,
    /// A booked carrier collects it (needs a booking: stays packed until then).
    Carrier,
}

/// What the send dialog submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SendInput {
    /// Reasons for every line packed short.
    pub short: Vec<ShortLine>,
    /// How it leaves.
    pub handover: Handover,
    /// The driver's name for an internal drive, if given.
    pub driver: Option<String>,
    /// Today's date as the slip should print it (the screen knows the local date).
    pub local_date: Option<String>,
}

/// What the send dialog needs to know before submitting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SendCheck {
    /// Lines packed short (need a reason each).
    pub short_lines: Vec<PickLine>,
    /// Boxes still open (closing them is part of sending).
    pub open_boxes: Vec<u32>,
    /// Boxes with goods but no weight.
    pub unweighed_boxes: Vec<u32>,
    /// Nothing packed at all.
    pub nothing_packed: bool,
    /// Ready once the short lines have reasons.
    pub ready: bool,
    /// What stops it, in words.
    pub problems: Vec<String>,
}

/// What sending did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SendResult {
    /// Status now (`sent`, or `packed` for a carrier handover waiting for its booking).
    pub status: ConsignmentStatus,
    /// The packing slip.
    pub slip: PrintResult,
    /// Changes waiting to reach the hub (the sync indicator shows them leave).
    pub pending_sync: u32,
}

/// The scale as the open-box panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LiveWeight {
    /// A scale is set up at this bench.
    pub configured: bool,
    /// It is answering.
    pub connected: bool,
    /// Grams shown (rounded), when the scale shows a weight.
    pub grams: Option<i32>,
    /// A stable, recordable reading.
    pub stable: bool,
    /// The scale's state in words ("steady", "still moving").
    pub status: String,
    /// The last problem, with the fix.
    pub problem: Option<String>,
}
