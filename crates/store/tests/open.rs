//! Opening a store: pragmas, migrations, and the loud failures at start-up.

use rusqlite::Connection;
use tally_store::{migrate, Store};

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tally.db");
    (dir, path)
}

#[test]
fn a_new_store_is_wal_and_at_the_latest_schema_version() {
    let (_d, path) = temp();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.open_report().schema_version,
        migrate::latest_version()
    );
    drop(store);
    let c = Connection::open(&path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "WAL is persistent in the file");
    let version: i64 = c
        .query_row(
            "SELECT MAX(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, migrate::latest_version());
}

#[test]
fn reopening_applies_nothing_and_keeps_data() {
    let (_d, path) = temp();
    Store::open(&path).unwrap();
    let again = Store::open(&path).unwrap();
    assert_eq!(
        again.open_report().schema_version,
        migrate::latest_version()
    );
    again.integrity_check().unwrap();
}

#[test]
fn a_file_that_is_not_a_database_is_reported_corrupt_and_left_alone() {
    let (_d, path) = temp();
    let garbage = vec![0x5au8; 8192];
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "STORE_CORRUPT", "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "never rebuilt");
}

#[test]
fn a_damaged_page_fails_the_integrity_check_at_open() {
    let (_d, path) = temp();
    {
        let store = Store::open(&path).unwrap();
        drop(store);
    }
    // Fill a table with enough rows to span pages, then scribble over the middle.
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE filler (x TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO filler SELECT printf('row-%08d-padding-padding-padding', i) FROM n;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let pages = bytes.len() / page;
    assert!(pages > 6, "need several pages, have {pages}");
    // Keep the header page intact; wreck the b-tree headers of the last pages.
    for p in (pages - 3)..pages {
        for b in &mut bytes[p * page..p * page + 64] {
            *b = 0xff;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "STORE_CORRUPT", "{err}");
}

#[test]
fn a_database_from_a_newer_app_is_a_downgrade_error() {
    let (_d, path) = temp();
    Store::open(&path).unwrap();
    {
        let mut c = Connection::open(&path).unwrap();
        let future =
            refinery::Migration::unapplied("V999__from_the_future", "CREATE TABLE future (x);")
                .unwrap();
        refinery::Runner::new(&[future])
            .set_abort_missing(false)
            .run(&mut c)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "MIGRATION_DOWNGRADE", "{err}");
    assert!(err.to_string().contains("999"), "{err}");
}

#[test]
fn an_edited_migration_is_a_divergence_error() {
    let (_d, path) = temp();
    Store::open(&path).unwrap();
    {
        let c = Connection::open(&path).unwrap();
        c.execute(
            "UPDATE refinery_schema_history SET checksum = '12345' WHERE version = 1",
            [],
        )
        .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "MIGRATION_DIVERGENT", "{err}");
}

#[test]
fn an_applied_migration_this_app_does_not_ship_is_a_missing_error() {
    let (_d, path) = temp();
    Store::open(&path).unwrap();
    {
        // The DB records a V0 this app never shipped (older than its newest): missing,
        // not a downgrade.
        let c = Connection::open(&path).unwrap();
        c.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (0, 'never_shipped', '2025-01-01T00:00:00Z', '1')",
            [],
        )
        .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "MIGRATION_MISSING", "{err}");
}

#[test]
fn the_store_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
}

#[test]
fn an_in_memory_store_runs_the_same_migrations() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(
        store.open_report().schema_version,
        migrate::latest_version()
    );
    assert!(store.path().is_none());
    assert_eq!(store.verify_audit_chain().unwrap(), 0);
    assert!(store.station().unwrap().is_none());
    assert_eq!(
        store.station_outlet().unwrap_err().code(),
        "STATION_NOT_SET"
    );
}
