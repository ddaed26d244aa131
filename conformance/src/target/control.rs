//! A client of a running `sim`'s control socket (`docs/pcsc.md`: line-delimited JSON,
//! `{"cmd":"confirm","id":3}` → `{"ok":true}`): presses, pulls, power cycles and screens for the PC/SC
//! target, so scenarios that need them run unattended against the emulator through pcscd.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rutoken_sim::control::{Request, Response};
use rutoken_sim::safetouch::EventKind;

use super::{ControlError, TargetError};

/// How often a pending press polls for the waiting screen (a request on a Unix socket costs
/// tens of microseconds; a coarser poll shows in the flow's time through pcscd). Ours.
const POLL: Duration = Duration::from_millis(2);

/// A connection to the control socket (one request per connection keeps it simple and lets a
/// press thread and the runner talk at the same time).
#[derive(Debug, Clone)]
pub struct Control {
    path: PathBuf,
    events_seen: usize,
}

impl Control {
    /// Checks that the socket answers (`status`).
    pub fn open(path: &Path) -> Result<Self, TargetError> {
        let control = Control {
            path: path.to_owned(),
            events_seen: 0,
        };
        control.request(Request::Status)?;
        Ok(control)
    }

    /// Sends one request and reads its reply; an `ok: false` reply is an error.
    pub fn request(&self, request: Request) -> Result<Response, TargetError> {
        let fail = |e: std::io::Error| ControlError::Io {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        };
        let sent = request
            .to_json()
            .map_err(|e| ControlError::Encode(e.to_string()))?;
        let mut stream = UnixStream::connect(&self.path).map_err(fail)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(fail)?;
        stream
            .write_all(format!("{sent}\n").as_bytes())
            .map_err(fail)?;
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).map_err(fail)?;
        let response: Response = serde_json::from_str(&line).map_err(|e| ControlError::Reply {
            reply: line.trim_end().to_owned(),
            reason: e.to_string(),
        })?;
        if response.ok {
            Ok(response)
        } else {
            Err(ControlError::Refused {
                request: sent,
                reason: response
                    .error
                    .unwrap_or_else(|| "no reason given".to_owned()),
            }
            .into())
        }
    }

    /// Presses `press` (a press request for the screen id it is given) as soon as a screen
    /// waits, from another thread (the signing command blocks in the reader meanwhile). Gives
    /// up after `timeout`.
    pub fn press_when_waiting(&self, press: fn(u64) -> Request, timeout: Duration) {
        let control = self.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < timeout {
                let waiting = control
                    .request(Request::Screen)
                    .ok()
                    .and_then(|r| r.screen)
                    .filter(|s| s.waiting);
                if let Some(screen) = waiting {
                    let _ = control.request(press(screen.id));
                    return;
                }
                std::thread::sleep(POLL);
            }
        });
    }

    /// The SafeTouch's log was cleared (`load`, `restart`): read it from its start again.
    pub fn forget_events(&mut self) {
        self.events_seen = 0;
    }

    /// Texts of the screens shown since the last call.
    pub fn take_screens(&mut self) -> Option<Vec<String>> {
        let events = self.request(Request::Events).ok()?.events?;
        let new = events
            .get(self.events_seen..)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Shown { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        self.events_seen = events.len();
        Some(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// A control socket that answers each request with `reply(request)` and records them.
    fn fake(
        dir: &Path,
        reply: fn(Request) -> Response,
    ) -> (PathBuf, std::sync::mpsc::Receiver<Request>) {
        let path = dir.join("control.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line).unwrap();
                let request = Request::from_json(line.trim().as_bytes()).unwrap();
                let _ = tx.send(request);
                let answer = serde_json::to_string(&reply(request)).unwrap();
                let _ = stream.write_all(format!("{answer}\n").as_bytes());
            }
        });
        (path, rx)
    }

    #[test]
    fn sends_line_json_and_reads_replies() {
        let dir = tempfile::tempdir().unwrap();
        let (path, rx) = fake(dir.path(), |r| match r {
            Request::Pull => Response::error("no token"),
            _ => Response::done(),
        });
        let control = Control::open(&path).unwrap();
        assert_eq!(rx.recv().unwrap(), Request::Status);
        control.request(Request::PowerCycle).unwrap();
        assert_eq!(rx.recv().unwrap(), Request::PowerCycle);
        let err = control.request(Request::Pull).unwrap_err();
        let TargetError::Control(ControlError::Refused { request, reason }) = &err else {
            panic!("{err}");
        };
        // The refusal names the request that was refused, not the reply.
        assert_eq!(request, &Request::Pull.to_json().unwrap());
        assert_eq!(reason, "no token");
    }

    #[test]
    fn a_missing_socket_is_a_transport_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Control::open(&dir.path().join("none")),
            Err(TargetError::Control(ControlError::Io { .. }))
        ));
    }
}
