//! The little DER the CMS calls need (X.690 §8.1): TLVs built from parts and walked, definite
//! lengths only (a BER indefinite length does not parse: `CKR_ARGUMENTS_BAD` upstream).

/// One TLV inside a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tlv<'a> {
    /// The tag byte (one-byte tags only: all CMS needs).
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// Tag, length and value.
    pub raw: &'a [u8],
}

/// The TLV at the start of `bytes` (the rest ignored).
pub(super) fn parse(bytes: &[u8]) -> Option<Tlv<'_>> {
    let tag = *bytes.first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }
    let first = *bytes.get(1)?;
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, len)
    };
    let end = header.checked_add(len)?;
    let raw = bytes.get(..end)?;
    Some(Tlv {
        tag,
        value: &raw[header..],
        raw,
    })
}

/// Exactly one TLV filling `bytes`.
pub(super) fn parse_exact(bytes: &[u8]) -> Option<Tlv<'_>> {
    parse(bytes).filter(|t| t.raw.len() == bytes.len())
}

/// The TLVs filling a constructed value.
pub(super) fn children(mut value: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let t = parse(value)?;
        value = &value[t.raw.len()..];
        out.push(t);
    }
    Some(out)
}

/// A TLV from its tag and value.
pub(super) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

/// A SEQUENCE of parts.
pub(super) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A SET OF parts in DER order (sorted, X.690 §11.6).
pub(super) fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(0x31, &parts.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_short_and_long() {
        for n in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let v = vec![0xAB; n];
            let t = tlv(0x04, &v);
            let p = parse_exact(&t).unwrap();
            assert_eq!((p.tag, p.value.len()), (0x04, n));
        }
        assert!(parse(&[0x30, 0x80, 0, 0]).is_none(), "indefinite length");
        // Even with 128 bytes after it: 80 is no short-form length.
        let mut indefinite = vec![0x30, 0x80];
        indefinite.resize(2 + 128 + 2, 0);
        assert!(
            parse(&indefinite).is_none(),
            "indefinite length, long input"
        );
        assert!(parse(&[0x04, 0x05, 1]).is_none(), "short value");
        let s = seq(&[&tlv(0x02, &[1]), &tlv(0x05, &[])]);
        assert_eq!(children(parse_exact(&s).unwrap().value).unwrap().len(), 2);
        assert_eq!(set_of(vec![vec![2], vec![1]]), vec![0x31, 2, 1, 2]);
    }

    /// The shortest length form (X.690 §10.1): short up to 127, then as few bytes as the
    /// length needs after 0x8n.
    #[test]
    fn lengths_take_the_shortest_form() {
        assert_eq!(tlv(0x04, &[0; 127])[..2], [0x04, 0x7F]);
        assert_eq!(tlv(0x04, &[0; 128])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x04, &[0; 255])[..3], [0x04, 0x81, 0xFF]);
        assert_eq!(tlv(0x04, &[0; 256])[..4], [0x04, 0x82, 0x01, 0x00]);
        assert_eq!(tlv(0x04, &[0; 70_000])[..5], [0x04, 0x83, 0x01, 0x11, 0x70]);
        assert_eq!(
            seq(&[&[0x05, 0x00], &[0x01, 0x01, 0xFF]]),
            [0x30, 5, 5, 0, 1, 1, 0xFF]
        );
    }

    /// What the walker refuses: a high tag number (X.690 §8.1.2.4, no CMS tag needs one),
    /// lengths of 5 length bytes or more (4 is the longest taken), a truncated child; and what
    /// it takes: tag 0x1E, a 4-byte length, trailing bytes after one TLV (not for
    /// `parse_exact`).
    #[test]
    fn odd_forms_are_refused_and_the_rest_is_left() {
        assert!(parse(&[0x1F, 0x01, 0x00]).is_none());
        assert!(parse(&[0xBF, 0x01, 0x00]).is_none());
        assert_eq!(parse(&[0x1E, 0x01, 0xAA]).unwrap().value, [0xAA]);
        let four = [0x04, 0x84, 0, 0, 0, 1, 0xCC];
        let t = parse_exact(&four).unwrap();
        assert_eq!((t.value, t.raw.len()), (&[0xCC][..], 7));
        assert!(parse(&[0x04, 0x85, 0, 0, 0, 0, 1, 0xCC]).is_none());
        let t = parse(&[0x05, 0x00, 0xFF]).unwrap();
        assert_eq!((t.tag, t.raw), (0x05, &[0x05, 0x00][..]));
        assert!(parse_exact(&[0x05, 0x00, 0xFF]).is_none());
        assert!(children(&[0x05, 0x00, 0x04]).is_none());
        assert_eq!(children(&[]).unwrap(), Vec::new());
        let kids = children(&[0x05, 0x00, 0x04, 0x01, 0x07]).unwrap();
        assert_eq!(kids.iter().map(|k| k.tag).collect::<Vec<_>>(), [0x05, 0x04]);
        assert_eq!(kids[1].value, [0x07]);
    }
}
