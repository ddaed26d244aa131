//! `--json FILE`: the whole run as JSON (the same data as every other report). Times are in
//! milliseconds (`*_ms`), the start in RFC 3339 UTC; each scenario has its steps' timings, the
//! screens and presses at their exchange (`exchange`: 0-based index in the scenario's
//! transcript), and a failure its `location` (`file:line:col`) and the decoded exchanges of
//! the failing step (`failed_step_exchanges`).
//!
//! The full decoded transcripts are 85 % of the document's size (12.7 of 14.9 MB for the 78
//! scenarios of 7 Dec 2026), so they are included only when asked (`--json-transcripts`);
//! otherwise each scenario says how many exchanges it sent and, with `--artifacts`, which file
//! holds them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::decode::{self, Decoded};
use super::{Outcome, RunReport, ScenarioReport};

/// What goes into the document besides the run.
#[derive(Debug, Clone, Default)]
pub struct JsonOptions {
    /// Every scenario's decoded transcript (`--json-transcripts`).
    pub transcripts: bool,
    /// `--artifacts DIR`: named as where each transcript is.
    pub artifacts: Option<PathBuf>,
}

/// The counts, as in the terminal summary.
#[derive(Serialize)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

/// Where the transcripts are.
#[derive(Serialize)]
struct Transcripts {
    /// In this document (`scenarios[].transcript`).
    included: bool,
    /// The `--artifacts` directory (`<dir>/<scenario>/transcript.txt`), if any.
    artifacts: Option<String>,
}

/// One line of the failures list.
#[derive(Serialize)]
struct FailureLine<'a> {
    name: &'a str,
    at: &'a super::FailedAt,
    location: Option<&'a str>,
}

#[derive(Serialize)]
struct Scenario<'a> {
    #[serde(flatten)]
    report: &'a ScenarioReport,
    /// How many exchanges the scenario sent.
    exchanges: usize,
    /// `<artifacts>/<name>/transcript.txt`, when artifacts are written.
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript_file: Option<String>,
    /// The whole decoded transcript, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript: Option<Vec<Decoded>>,
    /// A failure's step: its exchanges, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_step_exchanges: Option<Vec<Decoded>>,
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    run: &'a RunReport,
    counts: Counts,
    transcripts: Transcripts,
    /// The failed scenarios, in the order they ended.
    failures: Vec<FailureLine<'a>>,
    scenarios: Vec<Scenario<'a>>,
}

fn transcript_file(dir: &Path, name: &str) -> String {
    dir.join(name).join("transcript.txt").display().to_string()
}

fn document<'a>(r: &'a RunReport, opts: &JsonOptions) -> Document<'a> {
    let (passed, failed, skipped) = r.counts();
    let failures = r
        .scenarios
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Failed(f) => Some(FailureLine {
                name: &s.name,
                at: &f.at,
                location: f.location.as_deref(),
            }),
            _ => None,
        })
        .collect();
    let scenarios = r
        .scenarios
        .iter()
        .map(|s| {
            let failed = matches!(s.outcome, Outcome::Failed(_)).then(|| {
                super::locate::failed_exchanges(s)
                    .map(|i| decode::decode(&s.transcript.exchanges[i]))
                    .collect()
            });
            Scenario {
                report: s,
                exchanges: s.transcript.exchanges.len(),
                transcript_file: opts
                    .artifacts
                    .as_deref()
                    .filter(|_| !s.transcript.exchanges.is_empty())
                    .map(|d| transcript_file(d, &s.name)),
                transcript: opts.transcripts.then(|| decode::decode_all(&s.transcript)),
                failed_step_exchanges: failed,
            }
        })
        .collect();
    Document {
        run: r,
        counts: Counts {
            passed,
            failed,
            skipped,
        },
        transcripts: Transcripts {
            included: opts.transcripts,
            artifacts: opts.artifacts.as_ref().map(|d| d.display().to_string()),
        },
        failures,
        scenarios,
    }
}

/// Pretty JSON of the run, without the transcripts.
pub fn render(r: &RunReport) -> String {
    render_with(r, &JsonOptions::default())
}

/// Pretty JSON of the run.
pub fn render_with(r: &RunReport, opts: &JsonOptions) -> String {
    serde_json::to_string_pretty(&document(r, opts))
        // Plain data with string keys always serialises; keep the document valid regardless.
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}
