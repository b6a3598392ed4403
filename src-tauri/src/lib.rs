//! The thin Tauri shell: reads the command line, starts logging and the hub connection
//! (embedded demo or a real hub), opens `tally_app::App`, and forwards commands to it.
//! No business logic lives here.

mod bindings;
mod cli;
mod commands;
mod events;
mod logging;
mod problem;
#[cfg(test)]
mod security;
mod startup;

use std::sync::Arc;

use clap::Parser;

/// Starts the desktop app. Exits with a message (not a panic) when start-up fails.
pub fn run() {
    let cli = cli::Cli::parse();
    if let Err(e) = run_with(cli) {
        eprintln!("Tally could not start: {e:#}");
        std::process::exit(1);
    }
}

fn run_with(cli: cli::Cli) -> anyhow::Result<()> {
    let config = startup::load_config(&cli)?;
    let log_dir = config.data_dir.join("logs");
    let _log_guard = logging::init(&log_dir, &config.log_filter)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %config.data_dir.display(), "Tally starting");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    let started = match runtime.block_on(startup::start(config)) {
        Ok(s) => s,
        Err(e) => {
            // Loudly, in a window: a bench PC is started from an icon, not a terminal.
            tracing::error!(error = %format!("{e:#}"), "Tally could not start");
            let problem = problem::StartupProblem::of(&e, &log_dir);
            return problem::show(problem);
        }
    };
    let app = Arc::clone(&started.app);

    let specta = bindings::builder();
    tauri::Builder::default()
        .invoke_handler(specta.invoke_handler())
        .manage(Arc::clone(&app))
        .manage(None::<problem::StartupProblem>)
        .setup(move |handle| {
            specta.mount_events(handle);
            app.set_events(Arc::new(events::TauriEvents(handle.handle().clone())));
            Ok(())
        })
        .run(tauri::generate_context!())?;
    runtime.block_on(started.shutdown());
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(())
}
