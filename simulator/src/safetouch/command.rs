//! Just enough ISO 7816-4 command APDU parsing (§5.1: cases 1-4, short and extended) to find the
//! header and the data field. Anything that does not parse is forwarded untouched.

/// A parsed command APDU, borrowing the data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommandView<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// The data field (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Where the data field starts in the command (for masking).
    pub data_offset: usize,
}

impl<'a> CommandView<'a> {
    /// Parses a command APDU; `None` when the lengths do not add up.
    pub fn parse(apdu: &'a [u8]) -> Option<Self> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return None;
        };
        let view = |data: &'a [u8], data_offset| CommandView {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            data_offset,
        };
        match body {
            // Case 1, and case 2 short (Le only).
            [] | [_] => Some(view(&[], 4)),
            // Extended: 00 then a 2-byte length; case 2E is exactly 3 bytes (Le).
            [0, hi, lo, rest @ ..] => {
                if rest.is_empty() {
                    return Some(view(&[], 4));
                }
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                // Case 3E: data; case 4E: data then a 2-byte Le.
                (lc > 0 && (rest.len() == lc || rest.len() == lc + 2)).then(|| view(&rest[..lc], 7))
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                // Case 3S: data; case 4S: data then a 1-byte Le.
                (lc > 0 && (rest.len() == lc || rest.len() == lc + 1)).then(|| view(&rest[..lc], 5))
            }
        }
    }

    /// True when the CLA announces more chained commands (ISO 7816-4 §5.1.1, bit 5 = `10`).
    pub fn chained(&self) -> bool {
        self.cla & 0x10 != 0
    }
}

/// The status word of a response APDU (its last two bytes), `None` when shorter than two bytes.
pub(crate) fn status_word(response: &[u8]) -> Option<u16> {
    match response {
        [.., sw1, sw2] => Some(u16::from_be_bytes([*sw1, *sw2])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cases() {
        let v = CommandView::parse(&[0, 0xA4, 0, 0]).unwrap();
        assert!(v.data.is_empty());
        let v = CommandView::parse(&[0, 0xCA, 1, 0x81, 0]).unwrap();
        assert!(v.data.is_empty());
        let v = CommandView::parse(&[0x10, 0x2A, 0x90, 0x80, 2, 0xAA, 0xBB]).unwrap();
        assert_eq!(v.data, &[0xAA, 0xBB]);
        assert!(v.chained());
        let v = CommandView::parse(&[0, 0x2A, 0x9E, 0x9A, 2, 0xAA, 0xBB, 0x40]).unwrap();
        assert_eq!((v.data, v.data_offset), (&[0xAA, 0xBB][..], 5));
        let v = CommandView::parse(&[0, 0x2A, 0x90, 0x80, 0, 0, 2, 1, 2, 0, 0]).unwrap();
        assert_eq!((v.data, v.data_offset), (&[1, 2][..], 7));
        assert!(CommandView::parse(&[0, 0x2A, 0x90, 0x80, 5, 1]).is_none());
        assert!(CommandView::parse(&[0, 0x2A]).is_none());
    }

    proptest! {
        #[test]
        fn never_panics_and_data_is_inside(apdu in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Some(v) = CommandView::parse(&apdu) {
                prop_assert!(v.data_offset + v.data.len() <= apdu.len());
                prop_assert_eq!(&apdu[v.data_offset..v.data_offset + v.data.len()], v.data);
            }
        }

        #[test]
        fn short_case_3_round_trips(data in proptest::collection::vec(any::<u8>(), 1..=255)) {
            let mut apdu = vec![0, 0x2A, 0x90, 0x80, data.len() as u8];
            apdu.extend_from_slice(&data);
            prop_assert_eq!(CommandView::parse(&apdu).map(|v| v.data.to_vec()), Some(data));
        }
    }
}
