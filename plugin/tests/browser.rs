//! Browser tests: Debian's chromium, headless, driven through the DevTools protocol by
//! puppeteer-core (`tests/browser/drive.mjs`; `npm ci` in `scripts/test.sh`, no browser
//! download), against the bridge with the in-process emulator and SafeTouch. The page loads the
//! plugin through Aktiv's own loader (the `rutoken` npm package). The PKCS#10, the CMS and the
//! certificate the page produced are checked with OpenSSL's gost engine.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::bank::Bank;
use rutoken_plugin_bridge::server::{Bridge, Config};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::Value;

/// One browser at a time: the machine has two cores.
static BROWSER: Mutex<()> = Mutex::new(());

/// The demo bank's clock: the instruction's date, noon UTC (1580817600).
const BANK_TIME: i64 = 1_580_817_600;

fn driver_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Why the browser tests cannot run here, if they cannot.
fn missing_tools() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node (apt-get install nodejs)".into());
    }
    if !driver_dir().join("node_modules/puppeteer-core").exists() {
        return Some("puppeteer-core not installed (npm ci --prefix plugin/tests/browser)".into());
    }
    None
}

/// A bridge with a fresh personalised emulator on a free loopback port; its URL. The demo
/// loads the plugin through Aktiv's loader, or (`aktiv_loader` false) through the bridge's own
/// stand-in `/loader.js`.
fn start_bridge(seed: u64, aktiv_loader: bool) -> String {
    start_bridge_with(seed, aktiv_loader, false)
}

/// `like_reader`: the bridge does not see the SafeTouch (as with `--reader`, where it is with
/// the token behind PC/SC).
fn start_bridge_with(seed: u64, aktiv_loader: bool, like_reader: bool) -> String {
    let profile = DeviceProfile::default();
    let mut token = backend::open(&TokenSource::Fixture(Fixture::Personalised), seed, &profile)
        .expect("the emulator");
    if like_reader {
        token.monitor = None;
        token.panel = None;
    }
    let now = time::OffsetDateTime::from_unix_timestamp(BANK_TIME).expect("bank time");
    let rutoken_js =
        std::fs::read_to_string(driver_dir().join("node_modules/rutoken/rutoken.min.js"))
            .expect("Aktiv's loader from the rutoken npm package");
    let config = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        allowed_origins: Vec::new(),
        demo: Some(Bank::new(now, seed).expect("bank")),
        rutoken_js: aktiv_loader.then_some(rutoken_js),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let bridge = Bridge::bind(config, token).await.expect("bind");
            tx.send(bridge.local_addr().expect("addr")).expect("send");
            bridge.serve().await.expect("serve");
        });
    });
    let addr = rx.recv().expect("bridge started");
    format!("http://{addr}/")
}

fn drive(scenario: &str, seed: u64) -> Value {
    drive_with(scenario, seed, true)
}

fn drive_with(scenario: &str, seed: u64, aktiv_loader: bool) -> Value {
    let url = start_bridge(seed, aktiv_loader);
    run_driver(&url, scenario, None)
}

/// Runs `drive.mjs` on `url`; with `extension`, the browser loads the adapter extension from
/// that directory.
fn run_driver(url: &str, scenario: &str, extension: Option<&Path>) -> Value {
    let mut command = Command::new("timeout");
    command
        .args(["180", "node", "drive.mjs", url, scenario])
        .current_dir(driver_dir());
    if let Some(dir) = extension {
        command.env("EXTENSION", dir);
    }
    let out = command.output().expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let result: Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "drive.mjs {scenario} printed no result: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(result["ok"], Value::Bool(true), "{scenario}: {result:#}");
    // Aktiv's loader found our plugin object and read its error table.
    assert_eq!(result["loader"], Value::Bool(true));
    assert_eq!(result["errorCodes"]["FUNCTION_REJECTED"], 30);
    result
}

fn gost_engine() -> bool {
    Command::new("openssl")
        .args(["engine", "gost"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn screens(result: &Value) -> Vec<String> {
    result["screens"]
        .as_array()
        .expect("screens")
        .iter()
        .map(|s| squeeze(s.as_str().unwrap_or_default()))
        .collect()
}

/// Without whitespace: the screen wraps long rows at its width.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn happy_path_produces_a_request_and_certificate_that_openssl_verifies() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = drive("happy", 0);
    assert_eq!(
        result["scriptTags"], 1,
        "the page loads the bridge's script"
    );
    check_happy_path(&result);
}

/// The page has no script of the bridge: the adapter extension (written as `rutoken-lab plugin
/// install-extension` writes it, loaded with `--load-extension` in `--headless=new`) gives it
/// the plugin object, Aktiv's loader finds it, and the whole reissue runs.
#[test]
fn the_adapter_extension_runs_the_demo_page_with_no_script_tag() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let url = start_bridge(0, true);
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("the bridge's address");
    let dir = tempfile::tempdir().expect("tempdir");
    rutoken_plugin_bridge::extension::write(dir.path(), addr).expect("the extension");
    let result = run_driver(&format!("{url}extension"), "happy", Some(dir.path()));
    assert_eq!(
        result["scriptTags"], 0,
        "no script of the bridge on the page"
    );
    assert_eq!(result["viaExtension"], true, "{result:#}");
    check_happy_path(&result);
}

/// With the SafeTouch elsewhere (`--reader`), the panel says where presses come from and shows
/// no screen or buttons that look live.
#[test]
fn with_the_safetouch_behind_a_reader_the_panel_says_where_to_press() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let url = start_bridge_with(0, true, true);
    let result = run_driver(&url, "reader-panel", None);
    let text = result["elsewhere"].as_str().unwrap_or_default();
    assert!(
        text.contains("rutoken-lab safetouch confirm") && text.contains("SafeTouch"),
        "{result:#}"
    );
    assert_eq!(result["localShown"], false, "{result:#}");
    assert_eq!(result["liveButtons"], serde_json::json!([]), "{result:#}");
}

/// What the happy path must produce, whichever way the page got the plugin.
fn check_happy_path(result: &Value) {
    // The owner's name is a button reached with Tab and opened with Enter; dates DD.MM.YYYY.
    assert_eq!(result["ownerTag"], "BUTTON", "{result:#}");
    assert_eq!(result["ownerFocused"], true, "{result:#}");
    let until = result["validUntil"].as_str().unwrap_or_default();
    let digits: Vec<&str> = until.split('.').collect();
    assert!(
        digits.len() == 3
            && [2, 2, 4]
                .iter()
                .zip(&digits)
                .all(|(n, d)| d.len() == *n && d.chars().all(|c| c.is_ascii_digit())),
        "«Действителен до» {until}"
    );
    assert!(
        result["certInfo"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("Действителен до{until}")),
        "{result:#}"
    );
    assert_eq!(
        result["pinPrompt"],
        "Введите ПИН-код для устройства 0787103443"
    );
    let shown = screens(result);
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].contains(&squeeze("Запрос подписи запроса на сертификат")),
        "{shown:?}"
    );
    for field in ["04.02.2020", "Иванов Иван Иванович", "3867XXXXXXXXXX"] {
        assert!(
            shown[1].contains(&squeeze(field)),
            "screen 2 lacks {field}: {shown:?}"
        );
    }
    assert_eq!(result["state"], "Взаимодействие с ЦС успешно завершено");
    assert!(
        result["done"]
            .as_str()
            .unwrap_or_default()
            .contains("завершен")
    );
    // The old key and the new one, each with its certificate.
    assert_eq!(
        result["keys"]["ok"].as_array().map(Vec::len),
        Some(2),
        "{result:#}"
    );
    assert_eq!(
        result["userCertificates"]["ok"].as_array().map(Vec::len),
        Some(2)
    );

    if !gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("req.pem"),
        result["pkcs10"].as_str().expect("pkcs10"),
    )
    .expect("write");
    std::fs::write(
        d.join("new.pem"),
        result["certificate"].as_str().expect("cert"),
    )
    .expect("write");
    std::fs::write(
        d.join("ca.pem"),
        rutoken_pki::fixtures::file("ca.crt.pem").expect("ca"),
    )
    .expect("write");
    let cms =
        <base64ct::Base64 as base64ct::Encoding>::decode_vec(result["cms"].as_str().expect("cms"))
            .expect("cms base64");
    std::fs::write(d.join("sig.p7s"), cms).expect("write");
    let doc = <base64ct::Base64 as base64ct::Encoding>::decode_vec(
        result["document"].as_str().expect("document"),
    )
    .expect("doc base64");
    std::fs::write(d.join("doc.bin"), doc).expect("write");
    std::fs::write(
        d.join("old.pem"),
        rutoken_pki::fixtures::file("owner-current.crt.pem").expect("owner"),
    )
    .expect("write");

    let (ok, text) = openssl(
        d,
        &[
            "req", "-engine", "gost", "-in", "req.pem", "-verify", "-noout",
        ],
    );
    assert!(ok && text.contains("verify OK"), "PKCS#10: {text}");
    let (ok, text) = openssl(
        d,
        &[
            "req", "-engine", "gost", "-in", "req.pem", "-noout", "-subject", "-nameopt", "utf8",
        ],
    );
    assert!(ok && text.contains("Иванов Иван Иванович"), "{text}");
    let attime = BANK_TIME.to_string();
    let (ok, text) = openssl(
        d,
        &[
            "verify", "-engine", "gost", "-attime", &attime, "-CAfile", "ca.pem", "new.pem",
        ],
    );
    assert!(ok && text.contains("new.pem: OK"), "certificate: {text}");
    // The new certificate carries the request's key.
    let (_, req_key) = openssl(
        d,
        &[
            "req", "-engine", "gost", "-in", "req.pem", "-noout", "-pubkey",
        ],
    );
    let (_, cert_key) = openssl(
        d,
        &[
            "x509", "-engine", "gost", "-in", "new.pem", "-noout", "-pubkey",
        ],
    );
    assert!(
        req_key.contains("BEGIN PUBLIC KEY") && req_key == cert_key,
        "{req_key}\n{cert_key}"
    );
    // The reissue document's signature, made on the token behind the SafeTouch, by the old key.
    let (ok, text) = openssl(
        d,
        &[
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.p7s",
            "-content",
            "doc.bin",
            "-CAfile",
            "ca.pem",
            "-attime",
            &attime,
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        ok && text.contains("Verification successful"),
        "CMS: {text}"
    );
}

#[test]
fn reject_on_the_first_screen_leaves_no_new_key() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = drive("reject-1", 2);
    assert_eq!(result["error"], "Операция отклонена пользователем");
    assert_eq!(result["errorCode"], 30);
    assert!(screens(&result)[0].contains(&squeeze("Запрос подписи запроса на сертификат")));
    assert_eq!(
        result["keys"]["ok"].as_array().map(Vec::len),
        Some(1),
        "{result:#}"
    );
}

#[test]
fn reject_on_the_second_screen_sends_nothing_to_the_ca() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = drive("reject-2", 3);
    assert_eq!(result["error"], "Операция отклонена пользователем");
    let shown = screens(&result);
    assert!(
        shown[1].contains(&squeeze("Иванов Иван Иванович")),
        "{shown:?}"
    );
    assert_eq!(result["issued"], "");
    assert_eq!(
        result["keys"]["ok"].as_array().map(Vec::len),
        Some(1),
        "{result:#}"
    );
}

#[test]
fn a_wrong_pin_says_how_many_tries_are_left_then_the_right_one_works() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // With the bridge's own loader: a page needs no copy of Aktiv's in development.
    let result = drive_with("wrong-pin", 4, false);
    let left = result["triesLeft"].as_u64().expect("tries left");
    let before = result["pinsBefore"]["ok"]["user"]["retriesLeft"]
        .as_u64()
        .expect("tries before");
    assert!(before > 1, "{result:#}");
    assert_eq!(left, before - 1, "{result:#}");
    assert!(
        result["pinError"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("Осталось попыток: {left}"))
    );
    assert!(
        result["pkcs10"]
            .as_str()
            .unwrap_or_default()
            .contains("BEGIN CERTIFICATE REQUEST")
    );
}

#[test]
fn pulling_the_token_mid_flow_fails_the_operation_and_a_reinserted_token_starts_fresh() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let result = drive("pull", 5);
    assert_eq!(result["errorCode"], 3, "{result:#}");
    assert_eq!(result["devicesWhilePulled"]["ok"], serde_json::json!([]));
    assert_eq!(result["devicesAfterInsert"]["ok"], serde_json::json!([0]));
    assert_eq!(result["loggedInAfterInsert"]["ok"], false);
    assert_eq!(result["keysBeforeLogin"]["error"], 19);
    // The new key pair stays (the page could not remove it: the token was gone); the old
    // one is there.
    assert!(
        result["keys"]["ok"].as_array().map(Vec::len).unwrap_or(0) >= 1,
        "{result:#}"
    );
}
