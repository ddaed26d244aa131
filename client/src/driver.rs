//! What a bank client does with a token, as one trait: attach, serial, PINs, key pairs,
//! on-token and host-digest signing, certificates, objects, power events, presses and screens.
//! Front-ends (the conformance runner, later the PKCS#11 module and the plugin bridge) are
//! written once against [`Driver`]; each way of reaching a token is one implementation:
//!
//! - [`apdu::ApduDriver`]: the [`Client`](crate::Client) over a [`Transport`](crate::Transport)
//!   that is also a [`Reader`] (presses, screens, power);
//! - a PKCS#11 module (the conformance crate's `pkcs11` feature), which answers
//!   [`DriverError::CannotExpress`] for what PKCS#11 has no call for (a raw APDU, a warm reset).
//!
//! Signatures cross the seam as [`gost::Signature`], so no front-end reorders `r` and `s`.

pub mod apdu;
pub mod error;
pub mod reader;

use rutoken_apdu::Response;

pub use crate::objects::Installed;
pub use crate::pin::{PinRole, PinStatus};
pub use apdu::ApduDriver;
pub use error::{Code, DriverError};
pub use reader::{PowerEvent, Press, Reader};

/// The token's serial number as the implementation can tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serial {
    /// The 8 bytes of a Rutoken's serial, when the implementation can read or derive them.
    pub bytes: Option<Vec<u8>>,
    /// The serial as the implementation shows it (hex over APDUs, `serialNumber` of
    /// `C_GetTokenInfo` through PKCS#11), for reports.
    pub shown: String,
}

/// A key pair on the token, as far as the implementation knows it: the APDU driver finds a key
/// by its reference, a PKCS#11 module by its `CKA_ID`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenKey {
    /// `kk` of `…/6002/00kk`.
    pub reference: Option<u8>,
    /// The PKCS#15 ID (PKCS#11 `CKA_ID`) shared with its certificate.
    pub id: Option<Vec<u8>>,
    /// The label.
    pub label: Option<String>,
    /// The key algorithm, when known.
    pub algorithm: Option<gost::KeyAlgorithm>,
    /// The parameter set, when known.
    pub param_set: Option<gost::ParamSet>,
    /// `LE(x) ‖ LE(y)`, when known.
    pub public_key: Option<Vec<u8>>,
}

/// What a new key pair is to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec<'a> {
    /// The GOST algorithm (2001, 2012-256, 2012-512).
    pub algorithm: gost::KeyAlgorithm,
    /// Its parameter set.
    pub param_set: gost::ParamSet,
    /// The label of the pair.
    pub label: &'a str,
}

/// A certificate on the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCertificate {
    /// Its ID (the ID of its key pair).
    pub id: Vec<u8>,
    /// Its label.
    pub label: String,
    /// The DER (trailing padding of the file trimmed).
    pub der: Vec<u8>,
}

/// The token's objects: key pairs and certificates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenObjects {
    /// Key pairs (over APDUs: private-key RSFs; through PKCS#11: public key objects).
    pub keys: Vec<TokenKey>,
    /// Certificates, in the token's order.
    pub certificates: Vec<TokenCertificate>,
}

/// A PIN's retry counter, as precisely as the implementation can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCounter {
    /// The exact state (`VERIFY` without data).
    Exact(PinStatus),
    /// PKCS#11's token flags only: `CKF_*_PIN_COUNT_LOW`, `FINAL_TRY`, `LOCKED`.
    Flags {
        /// Fewer tries left than the maximum.
        count_low: bool,
        /// One try left.
        final_try: bool,
        /// Blocked.
        locked: bool,
    },
}

/// The SafeTouch press that answers the next signing command, and the screen the caller
/// expects it to show (a person at a real token is shown it; the emulator ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PressPlan {
    /// The button.
    pub press: Press,
    /// The expected screen texts and rows.
    pub expected_screen: Vec<String>,
}

/// Cuts a certificate installation short: after `after_pieces` written pieces, `by` happens
/// (a power event between two UPDATE BINARY commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt {
    /// Pieces written before the event.
    pub after_pieces: usize,
    /// The event (a pull or a power cycle).
    pub by: PowerEvent,
}

/// What a bank client does with a token. Every method answers [`DriverError`]; an
/// implementation without a call for an operation answers [`DriverError::CannotExpress`]
/// naming it, which a runner reports as a skip.
pub trait Driver {
    /// Powers the token if needed and answers its ATR.
    fn atr(&mut self) -> Result<Vec<u8>, DriverError>;
    /// Attaches as the plugin does (`reissue-flow.md` step 1: the application selected).
    fn attach(&mut self) -> Result<(), DriverError>;
    /// Whether the token holds the PKCS#15 application (a personalised token; a factory one
    /// has none).
    fn has_application(&mut self) -> Result<bool, DriverError>;
    /// The token's serial number.
    fn serial(&mut self) -> Result<Serial, DriverError>;
    /// Key pairs and certificates.
    fn objects(&mut self) -> Result<TokenObjects, DriverError>;
    /// Presents a PIN: a wrong one is [`DriverError::PinIncorrect`], a blocked one
    /// [`DriverError::PinBlocked`].
    fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError>;
    /// The PIN's retry counter, without spending a try.
    fn pin_counter(&mut self, role: PinRole) -> Result<PinCounter, DriverError>;
    /// Whether the PIN is verified now.
    fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError>;
    /// Changes a PIN (the old one presented first).
    fn change_pin(&mut self, role: PinRole, old: &str, new: &str) -> Result<(), DriverError>;
    /// Unblocks the user PIN with the admin PIN. `user_pin`: the PIN it keeps (a PKCS#11
    /// module can only set one, `C_InitPIN`; RESET RETRY COUNTER keeps the old one).
    fn unblock_user_pin(
        &mut self,
        admin_pin: &str,
        user_pin: Option<&str>,
    ) -> Result<(), DriverError>;
    /// Resets the access rights.
    fn logout(&mut self) -> Result<(), DriverError>;
    /// Generates a key pair on the token.
    fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError>;
    /// Whether the key pair is on the token.
    fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError>;
    /// Deletes a key pair.
    fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError>;
    /// Signs `data` hashed on the token (the SafeTouch shows the document); `press` answers
    /// the signing command.
    fn sign_document(
        &mut self,
        key: &TokenKey,
        data: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError>;
    /// Signs a digest the host computed (the SafeTouch shows it).
    fn sign_digest(
        &mut self,
        key: &TokenKey,
        digest: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError>;
    /// Writes a certificate for `key`; `interrupt` cuts the write short.
    fn install_certificate(
        &mut self,
        key: &TokenKey,
        der: &[u8],
        label: &str,
        interrupt: Option<Interrupt>,
    ) -> Result<Installed, DriverError>;
    /// The DER of the certificate with this ID.
    fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, DriverError>;
    /// Deletes the certificates with this ID.
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError>;
    /// Sends a raw command APDU; `secret` marks its data as a secret for transcripts.
    fn transmit(
        &mut self,
        command: &[u8],
        secret: bool,
        press: Option<&PressPlan>,
    ) -> Result<Response, DriverError>;
    /// The SafeTouch screens shown since the last call, as text (`None`: nobody can read
    /// them).
    fn take_screens(&mut self) -> Option<Vec<String>>;
    /// A power or presence event.
    fn power(&mut self, event: PowerEvent) -> Result<(), DriverError>;
}
