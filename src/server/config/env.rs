//! `KEYHAVEN_*` environment variables: the last layer of the settings, over the file and the defaults.

use super::{ConfigError, HostKeyPolicy, Settings};
use std::collections::HashMap;
use std::path::PathBuf;

impl Settings {
    /// Empty variables count as unset, so a blank line in a systemd unit does not wipe a default.
    pub(super) fn apply_env(&mut self, env: &HashMap<String, String>) -> Result<(), ConfigError> {
        let get = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        let number = |name: &str| -> Result<Option<u64>, ConfigError> {
            get(name)
                .map(|v| {
                    v.parse::<u64>().map_err(|_| ConfigError::Env {
                        var: name.to_string(),
                        message: format!("expected a whole number, got {v:?}"),
                    })
                })
                .transpose()
        };
        if let Some(v) = get("KEYHAVEN_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("KEYHAVEN_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = get("KEYHAVEN_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("KEYHAVEN_LOG") {
            self.log = v;
        }
        if let Some(v) = get("KEYHAVEN_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("KEYHAVEN_ALLOWED_HOSTS") {
            self.allowed_hosts = v.split(',').map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).collect();
        }
        if let Some(v) = get("KEYHAVEN_TRUSTED_PROXIES") {
            self.trusted_proxies = v.split(',').map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).collect();
        }
        if let Some(v) = number("KEYHAVEN_SESSION_IDLE_MINUTES")? {
            self.session_idle_minutes = v;
        }
        if let Some(v) = number("KEYHAVEN_SESSION_LIFETIME_HOURS")? {
            self.session_lifetime_hours = v;
        }
        if let Some(v) = get("KEYHAVEN_MASTER_KEY_FILE") {
            self.master_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env.get("KEYHAVEN_IMPORT_DIRS") {
            self.import_dirs = v.split(':').filter(|d| !d.trim().is_empty()).map(PathBuf::from).collect();
        }
        if let Some(v) = number("KEYHAVEN_API_TOKEN_TTL_HOURS")? {
            self.api_token_ttl_hours = v;
        }
        if let Some(v) = get("KEYHAVEN_PUBLIC_KEY_TYPES") {
            self.public_key_types = v.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        }
        if let Some(v) = number("KEYHAVEN_PUBLIC_KEY_MIN_RSA_BITS")? {
            self.public_key_min_rsa_bits = u32::try_from(v).unwrap_or(u32::MAX);
        }
        if let Some(v) = get("KEYHAVEN_HOST_KEY_POLICY") {
            self.host_key_policy = HostKeyPolicy::parse(&v).ok_or_else(|| ConfigError::Env {
                var: "KEYHAVEN_HOST_KEY_POLICY".into(),
                message: format!("expected confirm or accept-new, got {v:?}"),
            })?;
        }
        if let Some(v) = number("KEYHAVEN_CHECK_INTERVAL_SECS")? {
            self.check_interval_secs = v;
        }
        if let Some(v) = number("KEYHAVEN_CHECK_RETENTION_DAYS")? {
            self.check_retention_days = v.max(1);
        }
        if let Some(v) = number("KEYHAVEN_INVENTORY_INTERVAL_SECS")? {
            self.inventory_interval_secs = v;
        }
        if let Some(v) = number("KEYHAVEN_ALERT_AFTER_FAILURES")? {
            self.alert_after_failures = v.max(1);
        }
        if let Some(v) = number("KEYHAVEN_ALERT_RETRY_SECS")? {
            self.alert_retry_secs = v.clamp(1, 3600);
        }
        if let Some(v) = number("KEYHAVEN_ALERT_ATTEMPTS")? {
            self.alert_attempts = v.clamp(1, 10);
        }
        for (name, slot) in [
            ("KEYHAVEN_SSH_CONNECT_TIMEOUT_SECS", &mut self.ssh_connect_timeout_secs),
            ("KEYHAVEN_SSH_AUTH_TIMEOUT_SECS", &mut self.ssh_auth_timeout_secs),
            ("KEYHAVEN_SSH_COMMAND_TIMEOUT_SECS", &mut self.ssh_command_timeout_secs),
            ("KEYHAVEN_SSH_MAX_CONNECTIONS", &mut self.ssh_max_connections),
        ] {
            if let Some(v) = number(name)? {
                *slot = v.max(1);
            }
        }
        Ok(())
    }
}
