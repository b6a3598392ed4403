//! When the station cannot start (a store that fails its integrity or audit-chain
//! check, a missing enrolment), the window still opens and says what is wrong, its
//! code and what to do, instead of a message on a terminal nobody at a bench sees.
//! Nothing is repaired or rebuilt: the store is left exactly as it was found.

use std::path::Path;

use serde::Serialize;
use tally_app::AppError;

/// Why the station did not start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StartupProblem {
    /// Stable code (the store's, e.g. `AUDIT_CHAIN_BROKEN`, or `START_FAILED`).
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
    /// What a person should do.
    pub what_to_do: String,
    /// Where the log with the details is.
    pub log_dir: String,
}

impl StartupProblem {
    /// The problem behind a failed start.
    pub fn of(e: &anyhow::Error, log_dir: &Path) -> Self {
        let app = e.chain().find_map(|c| c.downcast_ref::<AppError>());
        let code = app.map_or_else(|| "START_FAILED".to_string(), |a| a.code.clone());
        let store_damaged = code == "STORE_SQLITE"
            || code == "STORE_CORRUPT"
            || code == "AUDIT_CHAIN_BROKEN"
            || code.starts_with("MIGRATION_");
        let what_to_do = if store_damaged {
            "Do not delete or copy over the data folder: it is the only record of what this station saved. Call support with this code; they can check the store and restore it from the hub."
        } else {
            "Check the station's settings (hub address, outlet, enrolment) named above, then start Tally again."
        };
        Self {
            code,
            message: format!("{e:#}"),
            what_to_do: what_to_do.into(),
            log_dir: log_dir.display().to_string(),
        }
    }
}

/// The problem the window shows; `None` when the station started normally.
#[tauri::command]
#[specta::specta]
pub fn startup_problem(
    problem: tauri::State<'_, Option<StartupProblem>>,
) -> Option<StartupProblem> {
    problem.inner().clone()
}

/// Runs the window with `problem` and nothing else (no store, no hub, no devices).
pub fn show(problem: StartupProblem) -> anyhow::Result<()> {
    let specta = crate::bindings::builder();
    tauri::Builder::default()
        .invoke_handler(specta.invoke_handler())
        .manage(Some(problem))
        .run(tauri::generate_context!())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_store_keeps_its_code_and_says_not_to_delete_anything() {
        let e = anyhow::Error::new(AppError::new(
            "AUDIT_CHAIN_BROKEN",
            "the audit log was changed at entry 7",
        ))
        .context("opening the station's store");
        let p = StartupProblem::of(&e, Path::new("/data/logs"));
        assert_eq!(p.code, "AUDIT_CHAIN_BROKEN");
        assert!(
            p.message.contains("entry 7") && p.message.contains("opening"),
            "{}",
            p.message
        );
        assert!(p.what_to_do.contains("Do not delete"), "{}", p.what_to_do);
        assert_eq!(p.log_dir, "/data/logs");
    }

    #[test]
    fn a_missing_setting_says_to_check_the_settings() {
        let e = anyhow::anyhow!("TALLY_DEVICE_ID is not set");
        let p = StartupProblem::of(&e, Path::new("logs"));
        assert_eq!(p.code, "START_FAILED");
        assert!(p.what_to_do.contains("settings"), "{}", p.what_to_do);
    }
}
