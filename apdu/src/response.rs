//! Response APDUs (ISO/IEC 7816-4 §5.1): data, then SW1 SW2.

use crate::error::ApduError;
use crate::status::StatusWord;

/// A response split into data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The bytes before SW1 SW2.
    pub data: Vec<u8>,
    /// SW1 SW2.
    pub sw: StatusWord,
}

/// Prints the status word and the data length only (data may be key material).
impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Response({} data bytes, SW {})",
            self.data.len(),
            self.sw
        )
    }
}

impl Response {
    /// A response with this data and status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        Response {
            data: data.into(),
            sw,
        }
    }

    /// Splits raw response bytes; fewer than two bytes is `ResponseTooShort`.
    pub fn parse(raw: &[u8]) -> Result<Self, ApduError> {
        match raw {
            [data @ .., sw1, sw2] => Ok(Response {
                data: data.to_vec(),
                sw: StatusWord(u16::from_be_bytes([*sw1, *sw2])),
            }),
            _ => Err(ApduError::ResponseTooShort { len: raw.len() }),
        }
    }

    /// True for SW 9000.
    pub fn is_ok(&self) -> bool {
        self.sw.is_ok()
    }

    /// Data then SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len().saturating_add(2));
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn too_short() {
        assert_eq!(
            Response::parse(&[0x90]),
            Err(ApduError::ResponseTooShort { len: 1 })
        );
        let r = Response::parse(&[0x90, 0x00]).unwrap();
        assert!(r.is_ok() && r.data.is_empty());
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
            let r = Response::new(data.clone(), StatusWord(sw));
            let back = Response::parse(&r.to_bytes()).unwrap();
            prop_assert_eq!(back.data, data);
            prop_assert_eq!(back.sw, StatusWord(sw));
        }
    }
}
