//! A bank page built on Aktiv's `@aktivco-it/rutoken-plugin-bootstrap` (npm 1.9.12, as
//! published; bundled by esbuild) in Debian's headless chromium against the bridge with the
//! in-process emulator and SafeTouch (#28): the library's version gate passes, and its
//! sign-in, registration, PIN change, PIN cache and signing flows run; the payment, a
//! `<!PINPADFILE UTF8>` document, is on the SafeTouch's screen, paged, and the signature
//! covers exactly it. Every artefact is checked with OpenSSL's gost engine.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::server::{Bridge, Config};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::Value;

mod support;

use support::{b64, gost_engine, openssl};

fn driver_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

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
    for module in [
        "puppeteer-core",
        "esbuild",
        "@aktivco-it/rutoken-plugin-bootstrap",
    ] {
        if !driver_dir().join("node_modules").join(module).exists() {
            return Some(format!(
                "{module} not installed (npm ci --prefix plugin/tests/browser)"
            ));
        }
    }
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_bridge(page_origin: String) -> String {
    let token = backend::open(
        &TokenSource::Fixture(Fixture::Personalised),
        0,
        &DeviceProfile::default(),
    )
    .expect("the emulator");
    let config = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        allowed_origins: vec![page_origin],
        demo: None,
        rutoken_js: None,
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
    format!("http://{}/", rx.recv().expect("bridge started"))
}

/// One browser at a time: the machine has two cores.
static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_bootstrap_page_signs_in_registers_changes_the_pin_and_signs_a_payment() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let r = drive(false);
    assert_eq!(r["scriptTags"], 1, "the page loads the bridge's script");
    check(&r);
}

/// The same page, unmodified but for the missing script tag, with the adapter extension
/// loaded (`--load-extension`, `--headless=new`): Aktiv's loader inside the bundle finds the
/// extension's object. A page from an origin the bridge does not allow finds no plugin.
#[test]
fn through_the_adapter_extension_a_bootstrap_page_runs_with_no_script_tag() {
    if let Some(why) = missing_tools() {
        println!("skipped: {why}");
        return;
    }
    let _one = BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let r = drive(true);
    assert_eq!(r["scriptTags"], 0, "{r:#}");
    // rutoken-plugin-bootstrap's Plugin.init() on a page the bridge refuses: the extension is
    // there, the plugin is not (NoInstalledPluginError).
    assert!(r["stranger"]["ok"].is_null(), "{r:#}");
    assert_eq!(r["stranger"]["kind"], "NoInstalledPluginError", "{r:#}");
    check(&r);
}

fn drive(extension: bool) -> Value {
    let port = free_port();
    let bridge = start_bridge(format!("http://127.0.0.1:{port}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new("timeout");
    command
        .args(["240", "node", "bootstrap.mjs", &bridge, &port.to_string()])
        .current_dir(driver_dir());
    if extension {
        let addr: SocketAddr = bridge
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the bridge's address");
        rutoken_plugin_bridge::extension::write(dir.path(), addr).expect("the extension");
        command.env("EXTENSION", dir.path());
    }
    let out = command.output().expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let r: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
            panic!(
                "bootstrap.mjs printed no result: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert_eq!(r["ok"], true, "{r:#}");
    r
}

fn check(r: &Value) {
    // The library's version gate and method check passed.
    assert_eq!(
        r["init"]["ok"]["version"],
        rutoken_plugin_bridge::codes::DEFAULT_PLUGIN_VERSION,
        "{r:#}"
    );
    assert_eq!(r["init"]["ok"]["hasEveryMethod"], true);
    let sign_in = &r["signIn"]["ok"];
    assert_eq!(sign_in["info"]["model"], "Рутокен ЭЦП 2.0", "{r:#}");
    assert_eq!(sign_in["info"]["cached"], false);
    assert!(sign_in["info"]["features"]["interfaces"].is_array());
    assert!(sign_in["info"]["mechanisms"]["hash"]["hardware"].is_array());
    let register = &r["register"]["ok"];
    assert_eq!(register["key"], "0b:a4:20:26", "{r:#}");
    assert_eq!(register["label"], "bank-2026");
    assert_eq!(register["keys"], serde_json::json!(["0b:a4:20:26"]));
    // Old PIN after the change: PIN_INCORRECT as the library reports it.
    assert_eq!(r["changePin"]["ok"]["wrongOld"]["error"], 17, "{r:#}");
    let cache = &r["pinCache"]["ok"];
    assert_eq!(cache["again"]["error"], 93, "{r:#}");
    assert_eq!(cache["cached"], true);
    assert_eq!(cache["afterRemove"]["cached"], false);
    assert_eq!(cache["afterRemove"]["loggedIn"], false);
    // The SafeTouch showed the request title, then the payment's fields over several pages.
    // authenticate signs a string the device cannot show (a hash screen), the request, the
    // payment.
    let screens = r["screens"].as_array().expect("screens");
    assert_eq!(screens.len(), 3, "{r:#}");
    let text = |i: usize| -> String {
        screens[i]["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(text(0).starts_with("Подписать хэш?"), "{}", text(0));
    assert!(
        text(1).contains("Запрос подписи запроса на сертификат Петров Пётр Петрович"),
        "{}",
        text(1)
    );
    let payment: Vec<String> = screens[2]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l.as_str().unwrap_or_default().to_owned())
        .collect();
    let shown: String = payment.concat().split_whitespace().collect();
    for field in [
        "Сумма:12345,67руб.",
        "Получатель:ООО«Ромашка»",
        "ИНН:7701234567",
    ] {
        assert!(
            shown.contains(field),
            "{field} not on the screen: {payment:?}"
        );
    }
    let rows = screens[2]["rows"].as_u64().expect("rows");
    assert!(
        payment.len() as u64 > rows,
        "the payment takes more than one page"
    );

    if !gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(
        d.join("ca.pem"),
        rutoken_pki::fixtures::file("ca.crt.pem").expect("ca"),
    )
    .expect("write");
    std::fs::write(d.join("auth.der"), b64(&sign_in["cms"])).expect("write");
    std::fs::write(d.join("pay.der"), b64(&r["sign"]["ok"])).expect("write");
    std::fs::write(d.join("req.pem"), register["csr"].as_str().expect("csr")).expect("write");
    for (cms, out) in [("auth.der", "auth.txt"), ("pay.der", "pay.txt")] {
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
                cms,
                "-CAfile",
                "ca.pem",
                "-attime",
                "1580817600",
                "-out",
                out,
            ],
        );
        assert!(
            ok && text.contains("Verification successful"),
            "{cms}: {text}"
        );
    }
    let auth = std::fs::read_to_string(d.join("auth.txt")).expect("auth");
    assert!(auth.starts_with("salt-2026-12-07:"), "{auth}");
    // What was signed is exactly the document the SafeTouch showed.
    assert_eq!(
        std::fs::read_to_string(d.join("pay.txt")).expect("pay"),
        r["payment"].as_str().expect("payment")
    );
    let (ok, text) = openssl(
        d,
        &[
            "req",
            "-engine",
            "gost",
            "-in",
            "req.pem",
            "-verify",
            "-noout",
            "-text",
            "-nameopt",
            "RFC2253,-esc_msb",
        ],
    );
    assert!(ok && text.contains("verify OK"), "{text}");
    for expected in [
        "postalAddress=",
        "pseudonym=petrov",
        "INN=12345678987",
        "SN=Петров",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in the request: {text}"
        );
    }
}
