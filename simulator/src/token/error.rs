//! The token's error type (the one `thiserror` type of the token module).

use std::path::PathBuf;

/// What opening, creating or saving a token can fail with. Card-level failures are status
/// words, not this.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Reading or writing the image file failed.
    #[error("token image {path}: {source}")]
    Io {
        /// The image file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The image file exists and overwriting was not asked for.
    #[error("token image {0} exists already (use --force to replace it)")]
    Exists(PathBuf),
    /// The file is not a token image, or its checksum or body is wrong; it is left untouched.
    #[error("token image {path} is corrupt: {reason}")]
    Corrupt {
        /// The image file (or `<snapshot>`).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file is shorter than its header says; it is left untouched.
    #[error("token image {path} is truncated: {actual} bytes, the header announces {expected}")]
    Truncated {
        /// The image file.
        path: PathBuf,
        /// Bytes announced.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// The image was written by a newer rutoken-lab; it is left untouched.
    #[error("token image {path} has format version {found}; this build reads up to {supported}")]
    NewerVersion {
        /// The image file.
        path: PathBuf,
        /// Version found.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// The state could not be serialised into an image body; nothing was written.
    #[error("encoding the token image: {0}")]
    Encode(#[source] serde_json::Error),
    /// The image body would not fit the header's 32-bit length; nothing was written.
    #[error("the token image body would be {len} bytes, more than an image can hold (4 GiB)")]
    ImageTooLarge {
        /// The body length.
        len: usize,
    },
    /// A fixture file's BER-TLV could not be encoded (a value too long for its length field).
    #[error("encoding a fixture file: {0}")]
    Encoding(#[source] rutoken_apdu::ApduError),
    /// Building a fixture failed (key material or certificate).
    #[error("building the {fixture} fixture: {reason}")]
    Fixture {
        /// Which fixture.
        fixture: &'static str,
        /// Why.
        reason: String,
    },
}
