//! Freight for a production hub: carrier keys from a secret source (the environment or
//! values read from the keychain), API bases from the environment, and the outlets'
//! pickup and delivery addresses from a TOML file (`[outlets."<outlet id>"]` tables
//! with `name`, `phone`, `street`, `suburb`, `city`, `postcode`, `country_code`).
//! Outlets with their own GoSweetSpot site or NZ Post account are listed in the hub
//! configuration's `[freight.outlets."<outlet id>"]` (the site id, and the names of the
//! secrets holding the site's key or the account's client id and secret).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use tally_freight::{
    Address, Carrier, GoSweetSpot, GoSweetSpotConfig, GoSweetSpotCredentials, NzPost, NzPostConfig,
    NzPostCredentials, SecretSource,
};

use super::{FreightConfig, FreightDesk};
use crate::{Hub, HubError};

/// NZ Post's API base unless `TALLY_NZPOST_BASE_URL` says otherwise.
pub const NZPOST_BASE: &str = "https://api.nzpost.co.nz";
/// GoSweetSpot's API base unless `TALLY_GSS_BASE_URL` says otherwise.
pub const GSS_BASE: &str = "https://api.gosweetspot.com";

#[derive(Deserialize)]
struct AddressFile {
    outlets: HashMap<String, Address>,
}

/// Reads the outlets' addresses.
pub fn read_addresses(path: &Path) -> Result<HashMap<String, Address>, HubError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| HubError::Config(format!("freight addresses {}: {e}", path.display())))?;
    parse_addresses(&text)
        .map_err(|e| HubError::Config(format!("freight addresses {}: {e}", path.display())))
}

fn parse_addresses(text: &str) -> Result<HashMap<String, Address>, String> {
    toml::from_str::<AddressFile>(text)
        .map(|f| f.outlets)
        .map_err(|e| e.to_string())
}

/// The carriers whose keys are set (none is fine: freight then answers "not set up").
pub fn carriers_from(src: &dyn SecretSource) -> Result<Vec<Arc<dyn Carrier>>, HubError> {
    let cfg = |e: tally_freight::FreightError| HubError::Config(e.to_string());
    let mut out: Vec<Arc<dyn Carrier>> = Vec::new();
    if src.get("TALLY_NZPOST_CLIENT_ID").is_some() {
        let creds = NzPostCredentials::load(src, None).map_err(cfg)?;
        out.push(nzpost(src, creds, src.get("TALLY_NZPOST_ACCOUNT"))?);
    }
    if src.get("TALLY_GSS_ACCESS_KEY").is_some() {
        let base = src
            .get("TALLY_GSS_BASE_URL")
            .unwrap_or_else(|| GSS_BASE.to_owned());
        let c = GoSweetSpotConfig::new(base, GoSweetSpotCredentials::load(src, None).map_err(cfg)?);
        out.push(Arc::new(GoSweetSpot::new(c).map_err(cfg)?));
    }
    Ok(out)
}

/// An NZ Post client for these credentials, at `TALLY_NZPOST_BASE_URL` or NZ Post's.
fn nzpost(
    src: &dyn SecretSource,
    creds: NzPostCredentials,
    account: Option<String>,
) -> Result<Arc<dyn Carrier>, HubError> {
    let base = src
        .get("TALLY_NZPOST_BASE_URL")
        .unwrap_or_else(|| NZPOST_BASE.to_owned());
    let mut c = NzPostConfig::new(base, creds);
    c.account_number = account;
    Ok(Arc::new(
        NzPost::new(c).map_err(|e| HubError::Config(e.to_string()))?,
    ))
}

/// Outlets' own carrier accounts: (outlet id, its carriers).
pub type OutletCarriers = Vec<(String, Vec<Arc<dyn Carrier>>)>;

/// Each outlet's own GoSweetSpot site and/or NZ Post account from `[freight.outlets]`,
/// their keys read from `src` by the names the configuration gives (a missing one is an
/// error naming it). An outlet's own NZ Post account bills its own account number (the
/// chain's `TALLY_NZPOST_ACCOUNT` belongs to the chain's client only).
pub fn outlet_carriers_from(
    src: &dyn SecretSource,
    cfg: &FreightConfig,
) -> Result<OutletCarriers, HubError> {
    let gss_base = src
        .get("TALLY_GSS_BASE_URL")
        .unwrap_or_else(|| GSS_BASE.to_owned());
    cfg.outlets
        .iter()
        .map(|(outlet, acc)| {
            let secret = |what: &str, name: &str| {
                src.get(name).ok_or_else(|| {
                    HubError::Config(format!(
                        "outlet {outlet}: {what} {name} is not set; add it to the keychain or environment"
                    ))
                })
            };
            let mut own: Vec<Arc<dyn Carrier>> = Vec::new();
            if let Some(np) = &acc.nzpost {
                let creds = NzPostCredentials {
                    client_id: secret("NZ Post client id", &np.client_id_secret)?,
                    client_secret: tally_freight::Secret::new(secret(
                        "NZ Post client secret",
                        &np.client_secret_secret,
                    )?),
                };
                own.push(nzpost(src, creds, np.account.clone())?);
            }
            if let Some(gss) = &acc.gss {
                let creds = GoSweetSpotCredentials {
                    access_key: tally_freight::Secret::new(secret(
                        "GoSweetSpot key",
                        &gss.access_key_secret,
                    )?),
                    site_id: gss.site_id.clone(),
                };
                let c = GoSweetSpot::new(GoSweetSpotConfig::new(gss_base.clone(), creds))
                    .map_err(|e| HubError::Config(e.to_string()))?;
                own.push(Arc::new(c));
            }
            Ok((outlet.clone(), own))
        })
        .collect()
}

/// Configures the hub's freight from `src`, the hub's `[freight]` settings and the
/// address file.
pub fn configure(hub: &Hub, src: &dyn SecretSource, addresses: &Path) -> Result<usize, HubError> {
    let carriers = carriers_from(src)?;
    let n = carriers.len();
    let mut desk = FreightDesk::new(
        carriers,
        read_addresses(addresses)?,
        hub.open_freight_ledger()?,
    );
    for (outlet, own) in outlet_carriers_from(src, &hub.config().freight)? {
        let kinds: Vec<String> = own.iter().map(|c| format!("{:?}", c.kind())).collect();
        tracing::info!(%outlet, accounts = ?kinds, "outlet books freight with its own carrier accounts");
        desk = desk.with_outlet_carriers(&outlet, own);
    }
    hub.set_freight(desk)?;
    tracing::info!(carriers = n, "freight configured");
    Ok(n)
}

#[cfg(test)]
mod tests {
    use tally_freight::MapSecrets;

    use super::*;

    #[test]
    fn the_address_file_names_each_outlet_by_id() {
        let a = parse_addresses(
            r#"
[outlets."0a1b"]
name = "Newmarket"
phone = "+6495550000"
street = "277 Broadway"
suburb = "Newmarket"
city = "Auckland"
postcode = "1023"
country_code = "NZ"
"#,
        )
        .unwrap();
        assert_eq!(a["0a1b"].postcode, "1023");
        assert!(parse_addresses("[outlets.x]\nname = 1\n").is_err());
    }

    #[test]
    fn only_carriers_with_keys_are_configured() {
        let none = carriers_from(&MapSecrets::default()).unwrap();
        assert!(none.is_empty());
        let gss = carriers_from(&MapSecrets(HashMap::from([
            ("TALLY_GSS_ACCESS_KEY".to_owned(), "k".to_owned()),
            ("TALLY_GSS_SITE_ID".to_owned(), "1".to_owned()),
        ])))
        .unwrap();
        assert_eq!(gss.len(), 1);
        assert_eq!(gss[0].kind(), tally_freight::CarrierKind::GoSweetSpot);
        let half = carriers_from(&MapSecrets(HashMap::from([(
            "TALLY_NZPOST_CLIENT_ID".to_owned(),
            "id".to_owned(),
        )])));
        assert!(
            half.is_err(),
            "a half-set key is an error, not a silent skip"
        );
    }

    #[test]
    fn an_outlets_own_site_reads_its_key_by_the_configured_name() {
        let cfg: FreightConfig = toml::from_str(
            "[outlets.\"out-b\"]\ngss_site_id = \"2002\"\ngss_access_key_secret = \"TALLY_GSS_KEY_NM\"\n",
        )
        .unwrap();
        let Err(missing) = outlet_carriers_from(&MapSecrets::default(), &cfg) else {
            panic!("a missing key must be an error");
        };
        assert!(
            missing.to_string().contains("TALLY_GSS_KEY_NM"),
            "{missing}"
        );
        let own = outlet_carriers_from(
            &MapSecrets(HashMap::from([(
                "TALLY_GSS_KEY_NM".to_owned(),
                "nm-key".to_owned(),
            )])),
            &cfg,
        )
        .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].0, "out-b");
        assert_eq!(own[0].1.len(), 1);
        assert_eq!(own[0].1[0].kind(), tally_freight::CarrierKind::GoSweetSpot);
    }

    #[test]
    fn an_outlets_own_nz_post_account_reads_its_client_by_the_configured_names() {
        let cfg: FreightConfig = toml::from_str(
            "[outlets.\"out-b\"]\ngss_site_id = \"2002\"\ngss_access_key_secret = \"GSS_NM\"\n\
             nzpost_client_id_secret = \"NZP_ID_NM\"\nnzpost_client_secret_secret = \"NZP_SECRET_NM\"\n",
        )
        .unwrap();
        let mut keys = HashMap::from([
            ("GSS_NM".to_owned(), "k".to_owned()),
            ("NZP_ID_NM".to_owned(), "nm-client".to_owned()),
        ]);
        let Err(missing) = outlet_carriers_from(&MapSecrets(keys.clone()), &cfg) else {
            panic!("a missing client secret must be an error");
        };
        assert!(missing.to_string().contains("NZP_SECRET_NM"), "{missing}");
        keys.insert("NZP_SECRET_NM".to_owned(), "s".to_owned());
        let own = outlet_carriers_from(&MapSecrets(keys), &cfg).unwrap();
        let kinds: Vec<_> = own[0].1.iter().map(|c| c.kind()).collect();
        assert_eq!(
            kinds,
            [
                tally_freight::CarrierKind::NzPost,
                tally_freight::CarrierKind::GoSweetSpot
            ]
        );
    }
}
