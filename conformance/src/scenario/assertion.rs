//! Assertions on the token after the steps.

use serde::Deserialize;

use super::step::PinKind;

/// A check on the token's state, run after the steps through the same client and target.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assertion {
    /// The token answers and lists its objects: how many keys and certificates.
    Objects(ObjectsAssertion),
    /// A key is present on the token (its RSFs select).
    KeyPresent(KeyRef),
    /// A key is absent (both RSFs `6A82`).
    KeyAbsent(KeyRef),
    /// A certificate stored on the token.
    Certificate(Box<CertificateAssertion>),
    /// Tries left of a PIN (VERIFY without data answers `63Cx`).
    PinTriesLeft(PinTriesLeft),
    /// The key still signs (on-token hash, SafeTouch confirm) and the signature verifies under
    /// its certificate.
    KeySigns(KeySigns),
    /// How many requests reached the CA and how many certificates it issued.
    Ca(CaAssertion),
    /// The SafeTouch screens shown during the steps (not the assertions).
    Screens(ScreensAssertion),
    /// Whether a PIN is verified now (VERIFY without data: `9000` verified, `63Cx`/`6983`
    /// not), e.g. after a power cycle or a pull.
    LoggedIn(LoggedIn),
    /// The ATR the reader reports for the token (as the plugin sees it when it attaches).
    Atr(AtrAssertion),
}

/// `atr`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtrAssertion {
    /// A data pattern: hex, `..` any byte, a trailing `*` any rest.
    pub expect: String,
}

/// `logged_in`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedIn {
    /// Default user.
    #[serde(default)]
    pub which: PinKind,
    /// Verified (`true`) or not.
    pub expect: bool,
}

impl Assertion {
    /// Every assertion name, as written in YAML (kept in sync with the schema by a test).
    pub const NAMES: &'static [&'static str] = &[
        "objects",
        "key_present",
        "key_absent",
        "certificate",
        "pin_tries_left",
        "key_signs",
        "ca",
        "screens",
        "logged_in",
        "atr",
    ];

    /// The YAML name.
    pub fn name(&self) -> &'static str {
        match self {
            Assertion::Objects(_) => "objects",
            Assertion::KeyPresent(_) => "key_present",
            Assertion::KeyAbsent(_) => "key_absent",
            Assertion::Certificate(_) => "certificate",
            Assertion::PinTriesLeft(_) => "pin_tries_left",
            Assertion::KeySigns(_) => "key_signs",
            Assertion::Ca(_) => "ca",
            Assertion::Screens(_) => "screens",
            Assertion::LoggedIn(_) => "logged_in",
            Assertion::Atr(_) => "atr",
        }
    }
}

/// `objects`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectsAssertion {
    /// Number of key pairs.
    #[serde(default)]
    pub keys: Option<usize>,
    /// Number of certificates.
    #[serde(default)]
    pub certificates: Option<usize>,
}

/// Names a key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRef {
    /// `current` or a `generate_key` name.
    pub key: String,
}

/// `certificate`: the certificate stored for a key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateAssertion {
    /// The key (`current`, `new`).
    pub key: String,
    /// Subject common name.
    #[serde(default)]
    pub subject_cn: Option<String>,
    /// Issuer common name.
    #[serde(default)]
    pub issuer_cn: Option<String>,
    /// Serial (hex); `issued` means the one the CA issued in this scenario.
    #[serde(default)]
    pub serial: Option<String>,
    /// The certificate's public key is the key's public key: always checked, since the
    /// certificate is looked up by that key (`false` is refused when the scenario loads).
    #[serde(default)]
    pub matches_key: Option<bool>,
    /// `issued`: the stored certificate is byte for byte the one the CA issued in this
    /// scenario (trailing padding of the file excluded).
    #[serde(default)]
    pub bytes: Option<String>,
    /// `ca`: the stored certificate's signature verifies under the test CA's certificate.
    #[serde(default)]
    pub verifies_under: Option<String>,
    /// The keyUsage bits, exactly (RFC 5280 §4.2.1.3 names in snake case:
    /// `digital_signature`, `non_repudiation`, `key_encipherment`, `data_encipherment`,
    /// `key_agreement`, `key_cert_sign`, `crl_sign`, `encipher_only`, `decipher_only`).
    #[serde(default)]
    pub key_usage: Option<Vec<String>>,
    /// The extKeyUsage purposes (dotted OIDs), exactly, in any order.
    #[serde(default)]
    pub extended_key_usage: Option<Vec<String>>,
    /// The certificatePolicies (dotted OIDs), exactly, in any order.
    #[serde(default)]
    pub policies: Option<Vec<String>>,
    /// basicConstraints cA (`false`: an end-entity certificate; absent extension = `false`).
    #[serde(default)]
    pub ca: Option<bool>,
    /// `true`: subjectKeyIdentifier is the SHA-1 of the subjectPublicKey (RFC 5280 §4.2.1.2
    /// method 1) and authorityKeyIdentifier's keyIdentifier is the CA certificate's SKI.
    #[serde(default)]
    pub key_ids: Option<bool>,
    /// notBefore's date, `DD.MM.YYYY` (UTC), e.g. `${today}`.
    #[serde(default)]
    pub not_before: Option<String>,
    /// notAfter's date, `DD.MM.YYYY` (UTC).
    #[serde(default)]
    pub not_after: Option<String>,
    /// `true`: the certificate is paired with the key by ID, not only by its public key: its
    /// CDF entry's iD is the key's (the key's PrKDF iD; for a key without a PrKDF entry, the
    /// SHA-1 of its public-key value, the ID the client gives the keys it generates); through
    /// PKCS#11 the certificate's `CKA_ID` is the private key's.
    #[serde(default)]
    pub paired: Option<bool>,
}

/// `pin_tries_left`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinTriesLeft {
    /// Default user.
    #[serde(default)]
    pub which: PinKind,
    /// Expected tries.
    pub expect: u8,
}

/// `key_signs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySigns {
    /// The key.
    pub key: String,
    /// The certificate to verify under: `current`, `issued`, or `stored` (read from the
    /// token, default).
    #[serde(default = "default_stored")]
    pub certificate: String,
}

fn default_stored() -> String {
    "stored".to_owned()
}

/// `ca`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaAssertion {
    /// Requests that reached the CA.
    #[serde(default)]
    pub requests: Option<usize>,
    /// Certificates it issued.
    #[serde(default)]
    pub issued: Option<usize>,
}

/// `screens`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreensAssertion {
    /// How many screens were shown.
    #[serde(default)]
    pub count: Option<usize>,
    /// Texts that some screen showed (whitespace-insensitive).
    #[serde(default)]
    pub contains: Vec<String>,
    /// Texts that no screen showed (whitespace-insensitive), e.g. a record the device must
    /// not display.
    #[serde(default)]
    pub lacks: Vec<String>,
    /// One screen shown during the steps, page by page as the display shows it: its lines
    /// split into pages as long as the first page given (the device's rows), the last page
    /// possibly shorter, every line exactly (whitespace at its ends ignored), nothing more.
    /// Pins the partial last page that `contains` and `safetouch.lines` let through.
    #[serde(default)]
    pub pages: Vec<Vec<String>>,
}
