//! `--json FILE`: the whole run as JSON (the same data as every other report).

use super::RunReport;

/// Pretty JSON of the run.
pub fn render(r: &RunReport) -> String {
    // Serialising plain data with string keys cannot fail; fall back to a valid document anyway.
    serde_json::to_string_pretty(r)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}
