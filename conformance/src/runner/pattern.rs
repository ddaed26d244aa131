//! The patterns raw-APDU steps expect: status words with `x` nibbles, data with `..` bytes.

use crate::error::PatternError;

/// Parses hex with optional spaces and colons.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, PatternError> {
    rutoken_apdu::hex::parse(text).ok_or_else(|| PatternError::NotHex(text.to_owned()))
}

/// Matches a status word against a pattern of 4 hex digits where `x` is any nibble (`63Cx`).
pub fn sw_matches(pattern: &str, sw: rutoken_apdu::StatusWord) -> Result<bool, PatternError> {
    let p: Vec<char> = pattern.chars().filter(|c| !c.is_whitespace()).collect();
    if p.len() != 4 {
        return Err(PatternError::StatusWord(pattern.to_owned()));
    }
    let actual = sw.to_string();
    let mut ok = true;
    for (pc, ac) in p.iter().zip(actual.chars()) {
        if pc.eq_ignore_ascii_case(&'x') {
            continue;
        }
        if !pc.is_ascii_hexdigit() {
            return Err(PatternError::StatusWord(pattern.to_owned()));
        }
        ok &= pc.eq_ignore_ascii_case(&ac);
    }
    Ok(ok)
}

/// Matches data against a pattern: hex bytes, `..` for any byte, a final `*` for any rest.
/// Spaces are ignored. A malformed pattern is an error whatever the data (the validator checks
/// patterns against no data).
pub fn data_matches(pattern: &str, data: &[u8]) -> Result<bool, PatternError> {
    let mut p: String = pattern.chars().filter(|c| !c.is_whitespace()).collect();
    let open = p.ends_with('*');
    if open {
        p.pop();
    }
    if !p.len().is_multiple_of(2) {
        return Err(PatternError::OddData(pattern.to_owned()));
    }
    // `None`: any byte.
    let expected = p
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            if pair == b".." {
                return Ok(None);
            }
            std::str::from_utf8(pair)
                .ok()
                .and_then(|text| u8::from_str_radix(text, 16).ok())
                .map(Some)
                .ok_or_else(|| PatternError::DataNotHex(pattern.to_owned()))
        })
        .collect::<Result<Vec<Option<u8>>, _>>()?;
    if data.len() < expected.len() || (!open && data.len() != expected.len()) {
        return Ok(false);
    }
    Ok(expected
        .iter()
        .zip(data)
        .all(|(want, got)| want.is_none_or(|w| w == *got)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rutoken_apdu::StatusWord;

    #[test]
    fn patterns() {
        assert!(sw_matches("63Cx", StatusWord(0x63C4)).unwrap());
        assert!(!sw_matches("63Cx", StatusWord(0x6983)).unwrap());
        assert!(sw_matches("6a82", StatusWord(0x6A82)).unwrap());
        assert_eq!(
            sw_matches("63C", StatusWord(0x63C4)),
            Err(PatternError::StatusWord("63C".into()))
        );
        assert_eq!(
            sw_matches("63CG", StatusWord(0x63C4)),
            Err(PatternError::StatusWord("63CG".into()))
        );
        assert!(data_matches("01 .. 03", &[1, 9, 3]).unwrap());
        assert!(!data_matches("01 .. 03", &[1, 9, 3, 4]).unwrap());
        assert!(data_matches("01*", &[1, 9, 3, 4]).unwrap());
        assert!(!data_matches("02*", &[1]).unwrap());
        assert_eq!(
            data_matches("abc", &[1]),
            Err(PatternError::OddData("abc".into()))
        );
        assert_eq!(
            data_matches("0g", &[1]),
            Err(PatternError::DataNotHex("0g".into()))
        );
        // Malformed whatever the data's length: the validator checks against no data.
        assert_eq!(
            data_matches("0g", &[]),
            Err(PatternError::DataNotHex("0g".into()))
        );
        assert_eq!(
            data_matches("01 0g", &[2, 3]),
            Err(PatternError::DataNotHex("01 0g".into()))
        );
        assert_eq!(
            parse_hex("00 zz"),
            Err(PatternError::NotHex("00 zz".into()))
        );
        assert_eq!(
            PatternError::StatusWord("63C".into()).to_string(),
            "sw \"63C\": expected 4 hex digits, x for any"
        );
    }

    proptest! {
        #[test]
        fn patterns_never_panic(p in ".{0,20}", d in proptest::collection::vec(any::<u8>(), 0..10)) {
            let _ = data_matches(&p, &d);
            let _ = sw_matches(&p, StatusWord::OK);
        }
        #[test]
        fn data_matches_its_own_hex(d in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert!(data_matches(&rutoken_apdu::hex::spaced(&d), &d).unwrap());
        }
    }
}
