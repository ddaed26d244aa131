//! The card's own thread. A card may block (a SafeTouch waits up to its time-out for a press), so
//! it never runs on the async runtime: jobs go to a dedicated thread and answers come back on a
//! oneshot channel.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::VpcdError;
use crate::card::Card;

type Job = Box<dyn FnOnce(&mut dyn Card) + Send>;

enum Message {
    Job(Job),
    /// Power off, drop the card (a token flushes its image), end the thread.
    Stop,
}

/// The thread that owns the card. Dropping it without [`CardWorker::stop`] also stops it.
#[derive(Debug)]
pub struct CardWorker {
    handle: CardHandle,
    thread: Option<JoinHandle<()>>,
}

/// A cheap, clonable way to run jobs on the card's thread.
#[derive(Debug, Clone)]
pub struct CardHandle {
    jobs: mpsc::Sender<Message>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Job(_) => "Job",
            Message::Stop => "Stop",
        })
    }
}

impl CardWorker {
    /// Starts the thread that owns `card`.
    pub fn spawn(card: Box<dyn Card>) -> Result<Self, VpcdError> {
        let (tx, rx) = mpsc::channel::<Message>();
        let thread = std::thread::Builder::new()
            .name("card".into())
            .spawn(move || {
                let mut card = card;
                while let Ok(message) = rx.recv() {
                    match message {
                        Message::Job(job) => job(card.as_mut()),
                        Message::Stop => break,
                    }
                }
                card.power_off();
                drop(card);
            })
            .map_err(VpcdError::Thread)?;
        Ok(CardWorker {
            handle: CardHandle { jobs: tx },
            thread: Some(thread),
        })
    }

    /// A handle for the transport and the control socket.
    pub fn handle(&self) -> CardHandle {
        self.handle.clone()
    }

    /// Waits for the job in progress, powers the card off, drops it, and joins the thread.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.handle.jobs.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for CardWorker {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl CardHandle {
    /// Runs `job` on the card's thread and waits (asynchronously) for its result.
    pub async fn call<R, F>(&self, job: F) -> Result<R, VpcdError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Card) -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |card| {
            let _ = tx.send(job(card));
        });
        self.jobs
            .send(Message::Job(job))
            .map_err(|_| VpcdError::CardStopped)?;
        rx.await.map_err(|_| VpcdError::CardStopped)
    }

    /// Runs `job` on the card's thread and blocks until it is done (for non-async callers).
    pub fn call_blocking<R, F>(&self, job: F) -> Result<R, VpcdError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Card) -> R + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move |card| {
            let _ = tx.send(job(card));
        });
        self.jobs
            .send(Message::Job(job))
            .map_err(|_| VpcdError::CardStopped)?;
        rx.recv().map_err(|_| VpcdError::CardStopped)
    }
}

/// A boxed card is a card: the `sim` command chooses the card at run time (the token or the echo
/// card) and then wraps it in a SafeTouch.
impl Card for Box<dyn Card> {
    fn atr(&self) -> Vec<u8> {
        self.as_ref().atr()
    }
    fn power_on(&mut self) {
        self.as_mut().power_on();
    }
    fn power_off(&mut self) {
        self.as_mut().power_off();
    }
    fn reset(&mut self) {
        self.as_mut().reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.as_mut().transmit(command)
    }
}
