//! Shapes for connections to remote hosts (Borg UI's field names).

use serde::{Deserialize, Serialize};

/// Remote storage usage, in bytes and formatted with binary units (`"1.00 TB"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorageView {
    pub total: u64,
    pub total_formatted: String,
    pub used: u64,
    pub used_formatted: String,
    pub available: u64,
    pub available_formatted: String,
    pub percent_used: f64,
    pub last_check: String,
}

/// A connection as `GET /api/ssh-keys/connections` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub id: i32,
    pub ssh_key_id: Option<i32>,
    pub ssh_key_name: Option<String>,
    pub host: String,
    pub username: String,
    pub port: u16,
    pub use_sftp_mode: bool,
    /// Borg UI's "run borg with sudo"; stored for its clients, not used by Keyhaven itself.
    pub use_sudo: bool,
    pub default_path: Option<String>,
    pub ssh_path_prefix: Option<String>,
    pub mount_point: Option<String>,
    /// `unknown`, `testing`, `connected` or `failed`.
    pub status: String,
    pub last_test: Option<String>,
    pub last_success: Option<String>,
    pub error_message: Option<String>,
    pub storage: Option<StorageView>,
    pub created_at: String,
}

/// Bytes in binary units with two decimals, as Borg UI shows them (`"1.00 TB"` is 1024⁴ bytes).
pub fn format_bytes(bytes: u64) -> String {
    let mut value = bytes as f64;
    for unit in ["B", "KB", "MB", "GB", "TB"] {
        if value < 1024.0 {
            return format!("{value:.2} {unit}");
        }
        value /= 1024.0;
    }
    format!("{value:.2} PB")
}

/// Used share of the total in percent, one decimal.
pub fn percent_used(used: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { (used as f64 * 1000.0 / total as f64).round() / 10.0 }
}

/// A percentage with one decimal as text (`33.3`, `100`), from whole tenths: the browser's wasm
/// then carries no float formatting, which is 18 KB of code before compression.
pub fn percent_text(percent: f64) -> String {
    let tenths = (percent.clamp(0.0, 1000.0) * 10.0).round() as u32;
    match tenths % 10 {
        0 => (tenths / 10).to_string(),
        decimal => format!("{}.{decimal}", tenths / 10),
    }
}

/// The Dashboard's view of all connections: counts and the fullest storage, never the whole list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionHealth {
    pub total: u64,
    pub connected: u64,
    pub failed: u64,
    /// `user@host:port` and storage of the fullest measured connections, fullest first.
    pub fullest: Vec<(String, StorageView)>,
    /// Why the files in `data/ssh` (what ssh, borg and rsync read) lag behind the database, while
    /// they do; the writer retries on its own.
    pub files_stale: Option<String>,
}

/// One page of connections, for a page that must stay fast with a thousand of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionPage {
    pub rows: Vec<ConnectionView>,
    pub total: u64,
    /// 1-based.
    pub page: u64,
    pub pages: u64,
    /// Each shown connection's last hours, one character per hour (see `encode_hours`).
    pub strips: std::collections::HashMap<i32, String>,
}

/// A running (or just finished) test or deploy: the stages done so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub running: bool,
    pub stages: Vec<StageView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    /// `tcp`, `host_key`, `authentication`, `session`, `install` or `verify`.
    pub name: String,
    /// `ok`, `failed` or `skipped`.
    pub status: String,
    pub message: String,
    pub millis: u64,
}

/// What the Connections page shows after a test or a deploy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionOutcome {
    pub success: bool,
    pub message: String,
    /// The restricted-key note of a test, or StrictModes warnings of a deploy.
    pub notes: Vec<String>,
    pub stages: Vec<StageView>,
}

/// One entry of a remote directory in the Browse panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteEntry {
    pub name: String,
    pub path: String,
    pub is_directory: bool,
    /// Binary units (`"4.00 KB"`); empty for a directory.
    pub size: String,
    pub modified: Option<String>,
    pub is_borg_repo: bool,
    /// As `ls -l` shows it: `drwxr-xr-x`.
    pub permissions: String,
}

/// A remote directory of a connection, for picking its backup path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteListing {
    pub connection_id: i32,
    /// `user@host:port`.
    pub connection: String,
    pub current_path: String,
    pub parent_path: Option<String>,
    pub entries: Vec<RemoteEntry>,
    /// The directory holds more entries than one listing shows.
    pub truncated: bool,
    /// The path asked for when it does not exist: the listing is its nearest existing parent.
    pub missing: Option<String>,
    /// The connection's backup path now, to mark it.
    pub backup_path: Option<String>,
}

/// The Connections page showing the Browse panel of connection `id` at `path`.
pub fn browse_href(id: i32, path: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("browse", &id.to_string())
        .append_pair("path", path)
        .finish();
    format!("/settings/connections?{query}#browse")
}

/// The folders from the root down to `path`, each with its own path, for the breadcrumbs:
/// `/srv/borg` → `[("/", "/"), ("srv", "/srv"), ("borg", "/srv/borg")]`.
pub fn path_steps(path: &str) -> Vec<(String, String)> {
    let mut steps = vec![("/".to_string(), "/".to_string())];
    let mut so_far = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        so_far.push('/');
        so_far.push_str(part);
        steps.push((part.to_string(), so_far.clone()));
    }
    steps
}

/// Hours in a card's status strip: the last three days.
pub const STRIP_HOURS: usize = 72;

/// What one hour of a status strip held: no check, only healthy checks, only failed ones, both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HourState {
    Unchecked,
    Healthy,
    Failed,
    Mixed,
}

/// One character per hour, so a page of 25 cards carries 25 short strings: `.` no check, `o`
/// healthy, `x` failed, `!` both. Each slot is (any healthy, any failed).
pub fn encode_hours(slots: &[(bool, bool)]) -> String {
    slots
        .iter()
        .map(|slot| match slot {
            (false, false) => '.',
            (true, false) => 'o',
            (false, true) => 'x',
            (true, true) => '!',
        })
        .collect()
}

/// The hours of an encoded strip, oldest first.
pub fn decode_hours(strip: &str) -> Vec<HourState> {
    strip
        .chars()
        .map(|c| match c {
            'o' => HourState::Healthy,
            'x' => HourState::Failed,
            '!' => HourState::Mixed,
            _ => HourState::Unchecked,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_strip_round_trips() {
        let strip = encode_hours(&[(false, false), (true, false), (false, true), (true, true)]);
        assert_eq!(strip, ".ox!");
        assert_eq!(
            decode_hours(&strip),
            [HourState::Unchecked, HourState::Healthy, HourState::Failed, HourState::Mixed]
        );
    }

    #[test]
    fn sizes_use_binary_units_with_two_decimals() {
        assert_eq!(format_bytes(0), "0.00 B");
        assert_eq!(format_bytes(1023), "1023.00 B");
        assert_eq!(format_bytes(1536), "1.50 KB");
        assert_eq!(format_bytes(512 << 30), "512.00 GB");
        assert_eq!(format_bytes(1 << 40), "1.00 TB");
        assert_eq!(format_bytes(3 << 50), "3.00 PB");
        assert_eq!(percent_used(1, 3), 33.3);
        assert_eq!(percent_text(33.3), "33.3");
        assert_eq!(percent_text(percent_used(2, 3)), "66.7");
        assert_eq!(percent_text(100.0), "100");
        assert_eq!(percent_text(0.04), "0");
        assert_eq!(percent_text(-5.0), "0");
        assert_eq!(percent_used(5, 0), 0.0);
    }

    #[test]
    fn browse_links_carry_any_path_and_steps_lead_back_up() {
        assert_eq!(browse_href(3, "/a b/ü&x"), "/settings/connections?browse=3&path=%2Fa+b%2F%C3%BC%26x#browse");
        let steps = path_steps("/srv/borg");
        assert_eq!(
            steps,
            [("/".into(), "/".into()), ("srv".into(), "/srv".into()), ("borg".into(), "/srv/borg".into())]
        );
        assert_eq!(path_steps("/"), [("/".to_string(), "/".to_string())]);
    }
}
