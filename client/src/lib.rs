//! The bank client's token operations over APDUs: what the Rutoken Plugin and the bank page
//! do with a Rutoken ECP 2.0 in a SafeTouch (`rutoken-ecp-apdu.md`, `reissue-flow.md`), one
//! implementation for every front-end (the conformance suite, the PKCS#11 module, the plugin
//! bridge) and every [`Transport`] (in process, PC/SC).
//!
//! - [`Client`]: attach, serial, [`objects`](Client::objects), PINs, key pairs, PKCS#10,
//!   on-token signing, certificates;
//! - [`driver`]: the same operations as one [`Driver`] trait with one error, for front-ends
//!   written once over APDUs and PKCS#11 alike;
//! - [`layout`]: where everything lives on the token, and the PKCS#15 entries;
//! - [`ClientError`]: one variant per broken expectation.

#![forbid(unsafe_code)]
#![deny(clippy::cast_possible_truncation, clippy::indexing_slicing)]

pub mod certificate;
pub mod config;
pub mod data;
pub mod driver;
pub mod error;
pub mod files;
pub mod keys;
pub mod layout;
pub mod objects;
pub mod pin;
pub mod sign;
pub mod symmetric;
pub mod transport;

use rutoken_apdu::{Command, Response, StatusWord};

pub use config::{ClientConfig, SafeTouchWords};
pub use data::DataObject;
pub use driver::{Driver, DriverError};
pub use error::{ClientError, Missing, TransportError};
pub use files::Fcp;
pub use keys::KeyPair;
pub use objects::{CertificateObject, Installed, KeyObject, Objects};
pub use pin::{PinRole, PinStatus};
pub use symmetric::{CipherMode, SecretKey};
pub use transport::{InProcess, Transport};

/// One command and what came back, shown to the exchange observer (transcripts). The command
/// is raw: an observer that keeps it renders it with `rutoken_apdu::mask::masked`.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The command APDU.
    pub command: &'a [u8],
    /// The response APDU, or why the transport did not carry the command.
    pub response: Result<&'a [u8], &'a TransportError>,
}

/// Sees every exchange (for transcripts).
pub type Observer = Box<dyn FnMut(&Exchange<'_>) + Send>;

/// The bank client over one transport.
pub struct Client<T: Transport> {
    transport: T,
    config: ClientConfig,
    observer: Option<Observer>,
}

impl<T: Transport> Client<T> {
    /// A client on a transport, configured from the device profile.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Client {
            transport,
            config,
            observer: None,
        }
    }

    /// With an observer of every exchange.
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Replaces the observer.
    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    /// The transport (a front-end's reader actions: power, pull, presses).
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends raw command bytes (a scenario's raw APDU step) and splits the answer.
    pub fn transmit_raw(&mut self, command: &[u8]) -> Result<Response, ClientError> {
        let result = self.transport.transmit(command);
        if let Some(observer) = self.observer.as_mut() {
            observer(&Exchange {
                command,
                response: result.as_deref(),
            });
        }
        let raw = result?;
        Response::parse(&raw).map_err(|reason| ClientError::MalformedAnswer {
            operation: "any command",
            reason,
        })
    }

    /// Sends a command.
    pub fn send(&mut self, command: &Command) -> Result<Response, ClientError> {
        let bytes = command.to_bytes().map_err(ClientError::Encoding)?;
        self.transmit_raw(&bytes)
    }

    /// Sends a command that must answer 9000; returns its data. `6982` is
    /// [`ClientError::NotLoggedIn`], any other word [`ClientError::UnexpectedStatus`].
    pub fn send_ok(
        &mut self,
        operation: &'static str,
        command: &Command,
    ) -> Result<Vec<u8>, ClientError> {
        let r = self.send(command)?;
        match r.sw {
            StatusWord::OK => Ok(r.data),
            sw => Err(unexpected(operation, sw)),
        }
    }

    /// Attaches to the token as the plugin does: powers it (the ATR) and selects the MF.
    pub fn attach(&mut self) -> Result<Vec<u8>, ClientError> {
        let atr = self.transport.atr()?;
        self.select_mf()?;
        Ok(atr)
    }

    /// `GET DATA 00 CA 01 81 00`: the token serial (`rutoken-ecp-apdu.md` §4).
    pub fn serial(&mut self) -> Result<Vec<u8>, ClientError> {
        self.send_ok(
            "GET DATA (serial)",
            &Command::new(0x00, 0xCA, 0x01, 0x81).le(256),
        )
    }
}

/// The error for a status word an operation did not expect: `6982` names the missing login.
pub fn unexpected(operation: &'static str, sw: StatusWord) -> ClientError {
    match sw {
        StatusWord::SECURITY_NOT_SATISFIED => ClientError::NotLoggedIn { operation },
        sw => ClientError::UnexpectedStatus { operation, sw },
    }
}

/// The device number the PIN dialog shows: the serial's last 4 bytes as a big-endian integer,
/// 10 decimal digits, zero-padded (`reissue-flow.md` sample data: "0787103443", inferred).
pub fn device_number(serial: &[u8]) -> String {
    let tail = serial
        .get(serial.len().saturating_sub(4)..)
        .unwrap_or_default();
    let n = tail.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    format!("{n:010}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_number_is_ten_digits() {
        assert_eq!(
            device_number(&[0, 0, 0, 0, 0x2E, 0xEA, 0x3E, 0xD3]),
            "0787103443"
        );
        assert_eq!(device_number(&[0x01]), "0000000001");
    }
}
