//! Command APDUs (ISO/IEC 7816-4 §5.1, ISO/IEC 7816-3 §12.1.3): cases 1-4, short and extended.
//!
//! Lengths are kept as numbers of bytes, never as the encoded byte: Le 256 is the short `00`,
//! Le 65 536 the extended `00 00`. Encoding picks the short form when data and Le fit it and the
//! extended form otherwise; nothing is ever truncated.

use crate::codec::Reader;
use crate::error::ApduError;

/// CLA bit 5 (`10`): more commands of this chain follow (ISO 7816-4 §5.1.1.1).
pub const CLA_CHAINING: u8 = 0x10;
/// The largest data field of a short APDU (Lc is one byte, `01`…`FF`).
pub const SHORT_MAX_DATA: usize = 255;
/// The largest Le of a short APDU (`00` means 256).
pub const SHORT_MAX_LE: usize = 256;
/// The largest data field of an extended APDU (Lc is `00 xx xx`).
pub const EXTENDED_MAX_DATA: usize = 65_535;
/// The largest Le of an extended APDU (`00 00` means 65 536).
pub const EXTENDED_MAX_LE: usize = 65_536;

/// A parsed command APDU borrowing its data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandView<'a> {
    /// CLA; bit `10` is command chaining.
    pub cla: u8,
    /// INS.
    pub ins: u8,
    /// P1.
    pub p1: u8,
    /// P2.
    pub p2: u8,
    /// The data field (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Le as a number of bytes (1..=65 536), `None` for cases 1 and 3.
    pub le: Option<usize>,
    /// Where the data field starts in the raw command (for masking).
    pub data_offset: usize,
    /// True when Lc/Le used the extended form.
    pub extended: bool,
}

impl<'a> CommandView<'a> {
    /// Parses one command APDU of any case, short or extended.
    pub fn parse(raw: &'a [u8]) -> Result<Self, ApduError> {
        let mut r = Reader::new(raw);
        let [cla, ins, p1, p2] = r
            .take_array::<4>("command header")
            .map_err(|_| ApduError::CommandTooShort { len: raw.len() })?;
        let body = r.rest();
        let bad = ApduError::BadCommandLength { body: body.len() };
        let view =
            |data: &'a [u8], le: Option<usize>, data_offset: usize, extended: bool| CommandView {
                cla,
                ins,
                p1,
                p2,
                data,
                le,
                data_offset,
                extended,
            };
        let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let extended_le = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
            0 => EXTENDED_MAX_LE,
            n => usize::from(n),
        };
        match body {
            // Case 1.
            [] => Ok(view(&[], None, 4, false)),
            // Case 2S.
            [le] => Ok(view(&[], Some(short_le(*le)), 4, false)),
            // Case 2E: 00 then a 2-byte Le.
            [0, hi, lo] => Ok(view(&[], Some(extended_le(*hi, *lo)), 4, true)),
            // Cases 3E and 4E: 00, a 2-byte Lc (not 0000), data, an optional 2-byte Le.
            [0, hi, lo, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                if lc == 0 {
                    return Err(bad);
                }
                match (rest.get(..lc), rest.len().checked_sub(lc)) {
                    (Some(data), Some(0)) => Ok(view(data, None, 7, true)),
                    (Some(data), Some(2)) => match rest.get(lc..) {
                        Some([hi, lo]) => Ok(view(data, Some(extended_le(*hi, *lo)), 7, true)),
                        _ => Err(bad),
                    },
                    _ => Err(bad),
                }
            }
            // Cases 3S and 4S: Lc (not 00), data, an optional 1-byte Le.
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                if lc == 0 {
                    return Err(bad);
                }
                match (rest.get(..lc), rest.len().checked_sub(lc)) {
                    (Some(data), Some(0)) => Ok(view(data, None, 5, false)),
                    (Some(data), Some(1)) => match rest.get(lc..) {
                        Some([le]) => Ok(view(data, Some(short_le(*le)), 5, false)),
                        _ => Err(bad),
                    },
                    _ => Err(bad),
                }
            }
        }
    }

    /// True when the CLA announces more chained commands.
    pub fn chained(&self) -> bool {
        self.cla & CLA_CHAINING != 0
    }

    /// P1 and P2 as one big-endian number.
    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.p1, self.p2])
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Command {
        Command {
            cla: self.cla,
            ins: self.ins,
            p1: self.p1,
            p2: self.p2,
            data: self.data.to_vec(),
            le: self.le,
        }
    }
}

/// A command APDU owning its data; build with [`Command::new`] and the builder methods.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// CLA; bit `10` is command chaining.
    pub cla: u8,
    /// INS.
    pub ins: u8,
    /// P1.
    pub p1: u8,
    /// P2.
    pub p2: u8,
    /// The data field.
    pub data: Vec<u8>,
    /// Le as a number of bytes (1..=65 536; 256 is the short `00`), `None` for no Le.
    pub le: Option<usize>,
}

/// Prints the header and lengths only: the data may be a PIN (use [`crate::mask::masked`] to
/// show a command).
impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

impl Command {
    /// A case-1 command.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    /// With a data field.
    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// With Le, a number of bytes: 256 is the short `00` ("up to 256"), 65 536 the extended
    /// `00 00`.
    pub fn le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// With the chaining bit set or cleared.
    pub fn chained(mut self, more_follow: bool) -> Self {
        if more_follow {
            self.cla |= CLA_CHAINING;
        } else {
            self.cla &= !CLA_CHAINING;
        }
        self
    }

    /// Parses one command APDU of any case, short or extended.
    pub fn parse(raw: &[u8]) -> Result<Self, ApduError> {
        CommandView::parse(raw).map(|v| v.to_owned())
    }

    /// True when the short form can carry this command.
    pub fn fits_short(&self) -> bool {
        self.data.len() <= SHORT_MAX_DATA && self.le.is_none_or(|le| le <= SHORT_MAX_LE)
    }

    /// The bytes on the wire: the short form when it fits, the extended form otherwise.
    /// Data over 65 535 bytes and Le outside 1..=65 536 are errors, never truncated.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if let Some(le) = self.le
            && !(1..=EXTENDED_MAX_LE).contains(&le)
        {
            return Err(ApduError::BadLe { le });
        }
        let mut out = Vec::with_capacity(self.data.len().saturating_add(9));
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if self.fits_short() {
            if !self.data.is_empty() {
                out.push(short_length(self.data.len()));
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.push(short_length(le));
            }
        } else {
            let lc = u16::try_from(self.data.len()).map_err(|_| ApduError::DataTooLong {
                len: self.data.len(),
            })?;
            out.push(0);
            if lc > 0 {
                out.extend_from_slice(&lc.to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                // 65 536 is `00 00`; every other value fits u16.
                let encoded = u16::try_from(le).unwrap_or(0);
                out.extend_from_slice(&encoded.to_be_bytes());
            }
        }
        Ok(out)
    }
}

/// A short Lc or Le byte; 256 becomes `00`. Callers pass 1..=256.
fn short_length(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_four_short_cases() {
        let c = Command::parse(&[0x80, 0x40, 0, 0]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, None));
        let c = Command::parse(&[0, 0xCA, 1, 0x81, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = Command::parse(&[0x10, 0x2A, 0x90, 0x80, 1, 7]).unwrap();
        assert_eq!((c.data.as_slice(), c.le), (&[7][..], None));
        let v = CommandView::parse(&[0, 0xA4, 0, 0, 2, 0x3F, 0, 0]).unwrap();
        assert_eq!(
            (v.data, v.le, v.data_offset),
            (&[0x3F, 0][..], Some(256), 5)
        );
        assert!(
            CommandView::parse(&[0x10, 0x2A, 0x90, 0x80, 1, 7])
                .unwrap()
                .chained()
        );
    }

    #[test]
    fn the_extended_cases() {
        let v = CommandView::parse(&[0, 0xB0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!((v.le, v.extended), (Some(65_536), true));
        let v = CommandView::parse(&[0, 0x2A, 0x90, 0x80, 0, 0, 2, 1, 2]).unwrap();
        assert_eq!((v.data, v.le, v.data_offset), (&[1, 2][..], None, 7));
        let v = CommandView::parse(&[0, 0x2A, 0x90, 0x80, 0, 0, 2, 1, 2, 1, 0]).unwrap();
        assert_eq!((v.data, v.le), (&[1, 2][..], Some(256)));
    }

    #[test]
    fn malformed_lengths_are_typed_errors() {
        assert_eq!(
            Command::parse(&[0, 1]),
            Err(ApduError::CommandTooShort { len: 2 })
        );
        for raw in [
            &[0, 1, 2, 3, 4, 5][..],
            &[0, 1, 2, 3, 0, 5],
            &[0, 1, 2, 3, 0, 0, 0, 5],
            &[0, 1, 2, 3, 1, 5, 6, 7],
            &[0, 1, 2, 3, 0, 0, 1, 5, 6],
        ] {
            assert!(
                matches!(Command::parse(raw), Err(ApduError::BadCommandLength { .. })),
                "{raw:02X?}"
            );
        }
    }

    #[test]
    fn encodes_short_when_it_fits_and_extended_otherwise() {
        let c = Command::new(0, 0xA4, 0x08, 0)
            .data(vec![0x50, 0x00])
            .le(256);
        assert_eq!(c.to_bytes().unwrap(), vec![0, 0xA4, 0x08, 0, 2, 0x50, 0, 0]);
        let c = Command::new(0, 0xD6, 0, 0).data(vec![0xAB; 300]);
        let raw = c.to_bytes().unwrap();
        assert_eq!(raw.get(..7), Some(&[0, 0xD6, 0, 0, 0, 0x01, 0x2C][..]));
        assert_eq!(raw.len(), 307);
        let c = Command::new(0, 0xB0, 0, 0).le(65_536);
        assert_eq!(c.to_bytes().unwrap(), vec![0, 0xB0, 0, 0, 0, 0, 0]);
        let c = Command::new(0, 0xB0, 0, 0).le(0);
        assert_eq!(c.to_bytes(), Err(ApduError::BadLe { le: 0 }));
        let c = Command::new(0, 0xD6, 0, 0).data(vec![0; 65_536]);
        assert_eq!(c.to_bytes(), Err(ApduError::DataTooLong { len: 65_536 }));
    }

    #[test]
    fn debug_hides_data() {
        let c = Command::new(0, 0x20, 0, 2).data(b"12345678".to_vec());
        assert!(!format!("{c:?}").contains("49"));
    }

    fn command() -> impl Strategy<Value = Command> {
        (
            any::<[u8; 4]>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..=3),
                proptest::collection::vec(any::<u8>(), 250..=300),
            ],
            prop_oneof![
                Just(None),
                (1usize..=258).prop_map(Some),
                (65_530usize..=65_536).prop_map(Some)
            ],
        )
            .prop_map(|([cla, ins, p1, p2], data, le)| Command {
                cla,
                ins,
                p1,
                p2,
                data,
                le,
            })
    }

    proptest! {
        #[test]
        fn round_trip(c in command()) {
            let raw = c.to_bytes().unwrap();
            let back = Command::parse(&raw).unwrap();
            prop_assert_eq!(&back, &c);
            prop_assert_eq!(CommandView::parse(&raw).unwrap().extended, !c.fits_short());
            prop_assert_eq!(back.to_bytes().unwrap(), raw);
        }

        #[test]
        fn parse_never_panics_and_data_is_inside(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(v) = CommandView::parse(&raw) {
                let end = v.data_offset + v.data.len();
                prop_assert_eq!(raw.get(v.data_offset..end), Some(v.data));
            }
        }
    }
}
