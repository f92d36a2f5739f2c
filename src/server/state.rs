//! Shared application state, handed to axum handlers and (as Leptos context) to server functions.

use crate::server::config::Settings;
use crate::server::secrets::MasterKey;
use crate::server::services::changes::Changes;
use crate::server::services::public_keys::KeyListCache;
use crate::server::services::ready_answers::ReadyAnswers;
use crate::server::services::remote::SshGate;
use crate::server::throttle::LoginThrottle;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone, Debug)]
pub struct AppState {
    /// Behind an `Arc`: the state is cloned into every middleware layer of every request.
    pub leptos_options: Arc<LeptosOptions>,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub throttle: Arc<LoginThrottle>,
    /// Seals and opens private keys; never leaves the process.
    pub master_key: Arc<MasterKey>,
    /// Recently read public key lists (see `services::public_keys`).
    pub key_cache: Arc<KeyListCache>,
    /// SSH timeouts and connection limits (see `services::remote`).
    pub ssh: Arc<SshGate>,
    /// Change notices to the writer of the files in `data/ssh` (see `services::changes`).
    pub changes: Changes,
    /// Answers kept between changes, by name (see `services::ready_answers`).
    pub ready: Arc<ReadyAnswers>,
    /// Request latency for `/metrics` (see `server::metrics`).
    pub metrics: Arc<crate::server::metrics::HttpMetrics>,
    /// Cached "setup is finished"; once true it never becomes false, so the setup gate needs no
    /// database query per request after the first admin exists.
    setup_done: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        settings: Settings,
        master_key: MasterKey,
    ) -> Self {
        // One TLS provider for the process (ring, which sqlx already builds): the alert channels'
        // HTTP and SMTP clients take the process default. A second call keeps the first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let changes = Changes::new();
        // Outside a runtime (a command that only reads settings) there is nothing to write.
        if tokio::runtime::Handle::try_current().is_ok() {
            crate::server::services::ssh_files::start(db.clone(), settings.data_dir.clone(), changes.clone());
        }
        AppState {
            changes,
            leptos_options: Arc::new(leptos_options),
            db,
            ssh: Arc::new(SshGate::new(&settings)),
            settings: Arc::new(settings),
            throttle: Arc::new(LoginThrottle::default()),
            master_key: Arc::new(master_key),
            key_cache: Arc::new(KeyListCache::default()),
            ready: Arc::new(ReadyAnswers::default()),
            metrics: Arc::new(crate::server::metrics::HttpMetrics::default()),
            setup_done: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn with_throttle(mut self, throttle: LoginThrottle) -> Self {
        self.throttle = Arc::new(throttle);
        self
    }

    /// Whether the first admin exists, asking the database only until it does.
    pub async fn setup_done(&self) -> Result<bool, crate::server::error::ServiceError> {
        if self.setup_done.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let done = crate::server::services::accounts::setup_done(&self.db).await?;
        if done {
            self.setup_done.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }

    /// What a read of every connection's authorized_keys works with.
    pub fn fleet_reader(&self) -> crate::server::services::inventory::FleetReader {
        crate::server::services::inventory::FleetReader {
            db: self.db.clone(),
            gate: self.ssh.clone(),
            master: self.master_key.clone(),
        }
    }

    /// The rotation domain's handle: what a key rotation works with.
    pub fn rotator(&self) -> crate::server::services::rotation::Rotator {
        crate::server::services::rotation::Rotator {
            db: self.db.clone(),
            changes: self.changes.clone(),
            gate: self.ssh.clone(),
            master: self.master_key.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        (*state.leptos_options).clone()
    }
}
