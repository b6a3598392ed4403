//! Freight in the demo: both fake carriers (NZ Post and GoSweetSpot from testkit) on
//! loopback, their keys handed to the hub as a keychain would (never printed), an
//! address for every demo outlet so quotes and labels have a sender and receiver, and
//! a courier of their own that picks up and delivers booked labels with time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tally_freight::{
    Address, Carrier, GoSweetSpot, GoSweetSpotConfig, GoSweetSpotCredentials, MapSecrets, NzPost,
    NzPostConfig, NzPostCredentials,
};
use tally_hub::freight::FreightDesk;
use tally_hub::Hub;
use tally_testkit::carriers::{
    Courier, FakeGoSweetSpot, FakeGoSweetSpotConfig, FakeNzPost, FakeNzPostConfig,
};
use tally_testkit::demo_data::DemoData;

use crate::DemoError;

/// The two fake carriers the demo hub books with.
pub struct DemoCarriers {
    pub nzpost: FakeNzPost,
    pub gosweetspot: FakeGoSweetSpot,
}

fn start_err(e: impl std::fmt::Display) -> DemoError {
    DemoError::Start(format!("fake carrier: {e}"))
}

/// A street address in the outlet's city (postcodes real, streets illustrative).
fn address(name: &str, city: &str) -> Address {
    let (street, suburb, postcode) = match city {
        "Auckland" => ("23 Queen Street", "Auckland Central", "1010"),
        "Hamilton" => ("310 Victoria Street", "Hamilton Central", "3204"),
        "Tauranga" => ("55 Devonport Road", "Tauranga Central", "3110"),
        "Wellington" => ("120 Lambton Quay", "Wellington Central", "6011"),
        "Christchurch" => ("129 Riccarton Road", "Riccarton", "8041"),
        "Queenstown" => ("18 Camp Street", "Queenstown", "9300"),
        "Dunedin" => ("40 Fryatt Street", "Dunedin North", "9016"),
        _ => ("1 Main Street", city, "1010"),
    };
    Address {
        name: name.to_owned(),
        company: Some(format!("Tally demo - {name}")),
        phone: "+6493001234".to_owned(),
        email: None,
        street: street.to_owned(),
        suburb: suburb.to_owned(),
        city: city.to_owned(),
        postcode: postcode.to_owned(),
        country_code: "NZ".to_owned(),
    }
}

/// Starts both fakes (moving labels along with `courier`, if any) and configures the
/// hub's freight desk with them.
pub async fn start(
    hub: &Hub,
    data: &DemoData,
    courier: Option<Courier>,
) -> Result<DemoCarriers, DemoError> {
    let nzpost = FakeNzPost::start(FakeNzPostConfig {
        courier,
        ..FakeNzPostConfig::default()
    })
    .await
    .map_err(start_err)?;
    let gosweetspot = FakeGoSweetSpot::start(FakeGoSweetSpotConfig {
        courier,
        ..FakeGoSweetSpotConfig::default()
    })
    .await
    .map_err(start_err)?;
    // The keys reach the clients the way production reads them: by name from a
    // secret source (the keychain or environment there, a map here).
    let (gss_key, gss_site) = gosweetspot.state.config.accounts[0].clone();
    let secrets = MapSecrets(HashMap::from([
        (
            "TALLY_NZPOST_CLIENT_ID".to_owned(),
            nzpost.state.config.client_id.clone(),
        ),
        (
            "TALLY_NZPOST_CLIENT_SECRET".to_owned(),
            nzpost.state.config.client_secret.clone(),
        ),
        ("TALLY_GSS_ACCESS_KEY".to_owned(), gss_key),
        ("TALLY_GSS_SITE_ID".to_owned(), gss_site),
    ]));
    let mut np = NzPostConfig::new(
        &nzpost.base_url,
        NzPostCredentials::load(&secrets, None).map_err(start_err)?,
    );
    np.label_poll_interval = Duration::from_millis(50);
    let gss = GoSweetSpotConfig::new(
        &gosweetspot.base_url,
        GoSweetSpotCredentials::load(&secrets, None).map_err(start_err)?,
    );
    let carriers: Vec<Arc<dyn Carrier>> = vec![
        Arc::new(NzPost::new(np).map_err(start_err)?),
        Arc::new(GoSweetSpot::new(gss).map_err(start_err)?),
    ];
    let addresses = data
        .outlets
        .iter()
        .map(|o| (o.id.clone(), address(&o.name, &o.city)))
        .collect();
    let ledger = hub
        .open_freight_ledger()
        .map_err(|e| DemoError::Start(e.to_string()))?;
    hub.set_freight(FreightDesk::new(carriers, addresses, ledger))
        .map_err(|e| DemoError::Start(e.to_string()))?;
    tracing::info!(
        nzpost = %nzpost.base_url,
        gosweetspot = %gosweetspot.base_url,
        "demo carriers ready"
    );
    Ok(DemoCarriers {
        nzpost,
        gosweetspot,
    })
}
