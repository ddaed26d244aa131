//! Polling until something holds.

use std::path::Path;
use std::time::{Duration, Instant};

/// How often [`wait_until`] polls: short against the tests' second-scale bars.
const POLL: Duration = Duration::from_millis(20);

/// How long a process may take to print the line [`wait_for_line`] waits for (an emulator
/// attaching to vpcd, a relay or bridge starting).
pub const LINE_TIMEOUT: Duration = Duration::from_secs(20);

/// Polls `done` every 20 ms until it holds; panics naming `what` after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// Waits (up to [`LINE_TIMEOUT`]) until the log file holds `line`.
pub fn wait_for_line(log: &Path, line: &str) {
    wait_until(LINE_TIMEOUT, line, || {
        std::fs::read_to_string(log).is_ok_and(|l| l.contains(line))
    });
}
