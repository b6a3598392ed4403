//! Where a fake carrier's shipment is, the test control that moves it along, and the
//! demo's courier that moves it along with time on its own ([`Courier`]).

use std::time::Duration;

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

    fn rank(self) -> u8 {
        match self {
            Stage::Booked => 0,
            Stage::PickedUp => 1,
            Stage::InTransit => 2,
            Stage::Delivered => 3,
            Stage::Cancelled => 4,
        }
    }

    /// This stage, or `later` if the parcel has got that far (never backwards, and a
    /// cancelled label stays cancelled).
    pub fn caught_up(self, later: Stage) -> Stage {
        if self == Stage::Cancelled || later.rank() <= self.rank() {
            self
        } else {
            later
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

/// A courier that moves booked shipments along with time, without a test's hand: the
/// demo's fakes use one so a user sees tracking move. Off (`None` in the fakes'
/// configs) unless asked for, so tests that move shipments themselves are unaffected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Courier {
    pub picked_up_after: Duration,
    pub in_transit_after: Duration,
    pub delivered_after: Duration,
}

impl Courier {
    /// The demo's pace: picked up after a minute, in transit after two, delivered
    /// after five.
    pub fn demo() -> Self {
        Self {
            picked_up_after: Duration::from_secs(60),
            in_transit_after: Duration::from_secs(120),
            delivered_after: Duration::from_secs(300),
        }
    }

    /// Where a shipment booked `elapsed` ago is by now.
    pub fn stage_after(&self, elapsed: Duration) -> Stage {
        if elapsed >= self.delivered_after {
            Stage::Delivered
        } else if elapsed >= self.in_transit_after {
            Stage::InTransit
        } else if elapsed >= self.picked_up_after {
            Stage::PickedUp
        } else {
            Stage::Booked
        }
    }

    /// Moves `stage` of a shipment booked at `booked_at` along to now.
    pub fn move_along(courier: Option<&Courier>, stage: &mut Stage, booked_at: std::time::Instant) {
        if let Some(c) = courier {
            *stage = stage.caught_up(c.stage_after(booked_at.elapsed()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_courier_moves_shipments_forward_with_time_never_back_and_never_a_cancelled_one() {
        let c = Courier::demo();
        assert_eq!(c.stage_after(Duration::from_secs(10)), Stage::Booked);
        assert_eq!(c.stage_after(Duration::from_secs(61)), Stage::PickedUp);
        assert_eq!(c.stage_after(Duration::from_secs(121)), Stage::InTransit);
        assert_eq!(c.stage_after(Duration::from_secs(301)), Stage::Delivered);
        assert_eq!(
            Stage::InTransit.caught_up(Stage::PickedUp),
            Stage::InTransit
        );
        assert_eq!(
            Stage::Cancelled.caught_up(Stage::Delivered),
            Stage::Cancelled
        );
        let mut stage = Stage::Booked;
        Courier::move_along(
            None,
            &mut stage,
            std::time::Instant::now() - Duration::from_secs(400),
        );
        assert_eq!(stage, Stage::Booked, "no courier: only a test moves it");
        Courier::move_along(
            Some(&c),
            &mut stage,
            std::time::Instant::now() - Duration::from_secs(400),
        );
        assert_eq!(stage, Stage::Delivered);
    }
}
