//! Purchasing settings: the approval tiers in force at this station, where purchase-order
//! PDFs are saved, and the SMTP relay that e-mails them. Read from the environment (the
//! station's `tally.toml` has no purchasing keys yet); the SMTP password only ever comes
//! from the environment and is never logged or written anywhere.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use tally_domain::ApprovalPolicy;

use crate::error::AppError;

/// Environment variables read by [`PurchasingSettings::from_env`].
pub const ENV_VARS: &[(&str, &str)] = &[
    (
        "TALLY_APPROVAL_TIERS",
        "`default` (three tiers: store manager / ops manager / director) or `legacy` (the old system's five tiers); only until the hub has sent the chain's own tiers, which then apply",
    ),
    (
        "TALLY_PO_DIR",
        "folder for purchase-order PDFs (default: <data dir>/purchase-orders)",
    ),
    (
        "TALLY_SMTP_HOST",
        "SMTP relay host; unset means purchase orders are saved but not e-mailed",
    ),
    (
        "TALLY_SMTP_PORT",
        "SMTP port (default 587 for starttls, 465 for tls, 25 for none)",
    ),
    (
        "TALLY_SMTP_SECURITY",
        "`starttls` (default), `tls`, or `none` (only for a relay on this machine)",
    ),
    ("TALLY_SMTP_USER", "SMTP user name, if the relay needs one"),
    (
        "TALLY_SMTP_PASSWORD",
        "SMTP password (environment only; never in a file)",
    ),
    (
        "TALLY_SMTP_FROM",
        "sender address of purchase-order e-mails, e.g. `Vape Shed Purchasing <orders@example.nz>`",
    ),
];

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only allowed for a relay on this machine (and test sinks).
    None,
}

/// The SMTP relay purchase orders are e-mailed through.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Relay host name.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// User name, when the relay authenticates.
    pub username: Option<String>,
    /// Password (from the environment only).
    pub password: Option<SecretString>,
    /// Sender mailbox (`Name <address>` or a bare address).
    pub from: String,
    /// How long one SMTP exchange may take before giving up.
    pub timeout: Duration,
}

/// What the purchasing use cases need from configuration.
#[derive(Debug, Clone, Default)]
pub struct PurchasingSettings {
    /// Approval tiers (the hub validates decisions again with its own copy).
    pub policy: ApprovalPolicy,
    /// Where PO PDFs are saved; `None`: `<data dir>/purchase-orders`.
    pub documents_dir: Option<PathBuf>,
    /// The relay, when e-mail is configured.
    pub smtp: Option<SmtpSettings>,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn invalid(key: &str, detail: impl std::fmt::Display) -> AppError {
    AppError::new(
        "CONFIG_INVALID",
        format!("The setting {key} is not valid: {detail}"),
    )
}

impl PurchasingSettings {
    /// Reads the settings from `env` (see [`ENV_VARS`]).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let policy = match get("TALLY_APPROVAL_TIERS").as_deref() {
            None | Some("default") => ApprovalPolicy::default_three_tier(),
            Some("legacy") => ApprovalPolicy::legacy_five_tier(),
            Some(other) => {
                return Err(invalid(
                    "TALLY_APPROVAL_TIERS",
                    format!("'{other}' (use default or legacy)"),
                ))
            }
        };
        let smtp = match get("TALLY_SMTP_HOST") {
            None => None,
            Some(host) => {
                let security = match get("TALLY_SMTP_SECURITY").as_deref() {
                    None | Some("starttls") => SmtpSecurity::StartTls,
                    Some("tls") => SmtpSecurity::Tls,
                    Some("none") => SmtpSecurity::None,
                    Some(other) => {
                        return Err(invalid(
                            "TALLY_SMTP_SECURITY",
                            format!("'{other}' (use starttls, tls or none)"),
                        ))
                    }
                };
                if security == SmtpSecurity::None && !is_loopback(&host) {
                    return Err(AppError::new(
                        "CONFIG_SMTP_INSECURE",
                        format!("The SMTP relay {host} must use starttls or tls; an unencrypted relay is only allowed on this machine."),
                    ));
                }
                let port = match get("TALLY_SMTP_PORT") {
                    Some(p) => p
                        .parse::<u16>()
                        .map_err(|e| invalid("TALLY_SMTP_PORT", e))?,
                    None => match security {
                        SmtpSecurity::StartTls => 587,
                        SmtpSecurity::Tls => 465,
                        SmtpSecurity::None => 25,
                    },
                };
                let from = get("TALLY_SMTP_FROM").ok_or_else(|| {
                    invalid(
                        "TALLY_SMTP_FROM",
                        "a sender address is needed when TALLY_SMTP_HOST is set",
                    )
                })?;
                Some(SmtpSettings {
                    host,
                    port,
                    security,
                    username: get("TALLY_SMTP_USER"),
                    password: env("TALLY_SMTP_PASSWORD")
                        .filter(|p| !p.is_empty())
                        .map(SecretString::from),
                    from,
                    timeout: Duration::from_secs(20),
                })
            }
        };
        Ok(Self {
            policy,
            documents_dir: get("TALLY_PO_DIR").map(PathBuf::from),
            smtp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn nothing_set_means_default_tiers_and_no_email() {
        let s = PurchasingSettings::from_env(&env_of(&[])).unwrap();
        assert_eq!(s.policy, ApprovalPolicy::default_three_tier());
        assert!(s.smtp.is_none());
    }

    #[test]
    fn a_relay_reads_its_password_from_the_environment_and_defaults_the_port() {
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        let s = PurchasingSettings::from_env(&env_of(&[
            ("TALLY_SMTP_HOST", "smtp.example.nz"),
            ("TALLY_SMTP_USER", "orders"),
            ("TALLY_SMTP_PASSWORD", password.as_str()),
            ("TALLY_SMTP_FROM", "orders@example.nz"),
            ("TALLY_APPROVAL_TIERS", "legacy"),
        ]))
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::StartTls));
        assert_eq!(smtp.password.unwrap().expose_secret(), password);
        assert_eq!(s.policy, ApprovalPolicy::legacy_five_tier());
        assert!(
            !format!(
                "{:?}",
                PurchasingSettings::from_env(&env_of(&[
                    ("TALLY_SMTP_HOST", "smtp.example.nz"),
                    ("TALLY_SMTP_PASSWORD", password.as_str()),
                    ("TALLY_SMTP_FROM", "orders@example.nz"),
                ]))
                .unwrap()
            )
            .contains(&password),
            "the password never shows in debug output"
        );
    }

    #[test]
    fn an_unencrypted_relay_elsewhere_is_refused() {
        let err = PurchasingSettings::from_env(&env_of(&[
            ("TALLY_SMTP_HOST", "smtp.example.nz"),
            ("TALLY_SMTP_SECURITY", "none"),
            ("TALLY_SMTP_FROM", "orders@example.nz"),
        ]))
        .unwrap_err();
        assert_eq!(err.code, "CONFIG_SMTP_INSECURE");
        assert!(PurchasingSettings::from_env(&env_of(&[
            ("TALLY_SMTP_HOST", "127.0.0.1"),
            ("TALLY_SMTP_SECURITY", "none"),
            ("TALLY_SMTP_FROM", "orders@example.nz"),
        ]))
        .is_ok());
    }

    #[test]
    fn a_relay_without_a_sender_or_with_a_bad_port_is_a_clear_error() {
        let no_from =
            PurchasingSettings::from_env(&env_of(&[("TALLY_SMTP_HOST", "smtp.example.nz")]))
                .unwrap_err();
        assert!(
            no_from.message.contains("TALLY_SMTP_FROM"),
            "{}",
            no_from.message
        );
        let bad_port = PurchasingSettings::from_env(&env_of(&[
            ("TALLY_SMTP_HOST", "smtp.example.nz"),
            ("TALLY_SMTP_FROM", "orders@example.nz"),
            ("TALLY_SMTP_PORT", "lots"),
        ]))
        .unwrap_err();
        assert_eq!(bad_port.code, "CONFIG_INVALID");
        assert_eq!(
            PurchasingSettings::from_env(&env_of(&[("TALLY_APPROVAL_TIERS", "five")]))
                .unwrap_err()
                .code,
            "CONFIG_INVALID"
        );
    }
}
