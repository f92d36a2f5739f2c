//! Remote storage usage: `statvfs@openssh.com` over SFTP where the server has it (every OpenSSH,
//! and the only way on SFTP-only hosts), else `df -k` through the shell, read by its numbers
//! rather than its (translated) headers.

use super::client::Session;
use super::error::SshError;
use super::sftp::{RemoteFs, Usage};

/// Usage of the file system holding `sftp_path` (SFTP view) or `shell_path` (the shell's view,
/// with a Synology-style prefix already applied). None paths mean the login directory.
pub async fn usage(session: &Session, sftp_path: Option<&str>, shell_path: Option<&str>) -> Result<Usage, SshError> {
    let sftp_error = match RemoteFs::open(session).await {
        Ok(fs) => {
            let path = match sftp_path {
                Some(p) => Ok(p.to_string()),
                None => fs.home().await,
            };
            let result = match path {
                Ok(p) => fs.usage(&p).await,
                Err(err) => Err(err),
            };
            fs.close().await;
            match result {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => SshError::SftpUnavailable("the server has no statvfs@openssh.com".into()),
                Err(err) => err,
            }
        }
        Err(err) => err,
    };
    match df(session, shell_path).await {
        Ok(found) => Ok(found),
        Err(SshError::RestrictedShell(_)) => Err(sftp_error),
        Err(err) => Err(err),
    }
}

/// Quotes `text` for a POSIX shell: inside single quotes nothing is special but the quote itself.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r#"'\''"#))
}

/// `df -k` with `LC_ALL=C`, then without (restricted shells such as Hetzner's refuse the prefix).
async fn df(session: &Session, path: Option<&str>) -> Result<Usage, SshError> {
    let target = path.map(shell_quote).unwrap_or_else(|| ".".into());
    let mut last = String::from("no output");
    for command in [format!("LC_ALL=C df -k {target}"), format!("df -k {target}")] {
        let output = session.exec(&command, None).await?;
        if output.exit_status == Some(0)
            && let Some(found) = parse_df(&String::from_utf8_lossy(&output.stdout))
        {
            return Ok(found);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        last = stderr.lines().next().unwrap_or("df gave no usable output").trim().to_string();
        if stderr.contains("No such file") {
            return Err(SshError::Protocol(format!("df: {last}")));
        }
    }
    Err(SshError::RestrictedShell(last))
}

/// Reads `df -k` output in any language: after the header, the first three numbers in a row are
/// size, used and available in KiB (a long device name may push them onto the next line).
pub fn parse_df(output: &str) -> Option<Usage> {
    let body: Vec<&str> = output.lines().skip(1).flat_map(str::split_whitespace).collect();
    body.windows(3).find_map(|w| {
        let numbers: Vec<u64> = w.iter().filter_map(|t| t.parse().ok()).collect();
        match numbers[..] {
            [total, used, available] => {
                Some(Usage { total: total * 1024, used: used * 1024, available: available * 1024 })
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_is_read_by_its_numbers_in_any_language_and_layout() {
        let english = "Filesystem     1K-blocks    Used Available Use% Mounted on\n/dev/vda1       10000000 4000000   6000000  40% /\n";
        let german =
            "Dateisystem    1K-Blöcke   Benutzt Verfügbar Verw% Eingehängt auf\n/dev/sda1 2048 1024 1024 50% /srv\n";
        let wrapped = "Filesystem 1K-blocks Used Available Use% Mounted on\n//nas.example/a-very-long-share-name\n        300  100  200  34% /mnt\n";
        assert_eq!(
            parse_df(english),
            Some(Usage { total: 10_240_000_000, used: 4_096_000_000, available: 6_144_000_000 })
        );
        assert_eq!(parse_df(german), Some(Usage { total: 2048 * 1024, used: 1024 * 1024, available: 1024 * 1024 }));
        assert_eq!(parse_df(wrapped), Some(Usage { total: 300 * 1024, used: 100 * 1024, available: 200 * 1024 }));
        assert_eq!(parse_df("Filesystem 1K-blocks\n"), None);
        assert_eq!(parse_df(""), None);
    }

    #[test]
    fn quoting_keeps_a_path_one_word() {
        assert_eq!(shell_quote("/volume1/my backups"), "'/volume1/my backups'");
        assert_eq!(shell_quote("/a'b"), r#"'/a'\''b'"#);
    }
}
