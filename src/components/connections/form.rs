//! The connection fields, shared by the Add form and each card's Edit form. Presets fill the Add
//! form from the URL (`?preset=hetzner`), so they work without JavaScript too.

use crate::model::ConnectionView;
use leptos::prelude::*;

/// Starting values for a kind of host: (id, label, port, SFTP mode, default path, path prefix).
pub const PRESETS: [(&str, &str, u16, bool, &str, &str); 5] = [
    ("linux", "Linux server", 22, true, "", ""),
    ("hetzner", "Hetzner Storage Box", 23, true, "/home", ""),
    ("synology", "Synology NAS", 22, false, "", "/volume1"),
    ("borgbase", "BorgBase", 22, false, "/./repo", ""),
    ("custom", "Custom", 22, true, "", ""),
];

/// The values a form starts with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormValues {
    pub host: String,
    pub username: String,
    pub port: u16,
    pub use_sftp_mode: bool,
    pub default_path: String,
    pub ssh_path_prefix: String,
    pub mount_point: String,
}

impl FormValues {
    pub fn preset(id: &str) -> FormValues {
        let (_, _, port, sftp, path, prefix) = PRESETS.iter().find(|p| p.0 == id).copied().unwrap_or(PRESETS[0]);
        FormValues {
            port,
            use_sftp_mode: sftp,
            default_path: path.into(),
            ssh_path_prefix: prefix.into(),
            ..Default::default()
        }
    }

    pub fn of(c: &ConnectionView) -> FormValues {
        FormValues {
            host: c.host.clone(),
            username: c.username.clone(),
            port: c.port,
            use_sftp_mode: c.use_sftp_mode,
            default_path: c.default_path.clone().unwrap_or_default(),
            ssh_path_prefix: c.ssh_path_prefix.clone().unwrap_or_default(),
            mount_point: c.mount_point.clone().unwrap_or_default(),
        }
    }
}

/// The inputs (without the form element); `prefix` keeps ids unique when several forms are shown.
#[component]
pub fn ConnectionFields(values: FormValues, #[prop(into)] prefix: String) -> impl IntoView {
    let id = move |name: &str| format!("{prefix}-{name}");
    view! {
        <div class="form-grid">
            <label for=id("host")>"Host"</label>
            <input id=id("host") name="host" required value=values.host placeholder="u123456.your-storagebox.de" />
            <label for=id("port")>"Port"</label>
            <input id=id("port") name="port" type="number" min="1" max="65535" required value=values.port.to_string() />
            <label for=id("username")>"User"</label>
            <input id=id("username") name="username" required value=values.username autocomplete="off" />
            <label for=id("default_path")>"Backup path"</label>
            <input id=id("default_path") name="default_path" value=values.default_path placeholder="/home/backups" />
            <label for=id("ssh_path_prefix")>"Shell path prefix"</label>
            <input
                id=id("ssh_path_prefix")
                name="ssh_path_prefix"
                value=values.ssh_path_prefix
                placeholder="/volume1"
            />
            <label for=id("mount_point")>"Mount point"</label>
            <input id=id("mount_point") name="mount_point" value=values.mount_point />
        </div>
        <label class="check">
            <input type="checkbox" name="use_sftp_mode" checked=values.use_sftp_mode />
            " SFTP mode (for hosts that allow SFTP only, such as a Storage Box)"
        </label>
        <p class="hint">"The path prefix is added to paths in shell commands only, never to SFTP paths (Synology)."</p>
    }
}
