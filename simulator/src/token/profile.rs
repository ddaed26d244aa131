//! The token's part of the device profile: every guess about the real token, with its default.

use serde::Deserialize;

/// Token assumptions (ATR, serial, status words, codes of ours). Each field is a row of the
/// assumptions table in `docs/assumptions.md`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenProfile {
    /// The ATR (`rutoken-ecp-apdu.md` §1, first row).
    pub atr: Vec<u8>,
}

impl Default for TokenProfile {
    fn default() -> Self {
        TokenProfile {
            atr: vec![
                0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50,
                0xA0,
            ],
        }
    }
}
