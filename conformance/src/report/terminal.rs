//! The terminal report: a progress line while running, one line per scenario, the details of
//! each failure.

use std::io::Write;

use super::{Outcome, RunReport, ScenarioReport};

/// How many exchanges a failure shows.
pub const FAILURE_TAIL: usize = 6;

/// One line for a finished scenario: `PASS  name  (12 ms)`.
pub fn scenario_line(s: &ScenarioReport) -> String {
    let ms = s.duration.as_millis();
    match &s.outcome {
        Outcome::Passed => format!("PASS  {}  ({ms} ms)", s.name),
        Outcome::Failed(f) => format!("FAIL  {}  ({ms} ms)  at {}", s.name, f.at),
        Outcome::Skipped { reason } => format!("SKIP  {}  ({reason})", s.name),
    }
}

/// The details printed under a failure, and with `verbose` the APDUs and screens of every
/// scenario.
pub fn details(s: &ScenarioReport, verbose: bool) -> String {
    let mut out = String::new();
    if let Outcome::Failed(f) = &s.outcome {
        out.push_str(&format!("      file:     {}\n", s.file));
        out.push_str(&format!("      expected: {}\n", f.expected));
        out.push_str(&format!("      actual:   {}\n", f.actual));
        if !verbose {
            let tail = s.transcript.tail(FAILURE_TAIL);
            if !tail.is_empty() {
                out.push_str("      last APDUs:\n");
                for line in tail {
                    out.push_str(&format!("        {line}\n"));
                }
            }
        }
    }
    if verbose {
        for line in s.transcript.render().lines() {
            out.push_str(&format!("      {line}\n"));
        }
        for screen in &s.screens {
            out.push_str(&format!(
                "      [SafeTouch] {}\n",
                screen.replace('\n', " | ")
            ));
        }
    }
    out
}

/// The summary line.
pub fn summary(r: &RunReport) -> String {
    let (p, f, s) = r.counts();
    format!(
        "{} scenarios on {}: {p} passed, {f} failed, {s} skipped ({} ms)",
        r.scenarios.len(),
        r.target,
        r.duration.as_millis()
    )
}

/// The progress line (`\r`-rewritten on a terminal).
pub fn progress(done: usize, total: usize, failed: usize) -> String {
    format!("\r[{done}/{total}] {failed} failed")
}

/// Writes the full report (lines, details, summary) to `w`.
pub fn write(w: &mut dyn Write, r: &RunReport, verbose: bool) -> std::io::Result<()> {
    for s in &r.scenarios {
        writeln!(w, "{}", scenario_line(s))?;
        write!(w, "{}", details(s, verbose))?;
    }
    writeln!(w, "{}", summary(r))
}
