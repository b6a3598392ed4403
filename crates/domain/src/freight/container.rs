//! The container catalog: satchels, courier packs and boxes.

use serde::{Deserialize, Serialize};

use super::measure::{Dimensions, Grams};

/// A carrier whose containers and rates Tally knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierFamily {
    /// NZ Post / CourierPost, booked directly.
    NzPost,
    /// NZ Couriers, booked through GoSweetSpot.
    NzCouriers,
}

impl CarrierFamily {
    /// Every family, in display order.
    pub const ALL: [CarrierFamily; 2] = [Self::NzPost, Self::NzCouriers];

    /// The name people know the carrier by.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::NzPost => "NZ Post",
            Self::NzCouriers => "NZ Couriers",
        }
    }
}

/// What sort of container it is; satchels and packs are preferred when goods fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    Satchel,
    Pack,
    Box,
}

/// One container type: inner size, tare and maximum gross weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    /// Stable code, e.g. `NZP-SATCHEL-M`.
    pub code: String,
    /// Name shown at the bench.
    pub name: String,
    pub kind: ContainerKind,
    /// The carrier whose container it is; `None` for plain cartons any carrier takes.
    pub carrier: Option<CarrierFamily>,
    /// Inner size (satchels and packs: their flat size and a nominal depth).
    pub inner: Dimensions,
    pub tare: Grams,
    /// Maximum gross weight (contents + tare) the container is rated for.
    pub max_weight: Grams,
}

impl Container {
    /// Whether this container may go with `family`.
    pub fn usable_with(&self, family: CarrierFamily) -> bool {
        self.carrier.is_none_or(|c| c == family)
    }
}

fn container(
    code: &str,
    name: &str,
    kind: ContainerKind,
    carrier: Option<CarrierFamily>,
    inner: Dimensions,
    tare_g: u32,
    max_g: u32,
) -> Container {
    Container {
        code: code.to_owned(),
        name: name.to_owned(),
        kind,
        carrier,
        inner,
        tare: Grams(tare_g),
        max_weight: Grams(max_g),
    }
}

/// The old system's catalog (FREIGHT.md): NZ Post satchels S/M/L treated 4 cm deep,
/// cartons M/L/XL (25 kg cap), NZ Couriers packs E20/E40/E60 (15 kg cap).
///
/// Satchel caps (5 kg) and the E-pack sizes (5 cm deep) are illustrative; a chain
/// edits them in settings to match its contracts.
pub fn default_catalog() -> Vec<Container> {
    use CarrierFamily::*;
    use ContainerKind::*;
    vec![
        container(
            "NZP-SATCHEL-S",
            "NZ Post satchel S",
            Satchel,
            Some(NzPost),
            Dimensions::mm(220, 310, 40),
            150,
            5_000,
        ),
        container(
            "NZP-SATCHEL-M",
            "NZ Post satchel M",
            Satchel,
            Some(NzPost),
            Dimensions::mm(280, 390, 40),
            200,
            5_000,
        ),
        container(
            "NZP-SATCHEL-L",
            "NZ Post satchel L",
            Satchel,
            Some(NzPost),
            Dimensions::mm(335, 420, 40),
            250,
            5_000,
        ),
        container(
            "NZC-E20",
            "NZ Couriers pack E20",
            Pack,
            Some(NzCouriers),
            Dimensions::mm(250, 350, 50),
            100,
            15_000,
        ),
        container(
            "NZC-E40",
            "NZ Couriers pack E40",
            Pack,
            Some(NzCouriers),
            Dimensions::mm(320, 420, 50),
            150,
            15_000,
        ),
        container(
            "NZC-E60",
            "NZ Couriers pack E60",
            Pack,
            Some(NzCouriers),
            Dimensions::mm(400, 500, 50),
            200,
            15_000,
        ),
        container(
            "BOX-M",
            "Carton M",
            Box,
            None,
            Dimensions::mm(400, 300, 200),
            2_000,
            25_000,
        ),
        container(
            "BOX-L",
            "Carton L",
            Box,
            None,
            Dimensions::mm(450, 350, 250),
            2_500,
            25_000,
        ),
        container(
            "BOX-XL",
            "Carton XL",
            Box,
            None,
            Dimensions::mm(500, 400, 300),
            3_100,
            25_000,
        ),
    ]
}
