//! The emulator's control socket (`docs/pcsc.md`): one JSON request per line, one JSON
//! reply per line; the SafeTouch's screen, its buttons and its event log.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long [`Control::wait_for_screen`] waits for a screen: a client's command may take a
/// while to reach the SafeTouch on the shared test machine.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of the control socket at a path.
#[derive(Debug, Clone)]
pub struct Control {
    path: PathBuf,
}

impl Control {
    /// The socket at `path` (connected per request).
    pub fn new(path: &Path) -> Control {
        Control {
            path: path.to_owned(),
        }
    }

    /// One request; the reply's JSON.
    pub fn request(&self, request: &str) -> serde_json::Value {
        let mut stream = UnixStream::connect(&self.path).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(b"\n").unwrap();
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// The lines of the screen that waits for a press, if one does.
    pub fn waiting_screen(&self) -> Option<Vec<String>> {
        let reply = self.request(r#"{"cmd":"screen"}"#);
        let screen = &reply["screen"];
        (screen["waiting"] == serde_json::Value::Bool(true)).then(|| {
            screen["lines"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| l.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Waits (up to [`SCREEN_TIMEOUT`]) until a SafeTouch screen waits for a press; returns
    /// its lines.
    pub fn wait_for_screen(&self) -> Vec<String> {
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            if let Some(lines) = self.waiting_screen() {
                return lines;
            }
            assert!(Instant::now() < deadline, "no SafeTouch screen waited");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Presses a button (`confirm`, `reject`, `time_out`) on the screen that waits (a press
    /// names the screen it answers: its `id` from `screen`).
    pub fn press(&self, cmd: &str) {
        let screen = self.request(r#"{"cmd":"screen"}"#);
        let id = screen["screen"]["id"].as_u64().expect("a screen id");
        let reply = self.request(&format!(r#"{{"cmd":"{cmd}","id":{id}}}"#));
        assert_eq!(reply["ok"], serde_json::Value::Bool(true), "{cmd}: {reply}");
    }

    /// The SafeTouch's event log.
    pub fn events(&self) -> serde_json::Value {
        self.request(r#"{"cmd":"events"}"#)["events"].clone()
    }
}
