//! Status words: an open newtype (rustls-style), so vendor codes such as `6F86` survive a round
//! trip. The named values are ISO/IEC 7816-4 §5.1.3 (table 6), as OpenSC's `iso7816_check_sw`
//! reads them (`rutoken-ecp-apdu.md` §2).

use std::fmt;

/// SW1-SW2 of a response APDU.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sw(pub u16);

impl Sw {
    /// 9000: normal processing.
    pub const OK: Sw = Sw(0x9000);
    /// 6282: end of file reached before reading Le bytes (a short read).
    pub const END_OF_FILE: Sw = Sw(0x6282);
    /// 6300: verification failed, no counter given.
    pub const VERIFY_FAILED: Sw = Sw(0x6300);
    /// 6581: memory failure (here: the image could not be written; nothing changed).
    pub const MEMORY_FAILURE: Sw = Sw(0x6581);
    /// 6700: wrong length (Lc or Le).
    pub const WRONG_LENGTH: Sw = Sw(0x6700);
    /// 6881: logical channel not supported.
    pub const CHANNEL_NOT_SUPPORTED: Sw = Sw(0x6881);
    /// 6882: secure messaging not supported.
    pub const SM_NOT_SUPPORTED: Sw = Sw(0x6882);
    /// 6884: command chaining not supported (for this instruction).
    pub const CHAINING_NOT_SUPPORTED: Sw = Sw(0x6884);
    /// 6981: command incompatible with file structure (e.g. READ BINARY on a key object).
    pub const INCOMPATIBLE_FILE: Sw = Sw(0x6981);
    /// 6982: security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: Sw = Sw(0x6982);
    /// 6983: authentication method blocked.
    pub const AUTH_BLOCKED: Sw = Sw(0x6983);
    /// 6984: reference data not usable (a PIN object with no value yet).
    pub const REFERENCE_NOT_USABLE: Sw = Sw(0x6984);
    /// 6985: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: Sw = Sw(0x6985);
    /// 6986: command not allowed (no current EF).
    pub const NO_CURRENT_EF: Sw = Sw(0x6986);
    /// 6A80: incorrect parameters in the data field.
    pub const WRONG_DATA: Sw = Sw(0x6A80);
    /// 6A81: function not supported.
    pub const FUNC_NOT_SUPPORTED: Sw = Sw(0x6A81);
    /// 6A82: file or application not found.
    pub const FILE_NOT_FOUND: Sw = Sw(0x6A82);
    /// 6A84: not enough memory space.
    pub const NOT_ENOUGH_MEMORY: Sw = Sw(0x6A84);
    /// 6A86: incorrect parameters P1-P2.
    pub const WRONG_P1P2: Sw = Sw(0x6A86);
    /// 6A88: referenced data or reference data not found.
    pub const REF_NOT_FOUND: Sw = Sw(0x6A88);
    /// 6A89: file already exists.
    pub const FILE_EXISTS: Sw = Sw(0x6A89);
    /// 6B00: wrong parameters P1-P2 (offset outside the EF).
    pub const WRONG_OFFSET: Sw = Sw(0x6B00);
    /// 6D00: instruction code not supported or invalid.
    pub const INS_NOT_SUPPORTED: Sw = Sw(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: Sw = Sw(0x6E00);
    /// 6F86: Rutoken vendor code, seen by OpenSC on VERIFY (`card-rtecp.c` then sends LOGOUT and
    /// retries); the model answers it when the other role is still logged in [GUESS].
    pub const OTHER_ROLE_LOGGED_IN: Sw = Sw(0x6F86);

    /// 63Cx: verification failed, x tries left (x ≤ 15).
    pub const fn retries(left: u8) -> Sw {
        Sw(0x63C0 | (left as u16 & 0x0F))
    }
    /// 6F00: no precise diagnosis (an FCP that cannot be answered, a key pair that cannot be
    /// computed; neither is expected).
    pub const NO_PRECISE_DIAGNOSIS: Sw = Sw(0x6F00);

    /// 6Cxx: wrong Le, xx is the exact length available (00 for 256). A length SW2 cannot
    /// express (over 256) is 6700: no short Le can ask for it.
    pub fn wrong_le(exact: usize) -> Sw {
        match (u8::try_from(exact), exact) {
            (Ok(xx), _) => Sw(0x6C00 | u16::from(xx)),
            (Err(_), 256) => Sw(0x6C00),
            (Err(_), _) => Sw::WRONG_LENGTH,
        }
    }
    /// The two bytes, SW1 first.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
    /// A short English meaning (what `apdu` prints beside each answer): the one table in
    /// `rutoken_apdu::StatusWord`.
    pub fn meaning(self) -> &'static str {
        rutoken_apdu::StatusWord(self.0).meaning()
    }
}

impl fmt::Debug for Sw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sw({:04X})", self.0)
    }
}

impl fmt::Display for Sw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// What a command handler returns: `Ok` means 9000 (or a warning the handler chose), `Err` any
/// other status word. Status words are the error type at the card boundary (opcard-rs style).
pub type CardResult<T = Sw> = Result<T, Sw>;
