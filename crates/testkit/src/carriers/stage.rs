//! Where a fake carrier's shipment is, and the test control that moves it along.

/// A shipment's stage at a fake carrier, in the order parcels go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Label made, nothing picked up: it may still be cancelled.
    Booked,
    PickedUp,
    InTransit,
    Delivered,
    /// The label was cancelled before pick-up.
    Cancelled,
}

impl Stage {
    /// The next stage a courier moves the parcel to (delivered and cancelled stay).
    pub fn next(self) -> Stage {
        match self {
            Stage::Booked => Stage::PickedUp,
            Stage::PickedUp => Stage::InTransit,
            Stage::InTransit | Stage::Delivered => Stage::Delivered,
            Stage::Cancelled => Stage::Cancelled,
        }
    }

    /// Only a label nobody has picked up may be cancelled.
    pub fn cancellable(self) -> bool {
        matches!(self, Stage::Booked | Stage::Cancelled)
    }

    /// Why a cancel is refused at this stage.
    pub fn refusal(self) -> String {
        let at = match self {
            Stage::PickedUp => "was picked up",
            Stage::InTransit => "is in transit",
            Stage::Delivered => "was delivered",
            Stage::Booked | Stage::Cancelled => "is booked",
        };
        format!("the parcel {at}; a label can only be cancelled before pick-up")
    }
}
