//! `--json FILE`: the whole run as JSON (the same data as every other report). Times are in
//! milliseconds (`*_ms`), the start in RFC 3339 UTC; each scenario has its steps' timings, the
//! decoded transcript, the screens and presses at their exchange (`exchange`: 0-based index in
//! `transcript`).

use super::RunReport;

/// Pretty JSON of the run.
pub fn render(r: &RunReport) -> String {
    let (passed, failed, skipped) = r.counts();
    let mut value = match serde_json::to_value(r) {
        Ok(v) => v,
        // Plain data with string keys always serialises; keep the document valid regardless.
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    };
    value["counts"] = serde_json::json!({
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_owned())
}
