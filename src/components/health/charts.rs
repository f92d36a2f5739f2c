//! Server-rendered SVG charts of a connection's checks: the status strip (one bar per check) and
//! storage used over time. Each carries its figures as a text alternative, so a screen reader and
//! a browser without JavaScript get the same facts.

use crate::model::{CheckView, reason_label};
use leptos::prelude::*;

/// The strip's width per check in SVG units (a bar and a gap).
const BAR: usize = 6;
/// A strip is this many checks wide however many there are, so a bar keeps its width.
const STRIP_SLOTS: usize = 96;

/// The polyline points of (time, share 0..=1) in a `width` × `height` box: time runs left to
/// right over the points' span, a share of 1 is the top.
pub fn polyline(points: &[(i64, f64)], width: f64, height: f64) -> String {
    let (Some(first), Some(last)) = (points.iter().map(|p| p.0).min(), points.iter().map(|p| p.0).max()) else {
        return String::new();
    };
    let span = (last - first).max(1) as f64;
    points
        .iter()
        .map(|(t, share)| {
            let x = (t - first) as f64 / span * width;
            let y = height - share.clamp(0.0, 1.0) * height;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last `checks` (newest first, as given) as a strip of bars, oldest on the left.
#[component]
pub fn StatusStrip(checks: Vec<CheckView>) -> impl IntoView {
    let healthy = checks.iter().filter(|c| c.healthy).count();
    let failed = checks.len() - healthy;
    let newest =
        checks.first().map(|c| format!("; newest {} at {}", reason_label(&c.reason), c.checked_at)).unwrap_or_default();
    let label = format!("Last {} checks: {healthy} healthy, {failed} failed{newest}", checks.len());
    let width = checks.len().max(STRIP_SLOTS) * BAR;
    let bars = checks
        .into_iter()
        .rev()
        .enumerate()
        .map(|(i, check)| {
            let class = if check.healthy { "strip-ok" } else { "strip-fail" };
            // Failures stand taller, so the strip reads without colour too.
            let (y, height) = if check.healthy { ("6", "14") } else { ("0", "20") };
            let title = format!("{}: {}", check.checked_at, reason_label(&check.reason));
            view! {
                <rect x=(i * BAR).to_string() y=y width="5" height=height class=class>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg
            class="status-strip"
            role="img"
            aria-label=label
            viewBox=format!("0 0 {width} 20")
            preserveAspectRatio="none"
        >
            {bars}
        </svg>
    }
}

/// Storage used over time (newest first, as given), with a 90 % line, and the figures in words.
#[component]
pub fn StorageChart(checks: Vec<CheckView>, full_in_days: Option<u32>) -> impl IntoView {
    let mut points: Vec<(i64, f64, String)> = checks
        .iter()
        .filter_map(|c| match (c.storage_used, c.storage_total) {
            (Some(used), Some(total)) if total > 0 => Some((c.epoch, used as f64 / total as f64, c.checked_at.clone())),
            _ => None,
        })
        .collect();
    points.reverse();
    let forecast = match full_in_days {
        Some(0) => "Full now.".to_string(),
        Some(days) => format!("At the pace of the last two weeks, full in about {days} days."),
        None => "Not growing: no date when it is full.".to_string(),
    };
    let (Some(first), Some(last)) = (points.first().cloned(), points.last().cloned()) else {
        return view! { <p class="hint">"No storage measured yet: scheduled checks measure it."</p> }.into_any();
    };
    let percent = |share: f64| (share * 100.0).round() as u32;
    let summary = format!(
        "Storage used went from {}% ({}) to {}% ({}) over {} checks. {forecast}",
        percent(first.1),
        first.2,
        percent(last.1),
        last.2,
        points.len()
    );
    let line = polyline(&points.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(), 600.0, 160.0);
    view! {
        <svg class="storage-chart" role="img" aria-label=summary.clone() viewBox="0 0 600 160">
            <line class="chart-limit" x1="0" x2="600" y1="16" y2="16" />
            <text class="chart-label" x="4" y="12">
                "90%"
            </text>
            <polyline class="chart-line" points=line />
        </svg>
        <p>{summary}</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::polyline;

    #[test]
    fn points_span_the_box_oldest_left_and_full_at_the_top() {
        assert_eq!(polyline(&[(100, 0.0), (150, 0.5), (200, 1.0)], 600.0, 160.0), "0.0,160.0 300.0,80.0 600.0,0.0");
        assert_eq!(polyline(&[(5, 2.0)], 10.0, 10.0), "0.0,0.0", "one point, clamped to full");
        assert_eq!(polyline(&[], 10.0, 10.0), "");
    }
}
