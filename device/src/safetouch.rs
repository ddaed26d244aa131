//! The SafeTouch as host code sees it: the text [`Screen`] and how it is paged, the buttons'
//! [`Press`] and the [`Buttons`] that wait for one, the log of [`Event`]s, and the
//! [`SafeTouchMonitor`] through which another thread watches the screen while the card thread
//! waits for a press.
//!
//! The emulated SafeTouch (`rutoken-sim`) draws into a monitor; the plugin bridge's panel and the
//! operator target read from one, so neither needs the emulator to show the device's screen.

mod buttons;
mod events;
mod screen;

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use buttons::{
    Buttons, ChannelButtons, Press, PressError, PressSender, ScriptedButtons, UnattendedButtons,
};
pub use events::{Clock, Event, EventKind};
pub use screen::Screen;

/// What the device shows and has shown, shared between the SafeTouch and its observers.
#[derive(Debug)]
struct Shared {
    screen: Screen,
    events: Vec<Event>,
    subscribers: Vec<Sender<Event>>,
}

/// A view of a SafeTouch's screen and event log that any thread can hold. The SafeTouch writes
/// through [`SafeTouchMonitor::show`] and [`SafeTouchMonitor::record`]; observers read.
#[derive(Debug, Clone)]
pub struct SafeTouchMonitor {
    shared: Arc<Mutex<Shared>>,
}

/// A panic in an observer must not take the device's screen with it: the data stays usable.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SafeTouchMonitor {
    /// A device of `rows` × `columns` characters showing its idle screen, with an empty log.
    pub fn new(rows: usize, columns: usize) -> Self {
        SafeTouchMonitor {
            shared: Arc::new(Mutex::new(Shared {
                screen: Screen::idle(rows, columns),
                events: Vec::new(),
                subscribers: Vec::new(),
            })),
        }
    }
    /// The screen now.
    pub fn screen(&self) -> Screen {
        lock(&self.shared).screen.clone()
    }
    /// Every screen shown and every press so far.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.shared).events.clone()
    }
    /// Shows the next page of a long screen (after the last, the first again); a real device
    /// scrolls with its buttons or by itself. Returns the screen.
    pub fn turn_page(&self) -> Screen {
        let mut shared = lock(&self.shared);
        let pages = shared.screen.page_count();
        shared.screen.page = (shared.screen.page + 1) % pages;
        shared.screen.clone()
    }
    /// Forgets every screen and press and shows the idle screen: a fresh token is in the
    /// reader (the control socket's `load` and `restart`). Subscribers stay.
    pub fn clear(&self) {
        let mut shared = lock(&self.shared);
        let (rows, columns) = (shared.screen.rows, shared.screen.columns);
        shared.screen = Screen::idle(rows, columns);
        shared.events.clear();
    }
    /// A channel that receives each new event as it happens.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = mpsc::channel();
        lock(&self.shared).subscribers.push(tx);
        rx
    }
    /// Puts `screen` on the display (the device's side).
    pub fn show(&self, screen: Screen) {
        lock(&self.shared).screen = screen;
    }
    /// Logs `event` and hands it to every live subscriber (the device's side); a subscriber
    /// whose receiver is gone is dropped.
    pub fn record(&self, event: Event) {
        let mut shared = lock(&self.shared);
        shared
            .subscribers
            .retain(|tx| tx.send(event.clone()).is_ok());
        shared.events.push(event);
    }
}
