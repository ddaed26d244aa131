//! The vpcd transport: our own small async client of vsmartcard's vpcd (the reader driver that
//! pcscd loads). The card is the TCP client of vpcd's port (default 127.0.0.1:35963,
//! `reader.conf` `CHANNELID 0x8C7B`); framing in [`frame`]. The card itself runs on its own
//! thread ([`CardWorker`]), never on the runtime.
//!
//! Speed: Debian bookworm's vpcd 0.8 writes a message's length and body in two writes with
//! Nagle on, so the body waits for the ACK of the length; Linux delays that ACK by ~40 ms unless
//! `TCP_QUICKACK` is set, and clears the flag again after use. So: `TCP_NODELAY`, each answer in
//! one write, and `TCP_QUICKACK` re-armed before every read.
//!
//! Presence: vpcd probes the card with get-ATR (`vicc_present` in `vpcd.c`) and counts it absent
//! when the connection is closed (`vicc_eject`). Pulling the token closes the connection and
//! keeps it closed until it is inserted again.

pub mod apdu_log;
mod echo;
pub mod frame;
mod worker;

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use echo::{ECHO_ATR, EchoCard};
pub use worker::{CardHandle, CardWorker};

use crate::profile::LatencyProfile;
use frame::Message;

/// vpicc's and vpcd's default port (`reader.conf`: `CHANNELID 0x8C7B`).
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

/// Answer to a command whose response cannot be framed (over 65 535 bytes) or is empty:
/// ISO 7816-4 `6F 00`, "no precise diagnosis".
const SW_NO_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

/// What the transport can fail with.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    /// The address does not resolve.
    #[error("bad vpcd address {address}")]
    Address {
        /// As given.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The card's thread could not start.
    #[error("cannot start the card thread")]
    Thread(#[source] std::io::Error),
    /// The card's thread has ended.
    #[error("the card is stopped")]
    CardStopped,
}

/// How the transport runs.
#[derive(Debug, Clone)]
pub struct VpcdOptions {
    /// vpcd's `HOST:PORT`.
    pub address: String,
    /// Answer latencies from the device profile.
    pub latency: LatencyProfile,
    /// Log APDUs to stderr (PINs masked).
    pub log_apdus: bool,
    /// First wait before reconnecting.
    pub backoff_initial: Duration,
    /// Longest wait between reconnection attempts.
    pub backoff_max: Duration,
}

impl Default for VpcdOptions {
    fn default() -> Self {
        VpcdOptions {
            address: DEFAULT_ADDRESS.to_owned(),
            latency: LatencyProfile::default(),
            log_apdus: false,
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
        }
    }
}

/// The link to vpcd, as the sim reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Trying to reach vpcd (pcscd not running yet, or restarting).
    Connecting,
    /// Attached: vpcd has accepted the connection and talks to the card (the reader has it).
    Connected,
    /// The token is pulled: the reader is empty.
    Pulled,
    /// Shut down.
    Stopped,
}

/// Whether the token is in the reader; the control socket pulls and inserts it.
#[derive(Debug, Clone)]
pub struct Presence {
    inserted: watch::Sender<bool>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            inserted: watch::Sender::new(true),
        }
    }
}

impl Presence {
    /// Pulls the token: the transport closes its connection and keeps it closed.
    pub fn pull(&self) {
        self.inserted.send_replace(false);
    }
    /// Inserts the token again.
    pub fn insert(&self) {
        self.inserted.send_replace(true);
    }
    /// True when the token is in the reader.
    pub fn is_inserted(&self) -> bool {
        *self.inserted.borrow()
    }
    async fn wait_until(&self, inserted: bool) {
        let mut rx = self.inserted.subscribe();
        // The sender lives in `self`, so `wait_for` cannot fail.
        let _ = rx.wait_for(|v| *v == inserted).await;
    }
}

/// Why a connection ended.
enum Ended {
    Shutdown,
    Pulled,
    Lost(std::io::Error),
}

/// The transport.
#[derive(Debug)]
pub struct Vpcd {
    options: VpcdOptions,
    card: CardHandle,
    presence: Presence,
    state: watch::Sender<LinkState>,
}

impl Vpcd {
    /// A transport for the card behind `card`.
    pub fn new(options: VpcdOptions, card: CardHandle, presence: Presence) -> Self {
        Vpcd {
            options,
            card,
            presence,
            state: watch::Sender::new(LinkState::Connecting),
        }
    }

    /// Watches the link state.
    pub fn state(&self) -> watch::Receiver<LinkState> {
        self.state.subscribe()
    }

    /// Connects, serves, reconnects with back-off when vpcd goes away, until `shutdown`.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), VpcdError> {
        let address = tokio::net::lookup_host(&self.options.address)
            .await
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| VpcdError::Address {
                address: self.options.address.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not HOST:PORT"),
            })?;
        let mut backoff = self.options.backoff_initial;
        while !shutdown.is_cancelled() {
            if !self.presence.is_inserted() {
                self.state.send_replace(LinkState::Pulled);
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = self.presence.wait_until(true) => continue,
                }
            }
            self.state.send_replace(LinkState::Connecting);
            let connected = tokio::select! {
                () = shutdown.cancelled() => break,
                r = TcpStream::connect(address) => r,
            };
            let wait = match connected {
                Ok(stream) => {
                    if self.options.log_apdus {
                        eprintln!("vpcd: connected to {address}");
                    }
                    let ended = self.serve(stream, &shutdown).await;
                    // Out of the reader, or the reader is gone: the card loses power.
                    self.card.call(|card| card.power_off()).await?;
                    if self.options.log_apdus {
                        eprintln!("vpcd: disconnected");
                    }
                    match ended {
                        Ended::Shutdown => break,
                        Ended::Pulled => continue,
                        Ended::Lost(err) => {
                            if self.options.log_apdus {
                                eprintln!("vpcd: connection lost ({err}); reconnecting");
                            }
                            backoff = self.options.backoff_initial;
                            backoff
                        }
                    }
                }
                Err(_) => {
                    let wait = backoff;
                    backoff = (backoff * 2).min(self.options.backoff_max);
                    wait
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        self.state.send_replace(LinkState::Stopped);
        Ok(())
    }

    async fn serve(&self, mut stream: TcpStream, shutdown: &CancellationToken) -> Ended {
        if let Err(err) = stream.set_nodelay(true) {
            return Ended::Lost(err);
        }
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => return Ended::Shutdown,
                () = self.presence.wait_until(false) => return Ended::Pulled,
                m = frame::read_message(&mut stream, rearm_quickack) => m,
            };
            let answer = match message {
                Ok(message) => {
                    // TCP connects as soon as vpcd listens (the backlog); the card is in the
                    // reader once vpcd accepts and talks, which it does only after dropping any
                    // earlier connection.
                    self.state.send_if_modified(|state| {
                        let changed = *state != LinkState::Connected;
                        *state = LinkState::Connected;
                        changed
                    });
                    self.handle(message).await
                }
                Err(err) => return Ended::Lost(err),
            };
            let answer = match answer {
                Ok(Some(answer)) => answer,
                Ok(None) => continue,
                Err(_) => return Ended::Shutdown,
            };
            if let Err(err) = stream.write_all(&answer).await {
                return Ended::Lost(err);
            }
        }
    }

    /// The framed answer to one message, if it needs one.
    async fn handle(&self, message: Message) -> Result<Option<Vec<u8>>, VpcdError> {
        if self.options.log_apdus && !matches!(message, Message::Apdu(_)) {
            eprintln!("vpcd: {message:?}");
        }
        let payload = match message {
            Message::PowerOff => {
                self.card.call(|card| card.power_off()).await?;
                return Ok(None);
            }
            Message::PowerOn => {
                self.card.call(|card| card.power_on()).await?;
                return Ok(None);
            }
            Message::Reset => {
                self.card.call(|card| card.reset()).await?;
                return Ok(None);
            }
            Message::GetAtr => self.card.call(|card| card.atr()).await?,
            Message::UnknownControl(code) => {
                eprintln!("vpcd: unknown control code {code:02X}, ignored");
                return Ok(None);
            }
            Message::Empty => {
                eprintln!("vpcd: empty message, ignored");
                return Ok(None);
            }
            Message::Apdu(command) => self.transmit(command).await?,
        };
        Ok(Some(frame::encode(&payload).unwrap_or_else(|| {
            eprintln!(
                "vpcd: answer of {} bytes cannot be framed; sent 6F 00",
                payload.len()
            );
            let mut frame = vec![0, 2];
            frame.extend_from_slice(&SW_NO_DIAGNOSIS);
            frame
        })))
    }

    async fn transmit(&self, command: Vec<u8>) -> Result<Vec<u8>, VpcdError> {
        let latency = self.options.latency.for_apdu(&command);
        let logged = self.options.log_apdus.then(|| command.clone());
        if let Some(command) = &logged {
            eprintln!("> {}", apdu_log::mask_command(command));
        }
        let mut response = self.card.call(move |card| card.transmit(&command)).await?;
        if response.is_empty() {
            response = SW_NO_DIAGNOSIS.to_vec();
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if let Some(command) = &logged {
            eprintln!("< {}", apdu_log::format_response_to(command, &response));
        }
        Ok(response)
    }
}

/// Re-arms `TCP_QUICKACK` (Linux clears it after use) so the ACK of vpcd's length write goes out
/// at once and its body write is not held by Nagle for the delayed-ACK time (~40 ms).
#[cfg(target_os = "linux")]
fn rearm_quickack(stream: &TcpStream) {
    // Best effort: without it the link is slow, not wrong.
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn rearm_quickack(_stream: &TcpStream) {}
