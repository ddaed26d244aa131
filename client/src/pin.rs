//! PINs: VERIFY, the tries-left query, CHANGE REFERENCE DATA, RESET RETRY COUNTER, LOGOUT
//! (`rutoken-ecp-apdu.md` §4, §7).

use rutoken_apdu::{Command, StatusWord, tlv};

use crate::error::ClientError;
use crate::transport::Transport;
use crate::{Client, unexpected};

/// Whose PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinRole {
    /// The administrator (Security Officer), reference 01.
    Admin,
    /// The user, reference 02.
    User,
}

impl PinRole {
    /// The PIN reference P2 (§4 VERIFY: 01 Admin/SO, 02 User).
    pub fn reference(self) -> u8 {
        match self {
            PinRole::Admin => 0x01,
            PinRole::User => 0x02,
        }
    }
}

/// What the tries-left query answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    /// 9000: verified in this session.
    Verified,
    /// 63Cx: not verified, x tries left.
    TriesLeft(u8),
    /// 6983: blocked.
    Blocked,
}

impl std::fmt::Display for PinStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinStatus::Verified => f.write_str("9000 (verified)"),
            PinStatus::TriesLeft(n) => write!(
                f,
                "63C{n:X} ({n} {} left)",
                if *n == 1 { "try" } else { "tries" }
            ),
            PinStatus::Blocked => f.write_str("6983 (blocked)"),
        }
    }
}

/// The outcome of a PIN command's status word: 9000 ok, 63Cx a wrong PIN, 6983 blocked.
fn pin_result(operation: &'static str, sw: StatusWord) -> Result<(), ClientError> {
    match sw {
        StatusWord::OK => Ok(()),
        StatusWord::AUTH_BLOCKED => Err(ClientError::PinBlocked),
        sw => match sw.tries_left() {
            Some(tries_left) => Err(ClientError::PinIncorrect { tries_left }),
            None => Err(unexpected(operation, sw)),
        },
    }
}

impl<T: Transport> Client<T> {
    /// `VERIFY 00 20 00 ref Lc PIN` (the PIN dialog).
    pub fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), ClientError> {
        let cmd = Command::new(0x00, 0x20, 0x00, role.reference()).data(pin.as_bytes().to_vec());
        let sw = self.send(&cmd)?.sw;
        pin_result("VERIFY", sw)
    }

    /// `VERIFY 00 20 00 ref` without data: `63Cx` tells the tries left, `9000` that the PIN is
    /// verified already (§7 "6300 / VERIFY-without-data").
    pub fn pin_status(&mut self, role: PinRole) -> Result<PinStatus, ClientError> {
        let sw = self
            .send(&Command::new(0x00, 0x20, 0x00, role.reference()))?
            .sw;
        match sw {
            StatusWord::OK => Ok(PinStatus::Verified),
            StatusWord::AUTH_BLOCKED => Ok(PinStatus::Blocked),
            sw => sw
                .tries_left()
                .map(PinStatus::TriesLeft)
                .ok_or_else(|| unexpected("VERIFY (tries left)", sw)),
        }
    }

    /// Changes a PIN as OpenSC does: VERIFY the old one, then `CHANGE REFERENCE DATA
    /// 00 24 01 ref Lc 80 02 <len16> A5 <len> <new>` (§4; `card-rtecp.c`
    /// `rtecp_change_reference_data`: tag 80 holds the new value's length, big-endian).
    pub fn change_pin(&mut self, role: PinRole, old: &str, new: &str) -> Result<(), ClientError> {
        self.verify_pin(role, old)?;
        self.set_pin(role, new)
    }

    /// `CHANGE REFERENCE DATA` with the new value only (under a verified PIN, or after RESET
    /// RETRY COUNTER).
    pub fn set_pin(&mut self, role: PinRole, new: &str) -> Result<(), ClientError> {
        let len = u16::try_from(new.len()).map_err(|_| ClientError::TooLarge {
            what: "a PIN",
            len: new.len(),
        })?;
        let mut data = Vec::new();
        tlv::write(&mut data, 0x80, &len.to_be_bytes()).map_err(ClientError::Encoding)?;
        tlv::write(&mut data, 0xA5, new.as_bytes()).map_err(ClientError::Encoding)?;
        let sw = self
            .send(&Command::new(0x00, 0x24, 0x01, role.reference()).data(data))?
            .sw;
        pin_result("CHANGE REFERENCE DATA", sw)
    }

    /// `RESET RETRY COUNTER 00 2C 03 ref` (case 1; the admin must be logged in, §4).
    pub fn reset_retry_counter(&mut self, role: PinRole) -> Result<(), ClientError> {
        self.send_ok(
            "RESET RETRY COUNTER",
            &Command::new(0x00, 0x2C, 0x03, role.reference()),
        )
        .map(|_| ())
    }

    /// Unblocks the user PIN: VERIFY the admin PIN, then RESET RETRY COUNTER for the user.
    pub fn unblock_user_pin(&mut self, admin_pin: &str) -> Result<(), ClientError> {
        self.verify_pin(PinRole::Admin, admin_pin)?;
        self.reset_retry_counter(PinRole::User)
    }

    /// `80 40 00 00`: reset access rights (§4 LOGOUT).
    pub fn logout(&mut self) -> Result<(), ClientError> {
        self.send_ok("LOGOUT", &Command::new(0x80, 0x40, 0x00, 0x00))
            .map(|_| ())
    }
}
