//! The SafeTouch's event log: every screen shown and every press, with time stamps.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::buttons::Press;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// A screen appeared and waits for a press; its whole text.
    Shown {
        /// The rendered text, all pages.
        text: String,
    },
    /// A button was pressed (or the time-out came).
    Pressed {
        /// Which.
        press: Press,
    },
    /// A signature was refused without a screen (the hash-only policy `refuse`).
    Refused {
        /// Why.
        reason: String,
    },
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the SafeTouch was created (monotonic).
    pub at_ms: u64,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Time stamps for events: the SafeTouch that shows the screens owns one.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    started: Instant,
}

impl Clock {
    /// A clock whose zero is now.
    pub fn start() -> Self {
        Clock {
            started: Instant::now(),
        }
    }
    /// `kind`, stamped with the time since the start and the wall-clock time.
    pub fn event(&self, kind: EventKind) -> Event {
        let at_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Event {
            at_ms,
            unix_ms,
            kind,
        }
    }
}
