//! The emulator inside the test process: a card on its own thread and the vpcd client on a
//! runtime of its own, attached to a [`crate::Pcscd`]'s reader over loopback TCP.

use std::sync::Arc;
use std::time::Duration;

use rutoken_sim::Card;
use rutoken_sim::vpcd::{CardWorker, LinkState, Presence, Vpcd, VpcdOptions};
use tokio_util::sync::CancellationToken;

use crate::wait::wait_until;

/// The emulator side: a card on its thread and the vpcd client on a runtime of its own.
pub struct Emulator {
    /// The card's presence in the reader.
    pub presence: Presence,
    /// The card's thread.
    pub worker: Option<CardWorker>,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
    state: tokio::sync::watch::Receiver<LinkState>,
}

impl Emulator {
    /// Attaches `card` to the vpcd on `port`.
    pub fn attach(card: Box<dyn Card>, port: u16) -> Emulator {
        let worker = CardWorker::spawn(card).unwrap();
        let presence = Presence::default();
        let options = VpcdOptions {
            address: format!("127.0.0.1:{port}"),
            backoff_initial: Duration::from_millis(20),
            backoff_max: Duration::from_millis(200),
            // Set RUTOKEN_LAB_TEST_LOG_APDUS=1 to see the APDUs (PINs masked) of a failing test.
            log_apdus: std::env::var_os("RUTOKEN_LAB_TEST_LOG_APDUS").is_some(),
            ..VpcdOptions::default()
        };
        let vpcd = Arc::new(Vpcd::new(options, worker.handle(), presence.clone()));
        let state = vpcd.state();
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(vpcd.run(token)).unwrap();
        });
        let emulator = Emulator {
            presence,
            worker: Some(worker),
            shutdown,
            thread: Some(thread),
            state,
        };
        emulator.wait_for(LinkState::Connected);
        emulator
    }

    /// Waits (up to 20 s) for the link state.
    pub fn wait_for(&self, wanted: LinkState) {
        wait_until(Duration::from_secs(20), &format!("link {wanted:?}"), || {
            *self.state.borrow() == wanted
        });
    }

    /// Shuts the transport down and stops the card (flushing it).
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        self.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(worker) = self.worker.take() {
            worker.stop();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_inner();
    }
}
