//! The SafeTouch's two buttons and who presses them: a script, an unattended policy, or a person
//! through a channel (the control socket, the terminal).

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::screen::Screen;

/// What happened while a screen waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Press {
    /// «Подтвердить»: the token signs.
    Confirm,
    /// «Отказать»: the host gets the reject status word; the token signs nothing.
    Reject,
    /// Nobody pressed before the time-out: the time-out status word.
    Timeout,
}

/// Whoever presses the buttons.
pub trait Buttons: Send {
    /// Called when `screen` waits for a press; returns the press, or `Timeout` once `timeout`
    /// has passed with none.
    fn wait_for_press(&mut self, screen: &Screen, timeout: Duration) -> Press;
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Presses queued in advance, for in-process use: a scenario queues the press before it sends
/// the signing APDU. Clones share the queue. An empty queue answers `Timeout` at once.
#[derive(Debug, Clone, Default)]
pub struct ScriptedButtons {
    queue: Arc<Mutex<VecDeque<Press>>>,
}

impl ScriptedButtons {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }
    /// Queues a press for the next screen that waits.
    pub fn push(&self, press: Press) {
        lock(&self.queue).push_back(press);
    }
    /// How many presses are still queued.
    pub fn pending(&self) -> usize {
        lock(&self.queue).len()
    }
}

impl Buttons for ScriptedButtons {
    fn wait_for_press(&mut self, _screen: &Screen, _timeout: Duration) -> Press {
        lock(&self.queue).pop_front().unwrap_or(Press::Timeout)
    }
}

/// The same answer to every screen, at once (demos, load tests). `Timeout` answers at once
/// too: the time-out is simulated, not waited for.
#[derive(Debug, Clone, Copy)]
pub struct UnattendedButtons(pub Press);

impl Buttons for UnattendedButtons {
    fn wait_for_press(&mut self, _screen: &Screen, _timeout: Duration) -> Press {
        self.0
    }
}

/// Presses sent by other threads (the control socket, the terminal), with a real time-out.
#[derive(Debug)]
pub struct ChannelButtons {
    presses: mpsc::Receiver<(u64, Press)>,
}

/// The sending side of [`ChannelButtons`]; cheap to clone.
#[derive(Debug, Clone)]
pub struct PressSender {
    presses: mpsc::Sender<(u64, Press)>,
}

/// A press that could not be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PressError {
    /// The screen does not wait for a press.
    #[error("no screen waits for a press")]
    NotWaiting,
    /// The SafeTouch is gone.
    #[error("the SafeTouch is stopped")]
    Stopped,
}

impl PressSender {
    /// Presses a button on `screen` (as read from the monitor). If that screen has gone by the
    /// time the press arrives (its time-out came), the press is dropped.
    pub fn press(&self, screen: &Screen, press: Press) -> Result<(), PressError> {
        if !screen.waiting {
            return Err(PressError::NotWaiting);
        }
        self.presses
            .send((screen.id, press))
            .map_err(|_| PressError::Stopped)
    }
}

impl ChannelButtons {
    /// The buttons and the handle that presses them.
    pub fn new() -> (Self, PressSender) {
        let (tx, rx) = mpsc::channel();
        (ChannelButtons { presses: rx }, PressSender { presses: tx })
    }
}

impl Buttons for ChannelButtons {
    fn wait_for_press(&mut self, screen: &Screen, timeout: Duration) -> Press {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.presses.recv_timeout(left) {
                Ok((id, press)) if id == screen.id => return press,
                // A late press for an earlier screen.
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => return Press::Timeout,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Nobody can press any more; a real device still waits out its time-out.
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

    #[test]
    fn scripted_queue_is_shared_and_empties_to_timeout() {
        let script = ScriptedButtons::new();
        let mut buttons: Box<dyn Buttons> = Box::new(script.clone());
        script.push(Press::Reject);
        script.push(Press::Confirm);
        let screen = Screen::idle(4, 20);
        assert_eq!(
            buttons.wait_for_press(&screen, Duration::ZERO),
            Press::Reject
        );
        assert_eq!(script.pending(), 1);
        assert_eq!(
            buttons.wait_for_press(&screen, Duration::ZERO),
            Press::Confirm
        );
        assert_eq!(
            buttons.wait_for_press(&screen, Duration::ZERO),
            Press::Timeout
        );
    }

    fn waiting(id: u64) -> Screen {
        Screen {
            id,
            ..Screen::render(&["?".to_owned()], 4, 20, true)
        }
    }

    #[test]
    fn channel_times_out_and_drops_presses_for_other_screens() {
        let (mut buttons, tx) = ChannelButtons::new();
        assert_eq!(
            tx.press(&Screen::idle(4, 20), Press::Confirm),
            Err(PressError::NotWaiting)
        );
        // A press for screen 1 that arrives late must not answer screen 2.
        tx.press(&waiting(1), Press::Confirm).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(
            buttons.wait_for_press(&waiting(2), Duration::from_millis(50)),
            Press::Timeout
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
        // A press sent before the wait begins (but for this screen) counts.
        tx.press(&waiting(3), Press::Reject).unwrap();
        assert_eq!(
            buttons.wait_for_press(&waiting(3), Duration::from_secs(5)),
            Press::Reject
        );
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.press(&waiting(4), Press::Confirm).unwrap();
        });
        assert_eq!(
            buttons.wait_for_press(&waiting(4), Duration::from_secs(5)),
            Press::Confirm
        );
        sender.join().unwrap();
    }
}
