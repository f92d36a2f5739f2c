//! The alert rules, as a pure step from what was last seen and a new check to the new state and
//! the alerts to raise: one alert per change of state, never one per check. A connection is
//! "failing" after `threshold` failed checks in a row (one failure is often a blip); a changed
//! host key is raised at once (it may be an attack, and it never heals by itself); storage is
//! raised when it first crosses 75 % and 90 %, and "full soon" when the forecast first falls
//! within 14 days.

/// What the rules remember of a connection between checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub failing: bool,
    pub consecutive_failures: i32,
    pub host_key_changed: bool,
    /// 0, 75 or 90.
    pub storage_level: i32,
    pub forecast_warned: bool,
}

/// One check as the rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    pub healthy: bool,
    pub reason: &'a str,
    /// Storage used in whole percent, when the check measured it.
    pub storage_percent: Option<u8>,
    /// Days until full at the recent pace, when storage was measured and grows.
    pub full_in_days: Option<u32>,
}

/// An alert to raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raise {
    Failing,
    Recovered,
    HostKeyChanged,
    /// Storage crossed 75 or 90 %.
    Storage(i32),
    /// Full within 14 days at the recent pace.
    FullSoon(u32),
}

impl Raise {
    /// The kind as stored and sent.
    pub fn kind(self) -> &'static str {
        match self {
            Raise::Failing => "failing",
            Raise::Recovered => "recovered",
            Raise::HostKeyChanged => "host_key_changed",
            Raise::Storage(90) => "storage_90",
            Raise::Storage(_) => "storage_75",
            Raise::FullSoon(_) => "full_soon",
        }
    }
}

/// A forecast this close is worth an alert.
pub const FULL_SOON_DAYS: u32 = 14;

/// The next state after `seen`, and what to raise. `threshold` is at least 1.
pub fn step(state: State, seen: Seen<'_>, threshold: i32) -> (State, Vec<Raise>) {
    let mut next = state;
    let mut raise = Vec::new();
    if seen.reason == "host_key_changed" {
        next.consecutive_failures = state.consecutive_failures.saturating_add(1);
        if !state.host_key_changed {
            raise.push(Raise::HostKeyChanged);
        }
        next.host_key_changed = true;
        next.failing = true;
    } else if !seen.healthy {
        next.consecutive_failures = state.consecutive_failures.saturating_add(1);
        if !state.failing && next.consecutive_failures >= threshold.max(1) {
            raise.push(Raise::Failing);
            next.failing = true;
        }
    } else {
        if state.failing {
            raise.push(Raise::Recovered);
        }
        next = State { failing: false, consecutive_failures: 0, host_key_changed: false, ..state };
    }
    if let Some(percent) = seen.storage_percent {
        let level = match percent {
            p if p >= 90 => 90,
            p if p >= 75 => 75,
            _ => 0,
        };
        if level > state.storage_level {
            raise.push(Raise::Storage(level));
        }
        next.storage_level = level;
        match seen.full_in_days {
            Some(days) if days <= FULL_SOON_DAYS => {
                if !state.forecast_warned {
                    raise.push(Raise::FullSoon(days));
                }
                next.forecast_warned = true;
            }
            _ => next.forecast_warned = false,
        }
    }
    (next, raise)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(healthy: bool, reason: &str) -> Seen<'_> {
        Seen { healthy, reason, storage_percent: None, full_in_days: None }
    }

    /// Runs the checks through the rules from a fresh state; answers every alert raised.
    fn run(checks: &[Seen<'_>], threshold: i32) -> Vec<Raise> {
        let mut state = State::default();
        let mut raised = Vec::new();
        for check in checks {
            let (next, raise) = step(state, *check, threshold);
            state = next;
            raised.extend(raise);
        }
        raised
    }

    #[test]
    fn failing_after_the_threshold_once_then_recovered_once() {
        let (ok, down) = (seen(true, "ok"), seen(false, "refused"));
        assert_eq!(run(&[ok, down, ok, down, ok], 2), [], "single blips raise nothing");
        assert_eq!(run(&[ok, down, down, down, down, ok, ok], 2), [Raise::Failing, Raise::Recovered]);
        assert_eq!(run(&[down], 1), [Raise::Failing], "a threshold of 1 raises at once");
        assert_eq!(run(&[seen(true, "restricted_ok"), down, down], 2), [Raise::Failing]);
    }

    #[test]
    fn a_changed_host_key_is_raised_at_once_and_only_once() {
        let changed = seen(false, "host_key_changed");
        assert_eq!(run(&[changed, changed, changed], 2), [Raise::HostKeyChanged]);
        let down = seen(false, "refused");
        assert_eq!(
            run(&[down, down, changed, seen(true, "ok")], 2),
            [Raise::Failing, Raise::HostKeyChanged, Raise::Recovered],
            "a host that went down and came back with another key"
        );
    }

    #[test]
    fn storage_is_raised_when_it_crosses_a_level_and_again_after_it_eased() {
        let at = |p: u8, days: Option<u32>| Seen {
            healthy: true,
            reason: "ok",
            storage_percent: Some(p),
            full_in_days: days,
        };
        assert_eq!(
            run(&[at(50, None), at(76, None), at(80, None), at(91, None), at(95, None)], 2),
            [Raise::Storage(75), Raise::Storage(90)]
        );
        assert_eq!(run(&[at(91, None), at(60, None), at(92, None)], 2), [Raise::Storage(90), Raise::Storage(90)]);
        assert_eq!(
            run(&[at(50, Some(30)), at(52, Some(12)), at(54, Some(10)), at(40, None), at(60, Some(9))], 2),
            [Raise::FullSoon(12), Raise::FullSoon(9)],
            "once per approach"
        );
        assert_eq!(
            run(&[at(50, Some(10)), seen(true, "ok"), at(51, Some(9))], 2),
            [Raise::FullSoon(10)],
            "a check without storage changes nothing"
        );
    }
}
