//! Where a failure is: the `file:line:col` of its step or assertion in the scenario file, and
//! the exchanges that step sent (a failure shows those, not the scenario's last APDUs, which
//! are often another step's certificate reads).

use std::ops::Range;

use super::{FailedAt, Outcome, ScenarioReport, StepKind};
use crate::scenario::{LineCol, Scenario};

/// Which part of the scenario a failure names: `step 3 (verify_pin)` → (Step, 3).
fn part(at: &FailedAt) -> Option<(StepKind, usize)> {
    match at {
        FailedAt::Connect => None,
        FailedAt::Part { kind, index, .. } => Some((*kind, *index)),
    }
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
        .find(|st| !st.passed && st.place() == f.at);
    match recorded {
        Some(st) => {
            let start = st.first_exchange.min(total);
            start..(st.first_exchange + st.exchanges).min(total)
        }
        None if f.at == FailedAt::Connect && s.steps.is_empty() => 0..total,
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
    fn a_place_says_its_part_and_reads_as_before() {
        let at = |kind, index, name: &str| FailedAt::Part {
            kind,
            index,
            name: name.to_owned(),
        };
        let step = at(StepKind::Step, 12, "verify_pin");
        assert_eq!(part(&step), Some((StepKind::Step, 12)));
        assert_eq!(step.to_string(), "step 12 (verify_pin)");
        let assert = at(StepKind::Assert, 2, "objects");
        assert_eq!(part(&assert), Some((StepKind::Assert, 2)));
        assert_eq!(assert.to_string(), "assert 2 (objects)");
        let setup = at(StepKind::Setup, 0, "token.user_pin_tries_left");
        assert_eq!(part(&setup), Some((StepKind::Setup, 0)));
        assert_eq!(setup.to_string(), "setup (token.user_pin_tries_left)");
        assert_eq!(part(&FailedAt::Connect), None);
        // JSON holds the text, as when it was a string.
        assert_eq!(
            serde_json::to_value(&step).unwrap(),
            serde_json::json!("step 12 (verify_pin)")
        );
        assert_eq!(
            serde_json::to_value(FailedAt::Connect).unwrap(),
            serde_json::json!("connect")
        );
    }
}
