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
//! Past the bank client's flow, the seam also carries what the PKCS#11 module and the plugin
//! bridge do with a token (labels, PIN policy, formatting, data objects, renaming, GOST
//! 28147-89): those methods answer [`DriverError::CannotExpress`] by default, so an
//! implementation without them (the conformance's PKCS#11 one) needs no code for them.

pub mod admin;
pub mod apdu;
mod envelope;
pub mod error;
pub mod reader;

use gost::gost28147::KeyWrap;
use gost::{CipherParams, Vko};
/// The seam's answer types, for implementations outside this crate: a raw exchange's
/// [`Response`], a token's [`StatusWord`] in a [`Code`].
pub use rutoken_apdu::{Response, StatusWord};
use zeroize::Zeroizing;

pub use crate::data::DataObject;
pub use crate::objects::Installed;
pub use crate::pin::{PinRole, PinStatus};
pub use crate::symmetric::{CipherMode, SecretKey};
pub use admin::{Format, cannot};
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
    /// The label (the private half's, its PrKDF entry).
    pub label: Option<String>,
    /// The public half's label (its PuKDF entry), when the implementation tells it apart:
    /// PKCS#11 programs (Aktiv's samples) label the halves differently.
    pub public_label: Option<String>,
    /// The key algorithm, when known.
    pub algorithm: Option<gost::KeyAlgorithm>,
    /// The parameter set, when known.
    pub param_set: Option<gost::ParamSet>,
    /// `LE(x) ‖ LE(y)`, when known.
    pub public_key: Option<Vec<u8>>,
}

/// The labels of a key pair's two halves: the private key's and the public key's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairLabels<'a> {
    /// The private half's (PrKDF entry).
    pub private: &'a str,
    /// The public half's (PuKDF entry).
    pub public: &'a str,
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
    /// Marked for key agreement too (PKCS#15 usage `derive`, PKCS#11 `CKA_DERIVE`, the Rutoken
    /// Plugin's `KEY_SPEC_SIGN_AND_EXCHANGE`); false: a signing key.
    pub exchange: bool,
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

impl PinCounter {
    /// Tries left before the PIN blocks, when the counter tells them (not while the PIN is
    /// verified: the token answers 9000 then; not through PKCS#11's flags).
    pub fn tries_left(self) -> Option<u8> {
        match self {
            PinCounter::Exact(PinStatus::TriesLeft(n)) => Some(n),
            PinCounter::Exact(PinStatus::Blocked) => Some(0),
            PinCounter::Exact(PinStatus::Verified) | PinCounter::Flags { .. } => None,
        }
    }

    /// Whether the PIN is blocked.
    pub fn blocked(self) -> bool {
        match self {
            PinCounter::Exact(status) => {
                matches!(status, PinStatus::Blocked | PinStatus::TriesLeft(0))
            }
            PinCounter::Flags { locked, .. } => locked,
        }
    }
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
    ) -> Result<(), DriverError> {
        let _ = (admin_pin, user_pin);
        Err(cannot("unblock the user PIN in one call"))
    }
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
    ) -> Result<Installed, DriverError> {
        let _ = (key, der, label, interrupt);
        Err(cannot("write a certificate for a key"))
    }
    /// The DER of the certificate with this ID.
    fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, DriverError> {
        let _ = id;
        Err(cannot("read a certificate by its ID"))
    }
    /// Deletes the certificates with this ID.
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError>;
    /// Sends a raw command APDU; `secret` marks its data as a secret for transcripts.
    fn transmit(
        &mut self,
        command: &[u8],
        secret: bool,
        press: Option<&PressPlan>,
    ) -> Result<Response, DriverError> {
        let _ = (command, secret, press);
        Err(cannot("send a raw APDU"))
    }
    /// The SafeTouch screens shown since the last call, as text (`None`: nobody can read
    /// them).
    fn take_screens(&mut self) -> Option<Vec<String>> {
        None
    }
    /// A power or presence event.
    fn power(&mut self, event: PowerEvent) -> Result<(), DriverError> {
        Err(cannot(event.action()))
    }
    /// The most tries a PIN has (what its counter is reset to), when the token tells it.
    fn max_tries(&mut self, role: PinRole) -> Result<Option<u8>, DriverError> {
        let _ = role;
        Ok(None)
    }
    /// The shortest PIN the token takes for `role`, when it tells.
    fn min_pin_len(&mut self, role: PinRole) -> Result<Option<u8>, DriverError> {
        let _ = role;
        Ok(None)
    }
    /// RESET RETRY COUNTER: the PIN's tries back to the maximum, its value kept (the
    /// administrator verified).
    fn reset_retry_counter(&mut self, role: PinRole) -> Result<(), DriverError> {
        let _ = role;
        Err(cannot("reset a PIN's retry counter"))
    }
    /// Sets a PIN's value without the old one (the administrator verified).
    fn set_pin(&mut self, role: PinRole, new: &str) -> Result<(), DriverError> {
        let _ = (role, new);
        Err(cannot("set a PIN"))
    }
    /// The token's label (the PKCS#15 TokenInfo's), when it has one.
    fn token_label(&mut self) -> Result<Option<String>, DriverError> {
        Ok(None)
    }
    /// Writes the token's label (the user verified).
    fn set_token_label(&mut self, label: &str) -> Result<(), DriverError> {
        let _ = label;
        Err(cannot("write the token's label"))
    }
    /// Formats the token (see [`Format`]).
    fn format(&mut self, format: &Format<'_>) -> Result<(), DriverError> {
        let _ = format;
        Err(cannot("format the token"))
    }
    /// The algorithm and parameter set of a listed key, when they can be told.
    fn key_spec(
        &mut self,
        key: &TokenKey,
    ) -> Result<Option<(gost::KeyAlgorithm, gost::ParamSet)>, DriverError> {
        Ok(key.algorithm.zip(key.param_set))
    }
    /// Gives a key pair (its directory entries) a new label and ID.
    fn rename_key(&mut self, key: &TokenKey, label: &str, id: &[u8]) -> Result<(), DriverError> {
        let _ = (key, label, id);
        Err(cannot("rename a key pair"))
    }
    /// True when key pair `key` is marked for key agreement too ([`KeySpec::exchange`]).
    fn key_exchange(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        let _ = key;
        Err(cannot("tell a key's usage"))
    }
    /// Gives a key pair a new ID and each half its own label; where both labels are the same,
    /// [`Driver::rename_key`].
    fn rename_key_halves(
        &mut self,
        key: &TokenKey,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), DriverError> {
        if labels.private == labels.public {
            self.rename_key(key, labels.private, id)
        } else {
            Err(cannot("label the halves of a key pair apart"))
        }
    }
    /// Gives the certificate listed with this ID and label a new label and ID.
    fn rename_certificate(
        &mut self,
        certificate: &TokenCertificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DriverError> {
        let _ = (certificate, label, id);
        Err(cannot("rename a certificate"))
    }
    /// Writes a certificate under `id` (or the ID of its key pair when `None`); answers the
    /// ID it was filed under.
    fn install_certificate_as(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DriverError> {
        let _ = (der, label, id);
        Err(cannot("write a certificate under a chosen ID"))
    }
    /// The data objects (a private one's value only while the user is verified).
    fn data_objects(&mut self) -> Result<Vec<DataObject>, DriverError> {
        Err(cannot("list data objects"))
    }
    /// Stores a data object (`object.path` is ignored); answers it as stored.
    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DriverError> {
        let _ = object;
        Err(cannot("store a data object"))
    }
    /// Gives a data object a new label.
    fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), DriverError> {
        let _ = (object, label);
        Err(cannot("rename a data object"))
    }
    /// Deletes the data object whose EF has this path.
    fn delete_data_object(&mut self, path: &[u8]) -> Result<(), DriverError> {
        let _ = path;
        Err(cannot("delete a data object"))
    }
    /// Bytes left for files on the token.
    fn free_memory(&mut self) -> Result<u32, DriverError> {
        Err(cannot("tell the free memory"))
    }
    /// Whether the token does GOST 28147-89 and VKO (the methods below).
    fn has_symmetric(&self) -> bool {
        false
    }
    /// Generates a GOST 28147-89 key on the token.
    fn generate_secret_key(&mut self, params: CipherParams) -> Result<SecretKey, DriverError> {
        let _ = params;
        Err(cannot("generate a GOST 28147-89 key"))
    }
    /// Imports a GOST 28147-89 key's value.
    fn import_secret_key(
        &mut self,
        params: CipherParams,
        value: &[u8; 32],
    ) -> Result<SecretKey, DriverError> {
        let _ = (params, value);
        Err(cannot("import a GOST 28147-89 key"))
    }
    /// Deletes a GOST 28147-89 key.
    fn delete_secret_key(&mut self, key: SecretKey) -> Result<(), DriverError> {
        let _ = key;
        Err(cannot("delete a GOST 28147-89 key"))
    }
    /// Enciphers or deciphers `data`.
    fn cipher(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        decrypt: bool,
        data: &[u8],
    ) -> Result<Vec<u8>, DriverError> {
        let _ = (key, mode, decrypt, data);
        Err(cannot("encipher with GOST 28147-89"))
    }
    /// The GOST 28147-89 MAC of `data`.
    fn mac(
        &mut self,
        key: SecretKey,
        iv: Option<[u8; 8]>,
        data: &[u8],
    ) -> Result<[u8; 4], DriverError> {
        let _ = (key, iv, data);
        Err(cannot("compute a GOST 28147-89 MAC"))
    }
    /// Wraps `key` under `kek`.
    fn wrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
        key: SecretKey,
    ) -> Result<Vec<u8>, DriverError> {
        let _ = (kek, kind, ukm, key);
        Err(cannot("wrap a key"))
    }
    /// Unwraps a key under `kek` onto the token.
    fn unwrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        wrapped: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DriverError> {
        let _ = (kek, kind, wrapped, params);
        Err(cannot("unwrap a key"))
    }
    /// VKO of the private key `reference` with a peer's public key, into a GOST 28147-89 key.
    fn derive_vko(
        &mut self,
        reference: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DriverError> {
        let _ = (reference, vko, peer, ukm, params);
        Err(cannot("derive a key by VKO"))
    }
    /// VKO of key pair `key` with a peer's public key (`LE(x) ‖ LE(y)`), the 32-byte GOST
    /// 28147-89 key returned to the caller (a non-sensitive, extractable session key: the
    /// Rutoken Plugin's `derive`). A key derived into a token object by
    /// [`Driver::derive_vko`] never comes back this way.
    fn derive_vko_value(
        &mut self,
        key: &TokenKey,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, DriverError> {
        let _ = (key, vko, peer, ukm);
        Err(cannot("derive a key by VKO for the host"))
    }
    /// Opens a CMS key transport with key pair `key` and decrypts the content with the key it
    /// carries; by default on the token (VKO, the CryptoPro unwrap, GOST 28147-89 CFB), so a
    /// token without GOST 28147-89 answers [`DriverError::CannotExpress`].
    fn open_key_transport(
        &mut self,
        key: &TokenKey,
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DriverError> {
        if !self.has_symmetric() {
            return Err(cannot("open a key transport: GOST 28147-89 is not on it"));
        }
        let kk = key.reference.ok_or_else(|| DriverError::NotFound {
            what: "the key's reference (kk)".to_owned(),
        })?;
        envelope::open_on_token(self, kk, transport, content, ciphertext)
    }
}
