//! A cursor over bytes in the style of rustls' `msgs/codec.rs` `Reader`: every read names the
//! field it wanted, so a short answer says what was missing instead of panicking on a slice.

use crate::error::ApduError;

/// Reads fields front to back from a borrowed buffer.
///
/// Invariant: `cursor <= buf.len()`.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    cursor: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, cursor: 0 }
    }

    /// The next `len` bytes, or `MissingData` naming `what`.
    pub fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], ApduError> {
        let rest = self.rest_slice();
        match rest.get(..len) {
            Some(field) => {
                self.cursor += len;
                Ok(field)
            }
            None => Err(ApduError::MissingData {
                what,
                needed: len,
                available: rest.len(),
            }),
        }
    }

    /// One byte.
    pub fn take_u8(&mut self, what: &'static str) -> Result<u8, ApduError> {
        let [b] = self.take_array::<1>(what)?;
        Ok(b)
    }

    /// Two bytes, big-endian (the byte order of every ISO 7816 length and identifier).
    pub fn take_u16(&mut self, what: &'static str) -> Result<u16, ApduError> {
        Ok(u16::from_be_bytes(self.take_array::<2>(what)?))
    }

    /// Exactly `N` bytes as an array.
    pub fn take_array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ApduError> {
        let field = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(field);
        Ok(out)
    }

    /// A reader over the next `len` bytes (a nested structure), advancing past them.
    pub fn sub(&mut self, len: usize, what: &'static str) -> Result<Reader<'a>, ApduError> {
        self.take(len, what).map(Reader::new)
    }

    /// Everything not read yet, consuming it.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.rest_slice();
        self.cursor = self.buf.len();
        rest
    }

    /// The next byte without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.rest_slice().first().copied()
    }

    /// True while bytes are left.
    pub fn any_left(&self) -> bool {
        self.cursor < self.buf.len()
    }

    /// How many bytes are left.
    pub fn left(&self) -> usize {
        self.buf.len() - self.cursor
    }

    /// How many bytes were read.
    pub fn used(&self) -> usize {
        self.cursor
    }

    /// `TrailingData` naming `what` if bytes are left: for structures that must be read whole.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), ApduError> {
        match self.left() {
            0 => Ok(()),
            left => Err(ApduError::TrailingData { what, left }),
        }
    }

    fn rest_slice(&self) -> &'a [u8] {
        self.buf.get(self.cursor..).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_names_what_is_missing() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5]);
        assert_eq!(r.take_u8("tag"), Ok(1));
        assert_eq!(r.take_u16("length"), Ok(0x0203));
        let mut sub = r.sub(1, "value").unwrap();
        assert_eq!(sub.take_array::<1>("inner"), Ok([4]));
        assert!(!sub.any_left());
        assert_eq!(r.left(), 1);
        assert_eq!(
            r.take(2, "signature"),
            Err(ApduError::MissingData {
                what: "signature",
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            r.expect_empty("answer"),
            Err(ApduError::TrailingData {
                what: "answer",
                left: 1
            })
        );
        assert_eq!(r.rest(), &[5]);
        assert!(r.expect_empty("answer").is_ok());
        assert_eq!(r.used(), 5);
    }
}
