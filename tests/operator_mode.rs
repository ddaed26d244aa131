//! The operator mode on the reissue flow (issue #14), with scripted answers on stdin: the
//! emulator (`rutoken-lab sim`, its SafeTouch confirming by itself) behind a private pcscd stands
//! in for a real token, `run --target pcsc --operator` without a control socket treats it as one.
//! The preflight shows the token and what the run changes; before each press the expected screen
//! is drawn and the y/n answer lands in the JSON report as an operator observation; a "n" fails
//! the scenario; a PIN-spending scenario is skipped without `--allow-destructive`. Skips with a
//! printed reason when not root or pcscd, vpcd, unshare or nsenter are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use testkit::process::{self, Guard};
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
const READER: &str = "Virtual PCD 00 00";
const BOTH: [&str; 2] = ["reissue-happy-path", "pin-wrong-once"];
/// The emulated token's user PIN, given as a lab gives its token's (piped answers choose none).
const PIN: [&str; 2] = ["--user-pin", "12345678"];

/// `rutoken-lab sim` (its SafeTouch confirming by itself), killed when dropped; returns once
/// vpcd has the card.
fn start_sim(port: u16, log: &Path) -> Guard {
    let confirming = ["--fixture", "personalised", "--safetouch-policy", "confirm"];
    process::start_lab_sim(BIN, port, &confirming, log)
}

/// Runs the operator mode inside the namespace with `answers` on stdin; (exit code, stderr,
/// JSON report).
fn run_operator(
    pcscd: &testkit::Pcscd,
    dir: &Path,
    answers: &str,
    extra: &[&str],
    names: &[&str],
) -> (Option<i32>, String, serde_json::Value) {
    let json = dir.join("report.json");
    let _ = std::fs::remove_file(&json);
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut child = pcscd
        .enter("timeout")
        .args(["300", BIN, "run", "--target", "pcsc", "--reader", READER])
        .args(["--operator", "--operator-timeout", "20", "--seed", "3"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .args(names.iter().map(|n| scenarios.join(format!("{n}.yaml"))))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    (out.status.code(), stderr, report)
}

fn scenario<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap()
}

#[test]
fn operator_answers_drive_the_reissue_and_are_reported() {
    require_pcscd!();
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();

    // "y" to start, then to both screens: the reissue passes; the PIN-spending scenario is skipped.
    let sim = start_sim(pcscd.port, &dir.path().join("sim1.log"));
    let (code, out, report) = run_operator(&pcscd, dir.path(), "y\ny\ny\n", &PIN, &BOTH);
    drop(sim);
    assert_eq!(code, Some(0), "{out}");
    for text in [
        "Preflight: the token in the reader",
        "user PIN               5 tries left",
        "1 key pair(s), 1 certificate(s)",
        "reissue-happy-path",
        "generates a key pair, installs a certificate",
        "SKIPPED (destructive; --allow-destructive runs it)",
        "+--------------------+",
        "|Запрос подписи      |",
        "Does it show the same? [y/n]",
        "Press Confirm",
    ] {
        assert!(out.contains(text), "no {text:?} in:\n{out}");
    }
    let happy = scenario(&report, "reissue-happy-path");
    assert_eq!(happy["outcome"]["status"], "passed", "{happy}");
    let screens: Vec<&str> = happy["screens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(screens.len(), 2, "{screens:?}");
    assert!(
        screens
            .iter()
            .all(|s| s.starts_with("operator observation:") && s.ends_with("(answered y)")),
        "{screens:?}"
    );
    let wrong = scenario(&report, "pin-wrong-once");
    assert_eq!(wrong["outcome"]["status"], "skipped", "{wrong}");
    assert!(
        wrong["outcome"]["reason"]
            .as_str()
            .unwrap()
            .contains("--allow-destructive"),
        "{wrong}"
    );

    // "y" to start, "n" to the first screen: the reissue fails there, and the report says what the operator saw.
    let sim = start_sim(pcscd.port, &dir.path().join("sim2.log"));
    let (code, out, report) = run_operator(&pcscd, dir.path(), "y\nn\ny\n", &PIN, &BOTH);
    drop(sim);
    assert_eq!(code, Some(1), "{out}");
    let happy = scenario(&report, "reissue-happy-path");
    assert_eq!(happy["outcome"]["status"], "failed", "{happy}");
    assert!(
        happy["screens"][0]["text"]
            .as_str()
            .unwrap()
            .ends_with("(answered n)"),
        "{happy}"
    );

    // With --allow-destructive the PIN-spending scenario runs (and passes on a fresh emulator).
    let sim = start_sim(pcscd.port, &dir.path().join("sim3.log"));
    let (code, out, report) = run_operator(
        &pcscd,
        dir.path(),
        "y\ny\ny\n",
        &["--allow-destructive"],
        &["pin-wrong-once"],
    );
    drop(sim);
    let wrong = scenario(&report, "pin-wrong-once");
    assert_eq!(wrong["outcome"]["status"], "passed", "{wrong}\n{out}");
    assert!(out.contains("destructive, allowed"), "{out}");
    assert_eq!(code, Some(0), "{out}");
}
