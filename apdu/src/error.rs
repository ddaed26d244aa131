//! The crate's one error type.

/// What was wrong with an APDU, a TLV or a field read from one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// Fewer than the 4 header bytes CLA INS P1 P2.
    #[error("command APDU of {len} bytes: the header alone needs 4")]
    CommandTooShort {
        /// The bytes received.
        len: usize,
    },
    /// The body after the header is none of the forms of ISO 7816-4 §5.1 (cases 2-4, short or
    /// extended): Lc says one length, the bytes another.
    #[error("command APDU body of {body} bytes matches no case of ISO 7816-4 §5.1")]
    BadCommandLength {
        /// Bytes after the header.
        body: usize,
    },
    /// Data too long for even an extended Lc (65 535 bytes).
    #[error("command data of {len} bytes: an extended APDU carries at most 65535")]
    DataTooLong {
        /// The data length.
        len: usize,
    },
    /// Le outside 1..=65 536 (Ne of ISO 7816-4 §5.1; 0 means "no Le", so it is not a value).
    #[error("Le {le}: the expected length is 1 to 65536 bytes")]
    BadLe {
        /// The requested Le.
        le: usize,
    },
    /// A response shorter than its status word.
    #[error("response of {len} bytes: the status word alone needs 2")]
    ResponseTooShort {
        /// The bytes received.
        len: usize,
    },
    /// A field ended before it should have.
    #[error("{what}: {needed} bytes needed, {available} left")]
    MissingData {
        /// The field being read.
        what: &'static str,
        /// Bytes it needed.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// Bytes left after the last field of a structure.
    #[error("{what}: {left} unexpected bytes after its end")]
    TrailingData {
        /// The structure.
        what: &'static str,
        /// How many bytes were left over.
        left: usize,
    },
    /// A BER-TLV length form this codec does not read (indefinite `80`, or more than 2
    /// length bytes: `83`…`FF`).
    #[error("{what}: BER-TLV length byte {first:02X} is not a definite length of 1 to 3 bytes")]
    UnsupportedLength {
        /// The TLV being read.
        what: &'static str,
        /// The first length byte.
        first: u8,
    },
    /// A BER-TLV tag longer than 3 bytes.
    #[error("{what}: BER-TLV tag longer than 3 bytes")]
    TagTooLong {
        /// The TLV being read.
        what: &'static str,
    },
    /// A value too long for a 3-byte BER-TLV length (`82 xx xx`, at most 65 535).
    #[error("BER-TLV value of {len} bytes: a 3-byte length holds at most 65535")]
    ValueTooLong {
        /// The value length.
        len: usize,
    },
    /// A tag number that is no valid BER-TLV tag encoding.
    #[error("{tag:X} is not a BER-TLV tag encoding")]
    BadTag {
        /// The tag given.
        tag: u32,
    },
}
