//! `tracing` set-up: human-readable lines on the terminal, JSON lines in a rotating file
//! in the data directory (one file a day, two weeks kept).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Installs the global subscriber. Keep the guard alive until exit so the file is flushed.
pub fn init(log_dir: &Path, filter: &str) -> anyhow::Result<WorkerGuard> {
    std::fs::create_dir_all(log_dir)?;
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("tally")
        .filename_suffix("jsonl")
        .max_log_files(14)
        .build(log_dir)?;
    let (file, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::registry()
        .with(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with(fmt::layer().with_writer(std::io::stderr).with_target(false))
        .with(fmt::layer().json().with_writer(file))
        .try_init()?;
    Ok(guard)
}
