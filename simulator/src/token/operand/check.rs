//! The checks many decoders share.

use rutoken_apdu::StatusWord;

use crate::token::status::CardResult;

/// 6A86 unless P1-P2 is `expected`.
pub(super) fn expect_p1p2(p1: u8, p2: u8, expected: u16) -> CardResult<()> {
    if u16::from_be_bytes([p1, p2]) == expected {
        Ok(())
    } else {
        Err(StatusWord::WRONG_P1P2)
    }
}

/// 6700 unless the command has no data.
pub(super) fn expect_no_data(data: &[u8]) -> CardResult<()> {
    if data.is_empty() {
        Ok(())
    } else {
        Err(StatusWord::WRONG_LENGTH)
    }
}
