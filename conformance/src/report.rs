//! The results of a run and the writers that print and save them.

pub mod artifacts;
pub mod json;
pub mod junit;
pub mod terminal;

use std::time::Duration;

use serde::Serialize;

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
    pub at: String,
    /// What the scenario expected.
    pub expected: String,
    /// What came.
    pub actual: String,
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
    #[serde(serialize_with = "as_millis")]
    pub duration: Duration,
    /// APDUs, PINs masked.
    pub transcript: Transcript,
    /// SafeTouch screens shown, in order.
    pub screens: Vec<String>,
    /// Request, certificate, CA certificate.
    pub produced: Produced,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// `emulator` or `pcsc:<reader>`.
    pub target: String,
    /// The seed, in seeded mode.
    pub seed: Option<u64>,
    /// Scenario results in selection order.
    pub scenarios: Vec<ScenarioReport>,
    /// Wall time of the run.
    #[serde(serialize_with = "as_millis")]
    pub duration: Duration,
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
