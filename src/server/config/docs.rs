//! The documented settings: one row each, printed by `keyhaven --help` and mirrored in the README.

/// One documented setting: its TOML key, environment variable, default and meaning.
pub struct SettingDoc {
    pub key: &'static str,
    pub env: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const SETTINGS: &[SettingDoc] = &[
    SettingDoc {
        key: "data_dir",
        env: "KEYHAVEN_DATA_DIR",
        default: "./data",
        help: "Directory for the database and derived files; created with mode 0700",
    },
    SettingDoc {
        key: "database_url",
        env: "KEYHAVEN_DATABASE_URL",
        default: "sqlite://<data_dir>/keyhaven.db",
        help: "sqlite:// or postgres:// URL",
    },
    SettingDoc {
        key: "listen",
        env: "KEYHAVEN_LISTEN",
        default: "127.0.0.1:3000",
        help: "Address and port the web server listens on",
    },
    SettingDoc {
        key: "log",
        env: "KEYHAVEN_LOG",
        default: "info",
        help: "Log filter, e.g. info or keyhaven=debug,tower_http=info",
    },
    SettingDoc {
        key: "public_url",
        env: "KEYHAVEN_PUBLIC_URL",
        default: "(unset)",
        help: "URL users reach Keyhaven at; https:// marks session cookies Secure",
    },
    SettingDoc {
        key: "allowed_hosts",
        env: "KEYHAVEN_ALLOWED_HOSTS",
        default: "(none)",
        help: "More host names browsers may use (comma-separated); IP addresses, localhost and public_url's host are always allowed",
    },
    SettingDoc {
        key: "trusted_proxies",
        env: "KEYHAVEN_TRUSTED_PROXIES",
        default: "(none)",
        help: "Reverse proxies (IPs or CIDR blocks, comma-separated) whose X-Forwarded-For names the client",
    },
    SettingDoc {
        key: "session_idle_minutes",
        env: "KEYHAVEN_SESSION_IDLE_MINUTES",
        default: "480",
        help: "A browser session ends after this long without a request",
    },
    SettingDoc {
        key: "session_lifetime_hours",
        env: "KEYHAVEN_SESSION_LIFETIME_HOURS",
        default: "168",
        help: "A browser session ends this long after login, active or not",
    },
    SettingDoc {
        key: "api_token_ttl_hours",
        env: "KEYHAVEN_API_TOKEN_TTL_HOURS",
        default: "8",
        help: "Lifetime of tokens issued by POST /api/auth/login",
    },
    SettingDoc {
        key: "master_key_file",
        env: "KEYHAVEN_MASTER_KEY_FILE",
        default: "<data_dir>/master.key",
        help: "File holding the master key that seals private keys; created 0600 on first run",
    },
    SettingDoc {
        key: "(environment only)",
        env: "KEYHAVEN_MASTER_KEY",
        default: "(unset)",
        help: "The master key itself, base64 of 32 bytes; wins over the file",
    },
    SettingDoc {
        key: "import_dirs",
        env: "KEYHAVEN_IMPORT_DIRS",
        default: "(empty: off)",
        help: "Directories, separated by ':', that private keys may be imported from by path",
    },
    SettingDoc {
        key: "public_key_types",
        env: "KEYHAVEN_PUBLIC_KEY_TYPES",
        default: "ssh-ed25519,ecdsa-sha2-nistp256/384/521,sk-…,ssh-rsa",
        help: "Comma-separated key types accepted as user and deploy keys (never ssh-dss)",
    },
    SettingDoc {
        key: "public_key_min_rsa_bits",
        env: "KEYHAVEN_PUBLIC_KEY_MIN_RSA_BITS",
        default: "2048",
        help: "Smallest RSA user or deploy key accepted, in bits (at least 2048)",
    },
    SettingDoc {
        key: "ssh_connect_timeout_secs",
        env: "KEYHAVEN_SSH_CONNECT_TIMEOUT_SECS",
        default: "10",
        help: "SSH: TCP connect plus handshake must finish within this many seconds",
    },
    SettingDoc {
        key: "ssh_auth_timeout_secs",
        env: "KEYHAVEN_SSH_AUTH_TIMEOUT_SECS",
        default: "10",
        help: "SSH: each authentication attempt must finish within this many seconds",
    },
    SettingDoc {
        key: "ssh_command_timeout_secs",
        env: "KEYHAVEN_SSH_COMMAND_TIMEOUT_SECS",
        default: "30",
        help: "SSH: each remote command or SFTP step must finish within this many seconds",
    },
    SettingDoc {
        key: "ssh_max_connections",
        env: "KEYHAVEN_SSH_MAX_CONNECTIONS",
        default: "32",
        help: "SSH connections open at once, all hosts together (never more than 4 per host)",
    },
    SettingDoc {
        key: "host_key_policy",
        env: "KEYHAVEN_HOST_KEY_POLICY",
        default: "confirm",
        help: "A new host's key: confirm (a person trusts it first) or accept-new (trusted at first contact, audited; a changed key is still refused)",
    },
    SettingDoc {
        key: "check_interval_secs",
        env: "KEYHAVEN_CHECK_INTERVAL_SECS",
        default: "900",
        help: "Every connection is checked (test and storage) this often in the background, spread out; 0 turns it off",
    },
    SettingDoc {
        key: "check_retention_days",
        env: "KEYHAVEN_CHECK_RETENTION_DAYS",
        default: "90",
        help: "Each connection's check history is kept this many days (at least 1), pruned hourly",
    },
    SettingDoc {
        key: "inventory_interval_secs",
        env: "KEYHAVEN_INVENTORY_INTERVAL_SECS",
        default: "86400",
        help: "After a healthy scheduled check, a connection's authorized_keys is read again when its last read is this old; a key added or removed by anyone but Keyhaven is an alert. 0 turns it off",
    },
    SettingDoc {
        key: "alert_after_failures",
        env: "KEYHAVEN_ALERT_AFTER_FAILURES",
        default: "2",
        help: "Failed scheduled checks in a row before a connection is reported failing (at least 1)",
    },
    SettingDoc {
        key: "alert_retry_secs",
        env: "KEYHAVEN_ALERT_RETRY_SECS",
        default: "30",
        help: "Pause after an alert delivery fails (1 to 3600 s); each next pause is 4 times longer",
    },
    SettingDoc {
        key: "alert_attempts",
        env: "KEYHAVEN_ALERT_ATTEMPTS",
        default: "5",
        help: "Attempts of an alert delivery (1 to 10) before it is recorded as failed",
    },
];

/// Text for `keyhaven --help`: every setting with its variable and default.
pub fn settings_help() -> String {
    let mut text = String::from("Settings (defaults → --config TOML file → environment variables):\n");
    for s in SETTINGS {
        text.push_str(&format!("  {:<24} {:<34} default {}\n      {}\n", s.key, s.env, s.default, s.help));
    }
    text
}
