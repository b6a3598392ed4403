//! Reference data (outlets, suppliers, products, staff): stored and logged for pull.
//! Used by admin operations and by the Lightspeed poller.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use tally_sync::{OutletRow, ProductRow, StaffRow, SupplierRow};

use crate::config::PinHashCost;
use crate::store::{Entity, HubTx, StoreResult};
use crate::HubError;

/// Stores an outlet and logs it for pull.
pub fn put_outlet(tx: &mut dyn HubTx, row: &OutletRow) -> StoreResult<()> {
    tx.upsert_outlet(row)?;
    tx.record_change(Entity::Outlet, &row.id)
}

/// Stores a supplier and logs it for pull.
pub fn put_supplier(tx: &mut dyn HubTx, row: &SupplierRow) -> StoreResult<()> {
    tx.upsert_supplier(row)?;
    tx.record_change(Entity::Supplier, &row.id)
}

/// Stores a product and logs it for pull, unless nothing changed.
pub fn put_product(tx: &mut dyn HubTx, row: &ProductRow) -> StoreResult<()> {
    if tx.product(&row.id)?.as_ref() == Some(row) {
        return Ok(());
    }
    tx.upsert_product(row)?;
    tx.record_change(Entity::Product, &row.id)
}

/// Stores a staff member and logs it for pull.
pub fn put_staff(tx: &mut dyn HubTx, row: &StaffRow) -> StoreResult<()> {
    tx.upsert_staff(row)?;
    tx.record_change(Entity::Staff, &row.id)
}

/// Argon2id PHC string of a PIN. Stations verify PINs offline against it.
pub fn hash_pin(pin: &str, cost: PinHashCost) -> Result<String, HubError> {
    if pin.len() < 4 || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(HubError::Invalid("a PIN is at least 4 digits".into()));
    }
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| HubError::Config(format!("PIN hash cost: {e}")))?;
    // A fresh random salt per hash (argon2's own OS-random salt).
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HubError::Invalid(format!("PIN could not be hashed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    const CHEAP: PinHashCost = PinHashCost {
        memory_kib: 8,
        iterations: 1,
    };

    #[test]
    fn a_pin_hash_verifies_and_hides_the_pin() {
        let h = hash_pin("4821", CHEAP).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("4821"));
        assert!(Argon2::default()
            .verify_password(b"4821", h.as_str())
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"4822", h.as_str())
            .is_err());
        let again = hash_pin("4821", CHEAP).unwrap();
        assert_ne!(h, again, "each hash has its own salt");
    }

    #[test]
    fn a_short_pin_is_refused() {
        assert_eq!(hash_pin("12", CHEAP).unwrap_err().code(), "INVALID");
    }
}
