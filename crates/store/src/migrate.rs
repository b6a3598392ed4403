//! Schema migrations: the SQL files in the top-level `migrations/` folder, embedded at
//! build time and applied in ONE transaction at open. A database newer than the app,
//! a missing migration or an edited one is a typed error, never a guess.

use refinery::error::Kind;
use rusqlite::Connection;

use crate::error::{Result, StoreError};

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Applies every pending migration in one transaction; returns the schema version.
pub(crate) fn run(conn: &mut Connection) -> Result<i64> {
    let app_version = latest_version();
    let report = embedded::migrations::runner()
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true)
        .run(conn)
        .map_err(|e| map_error(e, app_version))?;
    for m in report.applied_migrations() {
        tracing::info!(version = m.version(), name = m.name(), "applied migration");
    }
    Ok(app_version)
}

fn map_error(e: refinery::Error, app_version: i64) -> StoreError {
    match e.kind() {
        Kind::MissingVersion(m) => {
            let version = i64::from(m.version());
            // Applied in the DB but unknown to this app, and newer than anything we ship:
            // the database was written by a newer Tally.
            if version > app_version && m.applied_on().is_some() {
                StoreError::MigrationDowngrade {
                    db_version: version,
                    app_version,
                }
            } else {
                StoreError::MigrationMissing {
                    version,
                    name: m.name().to_string(),
                }
            }
        }
        Kind::DivergentVersion(applied, _) => StoreError::MigrationDivergent {
            version: i64::from(applied.version()),
            name: applied.name().to_string(),
        },
        _ => StoreError::MigrationFailed {
            detail: e.to_string(),
        },
    }
}
