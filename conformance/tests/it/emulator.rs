//! The runner on the real in-process emulator (token, SafeTouch, PKI, GOST).

use rutoken_conformance::report::{Outcome, junit};
use rutoken_conformance::suite::{self, RunOptions};

use crate::support::run;

fn data(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn first_issue_flow_passes_and_writes_its_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        paths: vec![data("first-issue.yaml")],
        seed: Some(3),
        artifacts: Some(dir.path().to_owned()),
        junit: Some(dir.path().join("junit.xml")),
        ..RunOptions::default()
    };
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let sub = dir.path().join("first-issue");
    for file in [
        "transcript.txt",
        "screens.txt",
        "request.pem",
        "certificate.pem",
        "ca.pem",
    ] {
        assert!(sub.join(file).exists(), "{file} missing");
    }
    let request = std::fs::read_to_string(sub.join("request.pem")).unwrap();
    assert!(request.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
    let screens = std::fs::read_to_string(sub.join("screens.txt")).unwrap();
    assert!(
        screens
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Запрос подписи запроса на сертификат"),
        "{screens}"
    );
    if let Some(ok) = crate::reports::xmllint_ok(&dir.path().join("junit.xml")) {
        assert!(ok);
    }
    crate::reports::assert_no_pin_in(dir.path());
}

#[test]
fn a_rejected_request_removes_the_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::support::scenario_file(
        dir.path(),
        "reject.yaml",
        "name: reject\nneeds: [buttons, screen]\nsteps:\n  - attach\n  - verify_pin: {pin: '12345678'}\n  - generate_key: {}\n  - build_request: {subject: {CN: Иванов Иван Иванович}}\n  - sign_request: {safetouch: {screen: [Запрос подписи запроса на сертификат], press: reject}, expect: rejected}\nassert:\n  - key_absent: {key: new}\n  - key_present: {key: current}\n  - ca: {requests: 0}\n",
    );
    let (code, out, err) = run(&RunOptions {
        paths: vec![file],
        seed: Some(1),
        ..RunOptions::default()
    });
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn seeded_first_issue_snapshot() {
    let opts = RunOptions {
        paths: vec![data("first-issue.yaml")],
        ..RunOptions::default()
    };
    let scenarios = suite::select(&opts).unwrap();
    let profile = suite::load_profile(&opts).unwrap();
    let first = suite::run(&opts, &profile, &scenarios, 11, &mut std::io::sink());
    let mut second = suite::run(&opts, &profile, &scenarios, 11, &mut std::io::sink());
    assert_eq!(first.scenarios[0].outcome, Outcome::Passed);
    // Seeded mode: the same seed gives the same transcript, byte for byte.
    assert_eq!(
        first.scenarios[0].transcript.render(),
        second.scenarios[0].transcript.render()
    );
    crate::support::normalise(&mut second);
    for s in &mut second.scenarios {
        s.file = "tests/it/data/first-issue.yaml".to_owned();
    }
    insta::assert_snapshot!(
        "first_issue_transcript",
        second.scenarios[0].transcript.render()
    );
    insta::assert_snapshot!("first_issue_junit", junit::render(&second));
}

/// The issue's snapshot: the happy path's transcript and reports in seeded mode.
#[test]
fn seeded_happy_path_snapshot() {
    let path = crate::support::scenarios_dir().join("reissue-happy-path.yaml");
    let opts = RunOptions {
        paths: vec![path.display().to_string()],
        ..RunOptions::default()
    };
    let scenarios = suite::select(&opts).unwrap();
    let profile = suite::load_profile(&opts).unwrap();
    let mut report = suite::run(&opts, &profile, &scenarios, 2020, &mut std::io::sink());
    assert_eq!(
        report.scenarios[0].outcome,
        Outcome::Passed,
        "{:?}",
        report.scenarios[0].outcome
    );
    crate::support::normalise(&mut report);
    for s in &mut report.scenarios {
        s.file = "scenarios/reissue-happy-path.yaml".to_owned();
    }
    let s = &report.scenarios[0];
    insta::assert_snapshot!("happy_path_transcript", s.transcript.render());
    insta::assert_snapshot!(
        "happy_path_screens",
        rutoken_conformance::report::timeline::render_screens(s, 4)
    );
    insta::assert_snapshot!(
        "happy_path_decoded_transcript",
        rutoken_conformance::report::timeline::render_text(s, 4)
    );
    let mut text = Vec::new();
    rutoken_conformance::report::terminal::write(&mut text, &report, false).unwrap();
    insta::assert_snapshot!("happy_path_terminal", String::from_utf8(text).unwrap());
    // Without --json-transcripts the JSON has no transcript (snapshotted above as text).
    let json: serde_json::Value =
        serde_json::from_str(&rutoken_conformance::report::json::render(&report)).unwrap();
    insta::assert_snapshot!(
        "happy_path_json",
        serde_json::to_string_pretty(&json).unwrap()
    );
    for forbidden in ["12345678", "31 32 33 34 35 36 37 38"] {
        assert!(!s.transcript.render().contains(forbidden));
    }
}

#[test]
fn wrong_expectations_fail_with_what_came() {
    let dir = tempfile::tempdir().unwrap();
    let screen = crate::support::scenario_file(
        dir.path(),
        "wrong-screen.yaml",
        "name: wrong-screen\nneeds: [buttons, screen]\nsteps:\n  - attach\n  - verify_pin: {pin: '12345678'}\n  - generate_key: {}\n  - build_request: {}\n  - sign_request: {safetouch: {screen: [Не тот текст], press: confirm}}\n",
    );
    let (code, out, _) = run(&RunOptions {
        paths: vec![screen],
        seed: Some(1),
        ..RunOptions::default()
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("at step 5 (sign_request)"), "{out}");
    assert!(
        out.contains("expected: the SafeTouch to show «Не тот текст»"),
        "{out}"
    );
    assert!(
        out.contains("actual:   Запрос подписи запроса на сертификат"),
        "{out}"
    );

    let refusal = crate::support::scenario_file(
        dir.path(),
        "wrong-refusal.yaml",
        "name: wrong-refusal\nneeds: [buttons, screen]\nsteps:\n  - attach\n  - verify_pin: {pin: '12345678'}\n  - generate_key: {}\n  - build_request: {}\n  - sign_request: {safetouch: {press: confirm}}\n  - sign_document: {document: {owner: Иванов Иван Иванович, organisation: 3867XXXXXXXXXX, number: '1'}, safetouch: {press: confirm}}\n  - submit: {expect: {refused: subject_mismatch}}\n",
    );
    let (code, out, _) = run(&RunOptions {
        paths: vec![refusal],
        seed: Some(1),
        ..RunOptions::default()
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("at step 7 (submit)"), "{out}");
    assert!(out.contains("actual:   issued"), "{out}");
}
