//! PINs: VERIFY, the tries-left query, RESET RETRY COUNTER (rutoken-ecp-apdu.md §4, §7).

use crate::apdu::{Command, SW_BLOCKED};

use super::{Client, ClientError};

/// What a PIN command answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    /// 9000.
    Ok,
    /// 63Cx: wrong, x tries left.
    TriesLeft(u8),
    /// 6983: blocked.
    Blocked,
    /// Anything else.
    Other(u16),
}

impl PinStatus {
    fn from_sw(sw: u16) -> Self {
        match sw {
            0x9000 => PinStatus::Ok,
            SW_BLOCKED => PinStatus::Blocked,
            sw if sw & 0xFFF0 == 0x63C0 => PinStatus::TriesLeft((sw & 0x0F) as u8),
            sw => PinStatus::Other(sw),
        }
    }
}

impl std::fmt::Display for PinStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinStatus::Ok => f.write_str("9000 (ok)"),
            PinStatus::TriesLeft(n) => write!(f, "63C{n:X} ({n} tries left)"),
            PinStatus::Blocked => f.write_str("6983 (blocked)"),
            PinStatus::Other(sw) => write!(f, "{sw:04X}"),
        }
    }
}

impl Client<'_> {
    /// `VERIFY 00 20 00 ref Lc PIN` (the PIN dialog). The transcript shows the data as `**`.
    pub fn verify(&mut self, reference: u8, pin: &str) -> Result<PinStatus, ClientError> {
        let cmd = Command::new(0x00, 0x20, 0x00, reference).data(pin.as_bytes().to_vec());
        Ok(PinStatus::from_sw(self.send_raw(&cmd.to_bytes(), true)?.sw))
    }

    /// `VERIFY 00 20 00 ref` without data: `63Cx` tells the tries left, `9000` that the PIN is
    /// verified already (§7 "6300 / VERIFY-without-data").
    pub fn pin_status(&mut self, reference: u8) -> Result<PinStatus, ClientError> {
        Ok(PinStatus::from_sw(
            self.send(&Command::new(0x00, 0x20, 0x00, reference))?.sw,
        ))
    }

    /// `RESET RETRY COUNTER 00 2C 03 ref` (case 1; the admin must be logged in, §4).
    pub fn reset_retry_counter(&mut self, reference: u8) -> Result<(), ClientError> {
        self.send_ok(
            format!("RESET RETRY COUNTER {reference:02X}"),
            &Command::new(0x00, 0x2C, 0x03, reference),
        )
        .map(|_| ())
    }
}
