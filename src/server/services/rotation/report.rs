//! A rotation's report, kept with the job and downloadable: one row per connection with the state
//! it reached, whether it needs a manual step, and what happened. Public facts only (fingerprints,
//! connection labels), never key material beyond the new key's public line in the manual steps.

use crate::model::RotationView;
use crate::server::error::ServiceError;

/// The report as CSV: a header, then one row per connection.
pub fn csv(view: &RotationView) -> Result<Vec<u8>, ServiceError> {
    let failed = |e: csv::Error| ServiceError::Internal(format!("writing the rotation report: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "rotation",
        "key",
        "old_fingerprint",
        "new_fingerprint",
        "connection_id",
        "connection",
        "state",
        "reached",
        "needs_manual_step",
        "detail",
        "manual_steps",
        "updated_at",
    ])
    .map_err(failed)?;
    for host in &view.hosts {
        out.write_record([
            view.id.to_string().as_str(),
            &view.old_key_name,
            &view.old_fingerprint,
            view.new_fingerprint.as_deref().unwrap_or(""),
            host.connection_id.to_string().as_str(),
            &host.connection,
            &host.state,
            &host.reached,
            if host.needs_manual_step { "true" } else { "false" },
            host.detail.as_deref().unwrap_or(""),
            host.manual_steps.as_deref().unwrap_or(""),
            &host.updated_at,
        ])
        .map_err(failed)?;
    }
    out.into_inner().map_err(|e| ServiceError::Internal(format!("writing the rotation report: {e}")))
}
