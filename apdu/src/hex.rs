//! Hex as transcripts, logs and the APDU shell print it: upper case, bytes separated by spaces.

/// `00 A4 08 00`: upper-case hex pairs separated by single spaces.
pub fn spaced(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(3));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(digit(b >> 4));
        out.push(digit(b & 0x0F));
    }
    out
}

/// The upper-case hex digit of a nibble (`n` < 16).
fn digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16)
        .unwrap_or('?')
        .to_ascii_uppercase()
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

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(parse(&spaced(&bytes)), Some(bytes));
        }
    }
}
