//! The SafeTouch's two buttons and who presses them: a script, an unattended policy, or a person
//! through a channel (the control socket, the terminal).

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::screen::Screen;

/// What happened while a screen waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
    presses: mpsc::Receiver<Press>,
}

/// The sending side of [`ChannelButtons`]; cheap to clone.
pub type PressSender = mpsc::Sender<Press>;

impl ChannelButtons {
    /// The buttons and the handle that presses them.
    pub fn new() -> (Self, PressSender) {
        let (tx, rx) = mpsc::channel();
        (ChannelButtons { presses: rx }, tx)
    }
}

impl Buttons for ChannelButtons {
    fn wait_for_press(&mut self, _screen: &Screen, timeout: Duration) -> Press {
        // A press sent while no screen waited (a race with the previous time-out) is stale.
        while self.presses.try_recv().is_ok() {}
        match self.presses.recv_timeout(timeout) {
            Ok(press) => press,
            Err(mpsc::RecvTimeoutError::Timeout) => Press::Timeout,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Nobody can press any more; a real device still waits out its time-out.
                std::thread::sleep(timeout);
                Press::Timeout
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
        assert_eq!(buttons.wait_for_press(&screen, Duration::ZERO), Press::Reject);
        assert_eq!(script.pending(), 1);
        assert_eq!(buttons.wait_for_press(&screen, Duration::ZERO), Press::Confirm);
        assert_eq!(buttons.wait_for_press(&screen, Duration::ZERO), Press::Timeout);
    }

    #[test]
    fn channel_times_out_and_drops_stale_presses() {
        let (mut buttons, tx) = ChannelButtons::new();
        let screen = Screen::idle(4, 20);
        tx.send(Press::Confirm).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(buttons.wait_for_press(&screen, Duration::from_millis(50)), Press::Timeout);
        assert!(started.elapsed() >= Duration::from_millis(50));
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(Press::Reject).unwrap();
        });
        assert_eq!(buttons.wait_for_press(&screen, Duration::from_secs(5)), Press::Reject);
        sender.join().unwrap();
    }
}
