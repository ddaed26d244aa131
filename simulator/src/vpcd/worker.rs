//! Who holds the card. The vpcd link's own thread drives it directly for every message (no
//! hand-off to another thread per APDU: that cost two thread wake-ups per command); the control
//! socket runs its jobs (power cycles, `load`) on a blocking thread of the runtime. A mutex
//! keeps them apart. A card may block (a SafeTouch waits up to its time-out for a press), so it
//! never runs on the async runtime's worker threads.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::VpcdError;
use crate::card::Card;

type Slot = Arc<Mutex<Option<Box<dyn Card>>>>;

/// The owner of the card. [`CardWorker::stop`] (or dropping it) powers the card off and drops
/// it (a token flushes its image); jobs after that fail with [`VpcdError::CardStopped`].
#[derive(Debug)]
pub struct CardWorker {
    handle: CardHandle,
}

/// A cheap, clonable way to run jobs on the card.
#[derive(Clone)]
pub struct CardHandle {
    card: Slot,
}

impl std::fmt::Debug for CardHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardHandle")
    }
}

impl CardWorker {
    /// Takes ownership of `card`.
    pub fn spawn(card: Box<dyn Card>) -> Result<Self, VpcdError> {
        Ok(CardWorker {
            handle: CardHandle {
                card: Arc::new(Mutex::new(Some(card))),
            },
        })
    }

    /// A handle for the transport and the control socket.
    pub fn handle(&self) -> CardHandle {
        self.handle.clone()
    }

    /// Waits for the job in progress, powers the card off and drops it.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for CardWorker {
    fn drop(&mut self) {
        let card = self.handle.lock().take();
        if let Some(mut card) = card {
            card.power_off();
        }
    }
}

impl CardHandle {
    fn lock(&self) -> MutexGuard<'_, Option<Box<dyn Card>>> {
        // A job that panicked leaves the card as it was; the next one may still use it.
        self.card.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `job` on the card from a blocking thread of the runtime and waits (asynchronously)
    /// for its result.
    pub async fn call<R, F>(&self, job: F) -> Result<R, VpcdError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Card) -> R + Send + 'static,
    {
        let handle = self.clone();
        tokio::task::spawn_blocking(move || handle.call_blocking(job))
            .await
            .map_err(|_| VpcdError::CardStopped)?
    }

    /// Runs `job` on the card in this thread, after the job in progress (for non-async callers
    /// and the link's thread).
    pub fn call_blocking<R, F>(&self, job: F) -> Result<R, VpcdError>
    where
        F: FnOnce(&mut dyn Card) -> R,
    {
        let mut card = self.lock();
        let card = card.as_mut().ok_or(VpcdError::CardStopped)?;
        Ok(job(card.as_mut()))
    }
}
