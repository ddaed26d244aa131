//! Command APDU parsing (ISO/IEC 7816-3 §12.1.3, short APDUs only): bytes → [`CommandView`].
//! The token is parsed first, then executed (opcard-rs); a parse error is already a status word.

use super::status::Sw;

/// An instruction byte: an open newtype (unknown codes survive), named values from
/// `rutoken-ecp-apdu.md` §4 and ISO/IEC 7816-4/-8.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ins(pub u8);

impl Ins {
    /// VERIFY (ISO 7816-4 §11.5.6).
    pub const VERIFY: Ins = Ins(0x20);
    /// MANAGE SECURITY ENVIRONMENT (ISO 7816-4 §11.5.11).
    pub const MSE: Ins = Ins(0x22);
    /// CHANGE REFERENCE DATA (ISO 7816-4 §11.5.7).
    pub const CHANGE_REFERENCE_DATA: Ins = Ins(0x24);
    /// PERFORM SECURITY OPERATION (ISO 7816-8 §5).
    pub const PSO: Ins = Ins(0x2A);
    /// RESET RETRY COUNTER (ISO 7816-4 §11.5.10).
    pub const RESET_RETRY_COUNTER: Ins = Ins(0x2C);
    /// Rutoken LOGOUT / reset access rights, CLA 80 (`rutoken-ecp-apdu.md` §4).
    pub const LOGOUT: Ins = Ins(0x40);
    /// GENERATE ASYMMETRIC KEY PAIR (ISO 7816-8 §5.1).
    pub const GENERATE_KEY: Ins = Ins(0x46);
    /// GET CHALLENGE (CLA 00) or Rutoken INIT END (CLA 80, P1P2 4E19).
    pub const GET_CHALLENGE_OR_INIT_END: Ins = Ins(0x84);
    /// Rutoken ERASE / INIT, CLA 80 (`SC_CARDCTL_RTECP_INIT`).
    pub const ERASE: Ins = Ins(0x8A);
    /// SELECT (ISO 7816-4 §11.2.2).
    pub const SELECT: Ins = Ins(0xA4);
    /// READ BINARY (ISO 7816-4 §11.3.3).
    pub const READ_BINARY: Ins = Ins(0xB0);
    /// GET DATA (ISO 7816-4 §11.4.3).
    pub const GET_DATA: Ins = Ins(0xCA);
    /// UPDATE BINARY (ISO 7816-4 §11.3.5).
    pub const UPDATE_BINARY: Ins = Ins(0xD6);
    /// CREATE FILE (ISO 7816-9 §8.2).
    pub const CREATE_FILE: Ins = Ins(0xE0);
    /// DELETE FILE (ISO 7816-9 §8.3).
    pub const DELETE_FILE: Ins = Ins(0xE4);
}

/// CLA bit 5 (0x10): more commands of this chain follow (ISO 7816-4 §5.1.1.1).
pub const CLA_CHAINING: u8 = 0x10;

/// The class of a command, as far as the token distinguishes them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    /// CLA 00 (or 10 with chaining): interindustry.
    Iso,
    /// CLA 80 (or 90): Rutoken proprietary.
    Proprietary,
}

/// A parsed short command APDU, borrowing the data (iso7816's `CommandView`).
#[derive(Clone, Copy, Debug)]
pub struct CommandView<'a> {
    /// The raw class byte.
    pub cla: u8,
    /// Interindustry or proprietary.
    pub class: Class,
    /// True when CLA bit 0x10 announces more chained commands.
    pub chained: bool,
    /// The instruction.
    pub ins: Ins,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// The command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Le as a number of bytes (00 means 256), `None` when absent (cases 1 and 3).
    pub le: Option<usize>,
}

impl<'a> CommandView<'a> {
    /// Parses one short APDU. Extended APDUs (Lc = 00 with more bytes) are refused with 6700,
    /// logical channels with 6881, secure messaging with 6882, other classes with 6E00.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Sw> {
        let [cla, ins, p1, p2, rest @ ..] = bytes else {
            return Err(Sw::WRONG_LENGTH);
        };
        let (data, le): (&[u8], Option<usize>) = match rest {
            [] => (&[], None),
            [le] => (&[], Some(if *le == 0 { 256 } else { usize::from(*le) })),
            [0, ..] => return Err(Sw::WRONG_LENGTH),
            [lc, body @ ..] => {
                let lc = usize::from(*lc);
                if body.len() == lc {
                    (body, None)
                } else if body.len() == lc + 1 {
                    let le = body[lc];
                    (
                        &body[..lc],
                        Some(if le == 0 { 256 } else { usize::from(le) }),
                    )
                } else {
                    return Err(Sw::WRONG_LENGTH);
                }
            }
        };
        let class = match *cla & !CLA_CHAINING {
            0x00 => Class::Iso,
            0x80 => Class::Proprietary,
            c if c & 0x80 == 0 && c & 0x60 == 0 && c & 0x03 != 0 => {
                return Err(Sw::CHANNEL_NOT_SUPPORTED);
            }
            c if c & 0x80 == 0 && c & 0x60 == 0 && c & 0x0C != 0 => {
                return Err(Sw::SM_NOT_SUPPORTED);
            }
            _ => return Err(Sw::CLA_NOT_SUPPORTED),
        };
        Ok(CommandView {
            cla: *cla,
            class,
            chained: *cla & CLA_CHAINING != 0,
            ins: Ins(*ins),
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }

    /// P1 and P2 as one big-endian number.
    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.p1, self.p2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let c = CommandView::parse(&[0x80, 0x40, 0, 0]).unwrap();
        assert_eq!((c.class, c.data.len(), c.le), (Class::Proprietary, 0, None));
        let c = CommandView::parse(&[0, 0xCA, 1, 0x81, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = CommandView::parse(&[0, 0xA4, 0, 0, 2, 0x3F, 0, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[0x3F, 0][..], Some(256)));
        let c = CommandView::parse(&[0x10, 0x2A, 0x90, 0x80, 1, 7]).unwrap();
        assert!(c.chained);
        assert_eq!(c.le, None);
    }

    #[test]
    fn malformed() {
        assert_eq!(CommandView::parse(&[0, 1]).unwrap_err(), Sw::WRONG_LENGTH);
        assert_eq!(
            CommandView::parse(&[0, 1, 2, 3, 4, 5]).unwrap_err(),
            Sw::WRONG_LENGTH
        );
        assert_eq!(
            CommandView::parse(&[0, 1, 2, 3, 0, 5, 6]).unwrap_err(),
            Sw::WRONG_LENGTH
        );
        assert_eq!(
            CommandView::parse(&[0xFF, 1, 2, 3]).unwrap_err(),
            Sw::CLA_NOT_SUPPORTED
        );
        assert_eq!(
            CommandView::parse(&[0x01, 1, 2, 3]).unwrap_err(),
            Sw::CHANNEL_NOT_SUPPORTED
        );
        assert_eq!(
            CommandView::parse(&[0x0C, 1, 2, 3]).unwrap_err(),
            Sw::SM_NOT_SUPPORTED
        );
    }
}
