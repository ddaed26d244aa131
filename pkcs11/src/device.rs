//! The PKCS#11 view of a token: the objects, PIN states and errors the module works with.
//! Every token is reached through the client crate's one seam,
//! [`rutoken_client::driver::Driver`] ([`Device`] holds one; `backend.rs` maps its calls and
//! its signatures to PKCS#11's order, `error.rs` its errors to `CKR_`); unit tests drive the
//! module through an in-memory `Driver`.

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

/// A certificate on the token (a CDF entry): its ID (that of its key pair), label and DER, as
/// the client's driver seam lists it.
pub use rutoken_client::driver::TokenCertificate as Certificate;

/// The labels of a key pair's halves: the PrKDF entry's and the PuKDF entry's.
pub use rutoken_client::driver::PairLabels;

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

/// A token, as the PKCS#11 logic uses it: a driver of the client crate's seam and the device
/// profile's status words its refusals are read with. Calls block (a signature waits for the
/// SafeTouch).
pub struct Device {
    pub(crate) driver: Box<dyn rutoken_client::Driver + Send>,
    pub(crate) words: crate::error::ProfileWords,
    /// The token's name once read (`C_GetTokenInfo` asks for it on every call, and reading it
    /// is a SELECT and a READ BINARY); this module's own writes keep it current.
    pub(crate) name: Option<Option<String>>,
}
