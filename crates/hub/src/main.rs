//! `tally-hub`: serve the hub, or run an admin operation against its database.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tally_domain::Role;
use tally_hub::secrets::SecretSource;
use tally_hub::{Hub, HubConfig};
use tally_sync::OutletRow;

/// The Tally hub: sync API for outlet stations and the Lightspeed worker.
#[derive(Parser, Debug)]
#[command(name = "tally-hub", version, about)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "TALLY_HUB_CONFIG")]
    config: Option<PathBuf>,
    /// Database file (overrides the file's `db_path`).
    #[arg(long, env = "TALLY_HUB_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the sync API (and drive Lightspeed when configured) until Ctrl-C.
    Serve {
        /// Address to listen on (overrides the file's `bind`).
        #[arg(long, env = "TALLY_HUB_BIND")]
        bind: Option<std::net::SocketAddr>,
        /// Lightspeed API base, e.g. `https://shop.retail.lightspeed.app/api/2.0`.
        /// Without it the hub serves outlets but does not talk to Lightspeed.
        #[arg(long, env = "TALLY_LS_BASE_URL")]
        lightspeed_url: Option<String>,
        /// Lightspeed token endpoint (`.../api/1.0/token`).
        #[arg(long, env = "TALLY_LS_TOKEN_URL")]
        lightspeed_token_url: Option<String>,
        /// OAuth client id.
        #[arg(long, env = "TALLY_LS_CLIENT_ID")]
        lightspeed_client_id: Option<String>,
        /// Where the rotating OAuth tokens live (overrides `[lightspeed] token_store`):
        /// `keychain` (default; refused where it forgets at reboot) or `file`
        /// (clear JSON, mode 0600: only for servers without a durable keychain).
        #[arg(long, env = "TALLY_LS_TOKEN_STORE", value_enum)]
        lightspeed_token_store: Option<tally_hub::ls::TokenStoreKind>,
        /// The token file (overrides `[lightspeed] token_file`; default beside the
        /// database). Naming it does not choose the file store.
        #[arg(long, env = "TALLY_LS_TOKEN_FILE")]
        lightspeed_token_file: Option<PathBuf>,
        /// If no admin account exists yet, create one with this name and a random
        /// password printed once to the terminal (demo and first start).
        #[arg(long)]
        bootstrap_admin: Option<String>,
    },
    /// Admin accounts of the hub's web pages.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Add or rename an outlet.
    PutOutlet {
        /// Lightspeed outlet id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
    },
    /// Enrol a station of an outlet and print its token (shown once).
    EnrollDevice {
        /// Outlet id.
        #[arg(long)]
        outlet: String,
        /// Station name.
        #[arg(long)]
        station: String,
    },
    /// Revoke a station's token.
    RevokeDevice {
        /// Device id.
        #[arg(long)]
        device: String,
    },
    /// Add a staff member; the PIN is read from the environment variable named
    /// by `--pin-env` (never from the command line, where `ps` would show it).
    AddStaff {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role (staff, store_manager, area_manager, ops_manager, financial_controller, director, admin).
        #[arg(long)]
        role: String,
        /// Home outlet (omit for chain roles).
        #[arg(long)]
        outlet: Option<String>,
        /// Name of the environment variable holding the PIN.
        #[arg(long, default_value = "TALLY_STAFF_PIN")]
        pin_env: String,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create an admin account. The password is read from the environment
    /// variable named by `--password-env`, else from the first line of stdin
    /// (never from the command line, where `ps` would show it).
    Create {
        /// Sign-in name.
        #[arg(long)]
        name: String,
        /// Role: admin (may retry and discard) or ops_viewer (read only).
        #[arg(long, default_value = "admin")]
        role: String,
        /// Name of the environment variable holding the password.
        #[arg(long, default_value = "TALLY_ADMIN_PASSWORD")]
        password_env: String,
    },
}

fn read_password(env_name: &str) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(env_name) {
        return Ok(p);
    }
    eprintln!("Password (or set {env_name}):");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn config(cli: &Cli) -> anyhow::Result<HubConfig> {
    let mut config = match &cli.config {
        Some(path) => HubConfig::load(path)?,
        None => HubConfig::new(
            cli.db
                .clone()
                .context("give --db (or TALLY_HUB_DB) or a --config file")?,
        ),
    };
    if let Some(db) = &cli.db {
        config.db_path = db.clone();
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TALLY_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut config = config(&cli)?;
    match cli.command {
        Command::Serve {
            bind,
            lightspeed_url,
            lightspeed_token_url,
            lightspeed_client_id,
            lightspeed_token_store,
            lightspeed_token_file,
            bootstrap_admin,
        } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let handle = match lightspeed_url {
                None => Hub::start(config).await?,
                Some(base) => {
                    let token_url = lightspeed_token_url
                        .context("set --lightspeed-token-url (TALLY_LS_TOKEN_URL)")?;
                    let secrets = tally_hub::secrets::hub_secrets();
                    let client_id = lightspeed_client_id
                        .or_else(|| secrets.get("TALLY_LS_CLIENT_ID"))
                        .context("set --lightspeed-client-id (TALLY_LS_CLIENT_ID, or a keychain entry of that name under tally-hub)")?;
                    // Secrets only from the environment or the OS keychain, never flags
                    // or files in the repo.
                    let secret = secrets.get("TALLY_LS_CLIENT_SECRET").context(
                        "set TALLY_LS_CLIENT_SECRET (environment, or a keychain entry of that name under tally-hub)",
                    )?;
                    if let Some(kind) = lightspeed_token_store {
                        config.lightspeed.token_store = kind;
                    }
                    if let Some(file) = lightspeed_token_file {
                        config.lightspeed.token_file = Some(file);
                    }
                    let store = tally_hub::ls::open_token_store(
                        &config.lightspeed,
                        &config.db_path,
                        &base,
                    )?;
                    if store.load()?.is_none() {
                        let refresh = secrets.get("TALLY_LS_REFRESH_TOKEN").context(
                            "first connection: set TALLY_LS_REFRESH_TOKEN (it rotates; the hub keeps the new one)",
                        )?;
                        store.save(&tally_lightspeed::StoredTokens::from_refresh_token(refresh))?;
                    }
                    let ls_config = tally_lightspeed::ClientConfig::new(
                        base,
                        token_url,
                        tally_lightspeed::Credentials::new(client_id, secret),
                    );
                    let client = tally_lightspeed::LightspeedClient::new(ls_config, store)?;
                    let api = Arc::new(tally_hub::ls::LightspeedApi::new(Arc::new(client)));
                    Hub::start_with_lightspeed(config, api).await?
                }
            };
            // Freight: carrier keys from the environment or keychain, addresses from a file.
            if let Ok(path) = std::env::var("TALLY_FREIGHT_ADDRESSES") {
                tally_hub::freight::setup::configure(
                    handle.hub(),
                    &tally_hub::secrets::hub_secrets(),
                    std::path::Path::new(&path),
                )?;
            }
            println!("tally-hub listening on {}", handle.base_url);
            if let Some(name) = bootstrap_admin {
                if let Some(password) = handle.hub().bootstrap_admin(&name).await? {
                    // To the terminal only: never to the log or a file.
                    eprintln!(
                        "Admin pages: {}/admin  name: {name}  password: {password}\n(shown once; the hub keeps only its Argon2id hash)",
                        handle.base_url
                    );
                }
            }
            tokio::signal::ctrl_c().await?;
            handle.shutdown().await?;
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    name,
                    role,
                    password_env,
                },
        } => {
            let role = tally_hub::edges::AdminRole::parse(&role)
                .with_context(|| format!("unknown admin role {role:?} (admin or ops_viewer)"))?;
            let password = read_password(&password_env)?;
            let account = Hub::open(config)?
                .create_admin(&name, role, &password)
                .await?;
            println!("admin_id: {}", account.id);
        }
        Command::PutOutlet { id, name } => {
            Hub::open(config)?
                .put_outlet(OutletRow {
                    id,
                    name,
                    deleted: false,
                })
                .await?;
        }
        Command::EnrollDevice { outlet, station } => {
            let e = Hub::open(config)?.enroll_device(&outlet, &station).await?;
            println!("device_id: {}\ntoken: {}", e.device_id, e.token);
            eprintln!(
                "Store the token in the station's keychain now; the hub cannot show it again."
            );
        }
        Command::RevokeDevice { device } => {
            Hub::open(config)?.revoke_device(&device).await?;
        }
        Command::AddStaff {
            name,
            role,
            outlet,
            pin_env,
        } => {
            let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
            let pin = std::env::var(&pin_env)
                .with_context(|| format!("set the PIN in the environment variable {pin_env}"))?;
            let id = Hub::open(config)?
                .add_staff(&name, role, outlet.as_deref(), &pin)
                .await?;
            println!("staff_id: {id}");
        }
    }
    Ok(())
}
