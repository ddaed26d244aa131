//! The narrow boundary between the PKCS#11 logic and a token: what the module asks of a card,
//! in domain terms. The real implementation drives a Rutoken through the team's client crate
//! (`rutoken-client`, `backend.rs`); unit tests use an in-memory one.

use gost::{KeyAlgorithm, ParamSet};

/// The two PKCS#11 users a token knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `CKU_USER`: the user PIN.
    User,
    /// `CKU_SO`: the administrator PIN.
    SecurityOfficer,
}

/// A GOST key's algorithm and parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// 2001, 2012-256 or 2012-512.
    pub algorithm: KeyAlgorithm,
    /// The curve.
    pub param: ParamSet,
}

/// A key pair the token holds (a PrKDF entry and its PuKDF twin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// PKCS#15 iD (`CKA_ID`).
    pub id: Vec<u8>,
    /// Label (`CKA_LABEL` of the private key; its PrKDF entry).
    pub label: String,
    /// `CKA_LABEL` of the public key (its PuKDF entry): the vendor's samples give the halves
    /// different labels.
    pub public_label: String,
    /// The token's key reference (which RSF).
    pub reference: u8,
    /// Algorithm and curve.
    pub spec: KeySpec,
    /// The public key, `LE(x) ‖ LE(y)` (`CKA_VALUE` of the public key object).
    pub public: Vec<u8>,
    /// The vendor's key attributes (`crate::vendor_key`); the module fills them in from the
    /// data object that keeps them, a device lists them false.
    pub vendor: crate::vendor_key::VendorKeyFlags,
    /// That data object, when there is one.
    pub vendor_object: Option<DataObject>,
}

/// The labels of a key pair's halves: the PrKDF entry's and the PuKDF entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairLabels<'a> {
    /// `CKA_LABEL` of the private key.
    pub private: &'a str,
    /// `CKA_LABEL` of the public key.
    pub public: &'a str,
}

/// A certificate the token holds (a CDF entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// PKCS#15 iD (`CKA_ID`): that of its key pair.
    pub id: Vec<u8>,
    /// Label.
    pub label: String,
    /// The certificate's DER.
    pub der: Vec<u8>,
}

/// A data object the token holds (a DODF entry and its EF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataObject {
    /// Label (`CKA_LABEL`).
    pub label: String,
    /// `CKA_APPLICATION`.
    pub application: String,
    /// `CKA_OBJECT_ID`: the DER of an OID, or empty.
    pub oid: Vec<u8>,
    /// `CKA_PRIVATE`: reading it needs the user's login.
    pub private: bool,
    /// Where its value lives (the token's identity of the object; empty before it is stored).
    pub path: Vec<u8>,
    /// `CKA_VALUE`.
    pub value: Vec<u8>,
}

/// Everything the token lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Key pairs.
    pub keys: Vec<KeyPair>,
    /// Certificates.
    pub certificates: Vec<Certificate>,
    /// Data objects (private ones only while the user is logged in).
    pub data: Vec<DataObject>,
}

/// What `C_EX_InitToken` asks of a token.
#[derive(Clone, Copy)]
pub struct Format<'a> {
    /// The administrator's current PIN.
    pub admin: &'a [u8],
    /// A new administrator PIN.
    pub new_admin: Option<&'a [u8]>,
    /// The new user PIN.
    pub user: &'a [u8],
    /// A new label.
    pub label: Option<&'a str>,
}

/// A PIN's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    /// Tries left before it blocks (None: the token does not say).
    pub tries_left: Option<u8>,
    /// Whether it is blocked.
    pub blocked: bool,
}

/// What went wrong on the token's side. Each maps to one `CKR_` (`error.rs`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// A wrong PIN (`63 Cx`).
    #[error("wrong PIN, {tries_left} tries left")]
    PinIncorrect {
        /// Tries left.
        tries_left: u8,
    },
    /// The PIN is blocked (`69 83`, `63 C0`).
    #[error("the PIN is blocked")]
    PinLocked,
    /// The operation needs a login (`69 82`).
    #[error("not logged in")]
    NotLoggedIn,
    /// The other role is logged in (device profile `token.other_role_logged_in_sw`).
    #[error("the other role is logged in")]
    OtherRoleLoggedIn,
    /// The SafeTouch user pressed Reject.
    #[error("rejected on the SafeTouch")]
    Rejected,
    /// Nobody pressed the SafeTouch in time.
    #[error("the SafeTouch timed out")]
    TimedOut,
    /// The card left the reader.
    #[error("the token was removed")]
    Removed,
    /// No card, or not a Rutoken.
    #[error("no token in the reader")]
    NotPresent,
    /// The token is full (`6A 84`) or has no free key slot.
    #[error("the token has no room left")]
    NoRoom,
    /// The object is not on the token (any more).
    #[error("the object is not on the token")]
    NotFound,
    /// An object the token cannot hold as given (a certificate that does not parse).
    #[error("the object's value is not acceptable")]
    BadObject,
    /// A PIN outside the token's length limits.
    #[error("the PIN's length is out of range")]
    PinLength,
    /// Any other status word.
    #[error("{operation}: the token answered {sw:04X}")]
    Status {
        /// What the module asked for.
        operation: String,
        /// The status word.
        sw: u16,
    },
    /// An answer the module cannot use, or a transport failure.
    #[error("{0}")]
    Failed(String),
}

/// A token, as the PKCS#11 logic uses it. Calls block (a signature waits for the SafeTouch).
pub trait Device: Send {
    /// The token serial (8 bytes on a Rutoken ECP).
    fn serial(&mut self) -> Result<Vec<u8>, DeviceError>;
    /// The PKCS#15 objects.
    fn listing(&mut self) -> Result<Listing, DeviceError>;
    /// VERIFY.
    fn login(&mut self, role: Role, pin: &[u8]) -> Result<(), DeviceError>;
    /// Resets the access rights.
    fn logout(&mut self) -> Result<(), DeviceError>;
    /// A PIN's counter.
    fn pin_state(&mut self, role: Role) -> Result<PinState, DeviceError>;
    /// The most tries a PIN has (what its counter is reset to), when the token tells it.
    fn max_tries(&mut self, role: Role) -> Result<Option<u8>, DeviceError> {
        let _ = role;
        Ok(None)
    }
    /// CHANGE REFERENCE DATA of the role logged in.
    fn change_pin(&mut self, role: Role, old: &[u8], new: &[u8]) -> Result<(), DeviceError>;
    /// Unblocks and sets the user PIN (the SO logged in).
    fn init_user_pin(&mut self, new: &[u8]) -> Result<(), DeviceError>;
    /// Generates a key pair on the token and files it in PKCS#15 (ID = SHA-1 of the public key
    /// unless `id` is given).
    fn generate_key_pair(
        &mut self,
        spec: KeySpec,
        labels: PairLabels<'_>,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, DeviceError>;
    /// Signs a host digest (wire order); returns `s ‖ r` big-endian.
    fn sign_digest(&mut self, key: &KeyPair, digest: &[u8]) -> Result<Vec<u8>, DeviceError>;
    /// Hashes `data` on the token and signs it (the SafeTouch shows it); returns `s ‖ r`.
    fn sign_document(&mut self, key: &KeyPair, data: &[u8]) -> Result<Vec<u8>, DeviceError>;
    /// Writes a certificate and its CDF entry.
    fn install_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Certificate, DeviceError>;
    /// Gives a key pair (both PKCS#15 entries) new labels and a new ID.
    fn rename_key_pair(
        &mut self,
        key: &KeyPair,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), DeviceError> {
        let _ = (key, labels, id);
        Err(DeviceError::Failed(
            "this token cannot rename objects".into(),
        ))
    }
    /// Gives a certificate (its CDF entry) a new label and ID.
    fn rename_certificate(
        &mut self,
        certificate: &Certificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DeviceError> {
        let _ = (certificate, label, id);
        Err(DeviceError::Failed(
            "this token cannot rename objects".into(),
        ))
    }
    /// Gives a data object (its DODF entry) a new label.
    fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), DeviceError> {
        let _ = (object, label);
        Err(DeviceError::Failed(
            "this token cannot rename objects".into(),
        ))
    }
    /// The token's label (the PKCS#15 TokenInfo's), when it has one.
    fn token_label(&mut self) -> Result<Option<String>, DeviceError> {
        Ok(None)
    }
    /// Writes the token's label (the user logged in).
    fn set_token_label(&mut self, label: &str) -> Result<(), DeviceError> {
        let _ = label;
        Err(DeviceError::Failed("this token keeps no label".into()))
    }
    /// The shortest PIN the token takes for `role`, when it tells.
    fn min_pin_len(&mut self, role: Role) -> Result<Option<u8>, DeviceError> {
        let _ = role;
        Ok(None)
    }
    /// RESET RETRY COUNTER of the user PIN, its value kept (the SO logged in).
    fn unblock_user_pin(&mut self) -> Result<(), DeviceError> {
        Err(DeviceError::Failed(
            "this token cannot unblock a PIN".into(),
        ))
    }
    /// Formats the token under the administrator's PIN `admin`: every object deleted, the
    /// user PIN set to `user` (its tries reset), the administrator's changed to `new_admin`
    /// when given, the label written when given. Ends logged out.
    fn format(&mut self, format: &Format<'_>) -> Result<(), DeviceError> {
        let _ = format;
        Err(DeviceError::Failed("this token cannot be formatted".into()))
    }
    /// Deletes a certificate.
    fn delete_certificate(&mut self, certificate: &Certificate) -> Result<(), DeviceError>;
    /// Deletes a key pair (both RSFs and their directory entries).
    fn delete_key_pair(&mut self, key: &KeyPair) -> Result<(), DeviceError>;
    /// Stores a data object (`object.path` is ignored); returns it as stored.
    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DeviceError>;
    /// Deletes a data object.
    fn delete_data_object(&mut self, object: &DataObject) -> Result<(), DeviceError>;
    /// GOST 28147-89 and VKO on the token (`crate::symmetric`), when the token does them.
    fn symmetric(&mut self) -> Option<&mut dyn crate::symmetric::SymmetricDevice> {
        None
    }
}
