//! Admin accounts: Argon2id password hashes, creation (CLI and demo bootstrap),
//! and sign-in checked against the throttle before the password is looked at.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use time::OffsetDateTime;
use uuid::Uuid;

use super::throttle::{self, ThrottlePolicy};
use crate::config::PinHashCost;
use crate::edges::{AdminAccount, AdminRole, EdgeStore};
use crate::HubError;

/// Shortest admin password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

fn argon2(cost: PinHashCost) -> Result<Argon2<'static>, HubError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| HubError::Config(format!("password hash cost: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Argon2id PHC string of a password.
pub fn hash_password(password: &str, cost: PinHashCost) -> Result<String, HubError> {
    // A fresh random salt per hash (argon2's own OS-random salt).
    argon2(cost)?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HubError::Invalid(format!("the password could not be hashed: {e}")))
}

/// Whether `password` matches the PHC string `hash` (the cost is read from it).
pub fn verify_password(password: &str, hash: &str) -> bool {
    // The cost and salt are read from the PHC string itself.
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A random password for a bootstrap account (shown once, never stored in clear).
pub fn random_password() -> String {
    use base64::Engine;
    let bytes: [u8; 18] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates an admin account.
pub fn create_admin(
    store: &dyn EdgeStore,
    name: &str,
    role: AdminRole,
    password: &str,
    cost: PinHashCost,
    now: OffsetDateTime,
) -> Result<AdminAccount, HubError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(HubError::Invalid(
            "an admin name is 1 to 64 printable characters".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(HubError::Invalid(format!(
            "an admin password is at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let account = AdminAccount {
        id: format!("adm-{}", Uuid::now_v7()),
        name: name.to_string(),
        role,
        active: true,
        created_at: now,
    };
    store.insert_admin(&account, &hash_password(password, cost)?)?;
    tracing::info!(account_id = %account.id, name, role = role.as_str(), "admin account created");
    Ok(account)
}

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown name, wrong password or disabled account (never said which).
    #[error("the name or password is wrong")]
    BadCredentials,
    /// Too many failures from here for this account.
    #[error("too many failed sign-ins; try again after {until}")]
    Locked {
        /// When the lockout ends.
        until: OffsetDateTime,
    },
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

impl SignInError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "BAD_CREDENTIALS",
            Self::Locked { .. } => "SIGN_IN_LOCKED",
            Self::Hub(e) => e.code(),
        }
    }
}

/// A hash to verify against when the name is unknown, so an unknown name takes
/// as long as a wrong password (no user enumeration by timing).
fn decoy_hash(cost: PinHashCost) -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    // A random password nobody knows: the decoy never verifies.
    DECOY.get_or_init(|| {
        hash_password(&uuid::Uuid::new_v4().simple().to_string(), cost).unwrap_or_default()
    })
}

/// Checks a sign-in from `addr`. Blocking (Argon2 and the store).
pub fn sign_in(
    store: &Arc<dyn EdgeStore>,
    name: &str,
    password: &str,
    addr: &str,
    policy: ThrottlePolicy,
    cost: PinHashCost,
    now: OffsetDateTime,
) -> Result<AdminAccount, SignInError> {
    let keys = [
        (throttle::account_key(name, addr), policy),
        (throttle::address_key(addr), policy.per_address()),
    ];
    for (key, _) in &keys {
        let mut current = None;
        store.update_throttle(key, &mut |t| {
            current = t;
            t
        })?;
        if let Some(until) = throttle::locked_until(current, now) {
            return Err(SignInError::Locked { until });
        }
    }
    let found = store.admin_by_name(name.trim())?;
    let ok = match &found {
        Some((account, hash)) => verify_password(password, hash) && account.active,
        None => {
            let _ = verify_password(password, decoy_hash(cost));
            false
        }
    };
    if let (true, Some((account, _))) = (ok, found) {
        store.update_throttle(&keys[0].0, &mut |_| None)?;
        return Ok(account);
    }
    let mut locked = None;
    for (key, p) in &keys {
        let t = store.update_throttle(key, &mut |t| Some(throttle::after_failure(t, now, *p)))?;
        locked = locked.max(throttle::locked_until(t, now));
    }
    match locked {
        Some(until) => Err(SignInError::Locked { until }),
        None => Err(SignInError::BadCredentials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edges::SqliteEdgeStore;
    use crate::SqliteHubStore;

    const CHEAP: PinHashCost = PinHashCost {
        memory_kib: 8,
        iterations: 1,
    };

    fn store() -> (tempfile::TempDir, Arc<dyn EdgeStore>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        SqliteHubStore::open(&path).unwrap();
        let s: Arc<dyn EdgeStore> = Arc::new(SqliteEdgeStore::open(&path).unwrap());
        (dir, s)
    }

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: 3,
            window: time::Duration::minutes(15),
            lockout: time::Duration::minutes(15),
        }
    }

    #[test]
    fn a_password_hash_verifies_and_hides_the_password() {
        let password = format!("horse-{}", uuid::Uuid::new_v4().simple());
        let h = hash_password(&password, CHEAP).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("horse"));
        assert!(verify_password(&password, &h));
        assert!(!verify_password(&format!("{password}z"), &h));
    }

    #[test]
    fn short_passwords_and_taken_names_are_refused() {
        let (_d, s) = store();
        let now = OffsetDateTime::now_utc();
        let e = create_admin(&*s, "ops", AdminRole::Admin, "short", CHEAP, now).unwrap_err();
        assert_eq!(e.code(), "INVALID");
        create_admin(
            &*s,
            "ops",
            AdminRole::Admin,
            "long enough password",
            CHEAP,
            now,
        )
        .unwrap();
        let e = create_admin(
            &*s,
            "OPS",
            AdminRole::OpsViewer,
            "another long one!",
            CHEAP,
            now,
        )
        .unwrap_err();
        assert_eq!(e.code(), "INVALID");
    }

    #[test]
    fn repeated_failures_lock_out_even_the_right_password() {
        let (_d, s) = store();
        let now = OffsetDateTime::now_utc();
        create_admin(
            &*s,
            "ops",
            AdminRole::Admin,
            "the right password",
            CHEAP,
            now,
        )
        .unwrap();
        let try_with = |pw: &str| sign_in(&s, "ops", pw, "10.0.0.9", policy(), CHEAP, now);
        assert!(try_with("the right password").is_ok());
        for _ in 0..2 {
            assert!(matches!(
                try_with("guess"),
                Err(SignInError::BadCredentials)
            ));
        }
        assert!(matches!(try_with("guess"), Err(SignInError::Locked { .. })));
        assert!(matches!(
            try_with("the right password"),
            Err(SignInError::Locked { .. })
        ));
        // Another address is not locked out by this one's failures.
        assert!(sign_in(
            &s,
            "ops",
            "the right password",
            "10.0.0.10",
            policy(),
            CHEAP,
            now
        )
        .is_ok());
        // After the lockout the right password works again.
        let later = now + time::Duration::minutes(16);
        assert!(sign_in(
            &s,
            "ops",
            "the right password",
            "10.0.0.9",
            policy(),
            CHEAP,
            later
        )
        .is_ok());
    }

    #[test]
    fn an_unknown_name_is_the_same_refusal_as_a_wrong_password() {
        let (_d, s) = store();
        let now = OffsetDateTime::now_utc();
        let e = sign_in(&s, "nobody", "whatever", "1.1.1.1", policy(), CHEAP, now).unwrap_err();
        assert_eq!(e.code(), "BAD_CREDENTIALS");
    }
}
