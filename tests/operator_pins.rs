//! A real token's PINs in the operator mode (issue #25 item 1): the emulator (`rutoken-lab sim`
//! with a token image, its SafeTouch confirming by itself) behind a private pcscd stands in for a
//! real token whose user PIN is NOT the scenarios' `12345678` (changed on the image before the run),
//! and `run --target pcsc --operator` without a control socket treats it as a real token, the
//! operator's answers on stdin. After each run the sim is stopped and the token image read back
//! with `token show`: the user PIN's tries are counted there, not from the runner's own words.
//! Skips with a printed reason when not root or pcscd, vpcd, unshare or nsenter are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use testkit::process::Guard;
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
const READER: &str = "Virtual PCD 00 00";
/// The token's own user PIN (8 characters, within the personalised PIN's length limits).
const TOKEN_PIN: &str = "24681357";

/// A fresh personalised image whose user PIN is [`TOKEN_PIN`]: created with `token new`, then
/// the PIN changed by the token's own commands through `rutoken-lab apdu` (VERIFY with the
/// fixture's `12345678`, then CHANGE REFERENCE DATA `80 len A5 pin`, as the client sends it).
fn image_with_token_pin(dir: &Path, case: &str) -> PathBuf {
    let image = dir.join(format!("{case}.img"));
    let made = Command::new(BIN)
        .args(["token", "new", "--fixture", "personalised", "--image"])
        .arg(&image)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let pin_hex: String = TOKEN_PIN.bytes().map(|b| format!("{b:02X}")).collect();
    let script = format!("00 20 00 02 08 3132333435363738\n00 24 01 02 0E 80020008A508{pin_hex}\n");
    let mut apdu = Command::new(BIN)
        .args(["apdu", "--image"])
        .arg(&image)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    apdu.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = apdu.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.matches("90 00").count() >= 2,
        "changing the user PIN: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    image
}

/// The sim on a fresh personalised image whose user PIN is [`TOKEN_PIN`].
fn start_sim(port: u16, dir: &Path, case: &str) -> (Guard, PathBuf) {
    let image = image_with_token_pin(dir, case);
    let sim = sim_on(port, &image, &dir.join(format!("{case}.log")));
    (sim, image)
}

/// The sim on `image` (its SafeTouch confirming by itself), once vpcd has the card.
fn sim_on(port: u16, image: &Path, log: &Path) -> Guard {
    let confirming = ["--safetouch-policy", "confirm", "--image"];
    let mut command = testkit::process::lab_sim(BIN, port);
    command.args(confirming).arg(image);
    testkit::process::start_sim(command, log)
}

/// The user PIN's line of `token show` on the image (`02 User  tries 5/5 ok`).
fn user_tries(image: &Path) -> String {
    let out = Command::new(BIN)
        .args(["token", "show", "--image"])
        .arg(image)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.trim_start().starts_with("02 User"))
        .unwrap_or_else(|| panic!("no user PIN in token show:\n{text}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `run --target pcsc --operator` inside the namespace with `answers` on stdin; (exit code,
/// stdout and stderr, JSON report).
fn run_operator(
    pcscd: &testkit::Pcscd,
    dir: &Path,
    answers: &str,
    extra: &[&str],
    files: &[PathBuf],
) -> (Option<i32>, String, serde_json::Value) {
    let json = dir.join("report.json");
    let _ = std::fs::remove_file(&json);
    let mut child = pcscd
        .enter("timeout")
        .args(["300", BIN, "run", "--target", "pcsc", "--reader", READER])
        .args(["--operator", "--operator-timeout", "20", "--seed", "3"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .args(files)
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
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    (out.status.code(), text, report)
}

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.yaml"))
}

fn outcome(report: &serde_json::Value, name: &str) -> serde_json::Value {
    report["scenarios"]
        .as_array()
        .unwrap_or_else(|| panic!("no scenarios in {report}"))
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report}"))["outcome"]
        .clone()
}

#[test]
fn a_token_whose_pin_is_not_the_scenarios_never_loses_more_than_one_try() {
    require_pcscd!();
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let happy = scenario_file("reissue-happy-path");
    let wrong_once = scenario_file("pin-wrong-once");

    // 1. The token's PIN given: the scenarios type it, the reissue passes, the PIN-spending
    //    scenario is skipped, no try is lost. Answers: y to start, y to each of the two screens.
    let (sim, image) = start_sim(pcscd.port, d, "given");
    let pin_arg = ["--user-pin", TOKEN_PIN];
    let (code, out, report) = run_operator(
        &pcscd,
        d,
        "y\ny\ny\n",
        &pin_arg,
        &[happy.clone(), wrong_once.clone()],
    );
    drop(sim);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("user PIN               5 tries left"), "{out}");
    assert!(out.contains("[y/N]"), "{out}");
    assert!(
        out.contains("user PIN (given): accepted by the token"),
        "{out}"
    );
    assert!(!out.contains(TOKEN_PIN), "the PIN is printed:\n{out}");
    assert_eq!(
        outcome(&report, "reissue-happy-path")["status"],
        "passed",
        "{out}"
    );
    assert_eq!(
        outcome(&report, "pin-wrong-once")["status"],
        "skipped",
        "{out}"
    );
    assert_eq!(user_tries(&image), "02 User tries 5/5 ok", "{out}");
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(TOKEN_PIN), "the PIN is in the report");

    // 2. The same token again, now with the reissued key and certificate: every scenario
    //    starts from a token it does not match and is skipped with the reason, none fails.
    // The sim restarted on the image the first run changed.
    let sim = sim_on(pcscd.port, &image, &d.join("again.log"));
    let (code, out, report) = run_operator(
        &pcscd,
        d,
        "y\n",
        &pin_arg,
        &[happy.clone(), scenario_file("reissue-256-b")],
    );
    drop(sim);
    assert_eq!(code, Some(0), "{out}");
    for name in ["reissue-happy-path", "reissue-256-b"] {
        let o = outcome(&report, name);
        assert_eq!(o["status"], "skipped", "{name}: {o}\n{out}");
        let reason = o["reason"].as_str().unwrap();
        assert!(
            reason.contains("1 key pair and 1 certificate")
                && reason.contains("2 key pairs and 2 certificates"),
            "{name}: {reason}"
        );
    }
    assert_eq!(user_tries(&image), "02 User tries 5/5 ok", "{out}");

    // 3. No PIN given (the answers are piped: no PIN is asked, nobody chose the scenarios'
    //    PIN): the scenarios' PIN is not tried, no try is spent, exit 2 before any scenario.
    let (sim, image) = start_sim(pcscd.port, d, "wrong");
    let (code, out, report) =
        run_operator(&pcscd, d, "y\ny\ny\n", &[], std::slice::from_ref(&happy));
    drop(sim);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("not started: the token's user PIN was not given, and the scenarios' ${user_pin} is not tried on a real token without --allow-destructive"),
        "{out}"
    );
    assert!(!out.contains("PASS") && !out.contains("FAIL"), "{out}");
    assert_eq!(report, serde_json::Value::Null, "a run started: {out}");
    assert_eq!(user_tries(&image), "02 User tries 5/5 ok", "{out}");

    // 4. The operator does not answer y: nothing is sent that spends a try.
    let (sim, image) = start_sim(pcscd.port, d, "declined");
    let (code, out, _) = run_operator(&pcscd, d, "n\n", &[], std::slice::from_ref(&happy));
    drop(sim);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("not started: the operator did not answer y; the token was not touched"),
        "{out}"
    );
    assert_eq!(user_tries(&image), "02 User tries 5/5 ok", "{out}");

    // 5. A scenario that types a PIN of its own (not ${user_pin}) and expects it accepted: the
    //    token refuses it, the run stops at once (exit 2, what happened, tries left), the next
    //    scenario is not run; one try spent in all.
    let own = d.join("a-own-pin.yaml");
    std::fs::write(
        &own,
        "name: a-own-pin\nvars: {user_pin: \"12345678\"}\nsteps:\n  - attach\n  - verify_pin: {pin: \"11112222\"}\n",
    )
    .unwrap();
    let after = d.join("b-after.yaml");
    std::fs::write(
        &after,
        "name: b-after\nvars: {user_pin: \"12345678\"}\nsteps:\n  - attach\n  - verify_pin: {pin: \"${user_pin}\"}\n",
    )
    .unwrap();
    let (sim, image) = start_sim(pcscd.port, d, "guard");
    let (code, out, report) = run_operator(&pcscd, d, "y\n", &pin_arg, &[own, after]);
    drop(sim);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("error: the token refused the user PIN (63C4: 4 tries left); the run stopped"),
        "{out}"
    );
    assert_eq!(outcome(&report, "a-own-pin")["status"], "failed", "{out}");
    let after = outcome(&report, "b-after");
    assert_eq!(after["status"], "skipped", "{out}");
    assert!(
        after["reason"]
            .as_str()
            .unwrap()
            .contains("stopped after a refused PIN"),
        "{after}"
    );
    assert_eq!(user_tries(&image), "02 User tries 4/5 ok", "{out}");
}
