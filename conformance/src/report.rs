//! The results of a run and the writers that print and save them.

pub mod artifacts;
pub mod decode;
pub mod html;
pub mod json;
pub mod junit;
pub mod live;
pub mod locate;
pub mod screen;
pub mod terminal;
pub mod timeline;
pub mod xml;

use std::time::Duration;

use serde::Serialize;

use crate::scenario::step::PressAction;
use crate::transcript::Transcript;

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Every step and assertion held.
    Passed,
    /// A step or assertion did not.
    Failed(Failure),
    /// Not run; the reason is in every report.
    Skipped {
        /// Why (e.g. "needs buttons: the target cannot press them").
        reason: String,
    },
}

/// Where and how a scenario failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// `step 7 (sign_request)` or `assert 2 (pin_tries_left)`.
    pub at: FailedAt,
    /// What the scenario expected.
    pub expected: String,
    /// What came.
    pub actual: String,
    /// `file:line:col` of the failing step or assertion in the scenario file (none for a
    /// failure before the first step, e.g. connecting).
    pub location: Option<String>,
}

/// Files the flow produced, PEM.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Produced {
    /// The PKCS#10 (`request.pem`).
    pub request_pem: Option<String>,
    /// The issued certificate (`certificate.pem`).
    pub certificate_pem: Option<String>,
    /// The CA certificate (`ca.pem`).
    pub ca_pem: Option<String>,
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    /// Scenario name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Its description.
    pub description: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// Wall time (zeroed in seeded snapshot tests).
    #[serde(rename = "duration_ms", serialize_with = "as_millis")]
    pub duration: Duration,
    /// Each setup phase, step and assertion with its time and its APDUs.
    pub steps: Vec<StepRecord>,
    /// APDUs, PINs masked. Not serialised with the rest: the JSON report decodes it, and
    /// only when asked (`report::json`), since it is most of a report's size.
    #[serde(skip)]
    pub transcript: Transcript,
    /// SafeTouch screens shown, in order, each at the APDU that showed it.
    pub screens: Vec<ShownScreen>,
    /// The SafeTouch presses, each at the APDU it answered.
    pub presses: Vec<PressRecord>,
    /// Request, certificate, CA certificate.
    pub produced: Produced,
}

/// What part of a scenario a [`StepRecord`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Bringing the token to the start state (`token:`), before the steps.
    Setup,
    /// One of `steps:`.
    Step,
    /// One of `assert:`.
    Assert,
}

/// One step's timing and the APDUs it sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// Setup, step or assertion.
    pub kind: StepKind,
    /// 1-based position among its kind (0 for setup).
    pub index: usize,
    /// The YAML name (`verify_pin`, `pin_tries_left`, `user_pin_tries_left`).
    pub name: String,
    /// When it started, from the scenario's start.
    #[serde(rename = "start_ms", serialize_with = "as_millis")]
    pub start: Duration,
    /// How long it took.
    #[serde(rename = "duration_ms", serialize_with = "as_millis")]
    pub duration: Duration,
    /// Index of its first exchange in the transcript.
    pub first_exchange: usize,
    /// How many exchanges it sent.
    pub exchanges: usize,
    /// It held (false for the step the scenario failed at).
    pub passed: bool,
}

impl StepRecord {
    /// `step 3 (verify_pin)`, `assert 1 (objects)`, `setup (token)`.
    pub fn label(&self) -> String {
        self.place().to_string()
    }

    /// The part of the scenario it timed, as a failure names it.
    pub fn place(&self) -> FailedAt {
        FailedAt::Part {
            kind: self.kind,
            index: self.index,
            name: self.name.clone(),
        }
    }
}

/// Where a scenario failed: connecting, or one of its parts. Reports show (and JSON holds) the
/// text: `connect`, `setup (token)`, `step 3 (verify_pin)`, `assert 1 (objects)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailedAt {
    /// Opening the target or the module, before any part of the scenario.
    Connect,
    /// The setup, a step or an assertion.
    Part {
        /// Which kind of part.
        kind: StepKind,
        /// 1-based among its kind (0 for the setup).
        index: usize,
        /// Its YAML name.
        name: String,
    },
}

impl std::fmt::Display for FailedAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailedAt::Connect => f.write_str("connect"),
            FailedAt::Part {
                kind: StepKind::Setup,
                name,
                ..
            } => write!(f, "setup ({name})"),
            FailedAt::Part {
                kind: StepKind::Step,
                index,
                name,
            } => write!(f, "step {index} ({name})"),
            FailedAt::Part {
                kind: StepKind::Assert,
                index,
                name,
            } => write!(f, "assert {index} ({name})"),
        }
    }
}

impl Serialize for FailedAt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A SafeTouch screen, where in the transcript it appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownScreen {
    /// The screen's text, one line per display row (more lines than rows: pages).
    pub text: String,
    /// The index of the exchange (in the transcript) whose command showed it.
    pub exchange: Option<usize>,
    /// The transcript heading it belongs to (`sign_request`, `assert key_signs`).
    pub step: String,
    /// The kind of part that heading is (`None`: before the first; not in JSON, the heading
    /// says it).
    #[serde(skip)]
    pub part: Option<StepKind>,
}

/// A SafeTouch press (or its time-out), at the exchange it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PressRecord {
    /// Confirm, reject, or no press until the time-out.
    pub press: PressAction,
    /// The index of the exchange (in the transcript) the press answered.
    pub exchange: Option<usize>,
    /// The transcript heading it belongs to.
    pub step: String,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The device profile a run used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileInfo {
    /// The `--profile` file, or `built-in`.
    pub source: String,
    /// `streebog256:<hex>` of the profile's values (every key, defaults filled in): two runs
    /// with the same digest ran against the same assumptions.
    pub digest: String,
    /// SafeTouch screen rows (the HTML report draws screens this size).
    pub rows: usize,
    /// SafeTouch screen columns.
    pub columns: usize,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// `rutoken-lab`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// `emulator` or `pcsc:<reader>`.
    pub target: String,
    /// The device profile.
    pub profile: ProfileInfo,
    /// The seed, in seeded mode.
    pub seed: Option<u64>,
    /// How many scenarios were selected (more than `scenarios` while the run goes on).
    pub selected: usize,
    /// False while the run goes on (reports are rewritten after each scenario): a killed run
    /// leaves a valid report that says it is partial.
    pub complete: bool,
    /// Scenario results in the order they finished (serialised by `report::json`, which adds
    /// what each scenario's JSON holds besides its own fields).
    #[serde(skip)]
    pub scenarios: Vec<ScenarioReport>,
    /// Wall time of the run until its last scenario ended (report writing excluded).
    #[serde(rename = "duration_ms", serialize_with = "as_millis")]
    pub duration: Duration,
}

impl RunReport {
    /// An empty report of a run that is about to start.
    pub fn start(target: String, profile: ProfileInfo, seed: Option<u64>, selected: usize) -> Self {
        RunReport {
            tool: "rutoken-lab".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: now_rfc3339(),
            target,
            profile,
            seed,
            selected,
            complete: false,
            scenarios: Vec::new(),
            duration: Duration::ZERO,
        }
    }
}

/// The current time, RFC 3339 UTC, whole seconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}

impl RunReport {
    /// (passed, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for s in &self.scenarios {
            match s.outcome {
                Outcome::Passed => c.0 += 1,
                Outcome::Failed(_) => c.1 += 1,
                Outcome::Skipped { .. } => c.2 += 1,
            }
        }
        c
    }
    /// 0 when nothing failed, 1 otherwise (2 is for invalid input, decided before a run).
    pub fn exit_code(&self) -> u8 {
        if self.counts().1 > 0 { 1 } else { 0 }
    }
}
