//! The terminal report: one line per scenario as it ends, the details of each failure, a
//! progress line naming the running scenarios (on a terminal), the summary. Colour only when
//! asked (a terminal without `NO_COLOR`: decided by the caller).

use std::io::Write;

use super::{Outcome, RunReport, ScenarioReport};

/// How many of the failing step's exchanges a failure shows at most (its last ones; a step
/// such as `attach` sends about fifty, and the one that failed is at the end).
pub const FAILURE_APDUS: usize = 16;

/// ANSI SGR colours of the verdicts (ECMA-48 §8.3.117: 32 green, 31 red, 33 yellow, 0 reset).
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

fn paint(word: &str, colour: &str, on: bool) -> String {
    if on {
        format!("{colour}{word}{RESET}")
    } else {
        word.to_owned()
    }
}

/// One line for a finished scenario: `PASS  name  (12 ms)`.
pub fn scenario_line(s: &ScenarioReport) -> String {
    scenario_line_coloured(s, false)
}

/// [`scenario_line`], the verdict coloured when `colour`.
pub fn scenario_line_coloured(s: &ScenarioReport, colour: bool) -> String {
    let ms = s.duration.as_millis();
    match &s.outcome {
        Outcome::Passed => format!("{}  {}  ({ms} ms)", paint("PASS", GREEN, colour), s.name),
        Outcome::Failed(f) => format!(
            "{}  {}  ({ms} ms)  at {}",
            paint("FAIL", RED, colour),
            s.name,
            f.at
        ),
        Outcome::Skipped { reason } => {
            format!("{}  {}  ({reason})", paint("SKIP", YELLOW, colour), s.name)
        }
    }
}

/// The details printed under a failure, and with `verbose` the APDUs and screens of every
/// scenario.
pub fn details(s: &ScenarioReport, verbose: bool) -> String {
    let mut out = String::new();
    if let Outcome::Failed(f) = &s.outcome {
        let place = f.location.as_deref().unwrap_or(&s.file);
        out.push_str(&format!("      file:     {place}\n"));
        out.push_str(&format!("      expected: {}\n", f.expected));
        out.push_str(&format!("      actual:   {}\n", f.actual));
        if !verbose {
            out.push_str(&failed_step_apdus(s, &f.at.to_string()));
        }
    }
    if verbose {
        // Screens one row per line, as many rows as they have (no paging on a terminal).
        for line in super::timeline::render_text(s, usize::MAX).lines() {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}

/// The exchanges the failing step sent (its last [`FAILURE_APDUS`]), or a line saying it sent
/// none.
fn failed_step_apdus(s: &ScenarioReport, at: &str) -> String {
    let range = super::locate::failed_exchanges(s);
    if range.is_empty() {
        return format!("      {at} sent no APDU\n");
    }
    let shown = range.start.max(range.end.saturating_sub(FAILURE_APDUS))..range.end;
    let mut out = format!(
        "      APDUs of {at}{}:\n",
        if shown.len() < range.len() {
            format!(
                " (the last {} of {}; all in the artifacts' transcript.txt)",
                shown.len(),
                range.len()
            )
        } else {
            String::new()
        }
    );
    for i in shown {
        let e = &s.transcript.exchanges[i];
        out.push_str(&format!("        > {}  < {}\n", e.command, e.response));
    }
    out
}

/// `1 scenario`, `2 scenarios`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary line.
pub fn summary(r: &RunReport) -> String {
    summary_coloured(r, false)
}

/// [`summary`], the failure count red when there are failures and `colour`.
pub fn summary_coloured(r: &RunReport, colour: bool) -> String {
    let (p, f, s) = r.counts();
    let failed = format!("{f} failed");
    let failed = if f > 0 {
        paint(&failed, RED, colour)
    } else {
        failed
    };
    let mut line = format!(
        "{} on {}: {p} passed, {failed}, {s} skipped ({} ms)",
        plural(r.scenarios.len(), "scenario", "scenarios"),
        r.target,
        r.duration.as_millis()
    );
    // The failures again, one a line, so the end of a long log names them.
    for s in &r.scenarios {
        if let Outcome::Failed(f) = &s.outcome {
            line.push_str(&format!(
                "\n  {} {}  at {}  {}",
                paint("FAIL", RED, colour),
                s.name,
                f.at,
                f.location.as_deref().unwrap_or(&s.file)
            ));
        }
    }
    line
}

/// The progress line (`\r`-rewritten on a terminal): counts and the scenarios running now.
pub fn progress(done: usize, total: usize, failed: usize, running: &[&str]) -> String {
    let mut line = format!("[{done}/{total}] {failed} failed");
    if !running.is_empty() {
        line.push_str(&format!("  running: {}", running.join(", ")));
    }
    // Keep to one terminal line: a wrapped line cannot be rewritten with `\r`.
    let line: String = line.chars().take(100).collect();
    format!("\r{line}{CLEAR_TO_END}")
}

/// Erases the progress line (ECMA-48 EL, "erase in line" to its end).
pub const CLEAR_TO_END: &str = "\x1b[K";

/// Erases the progress line before a scenario line is printed over it.
pub fn clear_progress() -> String {
    format!("\r{CLEAR_TO_END}")
}

/// Writes the full report (lines, details, summary) to `w`.
pub fn write(w: &mut dyn Write, r: &RunReport, verbose: bool) -> std::io::Result<()> {
    for s in &r.scenarios {
        writeln!(w, "{}", scenario_line(s))?;
        write!(w, "{}", details(s, verbose))?;
    }
    writeln!(w, "{}", summary(r))
}
