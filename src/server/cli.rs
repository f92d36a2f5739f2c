//! The command line: `serve` (default), `migrate`, `user create`, `user reset-password`.

use crate::model::Role;
use crate::server::config::{Settings, settings_help};
use crate::server::services::accounts::{self, UserChanges};
use crate::server::services::audit::Actor;
use crate::server::state::AppState;
use crate::server::{router::build_router, session_store::DbSessionStore};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "keyhaven",
    version,
    about = "Keyhaven: SSH keys and SSH connections for backup and deployment servers"
)]
#[command(after_help = settings_help())]
pub struct Cli {
    /// Optional TOML file with settings (keys as listed below).
    #[arg(long, env = "KEYHAVEN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage the master key that seals private keys.
    MasterKey {
        #[command(subcommand)]
        action: MasterKeyCommand,
    },
    /// Manage accounts from the shell, e.g. when every admin is locked out.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum MasterKeyCommand {
    /// Generate a new master key, re-encrypt every secret with it and retire the old one.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is prompted for, or read from standard input.
    Create {
        username: String,
        /// Make the account an admin (default: viewer).
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password; prompted for, or read from standard input.
    ResetPassword { username: String },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_process(cli.config.as_deref()) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("keyhaven: {err}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&settings.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => crate::server::db::open(&settings).await.map(|_| println!("Database is up to date.")),
        Command::User { action } => user_command(&settings, action).await,
        Command::MasterKey { action: MasterKeyCommand::Rotate } => {
            crate::server::services::keys::rotate_master_key(&settings).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("keyhaven: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Runtime Leptos options: `Leptos.toml` in the working directory, else the copy built in.
/// `LEPTOS_*` environment variables override either.
fn leptos_options() -> Result<leptos::config::LeptosOptions, String> {
    let text = std::fs::read_to_string("Leptos.toml").unwrap_or_else(|_| include_str!("../../Leptos.toml").to_string());
    leptos::config::get_config_from_str(&text).map_err(|e| format!("Leptos.toml: {e}"))
}

async fn serve(settings: Settings) -> Result<(), String> {
    let started = std::time::Instant::now();
    let conn = crate::server::db::open(&settings).await?;
    // Held until the process ends: `master-key rotate` refuses to run beside a server.
    let _data_lock = super::data_lock::hold(&settings.data_dir, "starting another server on this data dir")?;
    let master_key = crate::server::services::keys::load_master_key(&settings, &conn).await?;
    let listen = settings.listen.clone();
    let state = AppState::new(leptos_options()?, conn.clone(), settings, master_key);
    start_ssh_tools(&state).await;
    // Held until the process ends: dropping it stops the scheduled checks.
    let _checks = start_checks(&state).await;
    resume_jobs(&state).await;
    let app = build_router(state);
    let sessions = DbSessionStore::new(conn);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(err) = sessions.delete_expired().await {
                tracing::warn!(error = %err, "could not delete expired sessions");
            }
        }
    });
    let listener =
        tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(address = %listen, startup_ms = started.elapsed().as_millis() as u64, "Keyhaven is listening on http://{listen}");
    super::http_server::serve(listener, app, super::http_server::Limits::default(), shutdown_signal()).await;
    Ok(())
}

/// The files and the agent socket other tools (borg, rsync, ssh) use; a failure here is logged,
/// because the web app works without them.
async fn start_ssh_tools(state: &AppState) {
    use crate::server::services::keys;
    let data_dir = &state.settings.data_dir;
    if let Err(err) = crate::server::services::connections::reset_interrupted_tests(&state.db).await {
        tracing::warn!(error = %err, "could not reset connections left in testing");
    }
    // The writer's first pass rewrites every file, picking up changes made while the server was
    // down (a restored backup); waiting for it means tools see current files once we listen.
    state.changes.publish(&[crate::server::services::changes::Change::Everything]).await;
    let keys = keys::DatabaseKeys { db: state.db.clone(), master: state.master_key.clone() };
    match keys::start_agent(data_dir, keys) {
        Ok(()) => {
            tracing::info!(socket = %keys::socket_path(data_dir).display(), "SSH agent for the managed keys")
        }
        Err(err) => tracing::error!(error = %err, "could not start the SSH agent socket"),
    }
}

/// The scheduled checks of every connection (`check_interval_secs`; 0 turns them off), the
/// hourly pruning of the check history (`check_retention_days`), and the alert deliveries, all on
/// the background pool (see `db::connect_background`).
async fn start_checks(state: &AppState) -> Option<crate::server::services::health::Running> {
    use crate::server::services::health;
    let background = crate::server::db::connect_background(&state.settings.effective_database_url(), &state.db).await;
    health::start_pruning(background.clone(), state.settings.check_retention_days);
    let every = state.settings.check_every();
    let scheduler = health::Scheduler {
        db: background.clone(),
        changes: state.changes.clone(),
        gate: state.ssh.clone(),
        master: state.master_key.clone(),
        every,
        failures_to_alert: i32::try_from(state.settings.alert_after_failures).unwrap_or(i32::MAX).max(1),
        inventory_every: chrono::Duration::seconds(
            i64::try_from(state.settings.inventory_interval_secs).unwrap_or(i64::MAX).min(366 * 86_400),
        ),
    };
    let dispatcher = crate::server::services::alerts::Dispatcher {
        db: background,
        master: state.master_key.clone(),
        retry_after: chrono::Duration::seconds(i64::try_from(state.settings.alert_retry_secs).unwrap_or(30)),
        attempts: i32::try_from(state.settings.alert_attempts).unwrap_or(5).max(1),
    };
    if let Err(err) = crate::server::services::alerts::start(dispatcher) {
        tracing::error!(error = %err, "alert deliveries cannot start");
    }
    let running = health::start(scheduler);
    match &running {
        Some(_) => tracing::info!(every_secs = every.num_seconds(), "scheduled connection checks"),
        None => tracing::info!("scheduled connection checks are off (check_interval_secs = 0)"),
    }
    running
}

/// Key rotations a stop interrupted go on from the state each connection reached, and a read of
/// every connection with the connections it had not read yet; keys that rotate by themselves are
/// looked at every hour.
async fn resume_jobs(state: &AppState) {
    use crate::server::services::{inventory, rotation};
    rotation::resume(&state.rotator()).await;
    inventory::resume_runs(&state.fleet_reader()).await;
    rotation::start_schedule(state.rotator());
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

async fn user_command(settings: &Settings, action: UserCommand) -> Result<(), String> {
    let conn = crate::server::db::open(settings).await?;
    let actor = Actor::cli();
    match action {
        UserCommand::Create { username, admin } => {
            let password = read_password()?;
            let role = if admin { Role::Admin } else { Role::Viewer };
            let user =
                accounts::create_user(&conn, &actor, &username, &password, role).await.map_err(|e| e.to_string())?;
            println!("Created {} '{}'.", role, user.username);
        }
        UserCommand::ResetPassword { username } => {
            let user = accounts::find_by_username(&conn, &username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user named '{username}'"))?;
            let password = read_password()?;
            let changes = UserChanges { password: Some(password), ..Default::default() };
            accounts::update_user(&conn, &actor, user.id, changes).await.map_err(|e| e.to_string())?;
            println!("Password of '{}' changed; their sessions have ended.", user.username);
        }
    }
    Ok(())
}

/// Prompts twice on a terminal; otherwise reads the first line of standard input.
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let second = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != second {
            return Err("the passwords do not match".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
