//! A card's status strip: the last three days of checks, one bar per hour, as server-rendered
//! SVG with the figures as its text alternative. The connection's page has every check.

use crate::model::{HourState, decode_hours};
use leptos::prelude::*;

/// The strip's words: how many hours were checked, healthy, failing.
fn describe(hours: &[HourState]) -> String {
    let count = |wanted: &[HourState]| hours.iter().filter(|h| wanted.contains(h)).count();
    let checked = hours.len() - count(&[HourState::Unchecked]);
    let failing = count(&[HourState::Failed, HourState::Mixed]);
    if checked == 0 {
        return format!("No checks in the last {} hours", hours.len());
    }
    format!(
        "Last {} hours: {checked} checked, {} healthy, {failing} with failures",
        hours.len(),
        count(&[HourState::Healthy])
    )
}

#[component]
pub fn HourStrip(strip: String, id: i32) -> impl IntoView {
    let hours = decode_hours(&strip);
    let label = describe(&hours);
    let width = (hours.len() * 4).max(4);
    let bars = hours
        .into_iter()
        .enumerate()
        .filter(|(_, h)| *h != HourState::Unchecked)
        .map(|(i, hour)| {
            // Failures stand taller, so the strip reads without colour too.
            let (class, y, height) = match hour {
                HourState::Healthy => ("strip-ok", "6", "14"),
                HourState::Mixed => ("strip-mixed", "0", "20"),
                _ => ("strip-fail", "0", "20"),
            };
            view! { <rect x=(i * 4).to_string() y=y width="3" height=height class=class /> }
        })
        .collect_view();
    view! {
        <a class="strip-link" href=format!("/settings/connections/{id}")>
            <svg
                class="status-strip"
                role="img"
                aria-label=label
                viewBox=format!("0 0 {width} 20")
                preserveAspectRatio="none"
            >
                {bars}
            </svg>
            <span class="hint">"History"</span>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strip_says_what_it_shows() {
        assert_eq!(describe(&decode_hours("...")), "No checks in the last 3 hours");
        assert_eq!(describe(&decode_hours(".oox!")), "Last 5 hours: 4 checked, 2 healthy, 2 with failures");
    }
}
