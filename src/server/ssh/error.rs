//! `SshError`: what went wrong with SSH material or an SSH connection, precise enough for a service
//! to name the field and tell the user what to do.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SshError {
    #[error("this is a public key; paste the private key (the file without .pub)")]
    PublicKeyGiven,
    #[error("this key is encrypted; enter its passphrase")]
    PassphraseRequired,
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    #[error("{0} keys are not supported; use ed25519, ecdsa or rsa")]
    UnsupportedType(String),
    #[error("RSA keys need at least {min} bits; this one has {bits}")]
    RsaTooSmall { bits: u32, min: u32 },
    #[error("certificates are not accepted here; give the key itself")]
    Certificate,
    #[error("the key could not be read: {0}")]
    Malformed(String),
    #[error("the key's comment is not one line of at most {max} printable characters; give a comment to replace it")]
    BadComment { max: usize },
    #[error(
        "the key's encryption asks for {what}, more than Keyhaven allows ({limit}); re-encrypt it with ssh-keygen -p"
    )]
    KdfTooCostly { what: String, limit: String },
    #[error("the public key does not belong to this private key")]
    PublicKeyMismatch,
    #[error("key generation failed: {0}")]
    Generation(String),
    #[error("the host name {0} could not be resolved (DNS)")]
    Dns(String),
    #[error("the connection was refused: nothing listens on that port")]
    Refused,
    #[error("the host is unreachable from here")]
    Unreachable,
    #[error("no answer within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the server offered no host key Keyhaven can check")]
    NoHostKeys,
    #[error("the SSH conversation failed: {0}")]
    Protocol(String),
    #[error("host key not trusted: the host offered {offered}; check it and trust it first")]
    HostKeyUnknown { offered: String },
    #[error("host key CHANGED: trusted {trusted}, but the host offered {offered}")]
    HostKeyChanged { trusted: String, offered: String },
    #[error("authentication was rejected: the key is not installed for this user")]
    AuthRejected,
    #[error("the host rejected the password")]
    PasswordRejected,
    #[error("the host allows no shell commands here (restricted shell or forced command): {0}")]
    RestrictedShell(String),
    #[error("SFTP is not available on this host: {0}")]
    SftpUnavailable(String),
    #[error("permission denied on the host: {0}")]
    PermissionDenied(String),
    #[error("the host's disk is full")]
    DiskFull,
    #[error("the host sent more than {limit} bytes of output; Keyhaven stopped reading and closed the channel")]
    OutputTooLarge { limit: usize },
    #[error(
        "the key is already in authorized_keys, behind options ({0}) that keep it from logging in here; \
         Keyhaven leaves a line an administrator restricted as it is: change or remove it on the host"
    )]
    KeyRestricted(String),
    #[error("{0} is a symbolic link Keyhaven cannot follow; edit the file it points to on the host")]
    UnfollowableLink(String),
    #[error("another edit of authorized_keys holds {0} on the host; try again, or remove it if no edit runs")]
    Busy(String),
    #[error("the new key is not in authorized_keys any more; removing the old key would lock Keyhaven out")]
    WouldLockOut,
    #[error("authorized_keys changed on the host while Keyhaven edited it; nothing was written, try again")]
    ChangedMeanwhile,
}

impl SshError {
    /// Whether the failure is the time limit (answered 504 rather than 502).
    pub fn is_timeout(&self) -> bool {
        matches!(self, SshError::Timeout { .. })
    }

    /// The short, stable name of the failure kept with each check of a connection, for history,
    /// alerts and the API (the message may change wording; this does not).
    pub fn reason(&self) -> &'static str {
        match self {
            SshError::Dns(_) => "dns",
            SshError::Refused => "refused",
            SshError::Unreachable => "unreachable",
            SshError::Timeout { .. } => "timeout",
            SshError::NoHostKeys | SshError::Protocol(_) => "protocol",
            SshError::HostKeyUnknown { .. } => "host_key_unknown",
            SshError::HostKeyChanged { .. } => "host_key_changed",
            SshError::AuthRejected | SshError::PasswordRejected => "auth_rejected",
            SshError::RestrictedShell(_) => "restricted_shell",
            SshError::SftpUnavailable(_) => "sftp_unavailable",
            SshError::PermissionDenied(_) => "permission_denied",
            SshError::DiskFull => "disk_full",
            SshError::OutputTooLarge { .. } => "output_too_large",
            SshError::KeyRestricted(_) => "key_restricted",
            SshError::UnfollowableLink(_) => "unfollowable_link",
            SshError::Busy(_) | SshError::ChangedMeanwhile => "busy",
            SshError::WouldLockOut => "would_lock_out",
            SshError::PublicKeyGiven
            | SshError::PassphraseRequired
            | SshError::WrongPassphrase
            | SshError::UnsupportedType(_)
            | SshError::RsaTooSmall { .. }
            | SshError::Certificate
            | SshError::Malformed(_)
            | SshError::BadComment { .. }
            | SshError::KdfTooCostly { .. }
            | SshError::PublicKeyMismatch
            | SshError::Generation(_) => "key_invalid",
        }
    }

    /// Sorts a connect error into what an operator can act on.
    pub fn from_io(err: &std::io::Error, host: &str) -> SshError {
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::ConnectionRefused => SshError::Refused,
            ErrorKind::TimedOut => SshError::Timeout { seconds: 0 },
            ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => SshError::Unreachable,
            _ if err.to_string().contains("lookup") || err.to_string().contains("not known") => {
                SshError::Dns(host.to_string())
            }
            _ => SshError::Protocol(err.to_string()),
        }
    }
}
