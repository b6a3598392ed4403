//! Background upload of evidence files (photos, signature images) to the hub by content
//! hash, resumable and verified (`tally_sync::evidence`). Runs beside the sync loop; a
//! hub that is down only delays it: files stay pending in the ledger until the hub has
//! each one complete, so nothing is lost and nothing is sent twice.

use std::sync::Arc;
use std::time::Duration;

use tally_sync::evidence::{upload_pending, EvidenceUploader, UploadLedger};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::AppError;
use crate::App;

/// Ledger of files the hub holds completely, in the data directory.
const LEDGER_FILE: &str = "evidence-uploaded.txt";

impl App {
    /// Starts uploading evidence to the hub every `every`, until `stop` turns true.
    pub fn spawn_evidence_uploads(
        self: &Arc<Self>,
        hub_url: &str,
        device_token: &str,
        every: Duration,
        mut stop: watch::Receiver<bool>,
    ) -> Result<JoinHandle<()>, AppError> {
        let uploader = EvidenceUploader::new(hub_url, device_token)
            .map_err(|e| AppError::new(e.code(), e.to_string()))?;
        let dir = self.data_dir().join("evidence");
        let evidence = self.evidence()?;
        let mut ledger = UploadLedger::open(self.data_dir().join(LEDGER_FILE))
            .map_err(|e| AppError::new(e.code(), e.to_string()))?;
        Ok(tokio::spawn(async move {
            loop {
                match upload_pending(&uploader, &evidence, &dir, &mut ledger).await {
                    Ok(pass) if pass.done > 0 || !pass.failed.is_empty() => {
                        tracing::info!(
                            uploaded = pass.done,
                            waiting = pass.failed.len(),
                            "evidence upload pass"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "evidence upload pass failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    break;
                }
            }
        }))
    }
}
