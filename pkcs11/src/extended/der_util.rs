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
        assert!(parse(&[0x04, 0x05, 1]).is_none(), "short value");
        let s = seq(&[&tlv(0x02, &[1]), &tlv(0x05, &[])]);
        assert_eq!(children(parse_exact(&s).unwrap().value).unwrap().len(), 2);
        assert_eq!(set_of(vec![vec![2], vec![1]]), vec![0x31, 2, 1, 2]);
    }
}
