//! Hex as transcripts, logs and the APDU shell print it: upper case, bytes separated by spaces.

/// `00 A4 08 00`: upper-case hex pairs separated by single spaces.
pub fn spaced(bytes: &[u8]) -> String {
    let Some(len) = bytes.len().checked_mul(3).and_then(|n| n.checked_sub(1)) else {
        return String::new();
    };
    // Spaces everywhere, then each byte's digits over the first two of its three places (the
    // last byte has two): no capacity check per byte.
    let mut out = vec![b' '; len];
    for (place, b) in out.chunks_mut(3).zip(bytes) {
        if let [hi, lo, ..] = place {
            [*hi, *lo] = pair(*b);
        }
    }
    // Only ASCII digits and spaces were written, so this never falls back.
    String::from_utf8(out).unwrap_or_default()
}

/// The two upper-case hex digits of a byte, from [`PAIRS`]. Every APDU of a transcript goes
/// through [`spaced`]: digit by digit through `char::from_digit` it was 14 % of an in-process
/// reissue flow (perf, 7 Dec 2026).
fn pair(b: u8) -> [u8; 2] {
    PAIRS.get(usize::from(b)).copied().unwrap_or([b'?'; 2])
}

/// `PAIRS[b]`: the two ASCII digits of byte `b`, upper case. Built at compile time.
const PAIRS: [[u8; 2]; 256] = pairs();

/// [`PAIRS`], computed at compile time.
#[allow(clippy::indexing_slicing)] // `i >> 4` and `i & 15` are below 16, `i` below 256.
const fn pairs() -> [[u8; 2]; 256] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    t
}

/// Parses hex with optional whitespace and colons (`00 A4:08 00`); `None` when a character is
/// not a hex digit or the digits are odd in number.
pub fn parse(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for c in text.chars() {
        if c.is_whitespace() || c == ':' {
            continue;
        }
        let digit = u8::try_from(c.to_digit(16)?).ok()?;
        match high.take() {
            None => high = Some(digit),
            Some(h) => out.push(h << 4 | digit),
        }
    }
    high.is_none().then_some(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(spaced(&[0x00, 0xA4, 0x0F]), "00 A4 0F");
        assert_eq!(spaced(&[]), "");
        assert_eq!(parse("00 a4:0F"), Some(vec![0x00, 0xA4, 0x0F]));
        assert_eq!(parse("0"), None);
        assert_eq!(parse("0g"), None);
    }

    #[test]
    fn every_byte_as_the_formatter_writes_it() {
        for b in 0..=255u8 {
            assert_eq!(spaced(&[b, b]), format!("{b:02X} {b:02X}"));
        }
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(parse(&spaced(&bytes)), Some(bytes));
        }
    }
}
