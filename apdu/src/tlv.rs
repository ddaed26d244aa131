//! BER-TLV as ISO/IEC 7816-4 §5.2 uses it (FCPs, PKCS#15 directory files, Rutoken key
//! objects): tags of 1 to 3 bytes, definite lengths of 1 to 3 bytes (`xx`, `81 xx`,
//! `82 xx xx`). `00` and `FF` where a tag should start are padding (§5.2.2.1): iteration ends
//! there, as a directory file's used part ends at its first padding byte.

use crate::codec::Reader;
use crate::error::ApduError;

/// One data object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, its bytes read big-endian (`0x62`, `0x7F49`).
    pub tag: u32,
    /// The value.
    pub value: &'a [u8],
    /// Tag + length + value bytes.
    pub encoded_len: usize,
}

/// Reads one TLV from `reader`; `what` names it in errors.
pub fn read<'a>(reader: &mut Reader<'a>, what: &'static str) -> Result<Tlv<'a>, ApduError> {
    let start = reader.used();
    let first = reader.take_u8(what)?;
    let mut tag = u32::from(first);
    // A low-tag-number field of 1F means more tag bytes follow, each with bit 8 set but the last.
    if first & 0x1F == 0x1F {
        let mut count = 1;
        loop {
            let b = reader.take_u8(what)?;
            count += 1;
            if count > 3 {
                return Err(ApduError::TagTooLong { what });
            }
            tag = tag << 8 | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let len = match reader.take_u8(what)? {
        n @ 0x00..=0x7F => usize::from(n),
        0x81 => usize::from(reader.take_u8(what)?),
        0x82 => usize::from(reader.take_u16(what)?),
        first => return Err(ApduError::UnsupportedLength { what, first }),
    };
    let value = reader.take(len, what)?;
    Ok(Tlv {
        tag,
        value,
        encoded_len: reader.used() - start,
    })
}

/// The TLV at the start of `bytes` (bytes after it are ignored).
pub fn parse_first(bytes: &[u8]) -> Result<Tlv<'_>, ApduError> {
    read(&mut Reader::new(bytes), "TLV")
}

/// Exactly one TLV filling `bytes`.
pub fn parse_one<'a>(bytes: &'a [u8], what: &'static str) -> Result<Tlv<'a>, ApduError> {
    let mut r = Reader::new(bytes);
    let tlv = read(&mut r, what)?;
    r.expect_empty(what)?;
    Ok(tlv)
}

/// The TLVs following each other in `bytes`, up to the end or the first padding byte; a
/// malformed one is yielded as an error and ends the iteration.
pub fn iter(bytes: &[u8]) -> Iter<'_> {
    Iter {
        reader: Reader::new(bytes),
        done: false,
    }
}

/// See [`iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    reader: Reader<'a>,
    done: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Result<Tlv<'a>, ApduError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.peek() {
            None | Some(0x00 | 0xFF) => {
                self.done = true;
                None
            }
            Some(_) => {
                let item = read(&mut self.reader, "TLV");
                self.done = item.is_err();
                Some(item)
            }
        }
    }
}

/// All TLVs of `bytes` (see [`iter`]), or the first error.
pub fn children(bytes: &[u8]) -> Result<Vec<Tlv<'_>>, ApduError> {
    iter(bytes).collect()
}

/// The value of the first child with this tag.
pub fn find(bytes: &[u8], tag: u32) -> Result<Option<&[u8]>, ApduError> {
    for t in iter(bytes) {
        let t = t?;
        if t.tag == tag {
            return Ok(Some(t.value));
        }
    }
    Ok(None)
}

/// The end of the used part of a directory file: the offset of the first padding byte at the
/// top level (or the end).
pub fn used_len(bytes: &[u8]) -> Result<usize, ApduError> {
    iter(bytes).try_fold(0usize, |sum, t| Ok(sum + t?.encoded_len))
}

/// Appends the tag bytes (big-endian, no leading zero bytes; tag 0 is one `00`).
pub fn write_tag(out: &mut Vec<u8>, tag: u32) -> Result<(), ApduError> {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    let tag_bytes = bytes.get(skip..).unwrap_or_default();
    if tag_bytes.len() > 3 {
        return Err(ApduError::BadTag { tag });
    }
    out.extend_from_slice(tag_bytes);
    Ok(())
}

/// Appends a definite length in the shortest form: `xx`, `81 xx` or `82 xx xx`.
pub fn write_length(out: &mut Vec<u8>, len: usize) -> Result<(), ApduError> {
    match (u8::try_from(len), u16::try_from(len)) {
        (Ok(n), _) if n < 0x80 => out.push(n),
        (Ok(n), _) => out.extend_from_slice(&[0x81, n]),
        (Err(_), Ok(n)) => {
            out.push(0x82);
            out.extend_from_slice(&n.to_be_bytes());
        }
        (Err(_), Err(_)) => return Err(ApduError::ValueTooLong { len }),
    }
    Ok(())
}

/// Appends one TLV.
pub fn write(out: &mut Vec<u8>, tag: u32, value: &[u8]) -> Result<(), ApduError> {
    write_tag(out, tag)?;
    write_length(out, value.len())?;
    out.extend_from_slice(value);
    Ok(())
}

/// One TLV as bytes.
pub fn encode(tag: u32, value: &[u8]) -> Result<Vec<u8>, ApduError> {
    let mut out = Vec::with_capacity(value.len().saturating_add(5));
    write(&mut out, tag, value)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_an_fcp() {
        let fcp = [0x62, 0x08, 0x80, 0x02, 0x00, 0x80, 0x83, 0x02, 0x2F, 0x00];
        let t = parse_one(&fcp, "FCP").unwrap();
        assert_eq!(t.tag, 0x62);
        assert_eq!(find(t.value, 0x80), Ok(Some(&[0x00, 0x80][..])));
        assert_eq!(find(t.value, 0x83), Ok(Some(&[0x2F, 0x00][..])));
        assert_eq!(find(t.value, 0x84), Ok(None));
    }

    #[test]
    fn multi_byte_tags() {
        let enc = encode(0x7F49, &[1, 2]).unwrap();
        assert_eq!(enc, vec![0x7F, 0x49, 0x02, 1, 2]);
        assert_eq!(parse_first(&enc).unwrap().tag, 0x7F49);
        assert_eq!(parse_first(&[0x5F, 0x20, 0x00]).unwrap().tag, 0x5F20);
        assert_eq!(
            parse_first(&[0x5F, 0x81, 0x82, 0x03, 0x00]),
            Err(ApduError::TagTooLong { what: "TLV" })
        );
        assert_eq!(
            encode(0x0100_0000, &[]),
            Err(ApduError::BadTag { tag: 0x0100_0000 })
        );
    }

    #[test]
    fn lengths_use_the_shortest_form_and_never_truncate() {
        assert_eq!(
            encode(0x85, &[0; 0x7F]).unwrap().get(..2),
            Some(&[0x85, 0x7F][..])
        );
        assert_eq!(
            encode(0x85, &[0; 0x80]).unwrap().get(..3),
            Some(&[0x85, 0x81, 0x80][..])
        );
        // The FCP bug of issue #9: a 226-byte tag 85 needs `81 E2`, not `E2`.
        assert_eq!(
            encode(0x85, &[0; 226]).unwrap().get(..3),
            Some(&[0x85, 0x81, 0xE2][..])
        );
        assert_eq!(
            encode(0x85, &[0; 257]).unwrap().get(..4),
            Some(&[0x85, 0x82, 0x01, 0x01][..])
        );
        assert_eq!(
            encode(0x85, &vec![0; 65_536]),
            Err(ApduError::ValueTooLong { len: 65_536 })
        );
    }

    #[test]
    fn stops_at_padding_and_reports_malformed() {
        let mut f = encode(0x30, &[1, 2, 3]).unwrap();
        f.extend_from_slice(&[0, 0, 0]);
        assert_eq!(used_len(&f), Ok(5));
        assert_eq!(
            children(&[0x30, 0x05, 1]).unwrap_err(),
            ApduError::MissingData {
                what: "TLV",
                needed: 5,
                available: 1
            }
        );
        assert_eq!(
            parse_first(&[0x30, 0x83, 0, 0, 1]),
            Err(ApduError::UnsupportedLength {
                what: "TLV",
                first: 0x83
            })
        );
    }

    proptest! {
        #[test]
        fn round_trip(tag in prop_oneof![1u32..0x1F, 0x5F20u32..0x5F30, Just(0x7F49u32)],
                      value in proptest::collection::vec(any::<u8>(), 0..600)) {
            let enc = encode(tag, &value).unwrap();
            let t = parse_one(&enc, "TLV").unwrap();
            prop_assert_eq!(t.tag, tag);
            prop_assert_eq!(t.value, &value[..]);
            prop_assert_eq!(t.encoded_len, enc.len());
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = children(&bytes);
            let _ = used_len(&bytes);
        }
    }
}
