//! A small BER-TLV reader (one-byte tags, definite lengths up to `82 xx xx`): enough for FCPs
//! (ISO 7816-4 §5.3.3) and the PKCS#15 directory files the client reads.

/// One TLV: tag, value, and the bytes it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// Tag + length + value length.
    pub encoded_len: usize,
}

/// Reads the TLV at the start of `bytes`; `None` if it is truncated or malformed.
pub fn read(bytes: &[u8]) -> Option<Tlv<'_>> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    let (len, header): (usize, usize) = match first {
        0x00..=0x7F => (usize::from(first), 2),
        0x81 => (usize::from(*bytes.get(2)?), 3),
        0x82 => (
            usize::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?])),
            4,
        ),
        _ => return None,
    };
    let value = bytes.get(header..header.checked_add(len)?)?;
    Some(Tlv {
        tag,
        value,
        encoded_len: header + len,
    })
}

/// The TLVs following each other in `bytes`, stopping at the end, at `00`/`FF` padding, or at
/// the first malformed one.
pub fn children(bytes: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(&tag) = rest.first() {
        if tag == 0x00 || tag == 0xFF {
            break;
        }
        match read(rest) {
            Some(t) => {
                rest = &rest[t.encoded_len..];
                out.push(t);
            }
            None => break,
        }
    }
    out
}

/// The first child with this tag.
pub fn find(bytes: &[u8], tag: u8) -> Option<&[u8]> {
    children(bytes)
        .into_iter()
        .find(|t| t.tag == tag)
        .map(|t| t.value)
}

/// Encodes a TLV with a definite length.
pub fn encode(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match value.len() {
        n @ 0..=0x7F => out.push(n as u8),
        n @ 0x80..=0xFF => out.extend_from_slice(&[0x81, n as u8]),
        n => {
            let n = u16::try_from(n).unwrap_or(u16::MAX);
            out.push(0x82);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
    out
}

/// The end of the used part of a directory file: the offset of the first padding byte at the
/// top level.
pub fn used_len(bytes: &[u8]) -> usize {
    children(bytes).iter().map(|t| t.encoded_len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_an_fcp() {
        let fcp = [0x62, 0x08, 0x80, 0x02, 0x00, 0x80, 0x83, 0x02, 0x2F, 0x00];
        let t = read(&fcp).unwrap();
        assert_eq!(t.tag, 0x62);
        assert_eq!(find(t.value, 0x80), Some(&[0x00, 0x80][..]));
        assert_eq!(find(t.value, 0x83), Some(&[0x2F, 0x00][..]));
    }

    #[test]
    fn stops_at_padding() {
        let mut f = encode(0x30, &[1, 2, 3]);
        f.extend_from_slice(&[0, 0, 0]);
        assert_eq!(used_len(&f), 5);
    }

    proptest! {
        #[test]
        fn round_trip(tag in 1u8..0xFF, value in proptest::collection::vec(any::<u8>(), 0..600)) {
            let enc = encode(tag, &value);
            let t = read(&enc).unwrap();
            prop_assert_eq!(t.tag, tag);
            prop_assert_eq!(t.value, &value[..]);
            prop_assert_eq!(t.encoded_len, enc.len());
        }
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = children(&bytes);
        }
    }
}
