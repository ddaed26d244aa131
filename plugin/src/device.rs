//! What the bridge needs from a token, in the plugin's terms. Every token is reached through
//! the client crate's one seam, [`rutoken_client::Driver`]: [`Device`] holds a driver (the
//! client's APDUs to the in-process emulator in its SafeTouch or to a reader on PC/SC, or a
//! test double) and `backend` maps its calls and errors to the plugin's.

use gost::{KeyAlgorithm, ParamSet};

/// A key pair on the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// PKCS#15 ID (the plugin's key id is its hex).
    pub id: Vec<u8>,
    /// Label.
    pub label: String,
    /// Algorithm.
    pub algorithm: KeyAlgorithm,
    /// Parameter set.
    pub param_set: ParamSet,
    /// The public key's SubjectPublicKeyInfo, DER.
    pub spki_der: Vec<u8>,
}

/// A certificate on the token (a CDF entry): its ID (that of its key pair), label and DER, as
/// the client's driver seam lists it.
pub use rutoken_client::driver::TokenCertificate as Certificate;

/// The user PIN's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    /// Tries left before the PIN blocks; unknown while the PIN is verified (the token answers
    /// 9000 to the status query then).
    pub retries_left: Option<u8>,
    /// Blocked.
    pub locked: bool,
}

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// The user's.
    User,
    /// The administrator's (Security Officer).
    Admin,
}

/// A PKCS#15 data object (the plugin's binary files and licences are kept as these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Which program's object (the DODF applicationName): tells binary files from licences.
    pub application: String,
    /// Its label: the file's name, or the licence's number.
    pub label: String,
    /// Readable only after the user PIN.
    pub private: bool,
    /// The value (`None`: private, and the user PIN is not verified).
    pub value: Option<Vec<u8>>,
}

/// A token behind a driver of the client crate's seam, with what the plugin shows of its
/// reader.
pub struct Device {
    pub(crate) driver: Box<dyn rutoken_client::Driver + Send>,
    pub(crate) reader: String,
    pub(crate) safetouch: bool,
    pub(crate) max_tries: u8,
}
