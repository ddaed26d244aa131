//! Helpers: run the suite with the stand-in card and capture what it prints.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rutoken_conformance::suite::{self, RunOptions};
use rutoken_conformance::target::Target;
use rutoken_conformance::target::emulator::EmulatorTarget;
use rutoken_sim::safetouch::SafeTouchProfile;

use crate::fake_card::FakeCard;

/// The workspace's `scenarios/`.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("scenarios")
}

/// Options running on the stand-in card (restart rebuilds a fresh one).
pub fn fake_options(paths: Vec<String>) -> RunOptions {
    RunOptions {
        paths,
        seed: Some(42),
        factory: Some(Arc::new(|_, _| {
            let target = EmulatorTarget::new(FakeCard::new(), SafeTouchProfile::default(), None);
            Ok(Box::new(target) as Box<dyn Target>)
        })),
        ..RunOptions::default()
    }
}

/// Runs `suite::main`; returns (exit code, stdout, stderr).
pub fn run(opts: &RunOptions) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = suite::main(opts, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Writes a scenario file into `dir`.
pub fn scenario_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Zeroes what differs between two runs of the same seed (times, the start, the version), for
/// snapshots.
pub fn normalise(report: &mut rutoken_conformance::report::RunReport) {
    report.duration = std::time::Duration::ZERO;
    report.started_at = "2020-02-04T12:00:00Z".to_owned();
    report.version = "0.0.0".to_owned();
    // Changes with every new profile key; its own test checks that it is there.
    report.profile.digest = "streebog256:(digest)".to_owned();
    for s in &mut report.scenarios {
        s.duration = std::time::Duration::ZERO;
        for st in &mut s.steps {
            st.start = std::time::Duration::ZERO;
            st.duration = std::time::Duration::ZERO;
        }
    }
}
