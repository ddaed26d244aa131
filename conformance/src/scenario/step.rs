//! Steps: the bank client's operations (reissue-flow.md) and raw APDUs.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Secret;

mod host_hash;
mod reissue;

pub use host_hash::*;
pub use reissue::*;

/// One step. In YAML a map with one key, the step's name (`- verify_pin: {pin: "${user_pin}"}`),
/// or a bare name for steps without arguments (`- power_cycle`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Find the reader, power the card, select the MF (reissue-flow.md step 1).
    Attach,
    /// `GET DATA 00 CA 01 81`: the token serial; `expect` is the device number (10 decimal
    /// digits) or the hex serial.
    ReadSerial(ReadSerial),
    /// Read the PKCS#15 files and probe the key RSFs: the keys and certificates on the token.
    ListObjects(ListObjects),
    /// `VERIFY` (the PIN dialog).
    VerifyPin(VerifyPin),
    /// `VERIFY` of the admin PIN, then `RESET RETRY COUNTER 00 2C 03 02` of the user PIN.
    UnblockPin(UnblockPin),
    /// `80 40 00 00`: reset access rights.
    Logout,
    /// Create the key RSFs and `GENERATE KEY 00 46 80 kk` (reissue-flow.md step 2.2).
    GenerateKey(GenerateKey),
    /// Build the PKCS#10 `CertificationRequestInfo` for a key (step 2.3).
    BuildRequest(BuildRequest),
    /// Hash the request on the token, SafeTouch screen 1, sign with the new key (steps 2.4-2.5).
    SignRequest(SignRequest),
    /// Build the reissue document, hash it on the token, SafeTouch screen 2, sign with the
    /// current key (step 3).
    SignDocument(SignDocument),
    /// Pass the request (and the signed document) to the test CA (step 4).
    Submit(Submit),
    /// Write the certificate next to its key and update the CDF (step 5).
    InstallCertificate(InstallCertificate),
    /// `DELETE FILE` of a key pair's two RSFs.
    DeleteKey(KeyName),
    /// Cut and restore the token's power.
    PowerCycle,
    /// A warm reset of the card, power kept.
    Reset,
    /// Pull the token out of the SafeTouch.
    Pull,
    /// Insert the token again.
    Insert,
    /// Restart the emulator from its image.
    Restart,
    /// A raw APDU with the expected status word and data.
    Apdu(RawApdu),
    /// Hash a text on the host, sign the digest with a key (`CKM_GOSTR3410`), verify it.
    SignHash(SignHash),
}

impl Step {
    /// Every step name, as written in YAML (kept in sync with `scenarios/schema.json` by a test).
    pub const NAMES: &'static [&'static str] = &[
        "attach",
        "read_serial",
        "list_objects",
        "verify_pin",
        "unblock_pin",
        "logout",
        "generate_key",
        "build_request",
        "sign_request",
        "sign_document",
        "submit",
        "install_certificate",
        "delete_key",
        "power_cycle",
        "pull",
        "insert",
        "restart",
        "apdu",
        "sign_hash",
        "reset",
    ];

    /// The status word the scenario expects the step to end with (`expect: {sw: ...}`).
    pub fn expected_sw(&self) -> Option<&str> {
        let expect = match self {
            Step::ListObjects(s) => s.expect.as_ref(),
            Step::UnblockPin(s) => s.expect.as_ref(),
            Step::GenerateKey(s) => s.expect.as_ref(),
            Step::DeleteKey(s) => s.expect.as_ref(),
            Step::SignRequest(SignRequest {
                expect: SignOutcome::Sw(sw),
                ..
            })
            | Step::SignDocument(SignDocument {
                expect: SignOutcome::Sw(sw),
                ..
            })
            | Step::InstallCertificate(InstallCertificate {
                expect: InstallOutcome::Sw(sw),
                ..
            })
            | Step::SignHash(SignHash {
                expect: SignOutcome::Sw(sw),
                ..
            }) => return Some(sw),
            _ => None,
        };
        expect.map(|e| e.sw.as_str())
    }

    /// The step's YAML name.
    pub fn name(&self) -> &'static str {
        let i = match self {
            Step::Attach => 0,
            Step::ReadSerial(_) => 1,
            Step::ListObjects(_) => 2,
            Step::VerifyPin(_) => 3,
            Step::UnblockPin(_) => 4,
            Step::Logout => 5,
            Step::GenerateKey(_) => 6,
            Step::BuildRequest(_) => 7,
            Step::SignRequest(_) => 8,
            Step::SignDocument(_) => 9,
            Step::Submit(_) => 10,
            Step::InstallCertificate(_) => 11,
            Step::DeleteKey(_) => 12,
            Step::PowerCycle => 13,
            Step::Pull => 14,
            Step::Insert => 15,
            Step::Restart => 16,
            Step::Apdu(_) => 17,
            Step::SignHash(_) => 18,
            Step::Reset => 19,
        };
        Self::NAMES[i]
    }
}

/// `read_serial`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadSerial {
    /// The device number (10 decimal digits, as the PIN dialog shows it) or hex serial.
    #[serde(default)]
    pub expect: Option<String>,
}

/// `list_objects`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListObjects {
    /// Expected number of key pairs.
    #[serde(default)]
    pub keys: Option<usize>,
    /// Expected number of certificates.
    #[serde(default)]
    pub certificates: Option<usize>,
    /// The token's refusal instead of a listing.
    #[serde(default)]
    pub expect: Option<ExpectSw>,
}

/// `expect: {sw: "6982"}` on a high-level step: the step must end with the token answering
/// this status word (4 hex digits, `x` any nibble) to one of its APDUs; `9000` means the step
/// completes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectSw {
    /// The status word.
    pub sw: String,
}

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// The user PIN, reference 02.
    #[default]
    User,
    /// The admin (SO) PIN, reference 01.
    Admin,
}

impl PinKind {
    /// The PIN reference (rutoken-ecp-apdu.md §5: SO 1, User 2).
    pub fn reference(self) -> u8 {
        match self {
            PinKind::Admin => 0x01,
            PinKind::User => 0x02,
        }
    }
}

/// What a PIN command must answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinOutcome {
    /// `9000`.
    #[default]
    Ok,
    /// `63Cx`, any x.
    Wrong,
    /// `63Cx` with this x.
    TriesLeft(u8),
    /// `6983`.
    Blocked,
    /// `63Cx` or `6983`: the PIN was not accepted (whether the last wrong try answers `63C0` or
    /// `6983` is the token's choice).
    Refused,
    /// Exactly this status word (4 hex digits, `x` any nibble), e.g. `6700` for a PIN of a
    /// length the token does not take.
    Sw(String),
}

/// `verify_pin`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyPin {
    /// Which PIN (default user).
    #[serde(default)]
    pub which: PinKind,
    /// The value typed into the PIN dialog.
    pub pin: Secret,
    /// What the token must answer (default `ok`).
    #[serde(default)]
    pub expect: PinOutcome,
}

/// `unblock_pin`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnblockPin {
    /// The admin PIN.
    pub admin_pin: Secret,
    /// The token's refusal (of VERIFY or RESET RETRY COUNTER) instead of the unblock.
    #[serde(default)]
    pub expect: Option<ExpectSw>,
}

/// Key algorithm of a generated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum Algorithm {
    /// GOST R 34.10-2012, 256-bit.
    #[serde(rename = "gost2012-256")]
    Gost2012_256,
    /// GOST R 34.10-2012, 512-bit.
    #[serde(rename = "gost2012-512")]
    Gost2012_512,
    /// GOST R 34.10-2001 on a CryptoPro curve (`param_set` A, B, C: CryptoPro-A, -B, -C), the
    /// one algorithm OpenSC's rutoken_ecp driver generates.
    #[serde(rename = "gost2001")]
    Gost2001,
}

/// `generate_key`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateKey {
    /// The name later steps use for this key (default `new`).
    #[serde(default = "default_new")]
    pub name: String,
    /// Default `gost2012-256` (reissue-flow.md step 2.2: "256-bit by default").
    #[serde(default = "default_algorithm")]
    pub algorithm: Algorithm,
    /// tc26 parameter set letter: A, B, C, D for 256; A, B, C for 512; CryptoPro A, B, C for
    /// 2001.
    #[serde(default = "default_param_set")]
    pub param_set: String,
    /// The token's refusal instead of a key.
    #[serde(default)]
    pub expect: Option<ExpectSw>,
}

pub(super) fn default_new() -> String {
    "new".to_owned()
}
pub(super) fn default_current() -> String {
    "current".to_owned()
}
fn default_algorithm() -> Algorithm {
    Algorithm::Gost2012_256
}
fn default_param_set() -> String {
    "A".to_owned()
}

/// `build_request`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRequest {
    /// The key the request certifies (default `new`).
    #[serde(default = "default_new")]
    pub key: String,
    /// Subject attributes by short name (CN, SN, G, T, O, OU, L, ST, street, C, E, INN, INNLE,
    /// OGRN, OGRNIP, SNILS) replacing or adding to the current certificate's subject (the bank
    /// page pre-fills the request form from it). Empty: the current subject unchanged.
    #[serde(default)]
    pub subject: BTreeMap<String, String>,
    /// Extended key usages (OIDs) in the extensionRequest; key usage and subjectSignTool are
    /// always present.
    #[serde(default)]
    pub extended_key_usage: Vec<String>,
}

/// A step naming one key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyName {
    /// The key's name (`current`, or a `generate_key` name).
    pub key: String,
    /// The token's refusal instead of the deletion.
    #[serde(default)]
    pub expect: Option<ExpectSw>,
}

/// `apdu`: hex command, expected SW and data pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApdu {
    /// The command in hex; spaces allowed.
    pub command: String,
    /// Expected SW (4 hex digits; `x` matches any nibble, e.g. `63Cx`); default `9000`.
    #[serde(default = "default_sw")]
    pub sw: String,
    /// Expected data: hex with `..` for any byte and a trailing `*` for any rest.
    #[serde(default)]
    pub data: Option<String>,
    /// Mask the data in the transcript (for PIN-like payloads in raw commands).
    #[serde(default)]
    pub secret: bool,
    /// The SafeTouch screen this command shows and the press arranged before it is sent (a raw
    /// `PSO: COMPUTE DIGITAL SIGNATURE` behind the display).
    #[serde(default)]
    pub safetouch: Option<SafeTouchStep>,
    /// The answer is a signature (`r ‖ s` in the token's order) that verifies under a key over
    /// a digest the scenario names: what a raw `PSO: COMPUTE DIGITAL SIGNATURE` signed, not
    /// only how long its answer is.
    #[serde(default)]
    pub signs: Option<RawSignature>,
}

/// `apdu.signs`: the key whose public key the answer verifies under, and the digest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignature {
    /// `current` or a `generate_key` name.
    #[serde(default = "default_current")]
    pub key: String,
    /// The digest in hex (wire order, as the command carried it); spaces allowed.
    pub digest: String,
}

fn default_sw() -> String {
    "9000".to_owned()
}

impl std::fmt::Display for PinOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinOutcome::Ok => f.write_str("PIN accepted"),
            PinOutcome::Wrong => f.write_str("PIN wrong (63Cx)"),
            PinOutcome::TriesLeft(n) => write!(f, "PIN wrong, {n} tries left"),
            PinOutcome::Blocked => f.write_str("PIN blocked (6983)"),
            PinOutcome::Refused => f.write_str("PIN refused (63Cx or 6983)"),
            PinOutcome::Sw(sw) => write!(f, "SW {sw}"),
        }
    }
}
