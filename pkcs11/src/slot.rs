//! Readers and slots: each PC/SC reader is a slot; a slot holds a token when its card answers
//! with a Rutoken ECP ATR.

use crate::device::{Device, Listing};
use crate::error::Error;

/// A reader and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderState {
    /// Its PC/SC name.
    pub name: String,
    /// The ATR of the card in it, if any.
    pub atr: Option<Vec<u8>>,
}

/// Where the readers come from (PC/SC in the module, a list in unit tests). Shared by every
/// thread of the application: a call waiting on one token must not hold the others up, so
/// both methods take `&self` and an implementation locks only what it shares.
pub trait Readers: Send + Sync {
    /// Every reader now.
    fn readers(&self) -> Result<Vec<ReaderState>, Error>;
    /// Connects to the token in `reader`.
    fn open(&self, reader: &str) -> Result<Device, Error>;
    /// Waits up to `timeout` for a change in the readers (a card in or out, a reader come or
    /// gone); returning early without one is fine (the caller looks again).
    fn wait(&self, timeout: std::time::Duration) -> Result<(), Error> {
        std::thread::sleep(timeout);
        Ok(())
    }
    /// Whether a card with this ATR is a Rutoken ECP (the module's token).
    fn is_rutoken(&self, atr: &[u8]) -> bool {
        RUTOKEN_ECP_ATRS.contains(&atr)
    }
}

/// ATRs of a Rutoken ECP: "Rutoken ECP" (rutoken-ecp-apdu.md §1, the device profile's `ecp`)
/// and the ECP 2.0 "Rutoken DS" variant (OpenSC issue #648, the profile's `ds`).
pub const RUTOKEN_ECP_ATRS: [&[u8]; 2] = [
    &[
        0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50, 0xA0,
    ],
    &[
        0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x44, 0x53, 0x20, 0xC1,
    ],
];

/// A connected token: what lives behind the slot's own lock (device I/O happens there only).
pub struct TokenState {
    /// The connection.
    pub device: Device,
    /// Its serial.
    pub serial: Vec<u8>,
    /// The card insertion this connection belongs to (the module counts insertions per slot;
    /// a connection of an earlier one is stale and reopened).
    pub insertion: u64,
    /// The objects last read (dropped when something changes them).
    pub listing: Option<Listing>,
}

/// The device number the bank's PIN dialog shows: the serial's last 4 bytes as a big-endian
/// integer, 10 decimal digits (reissue-flow.md sample data «0787103443»).
pub fn device_number(serial: &[u8]) -> String {
    let tail = &serial[serial.len().saturating_sub(4)..];
    let n = tail.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    format!("{n:010}")
}
