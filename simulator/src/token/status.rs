//! The card's side of status words. The words themselves are `rutoken_apdu::StatusWord` (one
//! type for the host and the card, ISO/IEC 7816-4 §5.1.3 table 6 plus the Rutoken codes); what
//! stays here is what only the card needs: the handlers' result type and the wrong-Le rule for
//! lengths a handler computes.

use rutoken_apdu::StatusWord;

/// 6Cxx: wrong Le, xx the exact length available (00 for 256, ISO/IEC 7816-4 §5.1: Ne = 256 is
/// coded 00 in a short Le). A length SW2 cannot express (over 256) is 6700: no short Le can ask
/// for it.
pub fn wrong_le(exact: usize) -> StatusWord {
    match (u8::try_from(exact), exact) {
        (Ok(xx), _) => StatusWord::wrong_le(xx),
        (Err(_), 256) => StatusWord::wrong_le(0),
        (Err(_), _) => StatusWord::WRONG_LENGTH,
    }
}

/// What a command handler returns: `Ok` means 9000 (or a warning the handler chose), `Err` any
/// other status word. Status words are the error type at the card boundary (opcard-rs style).
pub type CardResult<T = StatusWord> = Result<T, StatusWord>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_le_codes_256_as_00_and_longer_as_wrong_length() {
        assert_eq!(wrong_le(0x40), StatusWord(0x6C40));
        assert_eq!(wrong_le(255), StatusWord(0x6CFF));
        assert_eq!(wrong_le(256), StatusWord(0x6C00));
        assert_eq!(wrong_le(257), StatusWord::WRONG_LENGTH);
    }
}
