//! The bank client: the Rutoken Plugin's and the bank page's operations as token APDUs
//! (`rutoken-ecp-apdu.md`), one implementation for every target, so a real token receives
//! exactly the commands the emulator receives.

pub mod files;
pub mod keys;
pub mod pin;
pub mod sign;

use crate::apdu::{Command, Response};
use crate::target::{Target, TargetError};
use crate::transcript::Transcript;

pub use files::{Fcp, Objects};
pub use pin::PinStatus;
pub use sign::SignResult;

/// Why a client operation could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The target failed to carry the APDU.
    #[error("{0}")]
    Target(#[from] TargetError),
    /// The token answered an unexpected status word.
    #[error("{what}: the token answered {sw:04X}")]
    Status {
        /// The operation (`SELECT 3F00/5000`, `GENERATE KEY 01`).
        what: String,
        /// Its status word.
        sw: u16,
    },
    /// An answer the client cannot use (short, malformed).
    #[error("{0}")]
    Protocol(String),
}

/// The status words of the SafeTouch's refusals (device profile `safetouch.*_sw`; default
/// `6F B1` for both: safetouch.md "Gating", inferred from the PINPad's vendor code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeTouchWords {
    /// Answered when the user presses Reject.
    pub reject: u16,
    /// Answered when nobody presses in time.
    pub timeout: u16,
}

impl Default for SafeTouchWords {
    fn default() -> Self {
        SafeTouchWords {
            reject: 0x6FB1,
            timeout: 0x6FB1,
        }
    }
}

/// What the client takes from the device profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The SafeTouch's refusal words.
    pub safetouch: SafeTouchWords,
    /// Attribute-85 key codes by name (`token.gost_key_codes`).
    pub key_codes: std::collections::BTreeMap<String, u8>,
}

impl ClientConfig {
    /// From a device profile.
    pub fn from_profile(profile: &rutoken_sim::profile::DeviceProfile) -> Self {
        ClientConfig {
            safetouch: SafeTouchWords {
                reject: profile.safetouch.reject_sw,
                timeout: profile.safetouch.timeout_sw,
            },
            key_codes: profile.token.gost_key_codes.clone(),
        }
    }
}

/// The bank client over one target. Records every exchange (PINs masked) and every screen.
pub struct Client<'t> {
    target: &'t mut dyn Target,
    /// Every APDU so far.
    pub transcript: Transcript,
    /// Every SafeTouch screen read so far.
    pub screens: Vec<String>,
    /// The same screens for the reports, each at the exchange that showed it.
    pub shown: Vec<crate::report::ShownScreen>,
    /// The SafeTouch presses arranged, each at the exchange it answered.
    pub presses: Vec<crate::report::PressRecord>,
    /// The operation the next exchanges belong to (transcript headings).
    pub step: String,
    /// The SafeTouch's refusal words.
    pub safetouch: SafeTouchWords,
    /// Attribute-85 key codes by name (`gost2012-256-A` → `0x11`), from the device profile.
    pub key_codes: std::collections::BTreeMap<String, u8>,
}

impl<'t> Client<'t> {
    /// A client on a target.
    pub fn new(target: &'t mut dyn Target, config: &ClientConfig) -> Self {
        Client {
            target,
            transcript: Transcript::default(),
            screens: Vec::new(),
            shown: Vec::new(),
            presses: Vec::new(),
            step: String::new(),
            safetouch: config.safetouch,
            key_codes: config.key_codes.clone(),
        }
    }

    /// The target, for presses, power and pulls.
    pub fn target(&mut self) -> &mut dyn Target {
        self.target
    }

    /// Sends raw bytes and records them (`secret`: mask the data).
    pub fn send_raw(&mut self, bytes: &[u8], secret: bool) -> Result<Response, ClientError> {
        let result = self.target.transmit(bytes);
        match &result {
            Ok(raw) => self.transcript.record(&self.step, bytes, secret, Ok(raw)),
            Err(e) => self
                .transcript
                .record(&self.step, bytes, secret, Err(e.to_string())),
        }
        let raw = result?;
        Response::parse(&raw)
            .ok_or_else(|| ClientError::Protocol(format!("a response of {} bytes", raw.len())))
    }

    /// Sends a command.
    pub fn send(&mut self, command: &Command) -> Result<Response, ClientError> {
        self.send_raw(&command.to_bytes(), false)
    }

    /// Sends a command that must answer 9000; returns its data.
    pub fn send_ok(
        &mut self,
        what: impl Into<String>,
        command: &Command,
    ) -> Result<Vec<u8>, ClientError> {
        let r = self.send(command)?;
        if r.ok() {
            Ok(r.data)
        } else {
            Err(ClientError::Status {
                what: what.into(),
                sw: r.sw,
            })
        }
    }

    /// Collects the screens the target showed since the last call.
    pub fn collect_screens(&mut self) -> Option<Vec<String>> {
        let shown = self.target.take_screens()?;
        let exchange = self.transcript.exchanges.len().checked_sub(1);
        for text in &shown {
            self.shown.push(crate::report::ShownScreen {
                text: text.clone(),
                exchange,
                step: self.step.clone(),
            });
        }
        self.screens.extend(shown.iter().cloned());
        Some(shown)
    }

    /// `GET DATA 00 CA 01 81 00`: the token serial (rutoken-ecp-apdu.md §4).
    pub fn read_serial(&mut self) -> Result<Vec<u8>, ClientError> {
        self.send_ok(
            "GET DATA serial",
            &Command::new(0x00, 0xCA, 0x01, 0x81).le(0),
        )
    }

    /// `80 40 00 00`: reset access rights (rutoken-ecp-apdu.md §4 LOGOUT).
    pub fn logout(&mut self) -> Result<(), ClientError> {
        self.send_ok("LOGOUT", &Command::new(0x80, 0x40, 0x00, 0x00))
            .map(|_| ())
    }
}

/// The device number the PIN dialog shows: the serial's last 4 bytes as a big-endian integer,
/// 10 decimal digits, zero-padded (reissue-flow.md sample data: "0787103443", inferred).
pub fn device_number(serial: &[u8]) -> String {
    let tail = &serial[serial.len().saturating_sub(4)..];
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
