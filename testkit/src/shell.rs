//! Shell and tool helpers: whether a tool is installed, and shell commands run inside a
//! [`Pcscd`]'s namespace in a scratch directory.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::pcscd::Pcscd;

/// Whether `tool` is on PATH (`command -v`).
pub fn has_tool(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The first of `tools` not installed, as a skip reason naming `packages` (the Debian packages
/// holding them, e.g. `"Debian: opensc"`).
pub fn missing_tool(tools: &[&str], packages: &str) -> Option<String> {
    tools
        .iter()
        .find(|tool| !has_tool(tool))
        .map(|tool| format!("{tool} is not installed ({packages})"))
}

/// Why OpenSSL cannot verify GOST signatures here, if it cannot.
pub fn gost_engine_missing() -> Option<String> {
    let gost = Command::new("openssl").args(["engine", "gost"]).output();
    if gost.is_ok_and(|o| o.status.success()) {
        None
    } else {
        Some("OpenSSL's gost engine is missing (Debian: libengine-gost-openssl)".into())
    }
}

/// A command's stdout then stderr, as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a shell command inside the namespace, in `dir`; returns (success, stdout + stderr).
pub fn sh(pcscd: &Pcscd, dir: &Path, command: &str) -> (bool, String) {
    let out = pcscd.run(
        "sh",
        &["-c", &format!("cd '{}' && {command}", dir.display())],
    );
    (out.status.success(), text(&out))
}

/// Runs a command that must succeed; returns its output (panics with it and pcscd's log).
pub fn ok(pcscd: &Pcscd, dir: &Path, command: &str) -> String {
    let (success, text) = sh(pcscd, dir, command);
    assert!(
        success,
        "`{command}` failed:\n{text}\npcscd log:\n{}",
        pcscd.log()
    );
    text
}

/// Waits (up to 15 s) until OpenSC sees the card (`opensc-tool -a -n`): pcscd polls its reader.
pub fn wait_for_opensc(pcscd: &Pcscd, dir: &Path) {
    crate::wait::wait_until(Duration::from_secs(15), "OpenSC to see the card", || {
        sh(pcscd, dir, "opensc-tool -a -n").0
    });
}

/// OpenSC personalises a factory token: erases it, creates the PKCS#15 application with the SO
/// PIN `so_pin` and no PUK, and stores the user PIN `user_pin` (auth ID 02, as the Rutoken ECP
/// profile of OpenSC has it), finalised.
pub fn opensc_personalise(pcscd: &Pcscd, dir: &Path, user_pin: &str, so_pin: &str) {
    ok(pcscd, dir, "pkcs15-init -E");
    ok(
        pcscd,
        dir,
        &format!("pkcs15-init --create-pkcs15 --so-pin {so_pin} --so-puk ''"),
    );
    ok(
        pcscd,
        dir,
        &format!(
            "pkcs15-init --store-pin --label 'User PIN' --auth-id 02 --pin {user_pin} --puk '' \
             --so-pin {so_pin} --finalize"
        ),
    );
}
