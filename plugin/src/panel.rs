//! The SafeTouch panel of the web page: the screen as the device shows it, and its Confirm and
//! Reject buttons for people without the device. [`PanelButtons`] is the SafeTouch's
//! [`Buttons`]: it waits for a press sent from the page (over the bridge's WebSocket), for the
//! device's time-out, or for the token to be pulled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use rutoken_device::safetouch::{Buttons, Press, Screen};

/// What reaches the buttons from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelInput {
    /// A button pressed on the panel, for the screen with this id.
    Press {
        /// The screen the person saw when pressing (a late press never lands on the next one).
        screen: u64,
        /// Which button.
        press: Press,
    },
    /// The token was pulled: a waiting screen ends with no press.
    Pulled,
}

/// The SafeTouch buttons pressed from the web panel.
#[derive(Debug)]
pub struct PanelButtons {
    input: Receiver<PanelInput>,
    present: Arc<AtomicBool>,
}

impl PanelButtons {
    /// The buttons and the sender the bridge hands presses to; `present` is the slot's
    /// "token inserted" flag (a screen never waits for a token that is gone).
    pub fn new(present: Arc<AtomicBool>) -> (Self, Sender<PanelInput>) {
        let (tx, rx) = mpsc::channel();
        (PanelButtons { input: rx, present }, tx)
    }
}

impl Buttons for PanelButtons {
    fn wait_for_press(&mut self, screen: &Screen, timeout: Duration) -> Press {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.present.load(Ordering::SeqCst) {
                return Press::Timeout;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.input.recv_timeout(left) {
                Ok(PanelInput::Press { screen: id, press }) if id == screen.id => return press,
                Ok(PanelInput::Press { .. }) => continue,
                // No token behind the device any more: nobody can confirm (the host then sees
                // the token gone).
                Ok(PanelInput::Pulled) => continue,
                Err(RecvTimeoutError::Timeout) => return Press::Timeout,
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(left);
                    return Press::Timeout;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(id: u64) -> Screen {
        Screen {
            id,
            ..Screen::render(&["?".to_owned()], 4, 20, true)
        }
    }

    #[test]
    fn presses_for_other_screens_are_ignored_and_pull_ends_the_wait() {
        let present = Arc::new(AtomicBool::new(true));
        let (mut buttons, tx) = PanelButtons::new(Arc::clone(&present));
        tx.send(PanelInput::Press {
            screen: 1,
            press: Press::Confirm,
        })
        .unwrap();
        tx.send(PanelInput::Press {
            screen: 2,
            press: Press::Reject,
        })
        .unwrap();
        assert_eq!(
            buttons.wait_for_press(&waiting(2), Duration::from_secs(5)),
            Press::Reject
        );
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            present.store(false, Ordering::SeqCst);
            tx.send(PanelInput::Pulled).unwrap();
        });
        let started = Instant::now();
        assert_eq!(
            buttons.wait_for_press(&waiting(3), Duration::from_secs(5)),
            Press::Timeout
        );
        assert!(started.elapsed() < Duration::from_secs(4));
        t.join().unwrap();
        assert_eq!(
            buttons.wait_for_press(&waiting(4), Duration::from_millis(20)),
            Press::Timeout
        );
    }
}
