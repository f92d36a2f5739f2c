//! Paging parameters of the management API's lists: `page` (from 1) and `per_page`, each a 422
//! naming it when it is not a whole number in range.

use crate::error::AppError;
use std::collections::HashMap;

/// `(per_page, page)` from a raw query string; `per_page` defaults to `default`, at most `max`.
pub fn page_params(query: Option<&str>, default: u64, max: u64) -> Result<(u64, u64), AppError> {
    let params: HashMap<String, String> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::BadRequest { field: None, message: "The query string could not be read".into() })?;
    let per_page = parameter(&params, "per_page", default, max)?;
    let page = parameter(&params, "page", 1, u64::from(u32::MAX))?;
    Ok((per_page, page))
}

/// A whole number from 1 to `max`, or a 422 that names the parameter.
fn parameter(params: &HashMap<String, String>, name: &str, default: u64, max: u64) -> Result<u64, AppError> {
    let Some(raw) = params.get(name).map(|v| v.trim()) else { return Ok(default) };
    match raw.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(name, format!("{name} must be a whole number from 1 to {max}"))),
    }
}
