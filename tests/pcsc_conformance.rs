//! The conformance runner's PC/SC target end to end: a private pcscd with a vpcd reader,
//! `rutoken-sim` (the emulator-only binary) behind it with a control socket, and `rutoken-lab run --target pcsc
//! --control` over every scenario (inside the namespace, through `nsenter -m`). Each scenario
//! passes or is skipped with a reason, the exit code is 0, the JUnit XML is well formed.
//! Skips with a printed reason when not root or pcscd, vpcd, unshare or nsenter are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::process::Command;

use testkit::process::{self, Guard};
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
/// The emulator-only binary (`src/bin/rutoken-sim.rs`); the other PC/SC tests run `rutoken-lab sim`.
const SIM: &str = env!("CARGO_BIN_EXE_rutoken-sim");
/// vpcd's first slot: the port in `reader.conf` (the second slot is port + 1).
const READER: &str = "Virtual PCD 00 00";

/// `rutoken-sim` with a control socket, killed when the test ends (also on a panic); returns
/// once vpcd has the card.
fn start_sim(port: u16, control: &Path, log: &Path) -> Guard {
    let mut sim = process::emulator_only(SIM, port);
    sim.args(["--fixture", "personalised", "--control"])
        .arg(control);
    process::start_sim(sim, log)
}

#[test]
fn every_scenario_passes_or_skips_through_pcscd_and_vpcd() {
    require_pcscd!();
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join("control.sock");
    let sim_log = dir.path().join("sim.log");
    let _sim = start_sim(pcscd.port, &control, &sim_log);
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("report.json");
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let out = pcscd
        .enter("timeout")
        .args(["900", BIN, "run", "--target", "pcsc", "--reader", READER])
        .arg("--control")
        .arg(&control)
        .args(["--seed", "11", "--junit"])
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .arg(&scenarios)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let context = || {
        format!(
            "stdout:\n{stdout}\nstderr:\n{}\nsim:\n{}\npcscd:\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&sim_log).unwrap_or_default(),
            pcscd.log()
        )
    };
    assert_eq!(out.status.code(), Some(0), "{}", context());
    eprintln!("{stdout}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let results = report["scenarios"].as_array().unwrap();
    let files = std::fs::read_dir(&scenarios)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(results.len(), files, "{}", context());
    let mut passed = 0;
    for s in results {
        let outcome = &s["outcome"];
        let name = s["name"].as_str().unwrap();
        match outcome["status"].as_str() {
            Some("passed") => passed += 1,
            Some("skipped") => {
                let reason = outcome["reason"].as_str().unwrap_or_default();
                assert!(!reason.is_empty(), "{name} skipped without a reason");
            }
            other => panic!("{name}: {other:?} {outcome}\n{}", context()),
        }
    }
    // With the control socket nothing the scenarios need is missing: all of them run.
    assert_eq!(passed, files, "{}", context());

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), files);
    assert!(!xml.contains("<failure"), "{xml}");
    match Command::new("xmllint").arg("--noout").arg(&junit).status() {
        Ok(status) => assert!(status.success(), "xmllint rejected the JUnit XML:\n{xml}"),
        Err(_) => eprintln!("skipped: xmllint not installed, JUnit validity not checked"),
    }
}
