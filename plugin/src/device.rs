//! What the bridge needs from a token, in the plugin's terms. One implementation per way of
//! reaching a token (`backend`): the in-process emulator in its SafeTouch, or a reader on
//! PC/SC. Every APDU goes through the team's client crate.

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

/// A certificate on the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// PKCS#15 ID (that of its key pair, for a user certificate).
    pub id: Vec<u8>,
    /// Label.
    pub label: String,
    /// DER.
    pub der: Vec<u8>,
}

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

/// The kind of object a [`DeviceError::NotFound`] names: each has its own plugin error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A key pair (`KEY_NOT_FOUND`).
    KeyPair,
    /// A certificate (`CERTIFICATE_NOT_FOUND`).
    Certificate,
    /// A data object, the plugin's binary file (`BF_NOT_FOUND`).
    DataObject,
}

/// `… not found`: the object in words.
impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Missing::KeyPair => "key pair",
            Missing::Certificate => "certificate",
            Missing::DataObject => "data object",
        })
    }
}

/// What a token operation can fail with, in the terms the page sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// A wrong PIN.
    #[error("wrong PIN, {tries_left} tries left")]
    PinIncorrect {
        /// Tries left.
        tries_left: u8,
    },
    /// The PIN is blocked.
    #[error("the PIN is blocked")]
    PinLocked,
    /// The operation needs the user PIN.
    #[error("not logged in")]
    NotLoggedIn,
    /// Reject on the SafeTouch.
    #[error("rejected on the SafeTouch")]
    Rejected,
    /// Nobody pressed in time.
    #[error("the SafeTouch timed out")]
    TimedOut,
    /// The token was pulled.
    #[error("the token was removed")]
    Removed,
    /// No such object.
    #[error("{0} not found")]
    NotFound(Missing),
    /// The token cannot do this.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Anything else the token or the client reported.
    #[error("{0}")]
    Failed(String),
}

/// A token reachable through the client crate.
pub trait Device: Send {
    /// Powers the token off and on (it was pulled and inserted): no access rights after.
    fn power_cycle(&mut self);
    /// The token serial (`GET DATA 01 81`).
    fn serial(&mut self) -> Result<Vec<u8>, DeviceError>;
    /// Whether the token sits in a SafeTouch (it can show documents).
    fn has_safetouch(&self) -> bool;
    /// The reader's name.
    fn reader(&self) -> String;
    /// VERIFY the user PIN.
    fn login(&mut self, pin: &str) -> Result<(), DeviceError>;
    /// Drops the access rights.
    fn logout(&mut self) -> Result<(), DeviceError>;
    /// The user PIN's tries left.
    fn pin_state(&mut self) -> Result<PinState, DeviceError>;
    /// Key pairs on the token.
    fn keys(&mut self) -> Result<Vec<KeyPair>, DeviceError>;
    /// Certificates on the token.
    fn certificates(&mut self) -> Result<Vec<Certificate>, DeviceError>;
    /// Generates a key pair under `id` (or the ID OpenSC would give it); returns it.
    fn generate_key_pair(
        &mut self,
        algorithm: KeyAlgorithm,
        param_set: ParamSet,
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, DeviceError>;
    /// Renames a key pair (its PrKDF and PuKDF entries).
    fn set_key_label(&mut self, id: &[u8], label: &str) -> Result<(), DeviceError>;
    /// Renames the certificate with this DER (its CDF entry).
    fn set_certificate_label(&mut self, der: &[u8], label: &str) -> Result<(), DeviceError>;
    /// Sets the user PIN to `new`; `old` is the PIN of `by` (the user's own, or the
    /// administrator's setting it).
    fn change_pin(&mut self, by: Pin, old: &str, new: &str) -> Result<(), DeviceError>;
    /// Unblocks the user PIN with the administrator's PIN (tries back to the maximum).
    fn unblock_user_pin(&mut self, admin_pin: &str) -> Result<(), DeviceError>;
    /// Formats the token: with the administrator's PIN, deletes every key pair, certificate and
    /// data object and sets the user PIN to `new_user_pin` (tries back to the maximum).
    fn format(&mut self, admin_pin: &str, new_user_pin: &str) -> Result<(), DeviceError>;
    /// The data objects.
    fn data_files(&mut self) -> Result<Vec<DataFile>, DeviceError>;
    /// Stores a data object.
    fn create_data_file(&mut self, file: &DataFile) -> Result<(), DeviceError>;
    /// Deletes the data object of this application and label.
    fn delete_data_file(&mut self, application: &str, label: &str) -> Result<(), DeviceError>;
    /// Bytes left for files on the token.
    fn free_memory(&mut self) -> Result<u32, DeviceError>;
    /// The user PIN's tries after a reset (the token's maximum).
    fn max_pin_tries(&self) -> u8;
    /// Signs `data` hashed on the token (the SafeTouch sees it); the signature as in X.509
    /// (`s ‖ r`, big-endian).
    fn sign_on_token(&mut self, key_id: &[u8], data: &[u8]) -> Result<Vec<u8>, DeviceError>;
    /// Signs a digest computed by the host; X.509 order.
    fn sign_digest(&mut self, key_id: &[u8], digest: &[u8]) -> Result<Vec<u8>, DeviceError>;
    /// Writes a certificate (DER) with a label under `id`, or the ID of its key pair.
    fn import_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DeviceError>;
    /// Deletes the certificate with this ID.
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DeviceError>;
    /// Deletes the key pair with this ID.
    fn delete_key_pair(&mut self, id: &[u8]) -> Result<(), DeviceError>;
    /// Opens a CMS key transport with key pair `key_id` and decrypts the content with the
    /// key it carries: VKO with the sender's ephemeral key, the CryptoPro unwrap and GOST
    /// 28147-89 CFB, all on the token (`crate::envelope`). A token without GOST 28147-89
    /// answers `Unsupported`.
    fn open_key_transport(
        &mut self,
        key_id: &[u8],
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DeviceError> {
        let _ = (key_id, transport, content, ciphertext);
        Err(DeviceError::Unsupported(
            "GOST 28147-89 is not on this token".into(),
        ))
    }
}
