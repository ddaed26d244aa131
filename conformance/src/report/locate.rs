//! Where a failure is: the `file:line:col` of its step or assertion in the scenario file, and
//! the exchanges that step sent (a failure shows those, not the scenario's last APDUs, which
//! are often another step's certificate reads).

use std::ops::Range;

use super::{Outcome, ScenarioReport, StepKind};
use crate::scenario::{LineCol, Scenario};

/// Which part of the scenario a failure's `at` names: `step 3 (verify_pin)` → (Step, 3).
fn part(at: &str) -> Option<(StepKind, usize)> {
    let number = |rest: &str| rest.split(' ').next()?.parse::<usize>().ok();
    if let Some(rest) = at.strip_prefix("step ") {
        return Some((StepKind::Step, number(rest)?));
    }
    if let Some(rest) = at.strip_prefix("assert ") {
        return Some((StepKind::Assert, number(rest)?));
    }
    at.starts_with("setup").then_some((StepKind::Setup, 0))
}

/// The position of a part in the file, if the loader recorded it.
fn position(scenario: &Scenario, (kind, index): (StepKind, usize)) -> Option<LineCol> {
    let at = match kind {
        StepKind::Setup => scenario.locations.token,
        StepKind::Step => index
            .checked_sub(1)
            .and_then(|i| scenario.locations.steps.get(i).copied()),
        StepKind::Assert => index
            .checked_sub(1)
            .and_then(|i| scenario.locations.assertions.get(i).copied()),
    };
    at.filter(|p| p.line > 0)
}

/// Sets the failure's `location` (`file:line:col`) from the scenario's recorded positions;
/// a failure outside any step (connecting) or a setup with no `token:` written gets none.
pub fn fill(scenario: &Scenario, report: &mut ScenarioReport) {
    let Outcome::Failed(f) = &mut report.outcome else {
        return;
    };
    if f.location.is_some() {
        return;
    }
    f.location = part(&f.at)
        .and_then(|p| position(scenario, p))
        .map(|p| format!("{}:{}:{}", scenario.file.display(), p.line, p.column));
}

/// The transcript indices of the exchanges the failing step sent: its step record's, or —
/// when it has none (a panic ends a step before it is recorded) — every exchange after the
/// last recorded step. Empty for a passed or skipped scenario.
pub fn failed_exchanges(s: &ScenarioReport) -> Range<usize> {
    let Outcome::Failed(f) = &s.outcome else {
        return 0..0;
    };
    let total = s.transcript.exchanges.len();
    let recorded = s
        .steps
        .iter()
        .rev()
        .find(|st| !st.passed && st.label() == f.at);
    match recorded {
        Some(st) => {
            let start = st.first_exchange.min(total);
            start..(st.first_exchange + st.exchanges).min(total)
        }
        None if f.at == "connect" && s.steps.is_empty() => 0..total,
        None => {
            let start = s
                .steps
                .last()
                .map_or(0, |st| st.first_exchange + st.exchanges)
                .min(total);
            start..total
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_part() {
        assert_eq!(part("step 12 (verify_pin)"), Some((StepKind::Step, 12)));
        assert_eq!(part("assert 2 (objects)"), Some((StepKind::Assert, 2)));
        assert_eq!(
            part("setup (token.user_pin_tries_left)"),
            Some((StepKind::Setup, 0))
        );
        assert_eq!(part("connect"), None);
    }
}
