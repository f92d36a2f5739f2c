//! Integration tests: services on real databases, and the HTTP surface through the real router.
//! One test binary keeps link time down; each area is its own module.
#![cfg(feature = "ssr")]

mod common;

#[path = "integration/access_table.rs"]
mod access_table;
#[path = "integration/alert_channels.rs"]
mod alert_channels;
#[path = "integration/alert_delivery.rs"]
mod alert_delivery;
#[path = "integration/alert_email.rs"]
mod alert_email;
#[path = "integration/audit_service.rs"]
mod audit_service;
#[path = "integration/authorized_keys_edits.rs"]
mod authorized_keys_edits;
#[path = "integration/backup_path_check.rs"]
mod backup_path_check;
#[path = "integration/bad_input_sweep.rs"]
mod bad_input_sweep;
#[path = "integration/borg_ui_auth.rs"]
mod borg_ui_auth;
#[path = "integration/borg_ui_client_flow.rs"]
mod borg_ui_client_flow;
#[path = "integration/borg_ui_connection_checks.rs"]
mod borg_ui_connection_checks;
#[path = "integration/borg_ui_key_on_host.rs"]
mod borg_ui_key_on_host;
#[path = "integration/borg_ui_remote_paths.rs"]
mod borg_ui_remote_paths;
#[path = "integration/connection_actions_input.rs"]
mod connection_actions_input;
#[path = "integration/connection_alerts.rs"]
mod connection_alerts;
#[path = "integration/connection_deploy.rs"]
mod connection_deploy;
#[path = "integration/connection_faults.rs"]
mod connection_faults;
#[path = "integration/connection_history.rs"]
mod connection_history;
#[path = "integration/connection_secrets.rs"]
mod connection_secrets;
#[path = "integration/connections_api.rs"]
mod connections_api;
#[path = "integration/database_locks.rs"]
mod database_locks;
#[path = "integration/domain_rules.rs"]
mod domain_rules;
#[path = "integration/github_keys_api.rs"]
mod github_keys_api;
#[path = "integration/github_keys_authorization.rs"]
mod github_keys_authorization;
#[path = "integration/github_keys_input.rs"]
mod github_keys_input;
#[path = "integration/github_routes.rs"]
mod github_routes;
#[path = "integration/health_summary.rs"]
mod health_summary;
#[path = "integration/http_assets.rs"]
mod http_assets;
#[path = "integration/http_authorization.rs"]
mod http_authorization;
#[path = "integration/http_bad_input.rs"]
mod http_bad_input;
#[path = "integration/http_pages.rs"]
mod http_pages;
#[path = "integration/http_server_limits.rs"]
mod http_server_limits;
#[path = "integration/http_sessions.rs"]
mod http_sessions;
#[path = "integration/http_ssh_key_forms.rs"]
mod http_ssh_key_forms;
#[path = "integration/http_ssh_keys.rs"]
mod http_ssh_keys;
#[path = "integration/inventory_adoption.rs"]
mod inventory_adoption;
#[path = "integration/inventory_reads.rs"]
mod inventory_reads;
#[path = "integration/inventory_runs.rs"]
mod inventory_runs;
#[path = "integration/inventory_watch.rs"]
mod inventory_watch;
#[path = "integration/key_import_limits.rs"]
mod key_import_limits;
#[path = "integration/key_last_use.rs"]
mod key_last_use;
#[path = "integration/key_rotation.rs"]
mod key_rotation;
#[path = "integration/known_hosts_api.rs"]
mod known_hosts_api;
#[path = "integration/known_hosts_import.rs"]
mod known_hosts_import;
#[path = "integration/leptos_config.rs"]
mod leptos_config;
#[path = "integration/login_limits.rs"]
mod login_limits;
#[path = "integration/metrics_endpoint.rs"]
mod metrics_endpoint;
#[path = "integration/parser_properties.rs"]
mod parser_properties;
#[path = "integration/rotation_notices.rs"]
mod rotation_notices;
#[path = "integration/rotation_resume.rs"]
mod rotation_resume;
#[path = "integration/scheduled_checks.rs"]
mod scheduled_checks;
#[path = "integration/security_boundary.rs"]
mod security_boundary;
#[path = "integration/setup_wizard.rs"]
mod setup_wizard;
#[path = "integration/ssh_client.rs"]
mod ssh_client;
#[path = "integration/ssh_files.rs"]
mod ssh_files;
#[path = "integration/ssh_keys_at_rest.rs"]
mod ssh_keys_at_rest;
#[path = "integration/ssh_keys_interop.rs"]
mod ssh_keys_interop;
#[path = "integration/ssh_scan.rs"]
mod ssh_scan;
#[path = "integration/ssh_tools.rs"]
mod ssh_tools;
#[path = "integration/tokens_service.rs"]
mod tokens_service;
#[path = "integration/users_service.rs"]
mod users_service;
