//! Shell and tool helpers: whether a tool is installed, and shell commands run inside a
//! [`Pcscd`]'s namespace in a scratch directory.

use std::path::Path;
use std::process::{Command, Output};

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
