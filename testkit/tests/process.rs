//! The harness's own guarantees: a guarded process is ended when its guard goes (also the
//! SIGTERM way, giving it the chance to flush), and a missing tool is named in the skip reason.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::process::{Guard, spawn_logged};
use testkit::shell::{has_tool, missing_tool};

/// Whether the process `pid` still exists (a reaped child's `/proc` entry is gone).
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn a_dropped_guard_kills_its_process() {
    let child = Command::new("sleep")
        .arg("600")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let guard = Guard::kill_on_drop(child);
    assert!(alive(pid));
    drop(guard);
    assert!(!alive(pid), "sleep {pid} outlived its guard");
}

#[test]
fn a_terminating_guard_lets_the_process_run_its_handler() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut script = Command::new("sh");
    script.args([
        "-c",
        "trap 'echo terminated; exit 0' TERM; echo started; while :; do sleep 0.05; done",
    ]);
    let child = spawn_logged(script, &log);
    let pid = child.id();
    let mut guard = Guard::terminate_on_drop(child);
    testkit::wait_for_line(&log, "started");
    guard.stop();
    assert!(!alive(pid));
    testkit::wait_until(Duration::from_secs(5), "the trap's line", || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("terminated"))
    });
    // A second stop (and the drop) of an ended process does nothing.
    guard.stop();
}

#[test]
fn a_missing_tool_is_named_with_its_package() {
    assert!(has_tool("sh"));
    let absent = "rutoken-lab-no-such-tool";
    assert!(!has_tool(absent));
    assert_eq!(missing_tool(&["sh"], "Debian: dash"), None);
    assert_eq!(
        missing_tool(&["sh", absent], "Debian: nothing"),
        Some(format!("{absent} is not installed (Debian: nothing)"))
    );
}
