//! The module's lab: the `testkit` lab (a private pcscd with a vpcd reader, the emulated Rutoken
//! inside a SafeTouch whose buttons the control socket presses) with this build's
//! `librutoken_pkcs11.so` as `$MODULE`, what its tests need besides (OpenSC's tools, OpenSSL's
//! gost engine, the python venv), and a reader of `pkcs11-tool -O` listings.
#![allow(dead_code, reason = "shared by several test files")]

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

use testkit::shell::{gost_engine_missing, missing_tool};

#[allow(unused_imports, reason = "not every test file logs in as the SO")]
pub use testkit::lab::{SO_PIN, USER_PIN};

/// Why the module's tests cannot run here (beyond the harness's own reasons).
pub fn skip_reason() -> Option<String> {
    if let Some(r) = testkit::skip_reason() {
        return Some(r);
    }
    if let Some(r) = missing_tool(&["pkcs11-tool", "openssl"], "Debian: opensc, openssl") {
        return Some(r);
    }
    if let Some(r) = gost_engine_missing() {
        return Some(r);
    }
    if !module_path().exists() {
        return Some(format!("{} was not built", module_path().display()));
    }
    None
}

/// Skips the test (printing why) when a part is missing.
#[macro_export]
macro_rules! require_lab {
    () => {
        if let Some(reason) = $crate::support::lab::skip_reason() {
            eprintln!("skipped: {reason}");
            return;
        }
    };
}

/// `librutoken_pkcs11.so` of this build: `cargo test` builds the package's cdylib into
/// `target/<profile>/deps/`, beside this test binary (it does not copy it up to
/// `target/<profile>/` as `cargo build` does).
pub fn module_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .expect("target/<profile>/deps/<test>")
        .join("librutoken_pkcs11.so")
}

/// The venv `scripts/test.sh` makes (python-pkcs11, pkcs11-check).
pub fn venv() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("RUTOKEN_LAB_PKCS11_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/pkcs11-venv"))
}

/// The lab (`testkit::lab::Lab`) with `$MODULE` set to this build's module in every command;
/// started once the module lists the token.
pub struct Lab(testkit::lab::Lab);

impl Lab {
    /// A personalised token (user PIN 12345678) in a SafeTouch whose screens wait `timeout`.
    pub fn start(timeout: Duration) -> Lab {
        let lab = testkit::lab::Lab::start(timeout, &[("MODULE", module_path().into())]);
        lab.wait_for_output("pkcs11-tool --module \"$MODULE\" -L", "token label");
        Lab(lab)
    }
}

impl Lab {
    /// Runs `test` (an `#[ignore]`d test of the calling binary) inside pcscd's namespace, where
    /// the module reaches the private pcscd, with the module's path in `RUTOKEN_LAB_TEST_MODULE`,
    /// the control socket's in `RUTOKEN_LAB_TEST_CONTROL`, and `timeout` seconds at most; asserts
    /// that it ran and passed, and returns what it printed.
    pub fn run_inside(&self, test: &str, timeout_secs: u32) -> String {
        let exe = std::env::current_exe().unwrap();
        let out = self
            .pcscd
            .enter("timeout")
            .arg(timeout_secs.to_string())
            .arg(&exe)
            .args(["--exact", test, "--include-ignored", "--nocapture"])
            .arg("--test-threads=1")
            .env(CONTROL_ENV, &self.control)
            .env(MODULE_ENV, module_path())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "the inner test {test} failed:\n{text}"
        );
        assert!(
            text.contains("1 passed"),
            "the inner test {test} did not run:\n{text}"
        );
        text
    }
}

/// Where [`Lab::run_inside`] gives the inner test the module's path.
pub const MODULE_ENV: &str = "RUTOKEN_LAB_TEST_MODULE";
/// Where [`Lab::run_inside`] gives the inner test the control socket's path.
pub const CONTROL_ENV: &str = "RUTOKEN_LAB_TEST_CONTROL";

impl Deref for Lab {
    type Target = testkit::lab::Lab;

    fn deref(&self) -> &testkit::lab::Lab {
        &self.0
    }
}

/// A public key object as `pkcs11-tool -O` prints it.
#[derive(Debug, Clone)]
pub struct ListedKey {
    /// Its label.
    pub label: String,
    /// Its ID (hex).
    pub id: String,
    /// `CKA_GOSTR3410_PARAMS` (hex DER).
    pub params: String,
    /// `CKA_VALUE` (hex, `LE(x) ‖ LE(y)`).
    pub value: String,
}

/// The GOST public keys in `pkcs11-tool -O` output.
pub fn public_keys(listing: &str) -> Vec<ListedKey> {
    let mut keys = Vec::new();
    for block in listing.split("Public Key Object").skip(1) {
        let block = block.split("Object;").next().unwrap_or(block);
        let field = |name: &str| {
            block
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .map(|l| l.trim_start()[name.len()..].trim().to_owned())
                .unwrap_or_default()
        };
        let mut value = String::new();
        let mut in_value = false;
        for line in block.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("VALUE:") {
                value.push_str(rest.trim());
                in_value = true;
            } else if in_value && !t.is_empty() && t.chars().all(|c| c.is_ascii_hexdigit()) {
                value.push_str(t);
            } else {
                in_value = false;
            }
        }
        keys.push(ListedKey {
            label: field("label:"),
            id: field("ID:"),
            params: field("PARAMS OID:"),
            value,
        });
    }
    keys
}
