//! Exit codes, the terminal report, JUnit, JSON and artifacts, against the stand-in card.

use std::path::Path;
use std::process::Command;

use rutoken_conformance::report::{junit, terminal};
use rutoken_conformance::suite;

use crate::support::{fake_options, run, scenario_file, scenarios_dir};

/// Byte strings a PIN could appear as in any artifact: text, hex, spaced hex.
const PIN_FORMS: &[&str] = &[
    "12345678",
    "3132333435363738",
    "31 32 33 34 35 36 37 38",
    "31 31 31 31 31 31 31 31",
];

pub fn assert_no_pin_in(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_no_pin_in(&path);
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for form in PIN_FORMS {
            assert!(
                !text.contains(form),
                "{} contains a PIN ({form})",
                path.display()
            );
        }
    }
}

/// Validates XML with xmllint when it is installed.
pub fn xmllint_ok(path: &Path) -> Option<bool> {
    match Command::new("xmllint").arg("--noout").arg(path).status() {
        Ok(status) => Some(status.success()),
        Err(_) => {
            eprintln!(
                "skipped: xmllint not installed (Debian: libxml2-utils), JUnit validity not checked"
            );
            None
        }
    }
}

#[test]
fn passing_run_exits_0_and_writes_valid_masked_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    opts.junit = Some(dir.path().join("junit.xml"));
    opts.json = Some(dir.path().join("report.json"));
    opts.artifacts = Some(dir.path().join("artifacts"));
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("PASS  apdu-basics"), "{out}");
    assert!(
        out.contains("1 scenario on emulator: 1 passed, 0 failed, 0 skipped"),
        "{out}"
    );
    if let Some(ok) = xmllint_ok(&dir.path().join("junit.xml")) {
        assert!(ok, "xmllint rejected the JUnit XML");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["scenarios"][0]["outcome"]["status"], "passed");
    assert_eq!(json["seed"], 42);
    let transcript =
        std::fs::read_to_string(dir.path().join("artifacts/apdu-basics/transcript.txt")).unwrap();
    assert!(
        transcript.contains("> 00 20 00 02 08 **\n< 63 C9"),
        "{transcript}"
    );
    assert!(
        transcript.contains("> 00 CA 01 81 00\n< 00 00 00 00 2E EA 3E D3 90 00"),
        "{transcript}"
    );
    assert!(
        dir.path()
            .join("artifacts/apdu-basics/screens.txt")
            .exists()
    );
    assert_no_pin_in(dir.path());
}

#[test]
fn verbose_terminal_output_masks_pins() {
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    opts.verbose = true;
    let (code, out, _) = run(&opts);
    assert_eq!(code, 0);
    assert!(out.contains("> 00 20 00 02 08 **"), "{out}");
    for form in PIN_FORMS {
        assert!(!out.contains(form), "verbose output shows a PIN: {out}");
    }
}

#[test]
fn failing_run_exits_1_and_names_step_expectation_and_apdus() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "fails.yaml",
        "name: fails\nsteps:\n  - apdu: {command: '00 CA 01 81 00'}\n  - apdu: {command: '00 A4 08 00 02 5F 5F 00', sw: '9000'}\n",
    );
    let mut opts = fake_options(vec![file.clone()]);
    opts.junit = Some(dir.path().join("junit.xml"));
    opts.json = Some(dir.path().join("r.json"));
    let (code, out, _) = run(&opts);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  fails"), "{out}");
    assert!(out.contains("at step 2 (apdu)"), "{out}");
    // The step's place in the file: line 4, column 5 (the `apdu:` of the second item).
    let place = format!("{file}:4:5");
    assert!(out.contains(&format!("file:     {place}\n")), "{out}");
    assert!(out.contains("expected: SW 9000"), "{out}");
    assert!(out.contains("actual:   SW 6A82"), "{out}");
    // The failing step's APDU, and not step 1's (which came just before it).
    let details = out.split("actual:   SW 6A82").nth(1).unwrap();
    assert!(
        details.contains("APDUs of step 2 (apdu):\n        > 00 A4 08 00 02 5F 5F 00  < 6A 82"),
        "{out}"
    );
    assert!(
        !details.contains("> 00 CA 01 81 00"),
        "step 1's APDU shown: {out}"
    );
    // The summary at the end names the failure and its place again.
    let summary = out
        .split("1 scenario on emulator: 0 passed, 1 failed, 0 skipped")
        .nth(1)
        .expect("the summary");
    assert!(
        summary.contains(&format!("FAIL fails  at step 2 (apdu)  {place}")),
        "{out}"
    );
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        xml.contains("<failure message=\"step 2 (apdu): expected SW 9000, got SW 6A82\""),
        "{xml}"
    );
    assert!(xml.contains(&format!("at: {place}")), "{xml}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let s = &json["scenarios"][0];
    assert_eq!(s["outcome"]["location"], place.as_str());
    assert_eq!(json["failures"][0]["name"], "fails");
    assert_eq!(json["failures"][0]["location"], place.as_str());
    let apdus = s["failed_step_exchanges"].as_array().unwrap();
    assert_eq!(apdus.len(), 1, "{s}");
    assert_eq!(apdus[0]["command"], "00 A4 08 00 02 5F 5F 00");
    assert_eq!(apdus[0]["sw"], "6A82");
    // No transcript unless asked; the exchange count says how many there were.
    assert!(s.get("transcript").is_none(), "{s}");
    assert_eq!(s["exchanges"], 2);
    if let Some(ok) = xmllint_ok(&dir.path().join("junit.xml")) {
        assert!(ok);
    }
}

#[test]
fn broken_scenarios_exit_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown-step.yaml",
            "name: t\nsteps:\n  - attach\n  - sign_reqest: {}\n",
            ":4:5: unknown variant `sign_reqest`, expected one of",
        ),
        (
            "missing-field.yaml",
            "name: t\nsteps:\n  - verify_pin: {expect: ok}\n",
            ":3:18: missing field `pin`",
        ),
        (
            "wrong-type.yaml",
            "name: t\nsteps:\n  - list_objects: {keys: many}\n",
            ":3:26: expected a non-negative integer",
        ),
        ("bad-yaml.yaml", "name: t\nsteps: [\n", ":2:8: "),
    ];
    for (name, text, want) in cases {
        let file = scenario_file(dir.path(), name, text);
        let (code, out, err) = run(&fake_options(vec![file.clone()]));
        assert_eq!(code, 2, "{name}: {out}{err}");
        let line = err.lines().next().unwrap_or_default();
        assert!(line.starts_with(&format!("error: {file}")), "{name}: {err}");
        assert!(line.contains(want), "{name}: {line:?} lacks {want:?}");
    }
}

#[test]
fn no_scenario_found_is_said_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&fake_options(vec![
        dir.path().join("*.yaml").display().to_string(),
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("no scenario found"), "{err}");
    let mut opts = fake_options(vec![scenarios_dir().display().to_string()]);
    opts.tags = vec!["no-such-tag".to_owned()];
    let (code, _, err) = run(&opts);
    assert_eq!(code, 2);
    assert!(err.contains("none has the tag no-such-tag"), "{err}");
}

#[test]
fn skips_carry_their_reason_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "needs-restart.yaml",
        "name: needs-restart\nneeds: [restart]\nsteps:\n  - restart\n",
    );
    let mut opts = fake_options(vec![file]);
    opts.junit = Some(dir.path().join("junit.xml"));
    opts.json = Some(dir.path().join("r.json"));
    let (code, out, _) = run(&opts);
    assert_eq!(code, 0, "{out}");
    let reason = "needs restart: the emulator target cannot do it";
    assert!(
        out.contains(&format!("SKIP  needs-restart  ({reason})")),
        "{out}"
    );
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        xml.contains(&format!("<skipped message=\"{reason}\"/>")),
        "{xml}"
    );
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(json.contains(reason), "{json}");
}

#[test]
fn partition_and_jobs_keep_every_scenario_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..7 {
        files.push(scenario_file(
            dir.path(),
            &format!("s{i}.yaml"),
            &format!("name: s{i}\nsteps:\n  - apdu: {{command: '00 CA 01 81 00'}}\n"),
        ));
    }
    let mut seen = Vec::new();
    for k in 1..=3 {
        let mut opts = fake_options(files.clone());
        opts.partition = Some(format!("{k}/3").parse().unwrap());
        opts.jobs = 2;
        let scenarios = suite::select(&opts).unwrap();
        let profile = suite::load_profile(&opts).unwrap();
        let report = suite::run(&opts, &profile, &scenarios, 1, &mut std::io::sink());
        assert_eq!(report.counts(), (scenarios.len(), 0, 0));
        seen.extend(report.scenarios.into_iter().map(|s| s.name));
    }
    seen.sort();
    assert_eq!(seen, (0..7).map(|i| format!("s{i}")).collect::<Vec<_>>());
}

#[test]
fn seeded_report_snapshot() {
    let opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    let scenarios = suite::select(&opts).unwrap();
    let profile = suite::load_profile(&opts).unwrap();
    let mut report = suite::run(&opts, &profile, &scenarios, 42, &mut std::io::sink());
    crate::support::normalise(&mut report);
    for s in &mut report.scenarios {
        s.file = "scenarios/apdu-basics.yaml".to_owned();
    }
    insta::assert_snapshot!(
        "apdu_basics_transcript",
        report.scenarios[0].transcript.render()
    );
    let mut text = Vec::new();
    terminal::write(&mut text, &report, false).unwrap();
    insta::assert_snapshot!("apdu_basics_terminal", String::from_utf8(text).unwrap());
    insta::assert_snapshot!("apdu_basics_junit", junit::render(&report));
}

#[test]
fn device_profiles_are_applied_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let basics = scenarios_dir()
        .join("apdu-basics.yaml")
        .display()
        .to_string();
    let mut opts = fake_options(vec![basics.clone()]);
    opts.profile = Some(
        scenarios_dir()
            .parent()
            .unwrap()
            .join("profiles/rutoken-ecp2-safetouch.yaml"),
    );
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "{out}{err}");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "safetouch:\n  rows: 0\n").unwrap();
    opts.profile = Some(bad);
    let (code, _, err) = run(&opts);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --profile: "), "{err}");
    assert!(err.contains("safetouch.rows"), "{err}");
}

#[test]
fn scenario_mistakes_exit_2_before_any_apdu_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = scenario_file(
        dir.path(),
        "a-good.yaml",
        "name: a-good\nsteps:\n  - apdu: {command: '00 CA 01 81 00'}\n",
    );
    let cases = [
        (
            "undefined-var.yaml",
            "name: undefined-var\nvars: {pin: '1'}\nsteps:\n  - verify_pin: {pin: '${user_pin}'}\n",
            ":4:24: undefined variable ${user_pin}: define it under vars:",
        ),
        (
            "odd-hex.yaml",
            "name: odd-hex\nsteps:\n  - apdu: {command: '00 CA 01 81 0'}\n",
            ":3:22: apdu command: 9 hex digits, an odd number",
        ),
        (
            "not-hex.yaml",
            "name: not-hex\nsteps:\n  - apdu: {command: '00 CA 01 8G'}\n",
            ":3:22: apdu command: G is not a hex digit",
        ),
        (
            "bad-sw.yaml",
            "name: bad-sw\nsteps:\n  - apdu: {command: '00 CA 01 81 00', sw: '90'}\n",
            ":3:44: sw 90: expected 4 hex digits",
        ),
        (
            "stem.yaml",
            "name: other-name\nsteps:\n  - attach\n",
            ":1:1: name other-name differs from the file name stem",
        ),
        (
            "dup-key.yaml",
            "name: dup-key\nname: dup-key\nsteps:\n  - attach\n",
            "appears twice in the same mapping",
        ),
        (
            "unknown-key.yaml",
            "name: unknown-key\nsteps:\n  - delete_key: {key: old}\n",
            ":3:18: key old: no such key here (known: current)",
        ),
        (
            "no-build.yaml",
            "name: no-build\nsteps:\n  - generate_key: {}\n  - sign_request: {safetouch: {press: confirm}}\n",
            ":4:5: sign_request for key new: no build_request for it before",
        ),
        (
            "fixture.yaml",
            "name: fixture\ntoken: {fixture: personalised_foreign_ca}\nsteps:\n  - attach\n",
            ":2:18: unknown variant `personalised_foreign_ca`, expected",
        ),
    ];
    for (name, text, want) in cases {
        let file = scenario_file(dir.path(), name, text);
        let (code, out, err) = run(&fake_options(vec![good.clone(), file.clone()]));
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(!out.contains("PASS"), "{name}: a scenario ran: {out}");
        let line = err.lines().next().unwrap_or_default();
        assert!(
            line.starts_with(&format!("error: {file}:")),
            "{name}: {err}"
        );
        assert!(line.contains(want), "{name}: {line} lacks {want}");
        for debug in [
            "Some(",
            "None",
            "::",
            "{ ",
            "DuplicateKeyPolicy",
            "invalid u",
        ] {
            assert!(!err.contains(debug), "{name}: Rust text {debug} in {err}");
        }
    }
}

#[test]
fn an_empty_partition_is_not_an_error() {
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    opts.partition = Some("3/3".parse().unwrap());
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("nothing to run: part 3 of 3 is empty (1 scenario selected)"),
        "{out}"
    );
}

#[test]
fn lines_stream_and_a_partial_report_is_valid() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..3 {
        files.push(scenario_file(
            dir.path(),
            &format!("s{i}.yaml"),
            &format!("name: s{i}\nsteps:\n  - apdu: {{command: '00 CA 01 81 00'}}\n"),
        ));
    }
    let mut opts = fake_options(files);
    opts.jobs = 2;
    opts.json = Some(dir.path().join("r.json"));
    opts.junit = Some(dir.path().join("j.xml"));
    opts.html = Some(dir.path().join("r.html"));
    let scenarios = suite::select(&opts).unwrap();
    let profile = suite::load_profile(&opts).unwrap();
    let sinks = suite::sinks(&opts);
    let seen: Arc<Mutex<Vec<(usize, bool)>>> = Arc::default();
    let report = suite::run_with(
        &opts,
        &profile,
        &scenarios,
        1,
        &mut std::io::sink(),
        &mut |so_far, s| {
            // Each scenario is handed over as it ends, with the report so far (not complete).
            seen.lock()
                .unwrap()
                .push((so_far.scenarios.len(), so_far.complete));
            assert_eq!(so_far.scenarios.last().unwrap().name, s.name);
            sinks.scenario_done(so_far, s).unwrap();
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap())
                    .unwrap();
            assert_eq!(json["complete"], false);
            assert_eq!(json["selected"], 3);
            assert_eq!(
                json["scenarios"].as_array().unwrap().len(),
                so_far.scenarios.len()
            );
            if let Some(ok) = xmllint_ok(&dir.path().join("j.xml")) {
                assert!(ok, "partial JUnit invalid");
            }
            let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
            assert!(html.contains("Partial report"));
        },
    );
    assert!(report.complete);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(1, false), (2, false), (3, false)]
    );
}

#[test]
fn colour_only_when_asked() {
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    let (_, plain, _) = run(&opts);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    opts.color = true;
    let (_, coloured, _) = run(&opts);
    assert!(
        coloured.contains("\x1b[32mPASS\x1b[0m  apdu-basics"),
        "{coloured:?}"
    );
}

#[test]
fn json_has_units_version_profile_start_steps_and_decoded_apdus() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    opts.json = Some(dir.path().join("r.json"));
    opts.json_transcripts = true;
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["transcripts"]["included"], true);
    assert_eq!(json["tool"], "rutoken-lab");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["complete"], true);
    assert_eq!(json["target"], "emulator");
    assert_eq!(json["seed"], 42);
    assert!(json["duration_ms"].is_u64());
    assert!(json["started_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        json["profile"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("streebog256:")
    );
    let s = &json["scenarios"][0];
    assert!(s["duration_ms"].is_u64());
    assert_eq!(s["steps"][0]["kind"], "step");
    assert_eq!(s["steps"][0]["name"], "apdu");
    assert!(s["steps"][0]["duration_ms"].is_u64());
    let verify = s["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "VERIFY")
        .expect("a decoded VERIFY");
    assert_eq!(verify["command"], "00 20 00 02 08 **");
    assert_eq!(verify["sw"], "63C9");
    assert_eq!(verify["meaning"], "wrong PIN, 9 tries left");
}

#[test]
fn reports_into_missing_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = fake_options(vec![
        scenarios_dir()
            .join("apdu-basics.yaml")
            .display()
            .to_string(),
    ]);
    opts.junit = Some(dir.path().join("ci/junit/x.xml"));
    opts.json = Some(dir.path().join("ci/json/r.json"));
    opts.html = Some(dir.path().join("ci/html/r.html"));
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "{out}{err}");
    for file in ["ci/junit/x.xml", "ci/json/r.json", "ci/html/r.html"] {
        assert!(dir.path().join(file).is_file(), "{file} not written");
    }
    // A directory given where a file is meant is still a usage error, before any APDU.
    opts.json = Some(dir.path().join("ci"));
    let (code, out, err) = run(&opts);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert!(!out.contains("PASS"), "{out}");
}

#[test]
fn html_puts_failures_first_and_marks_them() {
    let dir = tempfile::tempdir().unwrap();
    // `a-passes` ends first (alphabetical, one job): without ordering it would come first.
    let pass = scenario_file(
        dir.path(),
        "a-passes.yaml",
        "name: a-passes\nsteps:\n  - apdu: {command: '00 CA 01 81 00'}\n",
    );
    let fail = scenario_file(
        dir.path(),
        "z-fails.yaml",
        "name: z-fails\nsteps:\n  - apdu: {command: '00 A4 08 00 02 5F 5F 00', sw: '9000'}\n",
    );
    let mut opts = fake_options(vec![pass, fail.clone()]);
    opts.html = Some(dir.path().join("r.html"));
    let (code, out, _) = run(&opts);
    assert_eq!(code, 1, "{out}");
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    let failures = page.find("id=\"failures\"").expect("a failures list");
    let nav_fail = page
        .find("✗ FAIL z-fails")
        .expect("the failure marked in the index");
    let nav_pass = page.find("✓ PASS a-passes").expect("the pass in the index");
    let section_fail = page.find("id=\"s-z-fails\"").unwrap();
    let section_pass = page.find("id=\"s-a-passes\"").unwrap();
    assert!(failures < nav_fail && nav_fail < nav_pass, "index order");
    assert!(section_fail < section_pass, "sections: the failure first");
    assert!(page.contains(&format!("{fail}:3:5")), "no file:line:col");
    // The failing step's APDU table is open; the passing scenario shows no APDU table.
    assert!(page.contains("<details open>"), "failing step folded");
    assert!(
        !page[section_pass..].contains("<table class=\"apdus\">"),
        "the passing scenario has an APDU table"
    );
}

#[test]
fn run_time_excludes_what_the_reports_cost() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..3 {
        files.push(scenario_file(
            dir.path(),
            &format!("s{i}.yaml"),
            &format!("name: s{i}\nsteps:\n  - apdu: {{command: '00 CA 01 81 00'}}\n"),
        ));
    }
    let opts = fake_options(files);
    let scenarios = suite::select(&opts).unwrap();
    let profile = suite::load_profile(&opts).unwrap();
    // A report writer that takes 300 ms per scenario (as whole-suite rewrites used to).
    let slow = std::time::Duration::from_millis(300);
    let report = suite::run_with(
        &opts,
        &profile,
        &scenarios,
        1,
        &mut std::io::sink(),
        &mut |_, _| std::thread::sleep(slow),
    );
    assert_eq!(report.counts(), (3, 0, 0));
    // The three scenarios take milliseconds on the stand-in card; the writer's 900 ms must not
    // be in the run's time (nor in any scenario's).
    assert!(report.duration < slow, "run time {:?}", report.duration);
    for s in &report.scenarios {
        assert!(s.duration < slow, "{} took {:?}", s.name, s.duration);
    }
}
