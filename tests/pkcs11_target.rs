//! `rutoken-lab run --target pkcs11` end to end: a private pcscd with a vpcd reader,
//! `rutoken-lab sim` behind it with a control socket, and the runner loading a PKCS#11 module
//! inside the namespace (through `nsenter -m`): this project's `librutoken_pkcs11.so` over every
//! scenario (no failure; every skip names the step a module cannot express), and OpenSC's
//! `opensc-pkcs11.so` (its rutoken_ecp driver: GOST R 34.10-2001 only) over the `gost2001`
//! scenarios (all pass) and a GOST 2012 one (skipped: the module lists no 2012 mechanism).
//! Skips with a printed reason when not root, or pcscd, vpcd or OpenSC are missing.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use testkit::process::{self, Guard};
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
/// Debian's opensc package.
const OPENSC: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

/// `librutoken_pkcs11.so` of this build (a dev-dependency: cargo builds its cdylib into
/// `target/<profile>/deps/`, beside this test binary).
fn our_module() -> PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .join("librutoken_pkcs11.so")
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

struct Lab {
    pcscd: testkit::Pcscd,
    _sim: Guard,
    dir: tempfile::TempDir,
    control: PathBuf,
    sim_log: PathBuf,
}

impl Lab {
    fn start() -> Lab {
        Lab::start_with(&[])
    }

    /// `sim` with extra arguments (`--safetouch-policy confirm`: its SafeTouch confirms by
    /// itself, standing for the person's press).
    fn start_with(sim_args: &[&str]) -> Lab {
        let pcscd = testkit::Pcscd::start();
        let dir = tempfile::tempdir().unwrap();
        let control = dir.path().join("control.sock");
        let sim_log = dir.path().join("sim.log");
        let mut sim = process::lab_sim(BIN, pcscd.port);
        sim.args(["--fixture", "personalised", "--control"])
            .arg(&control)
            .args(sim_args);
        let sim = process::start_sim(sim, &sim_log);
        Lab {
            pcscd,
            _sim: sim,
            dir,
            control,
            sim_log,
        }
    }

    /// `rutoken-lab run --target pkcs11 --module MODULE --control … ARGS` inside the namespace.
    fn run(&self, module: &Path, json: &str, args: &[&str]) -> (Output, serde_json::Value) {
        let json = self.dir.path().join(json);
        let out = self
            .pcscd
            .enter("timeout")
            .args(["900", BIN, "run", "--target", "pkcs11", "--module"])
            .arg(module)
            .arg("--control")
            .arg(&self.control)
            .args(["--seed", "11", "--json-transcripts", "--json"])
            .arg(&json)
            .args(args)
            .output()
            .unwrap();
        let report = std::fs::read_to_string(&json)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        (out, report)
    }

    /// `run --target pkcs11 --operator` (no control socket: a real token as far as the runner
    /// knows) with `answers` on stdin.
    fn run_operator(
        &self,
        answers: &str,
        extra: &[&str],
        scenario: &str,
    ) -> (Output, serde_json::Value) {
        let json = self.dir.path().join("operator.json");
        let _ = std::fs::remove_file(&json);
        let mut child = self
            .pcscd
            .enter("timeout")
            .args(["300", BIN, "run", "--target", "pkcs11", "--module"])
            .arg(our_module())
            .args([
                "--operator",
                "--operator-timeout",
                "20",
                "--seed",
                "3",
                "--json",
            ])
            .arg(&json)
            .args(extra)
            .arg(scenarios().join(format!("{scenario}.yaml")))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), answers.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let report = std::fs::read_to_string(&json)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        (out, report)
    }

    fn context(&self, out: &Output) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}\nsim:\n{}\npcscd:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&self.sim_log).unwrap_or_default(),
            self.pcscd.log()
        )
    }
}

/// (name, status, reason) of every scenario of a JSON report.
fn outcomes(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["scenarios"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["name"].as_str().unwrap_or_default().to_owned(),
                        s["outcome"]["status"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        s["outcome"]["reason"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_scenario_through_our_module_and_gost_2001_through_opensc() {
    require_pcscd!();
    let module = our_module();
    assert!(module.exists(), "{} was not built", module.display());
    let lab = Lab::start();

    // A slot without a token (the module's slots are the vpcd reader's two): exit 2, named.
    let out = lab
        .pcscd
        .enter("timeout")
        .args(["60", BIN, "run", "--target", "pkcs11", "--module"])
        .arg(&module)
        .args(["--slot", "999"])
        .arg(scenarios().join("gost2001-sign-host-hash.yaml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no token in slot 999"), "{err}");

    // This project's module: every scenario passes or is skipped naming the step (or the
    // scenario part) PKCS#11 cannot express.
    let (out, report) = lab.run(&module, "ours.json", &[scenarios().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", lab.context(&out));
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    let results = outcomes(&report);
    let files = std::fs::read_dir(scenarios())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(results.len(), files, "{}", lab.context(&out));
    let step_names = rutoken_conformance::scenario::Step::NAMES;
    let mut passed = 0;
    let mut skipped = Vec::new();
    for (name, status, reason) in &results {
        match status.as_str() {
            "passed" => passed += 1,
            "skipped" => {
                // "step 4 apdu: a raw APDU has no PKCS#11 expression"
                let names_step = reason.starts_with("step ")
                    && step_names.iter().any(|s| {
                        reason.contains(&format!(" {s}: ")) || reason.contains(&format!("({s}): "))
                    });
                assert!(
                    names_step,
                    "{name} skipped without naming the step: {reason}"
                );
                skipped.push(format!("{name}: {reason}"));
                assert!(
                    !reason.contains("not supported by this module"),
                    "our module lists every GOST mechanism: {name}: {reason}"
                );
            }
            other => panic!("{name}: {other} {reason}\n{}", lab.context(&out)),
        }
    }
    // The module's calls are the transcript; no PIN in any report.
    let text = report.to_string();
    assert!(
        !text.contains("12345678") && !text.contains("87654321"),
        "a PIN in the report"
    );
    let happy = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "reissue-happy-path")
        .unwrap();
    let calls = happy["transcript"].to_string();
    for call in [
        "C_Login(CKU_USER, **)",
        "C_GenerateKeyPair(CKM_GOSTR3410_KEY_PAIR_GEN)",
        "C_SignInit(CKM_GOSTR3410_WITH_GOSTR3411_12_256",
        "C_CreateObject(CKO_CERTIFICATE",
    ] {
        assert!(calls.contains(call), "{call} missing: {calls}");
    }
    assert_eq!(happy["screens"].as_array().unwrap().len(), 2 + 2, "{happy}");
    let gost2001 = results
        .iter()
        .filter(|(n, _, _)| n.starts_with("gost2001-"))
        .count();
    assert!(gost2001 >= 3, "{results:?}");
    // The bank-client flow runs whole through the module: the reissue with both key sizes,
    // the SafeTouch's refusals, the CA's, the PIN rules, power events, GOST 2001.
    for must in [
        "reissue-happy-path",
        "reissue-512-a",
        "reject-screen-1",
        "timeout-screen-2",
        "install-mismatched-certificate",
        "ca-refuses-wrong-signing-key",
        "pin-blocked-then-unblocked",
        "pin-counter-survives-restart",
        "deny-generate-key-after-pull",
        "gost2001-sign-host-hash",
        "gost2001-wrong-pin-once",
        "gost2001-deny-sign-without-login",
    ] {
        assert!(
            results.iter().any(|(n, st, _)| n == must && st == "passed"),
            "{must} did not pass: {results:?}"
        );
    }
    eprintln!(
        "our module: {passed} of {files} scenarios passed; not expressible in PKCS#11:\n  {}",
        skipped.join("\n  ")
    );

    // OpenSC's module: the GOST 2001 subset passes, a GOST 2012 scenario is skipped because
    // the module's mechanism list has no 2012 mechanism.
    if !Path::new(OPENSC).exists() {
        eprintln!("skipped: {OPENSC} missing (Debian: opensc): the OpenSC part did not run");
        return;
    }
    let (out, report) = lab.run(
        Path::new(OPENSC),
        "opensc.json",
        &["--tag", "gost2001", scenarios().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", lab.context(&out));
    let results = outcomes(&report);
    // Every `gost2001-*` scenario passes; other scenarios tagged gost2001 (raw-APDU ones such
    // as apdu-key-algorithms) are skipped, naming their APDU step.
    let named = results
        .iter()
        .filter(|(n, _, _)| n.starts_with("gost2001-"))
        .count();
    assert_eq!(named, gost2001, "{results:?}");
    for (name, status, reason) in &results {
        if name.starts_with("gost2001-") || status != "skipped" {
            assert_eq!(
                status,
                "passed",
                "{name} through OpenSC: {reason}\n{}",
                lab.context(&out)
            );
        } else {
            assert!(reason.contains(" apdu: "), "{name} skipped: {reason}");
        }
    }
    // The whole suite through OpenSC's module: the GOST 2001 subset passes, nothing fails, and
    // the others are skipped naming the step or the GOST 2012 mechanism the module lacks.
    let (out, report) = lab.run(
        Path::new(OPENSC),
        "opensc-all.json",
        &[scenarios().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", lab.context(&out));
    let results = outcomes(&report);
    assert_eq!(results.len(), files);
    let mut unsupported = 0;
    for (name, status, reason) in &results {
        match status.as_str() {
            // The gost2001 ones (checked above with --tag); any other that needs no GOST 2012
            // may pass too.
            "passed" => {}
            "skipped" if reason.contains("GOST R 34.10-2012") => {
                assert!(
                    reason.contains(
                        "is not supported by this module: C_GetMechanismList has no CKM_GOSTR3410"
                    ),
                    "{reason}"
                );
                unsupported += 1;
            }
            "skipped" => assert!(reason.starts_with("step "), "{name}: {reason}"),
            other => panic!("{name}: {other} {reason}\n{}", lab.context(&out)),
        }
    }
    let happy = results
        .iter()
        .find(|(n, _, _)| n == "reissue-happy-path")
        .unwrap();
    assert!(
        happy
            .2
            .contains("GOST R 34.10-2012 (256-bit) is not supported by this module"),
        "{happy:?}"
    );
    eprintln!(
        "OpenSC's module: {gost2001} GOST 2001 scenarios passed, {unsupported} skipped for GOST 2012"
    );
}

#[test]
fn bad_module_and_slot_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(["run", "--target", "pkcs11"])
            .args(args)
            .arg(scenarios().join("gost2001-sign-host-hash.yaml"))
            .output()
            .unwrap()
    };
    // No such file.
    let missing = dir.path().join("missing.so");
    let out = run(&["--module", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--module") && err.contains("missing.so"),
        "{err}"
    );
    // Not a PKCS#11 module.
    let not_module = dir.path().join("not.so");
    std::fs::write(&not_module, b"not a library").unwrap();
    let out = run(&["--module", not_module.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A module whose C_Initialize fails: ours with a device profile that does not exist (it
    // reads the profile before it looks for readers, so no pcscd is asked).
    let module = our_module();
    if module.exists() {
        let out = Command::new(BIN)
            .args(["run", "--target", "pkcs11", "--module"])
            .arg(&module)
            .arg(scenarios().join("gost2001-sign-host-hash.yaml"))
            .env("RUTOKEN_PKCS11_PROFILE", dir.path().join("missing.yaml"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("C_Initialize failed"), "{err}");
    }
    // --target pkcs11 without --module, --module without --target pkcs11.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--module"));
    let out = Command::new(BIN)
        .args(["run", "--module", "x.so"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn operator_mode_through_our_module() {
    require_pcscd!();
    let module = our_module();
    assert!(module.exists(), "{} was not built", module.display());
    let lab = Lab::start_with(&["--safetouch-policy", "confirm"]);

    // The reissue flow: the expected screens drawn, the person's "y" answers recorded.
    let (out, report) = lab.run_operator("y\ny\n", &[], "reissue-happy-path");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", lab.context(&out));
    assert!(
        stderr.contains("The SafeTouch should now show:"),
        "{stderr}"
    );
    let results = outcomes(&report);
    assert_eq!(results[0].1, "passed", "{results:?}");
    let screens = report["scenarios"][0]["screens"].to_string();
    assert_eq!(screens.matches("(answered y)").count(), 2, "{screens}");

    // A wrong PIN on what may be a real token: only with --allow-destructive (on a token of
    // its own: without a control socket nothing resets the token between scenarios).
    drop(lab);
    let lab = Lab::start_with(&["--safetouch-policy", "confirm"]);
    let (out, report) = lab.run_operator("", &[], "gost2001-wrong-pin-once");
    assert_eq!(out.status.code(), Some(0), "{}", lab.context(&out));
    let results = outcomes(&report);
    assert_eq!(results[0].1, "skipped", "{results:?}");
    assert!(
        results[0].2.starts_with("destructive on a real token"),
        "{results:?}"
    );
    let (out, report) = lab.run_operator("", &["--allow-destructive"], "gost2001-wrong-pin-once");
    let results = outcomes(&report);
    assert_eq!(results[0].1, "passed", "{results:?}\n{}", lab.context(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Press Confirm"), "{stderr}");
}
