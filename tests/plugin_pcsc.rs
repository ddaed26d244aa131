//! `rutoken-lab plugin --reader`: the bridge on a token behind PC/SC. A private pcscd with a
//! vpcd reader, `rutoken-lab sim` behind it (its SafeTouch confirming unattended), the bridge
//! inside the namespace (`nsenter -m`), and the demo page's happy path in headless chromium
//! (puppeteer-core, Aktiv's loader). Skips with a printed reason when not root, or pcscd, vpcd,
//! chromium, node or puppeteer-core are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::process::{self, Guard};
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
/// vpcd's first slot.
const READER: &str = "Virtual PCD 00 00";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin/tests/browser")
}

#[test]
fn the_demo_runs_on_a_sim_behind_pcsc() {
    require_pcscd!();
    if !Path::new("/usr/bin/chromium").exists()
        || !browser_dir().join("node_modules/puppeteer-core").exists()
    {
        eprintln!("skipped: chromium or puppeteer-core missing (scripts/test.sh installs them)");
        return;
    }
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();
    let sim_log = dir.path().join("sim.log");
    let confirming = ["--fixture", "personalised", "--safetouch-policy", "confirm"];
    let _sim = process::start_lab_sim(BIN, pcscd.port, &confirming, &sim_log);
    let bridge_log = dir.path().join("bridge.log");
    let loader = browser_dir().join("node_modules/rutoken/rutoken.min.js");
    let mut bridge = pcscd.enter(BIN);
    bridge
        .args([
            "plugin",
            "--reader",
            READER,
            "--port",
            "0",
            "--demo",
            "--rutoken-js",
        ])
        .arg(&loader);
    let _bridge = Guard::kill_on_drop(process::spawn_logged(bridge, &bridge_log));
    let mut url = String::new();
    testkit::wait_until(Duration::from_secs(20), "the bridge listening", || {
        let text = std::fs::read_to_string(&bridge_log).unwrap_or_default();
        match text.lines().find_map(|l| l.strip_prefix("demo page: ")) {
            Some(u) => {
                url = u.trim().to_owned();
                true
            }
            None => false,
        }
    });
    let out = Command::new("timeout")
        .args(["180", "node", "drive.mjs", &url, "happy-unattended"])
        .current_dir(browser_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|_| panic!("no result: {stdout}"));
    let context = format!(
        "{result:#}\nbridge:\n{}\nsim:\n{}",
        std::fs::read_to_string(&bridge_log).unwrap_or_default(),
        std::fs::read_to_string(&sim_log).unwrap_or_default()
    );
    assert_eq!(result["ok"], true, "{context}");
    assert_eq!(
        result["state"], "Взаимодействие с ЦС успешно завершено",
        "{context}"
    );
    assert_eq!(
        result["pinPrompt"],
        "Введите ПИН-код для устройства 0787103443"
    );
    assert_eq!(
        result["keys"]["ok"].as_array().map(Vec::len),
        Some(2),
        "{context}"
    );
    assert_eq!(
        result["userCertificates"]["ok"].as_array().map(Vec::len),
        Some(2),
        "{context}"
    );
    // The sim's SafeTouch showed both documents (its unattended policy confirmed them).
    let sim = std::fs::read_to_string(&sim_log).unwrap_or_default();
    assert!(sim.contains("Запрос подписи"), "{sim}");
    assert!(sim.contains("04.02.2020"), "{sim}");
}
