//! The vpcd transport: our own small client of vsmartcard's vpcd (the reader driver that pcscd
//! loads). The card is the TCP client of vpcd's port (default 127.0.0.1:35963, `reader.conf`
//! `CHANNELID 0x8C7B`); framing in [`frame`]. The async runtime connects, reconnects and watches
//! pulls and shut-down; each connection is served by a dedicated blocking thread that reads,
//! drives the card and writes with no hand-off to another thread (a hop to a card thread and
//! back cost two thread wake-ups per APDU, a third of the throughput on a busy 2-core machine).
//!
//! Speed: Debian bookworm's vpcd 0.8 writes a message's length and body in two writes with
//! Nagle on, so the body waits for the ACK of the length; Linux delays that ACK by ~40 ms unless
//! `TCP_QUICKACK` is set, and clears the flag again after use. So: `TCP_NODELAY`, each answer in
//! one write, and `TCP_QUICKACK` re-armed before every read.
//!
//! Presence: vpcd probes the card with get-ATR (`vicc_present` in `vpcd.c`) and counts it absent
//! when the connection is closed (`vicc_eject`). Pulling the token closes the connection and
//! keeps it closed until it is inserted again.
//!
//! Reattach: pcscd powers a card up (`01`) right after the poll that first finds it (pcsc-lite
//! `EHStatusHandlerThread`). When it does not, its poll thread still believes in the card that
//! was there before — the emulator restarted so fast that the poll never saw the connection
//! gone, while a client's failed transmit made pcscd report the reader empty — and it would
//! never see a card arrive. So a connection that is probed with get-ATR but not powered up
//! within [`CONFIRM_WAIT`] is dropped, and made again [`STALE_AWAY`] after that probe: the next
//! poll finds no card, the one after finds a new one and powers it.

pub mod apdu_log;
mod echo;
pub mod frame;
mod worker;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch};
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
/// Answer to a 1-byte command APDU: ISO 7816-4 `67 00`, "wrong length" (a command has at least
/// the 4 header bytes).
const SW_WRONG_LENGTH: [u8; 2] = [0x67, 0x00];

/// pcsc-lite polls a reader without card-event support every 400 ms
/// (`PCSCLITE_STATUS_POLL_RATE`, `src/pcscd.h`).
pub const PCSCD_POLL: Duration = Duration::from_millis(400);
/// How long after the first get-ATR probe of a new connection pcscd has to power the card up
/// before the connection counts as stale. pcscd powers up in the same poll iteration, within
/// microseconds; ours: well under a poll period so that the next poll finds the card gone.
pub const CONFIRM_WAIT: Duration = Duration::from_millis(250);
/// When a stale connection is made again, counted from its last probe: after the next poll
/// (which must find no card) even when that poll is late by up to 300 ms, and before the one
/// after. Ours.
pub const STALE_AWAY: Duration = Duration::from_millis(700);
/// Stale connections in a row after which the link stays connected anyway (a pcscd built with
/// `DISABLE_AUTO_POWER_ON` never powers a card up on insertion). Ours.
const MAX_STALE_ROUNDS: u32 = 3;

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
    /// Probed but never powered up: pcscd thinks the earlier card is still in (module docs).
    Stale {
        last_probe: Instant,
    },
    Lost(std::io::Error),
}

/// Why the async side interrupted the link's thread.
const NOT_INTERRUPTED: u8 = 0;
const INTERRUPTED_SHUTDOWN: u8 = 1;
const INTERRUPTED_PULL: u8 = 2;

/// The transport.
#[derive(Debug)]
pub struct Vpcd {
    link: Arc<Link>,
    presence: Presence,
}

/// What the link's thread needs.
#[derive(Debug)]
struct Link {
    options: VpcdOptions,
    card: CardHandle,
    state: watch::Sender<LinkState>,
}

impl Vpcd {
    /// A transport for the card behind `card`.
    pub fn new(options: VpcdOptions, card: CardHandle, presence: Presence) -> Self {
        Vpcd {
            link: Arc::new(Link {
                options,
                card,
                state: watch::Sender::new(LinkState::Connecting),
            }),
            presence,
        }
    }

    /// Watches the link state.
    pub fn state(&self) -> watch::Receiver<LinkState> {
        self.link.state.subscribe()
    }

    /// Connects, serves, reconnects with back-off when vpcd goes away, until `shutdown`.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), VpcdError> {
        let options = &self.link.options;
        let address = tokio::net::lookup_host(&options.address)
            .await
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| VpcdError::Address {
                address: options.address.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not HOST:PORT"),
            })?;
        let mut backoff = options.backoff_initial;
        let mut stale_rounds = 0;
        while !shutdown.is_cancelled() {
            if !self.presence.is_inserted() {
                self.link.state.send_replace(LinkState::Pulled);
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = self.presence.wait_until(true) => continue,
                }
            }
            self.link.state.send_replace(LinkState::Connecting);
            let connected = tokio::select! {
                () = shutdown.cancelled() => break,
                r = TcpStream::connect(address) => r,
            };
            let wait = match connected {
                Ok(stream) => {
                    if options.log_apdus {
                        eprintln!("vpcd: connected to {address}");
                    }
                    let check_stale = stale_rounds < MAX_STALE_ROUNDS;
                    let ended = self.serve(stream, &shutdown, check_stale).await?;
                    if *self.link.state.borrow() == LinkState::Connected {
                        // pcscd powered this connection's card: it saw it arrive.
                        stale_rounds = 0;
                    }
                    // Out of the reader, or the reader is gone: the card loses power.
                    self.link.card.call(|card| card.power_off()).await?;
                    if options.log_apdus {
                        eprintln!("vpcd: disconnected");
                    }
                    match ended {
                        Ended::Shutdown => break,
                        Ended::Pulled => continue,
                        Ended::Stale { last_probe } => {
                            stale_rounds += 1;
                            if options.log_apdus {
                                eprintln!(
                                    "vpcd: probed but not powered up: pcscd missed a removal; \
                                     leaving for a poll"
                                );
                            }
                            (last_probe + STALE_AWAY).saturating_duration_since(Instant::now())
                        }
                        Ended::Lost(err) => {
                            if options.log_apdus {
                                eprintln!("vpcd: connection lost ({err}); reconnecting");
                            }
                            backoff = options.backoff_initial;
                            backoff
                        }
                    }
                }
                Err(_) => {
                    let wait = backoff;
                    backoff = (backoff * 2).min(options.backoff_max);
                    wait
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        self.link.state.send_replace(LinkState::Stopped);
        Ok(())
    }

    /// Serves one connection on a thread of its own until it ends, the token is pulled or
    /// `shutdown`; the last two close the socket under the thread's blocking read.
    async fn serve(
        &self,
        stream: TcpStream,
        shutdown: &CancellationToken,
        check_stale: bool,
    ) -> Result<Ended, VpcdError> {
        let prepared = stream.into_std().and_then(|stream| {
            stream.set_nonblocking(false)?;
            stream.set_nodelay(true)?;
            let interrupt = stream.try_clone()?;
            Ok((stream, interrupt))
        });
        let (stream, interrupt) = match prepared {
            Ok(pair) => pair,
            Err(err) => return Ok(Ended::Lost(err)),
        };
        let why = Arc::new(AtomicU8::new(NOT_INTERRUPTED));
        let (tx, mut done) = oneshot::channel();
        let link = Arc::clone(&self.link);
        let thread_why = Arc::clone(&why);
        std::thread::Builder::new()
            .name("vpcd".into())
            .spawn(move || {
                let ended = link.serve_blocking(stream, check_stale);
                let ended = match thread_why.load(Ordering::Acquire) {
                    INTERRUPTED_SHUTDOWN => Ended::Shutdown,
                    INTERRUPTED_PULL => Ended::Pulled,
                    _ => ended,
                };
                let _ = tx.send(ended);
            })
            .map_err(VpcdError::Thread)?;
        let reason = tokio::select! {
            ended = &mut done => return ended.map_err(|_| VpcdError::CardStopped),
            () = shutdown.cancelled() => INTERRUPTED_SHUTDOWN,
            () = self.presence.wait_until(false) => INTERRUPTED_PULL,
        };
        why.store(reason, Ordering::Release);
        // Wakes the thread's blocking read (or fails its next write).
        let _ = interrupt.shutdown(std::net::Shutdown::Both);
        done.await.map_err(|_| VpcdError::CardStopped)
    }
}

impl Link {
    /// The connection's loop, on its own thread.
    fn serve_blocking(&self, mut stream: std::net::TcpStream, check_stale: bool) -> Ended {
        let mut reader = frame::Reader::default();
        let mut answer = Vec::with_capacity(258);
        let mut confirmed = false;
        let mut first_probe: Option<Instant> = None;
        let mut last_probe = Instant::now();
        loop {
            if let (false, true, Some(first)) = (confirmed, check_stale, first_probe) {
                let left = (first + CONFIRM_WAIT).saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ended::Stale { last_probe };
                }
                if let Err(err) = stream.set_read_timeout(Some(left)) {
                    return Ended::Lost(err);
                }
            }
            let message = match reader.read_message(&mut stream, rearm_quickack) {
                Ok(message) => message,
                Err(err)
                    if !confirmed
                        && matches!(
                            err.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                {
                    return Ended::Stale { last_probe };
                }
                Err(err) => return Ended::Lost(err),
            };
            if !confirmed {
                if check_stale && message == Message::GetAtr {
                    last_probe = Instant::now();
                    first_probe.get_or_insert(last_probe);
                } else {
                    // pcscd powered the card (or talks to it): the card is in the reader.
                    confirmed = true;
                    if first_probe.is_some()
                        && let Err(err) = stream.set_read_timeout(None)
                    {
                        return Ended::Lost(err);
                    }
                    self.state.send_replace(LinkState::Connected);
                }
            }
            match self.handle(message, &mut answer) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => return Ended::Shutdown,
            }
            if let Err(err) = stream.write_all(&answer) {
                return Ended::Lost(err);
            }
        }
    }

    /// Carries out one message; `true` when `answer` holds the framed answer to send.
    fn handle(&self, message: Message, answer: &mut Vec<u8>) -> Result<bool, VpcdError> {
        let log = self.options.log_apdus;
        if log && !matches!(message, Message::Apdu(_) | Message::OneByteApdu(_)) {
            eprintln!("vpcd: {message:?}");
        }
        let card = &self.card;
        match message {
            Message::PowerOff => card.call_blocking(|card| card.power_off())?,
            Message::PowerOn => card.call_blocking(|card| card.power_on())?,
            Message::Reset => card.call_blocking(|card| card.reset())?,
            Message::Empty => eprintln!("vpcd: empty message, ignored"),
            Message::GetAtr => {
                let atr = card.call_blocking(|card| card.atr())?;
                frame_answer(&atr, answer);
                return Ok(true);
            }
            Message::OneByteApdu(byte) => {
                if log {
                    eprintln!("> {}", apdu_log::mask_command(&[byte]));
                    eprintln!("< {}", apdu_log::format_response(&SW_WRONG_LENGTH));
                }
                frame_answer(&SW_WRONG_LENGTH, answer);
                return Ok(true);
            }
            Message::Apdu(command) => {
                let response = self.transmit(&command)?;
                frame_answer(&response, answer);
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, VpcdError> {
        let latency = self.options.latency.for_apdu(command);
        if self.options.log_apdus {
            eprintln!("> {}", apdu_log::mask_command(command));
        }
        let mut response = self.card.call_blocking(|card| card.transmit(command))?;
        if response.is_empty() {
            response = SW_NO_DIAGNOSIS.to_vec();
        }
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        if self.options.log_apdus {
            eprintln!("< {}", apdu_log::format_response_to(command, &response));
        }
        Ok(response)
    }
}

/// Frames `payload` into `answer`; an answer too long for vpcd's frame becomes `6F 00`.
fn frame_answer(payload: &[u8], answer: &mut Vec<u8>) {
    if frame::encode_into(payload, answer).is_none() {
        eprintln!(
            "vpcd: answer of {} bytes cannot be framed; sent 6F 00",
            payload.len()
        );
        answer.clear();
        answer.extend_from_slice(&[0, 2]);
        answer.extend_from_slice(&SW_NO_DIAGNOSIS);
    }
}

/// Re-arms `TCP_QUICKACK` (Linux clears it after use) so the ACK of vpcd's length write goes out
/// at once and its body write is not held by Nagle for the delayed-ACK time (~40 ms).
#[cfg(target_os = "linux")]
fn rearm_quickack(stream: &std::net::TcpStream) {
    // Best effort: without it the link is slow, not wrong.
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn rearm_quickack(_stream: &std::net::TcpStream) {}
