//! Keyhaven's database schema, one file per migration.
//!
//! Each migration keeps a frozen copy of the identifiers it creates (its own `Iden` enums) instead of
//! importing the application's entities, so that later changes to the entities never rewrite history.
//! The portable schema builder is used wherever it can write the statement (one index on an
//! expression is plain SQL both engines read alike): the same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_ssh_keys;
mod m20261123_000003_public_keys;
mod m20261123_000004_known_hosts;
mod m20261123_000005_connection_storage;
mod m20261201_000006_connection_status_index;
mod m20261205_000007_connection_use_sudo;
mod m20261205_000008_repository_names_ignore_case;
mod m20261205_000009_connection_checks;
mod m20261205_000010_check_schedules;
mod m20261206_000011_alerts;
mod m20261206_000012_alert_channels;
mod m20261206_000013_authorized_keys_inventory;
mod m20261207_000014_key_rotations;
mod m20261207_000015_key_rotation_period;
mod m20261207_000016_inventory_notes;
mod m20261207_000017_inventory_runs;
mod m20261207_000018_key_rotation_notices;

/// Runs every migration in order; `keyhaven migrate` and server start both call it.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_ssh_keys::Migration),
            Box::new(m20261123_000003_public_keys::Migration),
            Box::new(m20261123_000004_known_hosts::Migration),
            Box::new(m20261123_000005_connection_storage::Migration),
            Box::new(m20261201_000006_connection_status_index::Migration),
            Box::new(m20261205_000007_connection_use_sudo::Migration),
            Box::new(m20261205_000008_repository_names_ignore_case::Migration),
            Box::new(m20261205_000009_connection_checks::Migration),
            Box::new(m20261205_000010_check_schedules::Migration),
            Box::new(m20261206_000011_alerts::Migration),
            Box::new(m20261206_000012_alert_channels::Migration),
            Box::new(m20261206_000013_authorized_keys_inventory::Migration),
            Box::new(m20261207_000014_key_rotations::Migration),
            Box::new(m20261207_000015_key_rotation_period::Migration),
            Box::new(m20261207_000016_inventory_notes::Migration),
            Box::new(m20261207_000017_inventory_runs::Migration),
            Box::new(m20261207_000018_key_rotation_notices::Migration),
        ]
    }
}
