//! Layered settings: built-in defaults → an optional TOML file → `KEYHAVEN_*` environment variables.
//!
//! Each setting is one row of `SETTINGS`, which `keyhaven --help` prints, so the help text can never
//! drift from what is read.

mod docs;
mod env;
pub use docs::{SETTINGS, SettingDoc, settings_help};

pub use crate::model::HostKeyPolicy;
use crate::server::client_address::ProxyRange;
use crate::server::ssh::public_key::{KNOWN_TYPES, KeyPolicy};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The resolved settings Keyhaven runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// `None` means the default SQLite file inside the data dir.
    pub database_url: Option<String>,
    pub listen: String,
    pub log: String,
    /// The address users reach Keyhaven at; an `https://` URL turns on `Secure` cookies.
    pub public_url: Option<String>,
    /// Host names (besides `localhost`, IP addresses, `listen`'s and `public_url`'s host) that
    /// requests may name in their `Host` header; anything else is refused (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<String>,
    pub session_idle_minutes: u64,
    pub session_lifetime_hours: u64,
    pub api_token_ttl_hours: u64,
    /// Where the master key lives when `KEYHAVEN_MASTER_KEY` is not set; `None`: `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// Directories private keys may be imported from by path; empty turns path import off.
    pub import_dirs: Vec<PathBuf>,
    /// Public key types people and deploy keys may use (OpenSSH names).
    pub public_key_types: Vec<String>,
    /// The smallest RSA public key accepted, in bits.
    pub public_key_min_rsa_bits: u32,
    /// SSH client limits: TCP connect plus handshake, authentication, each command (seconds), and
    /// how many SSH connections may be open at once in total.
    pub ssh_connect_timeout_secs: u64,
    pub ssh_auth_timeout_secs: u64,
    pub ssh_command_timeout_secs: u64,
    pub ssh_max_connections: u64,
    /// What to do with a host whose key was never trusted: `confirm` first, or `accept-new`.
    pub host_key_policy: HostKeyPolicy,
    /// How often each connection is checked in the background (seconds; 0 turns checks off).
    pub check_interval_secs: u64,
    /// How long each connection's check history is kept (days, at least 1).
    pub check_retention_days: u64,
    /// How often a healthy connection's `authorized_keys` is read again after a scheduled check
    /// (seconds; 0 turns it off); a change found is an alert.
    pub inventory_interval_secs: u64,
    /// Failed scheduled checks in a row before a connection is reported failing (at least 1).
    pub alert_after_failures: u64,
    /// The pause after an alert delivery's first failed attempt (seconds); each next is 4× longer.
    pub alert_retry_secs: u64,
    /// Attempts of an alert delivery before it is recorded as failed.
    pub alert_attempts: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            listen: "127.0.0.1:3000".into(),
            log: "info".into(),
            public_url: None,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            session_idle_minutes: 480,
            session_lifetime_hours: 168,
            api_token_ttl_hours: 8,
            master_key_file: None,
            import_dirs: Vec::new(),
            public_key_types: KNOWN_TYPES.iter().map(|t| t.to_string()).collect(),
            public_key_min_rsa_bits: 2048,
            ssh_connect_timeout_secs: 10,
            ssh_auth_timeout_secs: 10,
            ssh_command_timeout_secs: 30,
            ssh_max_connections: 32,
            host_key_policy: HostKeyPolicy::Confirm,
            check_interval_secs: 900,
            check_retention_days: 90,
            inventory_interval_secs: 86_400,
            alert_after_failures: 2,
            alert_retry_secs: 30,
            alert_attempts: 5,
        }
    }
}

/// The TOML file's shape: every key optional, unknown keys refused so typos are caught.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    log: Option<String>,
    public_url: Option<String>,
    allowed_hosts: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
    session_idle_minutes: Option<u64>,
    session_lifetime_hours: Option<u64>,
    api_token_ttl_hours: Option<u64>,
    master_key_file: Option<PathBuf>,
    import_dirs: Option<Vec<PathBuf>>,
    public_key_types: Option<Vec<String>>,
    public_key_min_rsa_bits: Option<u32>,
    ssh_connect_timeout_secs: Option<u64>,
    ssh_auth_timeout_secs: Option<u64>,
    ssh_command_timeout_secs: Option<u64>,
    ssh_max_connections: Option<u64>,
    check_interval_secs: Option<u64>,
    check_retention_days: Option<u64>,
    inventory_interval_secs: Option<u64>,
    alert_after_failures: Option<u64>,
    alert_retry_secs: Option<u64>,
    alert_attempts: Option<u64>,
    host_key_policy: Option<HostKeyPolicy>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("{var}: {message}")]
    Env { var: String, message: String },
}

impl Settings {
    /// The global check interval as the scheduler uses it: more than a year apart is not a
    /// schedule, so it is capped there (and the next check time never overflows); zero is off.
    pub fn check_every(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.check_interval_secs).unwrap_or(i64::MAX).min(366 * 86_400))
    }

    /// Resolves settings from an optional file and the given environment.
    pub fn load(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let mut settings = Settings::default();
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
            let parsed: FileSettings = toml::from_str(&text)
                .map_err(|e| ConfigError::Parse { path: shown, message: e.message().to_string() })?;
            settings.apply_file(parsed);
        }
        settings.apply_env(env)?;
        settings.check_key_policy()?;
        if let Some(bad) = settings.trusted_proxies.iter().find_map(|p| ProxyRange::parse(p).err()) {
            return Err(ConfigError::Env { var: "KEYHAVEN_TRUSTED_PROXIES".into(), message: bad });
        }
        Ok(settings)
    }

    /// Settings from the process environment, for `main`.
    pub fn from_process(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Settings::load(file, &env)
    }

    fn apply_file(&mut self, f: FileSettings) {
        if let Some(v) = f.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = f.database_url {
            self.database_url = Some(v);
        }
        if let Some(v) = f.listen {
            self.listen = v;
        }
        if let Some(v) = f.log {
            self.log = v;
        }
        if let Some(v) = f.public_url {
            self.public_url = Some(v);
        }
        if let Some(v) = f.allowed_hosts {
            self.allowed_hosts = v;
        }
        if let Some(v) = f.trusted_proxies {
            self.trusted_proxies = v;
        }
        if let Some(v) = f.session_idle_minutes {
            self.session_idle_minutes = v;
        }
        if let Some(v) = f.session_lifetime_hours {
            self.session_lifetime_hours = v;
        }
        if let Some(v) = f.master_key_file {
            self.master_key_file = Some(v);
        }
        if let Some(v) = f.import_dirs {
            self.import_dirs = v;
        }
        if let Some(v) = f.api_token_ttl_hours {
            self.api_token_ttl_hours = v;
        }
        if let Some(v) = f.public_key_types {
            self.public_key_types = v;
        }
        if let Some(v) = f.public_key_min_rsa_bits {
            self.public_key_min_rsa_bits = v;
        }
        if let Some(v) = f.host_key_policy {
            self.host_key_policy = v;
        }
        if let Some(v) = f.check_interval_secs {
            self.check_interval_secs = v;
        }
        if let Some(v) = f.check_retention_days {
            self.check_retention_days = v.max(1);
        }
        if let Some(v) = f.inventory_interval_secs {
            self.inventory_interval_secs = v;
        }
        if let Some(v) = f.alert_after_failures {
            self.alert_after_failures = v.max(1);
        }
        if let Some(v) = f.alert_retry_secs {
            self.alert_retry_secs = v.clamp(1, 3600);
        }
        if let Some(v) = f.alert_attempts {
            self.alert_attempts = v.clamp(1, 10);
        }
        for (value, slot) in [
            (f.ssh_connect_timeout_secs, &mut self.ssh_connect_timeout_secs),
            (f.ssh_auth_timeout_secs, &mut self.ssh_auth_timeout_secs),
            (f.ssh_command_timeout_secs, &mut self.ssh_command_timeout_secs),
            (f.ssh_max_connections, &mut self.ssh_max_connections),
        ] {
            if let Some(v) = value {
                *slot = v.max(1);
            }
        }
    }

    /// Unknown type names and RSA minimums below 2048 are configuration mistakes: refuse to start.
    fn check_key_policy(&self) -> Result<(), ConfigError> {
        let env_error = |message: String| ConfigError::Env { var: "KEYHAVEN_PUBLIC_KEY_TYPES".into(), message };
        if self.public_key_types.is_empty() {
            return Err(env_error("name at least one key type".into()));
        }
        if let Some(unknown) = self.public_key_types.iter().find(|t| !KNOWN_TYPES.contains(&t.as_str())) {
            return Err(env_error(format!("unknown key type {unknown:?}; known: {}", KNOWN_TYPES.join(", "))));
        }
        if self.public_key_min_rsa_bits < 2048 {
            return Err(ConfigError::Env {
                var: "KEYHAVEN_PUBLIC_KEY_MIN_RSA_BITS".into(),
                message: "RSA keys below 2048 bits are never accepted".into(),
            });
        }
        Ok(())
    }

    /// The rules every pasted public key is checked against.
    pub fn key_policy(&self) -> KeyPolicy {
        KeyPolicy { allowed_types: self.public_key_types.clone(), min_rsa_bits: self.public_key_min_rsa_bits }
    }

    /// The database URL in use: the configured one, or a SQLite file in the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/keyhaven.db?mode=rwc", self.data_dir.display()),
        }
    }

    pub fn effective_master_key_file(&self) -> PathBuf {
        self.master_key_file.clone().unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    /// `trusted_proxies` as address ranges (checked when the settings were loaded).
    pub fn trusted_proxy_ranges(&self) -> Vec<ProxyRange> {
        self.trusted_proxies.iter().filter_map(|p| ProxyRange::parse(p).ok()).collect()
    }

    /// Cookies get `Secure` only when users reach Keyhaven over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keyhaven.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:8080\"\nlog = \"debug\"\n").unwrap();
        let env = HashMap::from([("KEYHAVEN_LOG".to_string(), "warn".to_string())]);
        let s = Settings::load(Some(&file), &env).unwrap();
        assert_eq!(s.listen, "0.0.0.0:8080");
        assert_eq!(s.log, "warn");
        assert_eq!(s.data_dir, PathBuf::from("./data"));
    }

    #[test]
    fn unknown_file_keys_and_bad_numbers_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        assert!(matches!(Settings::load(Some(&file), &HashMap::new()), Err(ConfigError::Parse { .. })));
        let env = HashMap::from([("KEYHAVEN_SESSION_IDLE_MINUTES".to_string(), "soon".to_string())]);
        let err = Settings::load(None, &env).unwrap_err();
        assert!(err.to_string().contains("KEYHAVEN_SESSION_IDLE_MINUTES"));
    }

    #[test]
    fn default_database_is_sqlite_in_the_data_dir_and_help_lists_every_variable() {
        let s = Settings { data_dir: PathBuf::from("/srv/kh"), ..Settings::default() };
        assert_eq!(s.effective_database_url(), "sqlite:///srv/kh/keyhaven.db?mode=rwc");
        let help = settings_help();
        for var in ["KEYHAVEN_DATA_DIR", "KEYHAVEN_DATABASE_URL", "KEYHAVEN_LISTEN", "KEYHAVEN_LOG"] {
            assert!(help.contains(var), "{var} missing from --help");
        }
    }
}
