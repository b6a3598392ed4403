//! The fake's optional SQLite file: with `FakeConfig::sqlite_path` set, the store's data
//! (catalog, inventory, consignments and the version counter) is written to one row
//! after every request that may change it, and read back at start, so a fake restarted
//! on the same file carries on where it stopped (a demo or a long test across restarts).
//! Without it the fake is in memory only. Tokens are not kept: clients sign in again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension};

use super::server::{AppState, FakeError};
use super::store::Store;

/// The file and its one connection.
pub(crate) struct SqliteFile {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn failed(path: &Path, e: impl std::fmt::Display) -> FakeError {
    FakeError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl SqliteFile {
    /// Opens (or creates) the file; returns the data it holds, if any.
    pub fn open(path: &Path) -> Result<(Self, Option<Store>), FakeError> {
        let conn = Connection::open(path).map_err(|e| failed(path, e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS fake_lightspeed (
                 id       INTEGER PRIMARY KEY CHECK (id = 1),
                 saved_at TEXT NOT NULL,
                 data     TEXT NOT NULL
             );",
        )
        .map_err(|e| failed(path, e))?;
        let data: Option<String> = conn
            .query_row("SELECT data FROM fake_lightspeed WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| failed(path, e))?;
        let store = data
            .map(|d| serde_json::from_str::<Store>(&d))
            .transpose()
            .map_err(|e| failed(path, format!("the saved data cannot be read: {e}")))?;
        Ok((
            Self {
                path: path.to_path_buf(),
                conn: Mutex::new(conn),
            },
            store,
        ))
    }

    /// Replaces the saved data with `store`'s.
    pub fn save(&self, store: &Store) -> Result<(), FakeError> {
        let data = serde_json::to_string(store).map_err(|e| failed(&self.path, e))?;
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute(
            "INSERT INTO fake_lightspeed (id, saved_at, data) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, data = excluded.data",
            params![super::wire::now_rfc3339(), data],
        )
        .map_err(|e| failed(&self.path, e))?;
        Ok(())
    }
}

/// After any request that may have changed data, writes the data to the file.
pub(crate) async fn save_after_changes(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if changes {
        app.save_to_file();
    }
    resp
}
