//! Command APDU parsing (ISO/IEC 7816-3 §12.1.3, short APDUs only): bytes → [`Request`], the
//! typed [`Command`] with its parameters. The APDU is parsed once, then executed (opcard-rs); a
//! parse error is already a status word.

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::CommandView;

use super::command::{Class, Command};
use rutoken_apdu::StatusWord;

/// A parsed short command APDU, borrowing the data: what every handler receives.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The instruction, decoded from CLA, INS, P1 and P2 (no handler needs the raw class byte:
    /// channels and secure messaging are refused while parsing, chaining is `chained`).
    pub command: Command,
    /// True when CLA bit 0x10 announces more chained commands.
    pub chained: bool,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// The command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Le as a number of bytes (00 means 256), `None` when absent (cases 1 and 3).
    pub le: Option<usize>,
}

impl<'a> Request<'a> {
    /// Parses one short APDU (`rutoken_apdu::CommandView`). In order: a length that does not
    /// add up, or an extended APDU (the token takes short APDUs only), is 6700; then the class
    /// (6881 logical channels, 6882 secure messaging, 6E00 others), then the instruction
    /// ([`Command::decode`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StatusWord> {
        let view = CommandView::parse(bytes).map_err(|_| StatusWord::WRONG_LENGTH)?;
        if view.extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let class = Class::from_cla(view.cla)?;
        Ok(Request {
            command: Command::decode(class, view.ins, view.p1, view.p2)?,
            chained: view.chained(),
            p1: view.p1,
            p2: view.p2,
            data: view.data,
            le: view.le,
        })
    }

    /// P1 and P2 as one big-endian number.
    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.p1, self.p2])
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let c = Request::parse(&[0x80, 0x40, 0, 0]).unwrap();
        assert_eq!((c.command, c.data.len(), c.le), (Command::Logout, 0, None));
        let c = Request::parse(&[0, 0xCA, 1, 0x81, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = Request::parse(&[0, 0xA4, 0, 0, 2, 0x3F, 0, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[0x3F, 0][..], Some(256)));
        let c = Request::parse(&[0x10, 0x2A, 0x90, 0x80, 1, 7]).unwrap();
        assert!(c.chained);
        assert_eq!((c.command, c.le), (Command::Hash, None));
    }

    #[test]
    fn malformed() {
        let sw = |bytes: &[u8]| Request::parse(bytes).unwrap_err();
        assert_eq!(sw(&[0, 1]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0, 0xA4, 2, 3, 4, 5]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0, 0xA4, 2, 3, 0, 5, 6]), StatusWord::WRONG_LENGTH);
        // Extended APDUs (case 2E, 3E) are well formed but not for this token.
        assert_eq!(sw(&[0, 0xCA, 1, 0x81, 0, 0, 0]), StatusWord::WRONG_LENGTH);
        assert_eq!(
            sw(&[0, 0xA4, 0, 0, 0, 0, 2, 0x3F, 0]),
            StatusWord::WRONG_LENGTH
        );
        assert_eq!(sw(&[0xFF, 0xA4, 2, 3]), StatusWord::CLA_NOT_SUPPORTED);
        assert_eq!(sw(&[0x01, 0xA4, 2, 3]), StatusWord::CHANNEL_NOT_SUPPORTED);
        assert_eq!(sw(&[0x0C, 0xA4, 2, 3]), StatusWord::SM_NOT_SUPPORTED);
        assert_eq!(sw(&[0x00, 0x01, 2, 3]), StatusWord::INS_NOT_SUPPORTED);
        // Length before class, class before instruction.
        assert_eq!(sw(&[0xFF, 0x01, 2, 3, 4, 5]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0xFF, 0x01, 2, 3]), StatusWord::CLA_NOT_SUPPORTED);
    }
}
