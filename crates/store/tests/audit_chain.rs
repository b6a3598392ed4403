//! The audit chain catches tampering with raw SQL, and the store refuses to open on it.

mod common;

use common::Fixture;
use tally_store::Store;

fn with_scans() -> Fixture {
    let f = Fixture::new();
    for _ in 0..3 {
        f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    }
    f.store.verify_audit_chain().unwrap();
    f
}

/// Tampering needs the append-only triggers out of the way first.
fn tamper(f: &Fixture, sql: &str) {
    let raw = f.raw();
    raw.execute_batch(&format!(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
    ))
    .unwrap();
}

fn reopen_error(f: Fixture) -> tally_store::StoreError {
    let path = f.db_path();
    let Fixture { dir, store, .. } = f;
    drop(store);
    let e = Store::open(&path).unwrap_err();
    drop(dir);
    e
}

#[test]
fn the_audit_log_refuses_update_and_delete() {
    let f = with_scans();
    let raw = f.raw();
    assert!(raw.execute("UPDATE audit_log SET actor = 'x'", []).is_err());
    assert!(raw.execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn editing_an_entry_breaks_the_chain_and_the_store_will_not_open() {
    let f = with_scans();
    tamper(
        &f,
        "UPDATE audit_log SET after_json = replace(after_json, '\"delta\":1', '\"delta\":9')
         WHERE id = (SELECT MAX(id) - 1 FROM audit_log)",
    );
    let e = f.store.verify_audit_chain().unwrap_err();
    assert_eq!(e.code(), "AUDIT_CHAIN_BROKEN", "{e}");
    assert_eq!(reopen_error(f).code(), "AUDIT_CHAIN_BROKEN");
}

#[test]
fn editing_an_entry_and_its_hash_is_still_caught_by_the_next_entry() {
    let f = with_scans();
    tamper(
        &f,
        "UPDATE audit_log SET actor = 'staff:someone-else',
                hash = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
         WHERE id = 2",
    );
    let e = f.store.verify_audit_chain().unwrap_err();
    assert_eq!(e.code(), "AUDIT_CHAIN_BROKEN");
}

#[test]
fn deleting_an_entry_in_the_middle_is_caught() {
    let f = with_scans();
    tamper(&f, "DELETE FROM audit_log WHERE id = 3");
    let e = f.store.verify_audit_chain().unwrap_err();
    assert_eq!(e.code(), "AUDIT_CHAIN_BROKEN");
    assert!(e.to_string().contains("entry 4"), "{e}");
}

#[test]
fn cutting_off_the_newest_entries_is_caught_by_the_head() {
    let f = with_scans();
    tamper(
        &f,
        "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
    );
    let e = f.store.verify_audit_chain().unwrap_err();
    assert_eq!(e.code(), "AUDIT_CHAIN_BROKEN");
    assert!(e.to_string().contains("newest"), "{e}");
}

#[test]
fn an_intact_chain_verifies_after_reopening() {
    let f = with_scans();
    let n = f.store.verify_audit_chain().unwrap();
    let path = f.db_path();
    let Fixture { dir, store, .. } = f;
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.open_report().audit_entries, n);
    drop(dir);
}
