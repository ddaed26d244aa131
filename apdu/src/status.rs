//! Status words: an open newtype (rustls' `enum_builder!` style), so vendor codes such as
//! `6F86` survive a round trip. Named values are ISO/IEC 7816-4 §5.1.3 (table 6) as OpenSC's
//! `iso7816_check_sw` reads them, plus the Rutoken codes of `rutoken-ecp-apdu.md` §2.

use std::fmt;

/// SW1-SW2 of a response APDU.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6282: end of file reached before reading Le bytes (a short read).
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// 6300: verification failed, no counter given.
    pub const VERIFY_FAILED: StatusWord = StatusWord(0x6300);
    /// 6581: memory failure.
    pub const MEMORY_FAILURE: StatusWord = StatusWord(0x6581);
    /// 6700: wrong length (Lc or Le).
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6881: logical channel not supported.
    pub const CHANNEL_NOT_SUPPORTED: StatusWord = StatusWord(0x6881);
    /// 6882: secure messaging not supported.
    pub const SM_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);
    /// 6884: command chaining not supported.
    pub const CHAINING_NOT_SUPPORTED: StatusWord = StatusWord(0x6884);
    /// 6981: command incompatible with file structure.
    pub const INCOMPATIBLE_FILE: StatusWord = StatusWord(0x6981);
    /// 6982: security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6983: authentication method blocked.
    pub const AUTH_BLOCKED: StatusWord = StatusWord(0x6983);
    /// 6984: reference data not usable.
    pub const REFERENCE_NOT_USABLE: StatusWord = StatusWord(0x6984);
    /// 6985: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// 6986: command not allowed (no current EF).
    pub const NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
    /// 6A80: incorrect parameters in the data field.
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// 6A81: function not supported.
    pub const FUNC_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    /// 6A82: file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A84: not enough memory space.
    pub const NOT_ENOUGH_MEMORY: StatusWord = StatusWord(0x6A84);
    /// 6A86: incorrect parameters P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6A88: referenced data or reference data not found.
    pub const REF_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// 6A89: file already exists.
    pub const FILE_EXISTS: StatusWord = StatusWord(0x6A89);
    /// 6B00: wrong parameters P1-P2 (offset outside the EF).
    pub const WRONG_OFFSET: StatusWord = StatusWord(0x6B00);
    /// 6D00: instruction code not supported or invalid.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// 6F00: no precise diagnosis.
    pub const UNKNOWN_ERROR: StatusWord = StatusWord(0x6F00);
    /// 6F86: Rutoken vendor code seen by OpenSC on VERIFY (`card-rtecp.c` then sends LOGOUT
    /// and retries; `rutoken-ecp-apdu.md` §4).
    pub const OTHER_ROLE_LOGGED_IN: StatusWord = StatusWord(0x6F86);

    /// 63Cx: verification failed, x tries left (x ≤ 15; larger values saturate at 15).
    pub const fn retries(left: u8) -> StatusWord {
        let left = if left > 0x0F { 0x0F } else { left };
        StatusWord(0x63C0 | left as u16)
    }

    /// 6Cxx: wrong Le, xx is the exact length available.
    pub const fn wrong_le(exact: u8) -> StatusWord {
        StatusWord(0x6C00 | exact as u16)
    }

    /// 61xx: xx more bytes available through GET RESPONSE.
    pub const fn more_data(available: u8) -> StatusWord {
        StatusWord(0x6100 | available as u16)
    }

    /// The tries left of a 63Cx answer, `None` for any other status word.
    pub const fn tries_left(self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some(self.0.to_be_bytes()[1] & 0x0F)
        } else {
            None
        }
    }

    /// SW1.
    pub const fn sw1(self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// The two bytes, SW1 first.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// True for 9000.
    pub const fn is_ok(self) -> bool {
        self.0 == 0x9000
    }

    /// A short English meaning (what the APDU shell and the decoded transcripts print).
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x9000 => "success",
            0x6100..=0x61FF => "more data available, count in SW2",
            0x6282 => "end of file reached before Le bytes",
            0x6300 => "verification failed",
            0x63C0..=0x63CF => "wrong PIN, tries left in the low nibble",
            0x6581 => "memory failure",
            0x6700 => "wrong length",
            0x6881 => "logical channel not supported",
            0x6882 => "secure messaging not supported",
            0x6884 => "command chaining not supported",
            0x6981 => "command incompatible with file structure",
            0x6982 => "security status not satisfied",
            0x6983 => "authentication method blocked",
            0x6984 => "reference data not usable",
            0x6985 => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current EF)",
            0x6A80 => "incorrect data",
            0x6A81 => "function not supported",
            0x6A82 => "file not found",
            0x6A84 => "not enough memory",
            0x6A86 => "incorrect P1-P2",
            0x6A88 => "referenced data not found",
            0x6A89 => "file already exists",
            0x6B00 => "offset outside the file",
            0x6C00..=0x6CFF => "wrong Le, exact length in SW2",
            0x6D00 => "instruction not supported",
            0x6E00 => "class not supported",
            0x6F00 => "no precise diagnosis",
            0x6F86 => "other role logged in (Rutoken)",
            _ => "unknown status",
        }
    }
}

impl From<u16> for StatusWord {
    fn from(sw: u16) -> Self {
        StatusWord(sw)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> Self {
        sw.0
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

/// `6982`: the four hex digits, as every trace prints them.
impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn named_values_and_counters() {
        assert_eq!(
            StatusWord::SECURITY_NOT_SATISFIED.meaning(),
            "security status not satisfied"
        );
        assert_eq!(StatusWord::retries(3), StatusWord(0x63C3));
        assert_eq!(StatusWord::retries(99), StatusWord(0x63CF));
        assert_eq!(StatusWord(0x63C2).tries_left(), Some(2));
        assert_eq!(StatusWord::OK.tries_left(), None);
        assert_eq!(StatusWord::wrong_le(0x40).to_bytes(), [0x6C, 0x40]);
        assert_eq!(StatusWord(0x6F86).to_string(), "6F86");
        assert_eq!(
            (StatusWord(0x6A82).sw1(), StatusWord(0x6A82).sw2()),
            (0x6A, 0x82)
        );
        assert!(StatusWord::OK.is_ok());
        assert_eq!(StatusWord(0x1234).meaning(), "unknown status");
    }
}
