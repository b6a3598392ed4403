//! Staff: who may sign in at this station, with PINs kept only as salted argon2id hashes.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use tally_domain::Role;
use uuid::Uuid;

use crate::audit::Actor;
use crate::error::{Result, StoreError};
use crate::sql::{ms, opt_id, RowExt};
use crate::store::{Store, Tx};

/// A staff record as the hub sends it (the PIN only as its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecord {
    /// Hub id.
    pub id: Uuid,
    /// Home outlet; `None` for chain roles that act for any outlet.
    pub outlet_id: Option<Uuid>,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string (`hash_pin`), never the PIN.
    pub pin_hash: Option<String>,
    /// May sign in.
    pub active: bool,
    /// Hub version.
    pub version: i64,
}

/// A staff member for the sign-in list: no PIN hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Id.
    pub id: Uuid,
    /// Home outlet (`None`: chain role).
    pub outlet_id: Option<Uuid>,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Has a PIN set (can sign in here).
    pub has_pin: bool,
}

/// Modest argon2id cost: a PIN check stays well under a second on a shop PC, while a
/// copied database still costs real work per guess.
/// (Verification reads the cost from the stored PHC string, so raising it later keeps
/// old hashes valid.)
const PIN_COST: (u32, u32) = (8 * 1024, 2);

fn hasher(m_kib: u32, t: u32) -> Result<Argon2<'static>> {
    let params = Params::new(m_kib, t, 1, None).map_err(|e| StoreError::PinHash {
        detail: e.to_string(),
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a PIN with a fresh random salt (argon2id PHC string).
pub fn hash_pin(pin: &str) -> Result<String> {
    hash_pin_with_cost(pin, PIN_COST)
}

/// Hashes a PIN at a chosen argon2id cost (memory KiB, passes): for fixtures and tests,
/// where debug builds make the production cost slow. `verify_pin` accepts any cost.
pub fn hash_pin_with_cost(pin: &str, (m_kib, t): (u32, u32)) -> Result<String> {
    if pin.len() < 4 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::bad_input("pin", "a PIN is at least 4 digits"));
    }
    let h = hasher(m_kib, t)?
        .hash_password(pin.as_bytes())
        .map_err(|e| StoreError::PinHash {
            detail: e.to_string(),
        })?;
    Ok(h.to_string())
}

/// Checks a PIN against a stored hash; `Ok(false)` for a wrong PIN.
fn check_pin(pin: &str, phc: &str) -> Result<bool> {
    match hasher(PIN_COST.0, PIN_COST.1)?.verify_password(pin.as_bytes(), phc) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(StoreError::PinHash {
            detail: e.to_string(),
        }),
    }
}

pub(crate) fn upsert_staff(c: &Connection, s: &StaffRecord, at: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO staff (id, outlet_id, name, role, pin_hash, active, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET outlet_id = excluded.outlet_id, name = excluded.name,
            role = excluded.role, pin_hash = excluded.pin_hash, active = excluded.active,
            version = excluded.version, updated_at = excluded.updated_at
         WHERE excluded.version >= staff.version",
    )?
    .execute(params![
        s.id.to_string(),
        opt_id(s.outlet_id),
        s.name,
        s.role.as_str(),
        s.pin_hash,
        s.active,
        s.version,
        at
    ])?;
    Ok(())
}

/// The public view of a staff member written to audit and outbox (never the hash).
#[derive(Serialize)]
struct PinChanged {
    staff_id: Uuid,
    pin_hash: String,
}

impl Tx<'_> {
    /// Sets a staff member's PIN (stored hashed); the hash goes to the hub so the PIN
    /// works at the chain's other stations. The audit entry never holds the hash.
    pub fn set_pin(&mut self, staff_id: Uuid, pin: &str) -> Result<()> {
        let exists: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM staff WHERE id = ?1",
                [staff_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        exists.ok_or_else(|| StoreError::not_found("staff member", staff_id))?;
        let pin_hash = hash_pin(pin)?;
        let now = ms(self.now());
        self.conn().execute(
            "UPDATE staff SET pin_hash = ?2, updated_at = ?3 WHERE id = ?1",
            params![staff_id.to_string(), pin_hash, now],
        )?;
        let m = self.enqueue("staff.pin_set", None, &PinChanged { staff_id, pin_hash })?;
        let note = serde_json::json!({ "staff_id": staff_id, "pin": "changed" });
        self.audit(
            "staff.pin_set",
            "staff",
            &staff_id.to_string(),
            None::<&()>,
            Some(&note),
            Some(m.mutation_id),
        )?;
        Ok(())
    }
}

impl Store {
    /// True when `pin` is this active staff member's PIN. Unknown staff is `NOT_FOUND`;
    /// an inactive member or one without a PIN is `false`.
    pub fn verify_pin(&self, staff_id: Uuid, pin: &str) -> Result<bool> {
        let row: Option<(Option<String>, bool)> = self.read(|c| {
            Ok(c.query_row(
                "SELECT pin_hash, active FROM staff WHERE id = ?1",
                [staff_id.to_string()],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
            )
            .optional()?)
        })?;
        let (hash, active) = row.ok_or_else(|| StoreError::not_found("staff member", staff_id))?;
        match hash {
            Some(h) if active => check_pin(pin, &h),
            _ => Ok(false),
        }
    }

    /// Sets a PIN as one audited action (see `Tx::set_pin`).
    pub fn set_pin(&self, actor: &Actor, staff_id: Uuid, pin: &str) -> Result<()> {
        self.transact(actor, |t| t.set_pin(staff_id, pin))
    }

    /// Active staff who may sign in at `outlet_id`: its own staff plus chain roles.
    pub fn list_staff(&self, outlet_id: Uuid) -> Result<Vec<StaffMember>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, outlet_id, name, role, pin_hash IS NOT NULL AS has_pin FROM staff
                 WHERE active = 1 AND (outlet_id = ?1 OR outlet_id IS NULL)
                 ORDER BY name",
            )?;
            let mut rows = stmt.query([outlet_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(StaffMember {
                    id: r.uuid("id")?,
                    outlet_id: r.opt_uuid("outlet_id")?,
                    name: r.text("name")?,
                    role: r.enumeration("role", Role::parse)?,
                    has_pin: r.flag("has_pin")?,
                });
            }
            Ok(out)
        })
    }

    /// One staff member (no PIN hash).
    pub fn staff_member(&self, id: Uuid) -> Result<StaffMember> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, outlet_id, name, role, pin_hash IS NOT NULL AS has_pin FROM staff
                 WHERE id = ?1",
            )?;
            let mut rows = stmt.query([id.to_string()])?;
            let r = rows
                .next()?
                .ok_or_else(|| StoreError::not_found("staff member", id))?;
            Ok(StaffMember {
                id: r.uuid("id")?,
                outlet_id: r.opt_uuid("outlet_id")?,
                name: r.text("name")?,
                role: r.enumeration("role", Role::parse)?,
                has_pin: r.flag("has_pin")?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap cost for tests: argon2 is very slow in unoptimised builds.
    const CHEAP: (u32, u32) = (64, 1);

    #[test]
    fn pins_are_hashed_with_argon2id_at_the_production_cost() {
        let h = hash_pin("4821").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=8192,t=2,p=1$"), "{h}");
    }

    #[test]
    fn a_pin_hash_is_salted_and_checks_only_the_right_pin() {
        let a = hash_pin_with_cost("4821", CHEAP).unwrap();
        let b = hash_pin_with_cost("4821", CHEAP).unwrap();
        assert_ne!(a, b, "fresh salt each time");
        assert!(a.starts_with("$argon2id$"));
        // verification uses the cost stored in the hash, not the current default
        assert!(!a.contains("4821"));
        assert!(check_pin("4821", &a).unwrap());
        assert!(!check_pin("4822", &a).unwrap());
    }

    #[test]
    fn a_short_or_non_digit_pin_is_refused() {
        assert_eq!(hash_pin("12").unwrap_err().code(), "BAD_INPUT");
        assert_eq!(hash_pin("12ab").unwrap_err().code(), "BAD_INPUT");
    }

    #[test]
    fn a_garbled_hash_is_an_error_not_a_match() {
        assert_eq!(
            check_pin("1234", "not a hash").unwrap_err().code(),
            "PIN_HASH_FAILED"
        );
    }
}
