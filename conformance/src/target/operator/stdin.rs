//! The operator's answers: one thread reads stdin line by line for the whole run, so a question
//! that times out never leaves a reader behind to swallow the next answer (scripted answers on
//! stdin, as the tests give them, stay in order).

use std::io::BufRead;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::target::{OperatorInput, TargetError};

static LINES: OnceLock<Mutex<Receiver<String>>> = OnceLock::new();

fn lines() -> &'static Mutex<Receiver<String>> {
    LINES.get_or_init(|| {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Mutex::new(rx)
    })
}

/// The next line the operator typed, trimmed; an error after `timeout` or when stdin is closed.
pub fn next_line(timeout: Duration) -> Result<String, TargetError> {
    let rx = lines()
        .lock()
        .map_err(|_| TargetError::from(OperatorInput::Broken))?;
    match rx.recv_timeout(timeout) {
        Ok(line) => Ok(line.trim().to_owned()),
        Err(RecvTimeoutError::Timeout) => Err(TargetError::OperatorTimeout(timeout.as_secs())),
        Err(RecvTimeoutError::Disconnected) => Err(OperatorInput::Closed.into()),
    }
}

/// Asks until the operator answers `y` or `n` (`yes`/`no`, `д`/`н` too); true for yes.
pub fn yes_no(timeout: Duration) -> Result<bool, TargetError> {
    loop {
        let line = next_line(timeout)?.to_lowercase();
        match line.as_str() {
            "y" | "yes" | "д" | "да" => return Ok(true),
            "n" | "no" | "н" | "нет" => return Ok(false),
            _ => eprintln!("    Please answer y or n."),
        }
    }
}
