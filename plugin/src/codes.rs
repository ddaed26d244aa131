//! The plugin's error codes and constants, as the page reads them from the plugin object
//! (`plugin.errorCodes.PIN_INCORRECT`, `plugin.TOKEN_INFO_SERIAL`, …), and the plugin version.
//!
//! Names: Aktiv's public demo (AktivCo/rutoken-plugin-demo `src/present.js`, `src/index.html`),
//! the bootstrap library (`@aktivco-it/rutoken-plugin-bootstrap` 1.9.12, `src/errorCodes`,
//! `src/detectRutokenDevice.js`) and the plugin reference (API v4.10.1.0, `CryptoPlugin`).
//! Error code values: Aktiv's pki-core error table (`rt_pc_e_*`, the library under the plugin)
//! where a name appears there; the plugin-level codes (time stamps, binary files, servers) and
//! `UNKNOWN_ERROR` are not public: ours, from 200 (and 1). Constant values are not public
//! either, except the order of pki-core's `rt_pc_data_format` (the `DEVICE_DATA_FORMAT_*`
//! values below); a page that follows Aktiv's examples only ever compares with the names.
//! Every guess is a row of `docs/assumptions.md` ("Rutoken Plugin").

use serde_json::{Map, Value, json};

/// One error the bridge reports; `code()` is what `Error.message` carries (as the
/// native-messaging plugin does: `parseInt(error.message)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Anything the other codes do not describe.
    UnknownError,
    /// A bad argument: wrong type, unknown constant, malformed data, unknown method.
    BadParams,
    /// No device with that id (never was, or pulled).
    DeviceNotFound,
    /// A category the call does not accept.
    CertificateCategoryBad,
    /// The certificate is on the token already.
    CertificateExists,
    /// The key label is not unique.
    KeyLabelNotUnique,
    /// The PIN length is outside what the token accepts.
    PinLengthInvalid,
    /// Wrong PIN; tries remain.
    PinIncorrect,
    /// The PIN is blocked.
    PinLocked,
    /// The operation needs a login.
    UserNotLoggedIn,
    /// No key with that id.
    KeyNotFound,
    /// Another key pair has this id.
    KeyIdNotUnique,
    /// No certificate with that handle.
    CertificateNotFound,
    /// The token went away or changed under the operation.
    TokenInvalid,
    /// The key's algorithm does not fit the operation.
    WrongKeyType,
    /// The token failed.
    DeviceError,
    /// The data is not what the call expects.
    DataInvalid,
    /// The token cannot do it.
    UnsupportedByToken,
    /// The key may not be used for this.
    KeyFunctionNotPermitted,
    /// «Операция отклонена пользователем»: Reject (or the time-out) on the SafeTouch.
    FunctionRejected,
    /// The operation failed for a reason the others do not name (here: what the bridge does
    /// not carry).
    FunctionFailed,
    /// Base64 that does not decode.
    Base64DecodeFailed,
    /// ASN.1 that does not parse.
    Asn1Error,
    /// PEM that does not parse.
    PemError,
    /// The signature did not verify.
    X509CertSignatureFailure,
    /// The signer's certificate is already a signer of the CMS.
    CmsCertificateAlreadyPresent,
    /// Already logged in.
    AlreadyLoggedIn,
    /// The licence slot is read-only.
    LicenceReadOnly,
    /// No binary file of that name.
    BfNotFound,
    /// A binary file needs a name.
    BfEmptyName,
    /// A binary file of that name exists.
    BfAlreadyExists,
    /// The PIN cannot be cached (not logged in).
    CannotSavePinInCache,
    /// No such time-stamp / TSA: the bridge reaches no server.
    HostNotFound,
    /// A key usage period the token cannot keep.
    PrivateKeyUsagePeriodNotSupported,
    /// A key purpose the token cannot give.
    KeySpecNotSupported,
    /// The certificate chain does not reach a trusted CA.
    X509UnableToGetIssuerCertLocally,
    /// Several signers cannot be verified with the token's hashing.
    CantHardwareVerifyCms,
    /// The enveloped data could not be opened.
    DecryptUnsuccessful,
    /// `extensions` and `customExtensions` name the same extension.
    DuplicateExtension,
}

/// Every code with its name and number. pki-core's values (`rt_pc_e_*`) where the name is
/// there; the rest ours (see the module doc).
pub const ALL: &[(ErrorCode, &str, u32)] = &[
    (ErrorCode::UnknownError, "UNKNOWN_ERROR", 1),
    (ErrorCode::BadParams, "BAD_PARAMS", 2),
    (ErrorCode::DeviceNotFound, "DEVICE_NOT_FOUND", 3),
    (
        ErrorCode::CertificateCategoryBad,
        "CERTIFICATE_CATEGORY_BAD",
        5,
    ),
    (ErrorCode::CertificateExists, "CERTIFICATE_EXISTS", 6),
    (ErrorCode::KeyLabelNotUnique, "KEY_LABEL_NOT_UNIQUE", 10),
    (ErrorCode::PinLengthInvalid, "PIN_LENGTH_INVALID", 16),
    (ErrorCode::PinIncorrect, "PIN_INCORRECT", 17),
    (ErrorCode::PinLocked, "PIN_LOCKED", 18),
    (ErrorCode::UserNotLoggedIn, "USER_NOT_LOGGED_IN", 19),
    (ErrorCode::KeyNotFound, "KEY_NOT_FOUND", 20),
    (ErrorCode::KeyIdNotUnique, "KEY_ID_NOT_UNIQUE", 21),
    (ErrorCode::CertificateNotFound, "CERTIFICATE_NOT_FOUND", 22),
    (ErrorCode::TokenInvalid, "TOKEN_INVALID", 24),
    (ErrorCode::WrongKeyType, "WRONG_KEY_TYPE", 25),
    (ErrorCode::DeviceError, "DEVICE_ERROR", 26),
    (ErrorCode::DataInvalid, "DATA_INVALID", 27),
    (ErrorCode::UnsupportedByToken, "UNSUPPORTED_BY_TOKEN", 28),
    (
        ErrorCode::KeyFunctionNotPermitted,
        "KEY_FUNCTION_NOT_PERMITTED",
        29,
    ),
    (ErrorCode::FunctionRejected, "FUNCTION_REJECTED", 30),
    (ErrorCode::FunctionFailed, "FUNCTION_FAILED", 31),
    (ErrorCode::Base64DecodeFailed, "BASE64_DECODE_FAILED", 32),
    (ErrorCode::Asn1Error, "ASN1_ERROR", 33),
    (ErrorCode::PemError, "PEM_ERROR", 34),
    (
        ErrorCode::X509CertSignatureFailure,
        "X509_CERT_SIGNATURE_FAILURE",
        41,
    ),
    (
        ErrorCode::CannotSavePinInCache,
        "CANNOT_SAVE_PIN_IN_CACHE",
        90,
    ),
    (
        ErrorCode::CmsCertificateAlreadyPresent,
        "CMS_CERTIFICATE_ALREADY_PRESENT",
        91,
    ),
    (ErrorCode::AlreadyLoggedIn, "ALREADY_LOGGED_IN", 93),
    (ErrorCode::LicenceReadOnly, "LICENCE_READ_ONLY", 95),
    (ErrorCode::HostNotFound, "HOST_NOT_FOUND", 200),
    (ErrorCode::BfNotFound, "BF_NOT_FOUND", 210),
    (ErrorCode::BfEmptyName, "BF_EMPTY_NAME", 212),
    (ErrorCode::BfAlreadyExists, "BF_ALREADY_EXISTS", 214),
    (
        ErrorCode::X509UnableToGetIssuerCertLocally,
        "X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        54,
    ),
    (
        ErrorCode::CantHardwareVerifyCms,
        "CANT_HARDWARE_VERIFY_CMS",
        166,
    ),
    (ErrorCode::DecryptUnsuccessful, "DECRYPT_UNSUCCESSFUL", 167),
    (ErrorCode::DuplicateExtension, "DUPLICATE_EXTENSION", 243),
    (
        ErrorCode::PrivateKeyUsagePeriodNotSupported,
        "PRIVATE_KEY_USAGE_PERIOD_VALUE_NOT_SUPPORTED",
        240,
    ),
    (
        ErrorCode::KeySpecNotSupported,
        "KEY_SPEC_VALUE_NOT_SUPPORTED_BY_DEVICE",
        245,
    ),
];

/// The rest of `plugin.errorCodes` (no bridge path raises them; pages map them to texts):
/// pki-core's numbers where the name is there, ours (from 200) otherwise.
const OTHER_ERRORS: &[(&str, u32)] = &[
    ("PIN_CHANGED", 8),
    ("SESSION_INVALID", 9),
    ("CA_CERTIFICATES_NOT_FOUND", 12),
    ("CERTIFICATE_VERIFICATION_ERROR", 13),
    ("PKCS11_LOAD_FAILED", 14),
    ("NOT_ENOUGH_MEMORY", 15),
    ("CERTIFICATE_HASH_NOT_UNIQUE", 23),
    ("X509_UNABLE_TO_GET_ISSUER_CERT", 36),
    ("X509_UNABLE_TO_GET_CRL", 37),
    ("X509_UNABLE_TO_DECRYPT_CERT_SIGNATURE", 38),
    ("X509_UNABLE_TO_DECRYPT_CRL_SIGNATURE", 39),
    ("X509_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", 40),
    ("X509_CRL_SIGNATURE_FAILURE", 42),
    ("X509_CERT_NOT_YET_VALID", 43),
    ("X509_CRL_NOT_YET_VALID", 44),
    ("X509_CERT_HAS_EXPIRED", 45),
    ("X509_CRL_HAS_EXPIRED", 46),
    ("X509_ERROR_IN_CERT_NOT_BEFORE_FIELD", 47),
    ("X509_ERROR_IN_CERT_NOT_AFTER_FIELD", 48),
    ("X509_ERROR_IN_CRL_LAST_UPDATE_FIELD", 49),
    ("X509_ERROR_IN_CRL_NEXT_UPDATE_FIELD", 50),
    ("X509_OUT_OF_MEM", 51),
    ("X509_DEPTH_ZERO_SELF_SIGNED_CERT", 52),
    ("X509_SELF_SIGNED_CERT_IN_CHAIN", 53),
    ("X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE", 55),
    ("X509_CERT_CHAIN_TOO_LONG", 56),
    ("X509_CERT_REVOKED", 57),
    ("X509_INVALID_CA", 58),
    ("X509_INVALID_NON_CA", 59),
    ("X509_PATH_LENGTH_EXCEEDED", 60),
    ("X509_PROXY_PATH_LENGTH_EXCEEDED", 61),
    ("X509_PROXY_CERTIFICATES_NOT_ALLOWED", 62),
    ("X509_INVALID_PURPOSE", 63),
    ("X509_CERT_UNTRUSTED", 64),
    ("X509_CERT_REJECTED", 65),
    ("X509_APPLICATION_VERIFICATION", 66),
    ("X509_SUBJECT_ISSUER_MISMATCH", 67),
    ("X509_AKID_SKID_MISMATCH", 68),
    ("X509_AKID_ISSUER_SERIAL_MISMATCH", 69),
    ("X509_KEYUSAGE_NO_CERTSIGN", 70),
    ("X509_UNABLE_TO_GET_CRL_ISSUER", 71),
    ("X509_UNHANDLED_CRITICAL_EXTENSION", 72),
    ("X509_KEYUSAGE_NO_CRL_SIGN", 73),
    ("X509_KEYUSAGE_NO_DIGITAL_SIGNATURE", 74),
    ("X509_UNHANDLED_CRITICAL_CRL_EXTENSION", 75),
    ("X509_INVALID_EXTENSION", 76),
    ("X509_INVALID_POLICY_EXTENSION", 77),
    ("X509_NO_EXPLICIT_POLICY", 78),
    ("X509_DIFFERENT_CRL_SCOPE", 79),
    ("X509_UNSUPPORTED_EXTENSION_FEATURE", 80),
    ("X509_UNNESTED_RESOURCE", 81),
    ("X509_PERMITTED_VIOLATION", 82),
    ("X509_EXCLUDED_VIOLATION", 83),
    ("X509_SUBTREE_MINMAX", 84),
    ("X509_UNSUPPORTED_CONSTRAINT_TYPE", 85),
    ("X509_UNSUPPORTED_CONSTRAINT_SYNTAX", 86),
    ("X509_UNSUPPORTED_NAME_SYNTAX", 87),
    ("X509_CRL_PATH_VALIDATION_ERROR", 88),
    ("ATTRIBUTE_READ_ONLY", 89),
    ("CEK_NOT_AUTHENTIC", 94),
    ("ATTRIBUTE_VALUE_INVALID", 98),
    ("DATA_LEN_RANGE", 103),
    ("PIN_EXPIRED", 122),
    ("PIN_INVALID", 123),
    ("USER_PIN_NOT_INITIALIZED", 127),
    ("MECHANISM_INVALID", 147),
    ("X509V3_INVALID_OBJECT_IDENTIFIER", 201),
    ("INAPPROPRIATE_PIN", 202),
    ("PIN_IN_HISTORY", 203),
    ("HTTP_ERROR", 204),
    ("TST_VERIFICATION_ERROR", 205),
    ("UNKNOWN_OBJECT_NAME", 206),
    ("TS_TOKEN_MISSED", 220),
    ("TS_WRONG_CONTENT_TYPE", 221),
    ("TS_MUST_BE_ONE_SIGNER", 222),
    ("TS_NO_CONTENT", 223),
    ("TS_ESS_SIGNING_CERT_ERROR", 224),
    ("TS_UNSUPPORTED_VERSION", 225),
    ("TS_POLICY_MISMATCH", 226),
    ("TS_NONCE_NOT_RETURNED", 227),
    ("TS_TSA_UNTRUSTED", 228),
    ("BF_CANNOT_REMOVE", 211),
    ("BF_LARGER_THAN_ACCEPTABLE", 213),
    ("BF_FAILED_TO_ENUMERATE", 215),
    ("BF_TOO_MANY_FILES", 216),
    ("EMPTY_RESPONSE_BODY", 230),
    ("DESERIALIZE_RESPONSE_BODY_ERROR", 231),
    ("SERVER_CONNECTION_ERROR", 232),
    ("SERVER_SEND_ERROR", 233),
    ("SERVER_RECEIVE_ERROR", 234),
    ("HOST_RESOLVE_ERROR", 235),
    ("PRIVATE_KEY_USAGE_PERIOD_VALUE_INVALID", 241),
    ("PRIVATE_KEY_USAGE_PERIOD_NOT_OVERRIDABLE", 242),
    ("KEY_SPEC_VALUE_INCOMPATIBLE_WITH_GEN_PARAMS", 244),
];

impl ErrorCode {
    /// The number the page sees.
    pub fn code(self) -> u32 {
        ALL.iter()
            .find(|(c, _, _)| *c == self)
            .map_or(1, |(_, _, n)| *n)
    }
    /// The name in `plugin.errorCodes`.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(c, _, _)| *c == self)
            .map_or("UNKNOWN_ERROR", |(_, n, _)| n)
    }
}

/// The plugin version the object reports. Aktiv's bootstrap library
/// (`@aktivco-it/rutoken-plugin-bootstrap` 1.9.12, `src/supportedBrowsersConfig.js`) refuses a
/// plugin older than its per-browser minimum; the newest minimum there is 4.5.1.0 (Yandex
/// Browser on Linux). The reference this bridge follows is API v4.10.1.0. Overridden with the
/// environment variable `RUTOKEN_LAB_PLUGIN_VERSION` (to try a page against an older plugin).
pub const DEFAULT_PLUGIN_VERSION: &str = "4.10.1.0";

/// The version in force: `RUTOKEN_LAB_PLUGIN_VERSION` if set to dotted numbers, else the
/// default.
pub fn plugin_version() -> String {
    std::env::var("RUTOKEN_LAB_PLUGIN_VERSION")
        .ok()
        .filter(|v| is_dotted_version(v))
        .unwrap_or_else(|| DEFAULT_PLUGIN_VERSION.to_owned())
}

/// `4.10.1.0`-like: numbers and dots only, at most four parts.
pub fn is_dotted_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Constant groups; a value is looked up by name (`constant("TOKEN_INFO_SERIAL")`).
pub const CONSTANTS: &[(&str, u32)] = &[
    ("ENUMERATE_DEVICES_UNDEFINED", 0),
    ("ENUMERATE_DEVICES_LIST", 1),
    ("ENUMERATE_DEVICES_EVENTS", 2),
    ("TOKEN_INFO_MODEL", 1),
    ("TOKEN_INFO_READER", 2),
    ("TOKEN_INFO_LABEL", 3),
    ("TOKEN_INFO_DEVICE_TYPE", 4),
    ("TOKEN_INFO_SERIAL", 5),
    ("TOKEN_INFO_IS_LOGGED_IN", 6),
    ("TOKEN_INFO_FORMATS", 7),
    ("TOKEN_INFO_FEATURES", 8),
    ("TOKEN_INFO_SUPPORTED_MECHANISMS", 9),
    ("TOKEN_INFO_PINS_INFO", 10),
    ("TOKEN_INFO_VENDOR_MODEL_NAME", 11),
    ("TOKEN_INFO_SPEED", 12),
    ("TOKEN_INFO_FREE_MEMORY", 13),
    ("TOKEN_INFO_FKN_SUPPORTED", 14),
    // Older forms the plugin still answers.
    ("TOKEN_INFO_IS_PIN_CACHED", 15),
    ("TOKEN_INFO_PIN_RETRIES_LEFT", 16),
    ("TOKEN_INFO_ALGORITHMS", 17),
    // Ours: the bank's PIN dialog's device number (the demo page).
    ("TOKEN_INFO_DEVICE_NUMBER", 100),
    ("TOKEN_TYPE_UNKNOWN", 0),
    ("TOKEN_TYPE_RUTOKEN_ECP", 2),
    ("TOKEN_TYPE_RUTOKEN_WEB", 3),
    ("TOKEN_TYPE_RUTOKEN_ECP_SC", 4),
    ("TOKEN_TYPE_RUTOKEN_PINPAD_2", 5),
    // pki-core `rt_pc_data_format` order.
    ("DEVICE_DATA_FORMAT_PLAIN", 0),
    ("DEVICE_DATA_FORMAT_RAW", 1),
    ("DEVICE_DATA_FORMAT_PINPAD2", 2),
    ("DEVICE_DATA_FORMAT_XML", 3),
    ("DEVICE_DATA_FORMAT_SAFETOUCH", 4),
    ("CERT_CATEGORY_UNSPEC", 0),
    ("CERT_CATEGORY_USER", 1),
    ("CERT_CATEGORY_CA", 2),
    ("CERT_CATEGORY_OTHER", 3),
    ("CERT_INFO_SERIAL_NUMBER", 1),
    ("PUBLIC_KEY_ALGORITHM_GOST3410_2001", 1),
    ("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256", 2),
    ("PUBLIC_KEY_ALGORITHM_GOST3410_2012_512", 3),
    ("PUBLIC_KEY_ALGORITHM_RSA", 4),
    ("PUBLIC_KEY_ALGORITHM_RSA_512", 5),
    ("PUBLIC_KEY_ALGORITHM_RSA_768", 6),
    ("PUBLIC_KEY_ALGORITHM_RSA_1024", 7),
    ("PUBLIC_KEY_ALGORITHM_RSA_1280", 8),
    ("PUBLIC_KEY_ALGORITHM_RSA_1536", 9),
    ("PUBLIC_KEY_ALGORITHM_RSA_1792", 10),
    ("PUBLIC_KEY_ALGORITHM_RSA_2048", 11),
    ("PUBLIC_KEY_ALGORITHM_RSA_4096", 12),
    ("PUBLIC_KEY_ALGORITHM_ECDSA", 13),
    ("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2001", 21),
    ("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2012_256", 22),
    ("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2012_512", 23),
    ("CIPHER_ALGORITHM_GOST28147", 1),
    ("CIPHER_ALGORITHM_AES128", 2),
    ("CIPHER_ALGORITHM_AES192", 3),
    ("CIPHER_ALGORITHM_AES256", 4),
    ("CIPHER_ALGORITHM_DES", 5),
    ("CIPHER_ALGORITHM_3DES", 6),
    ("HASH_TYPE_GOST3411_94", 1),
    ("HASH_TYPE_GOST3411_12_256", 2),
    ("HASH_TYPE_GOST3411_12_512", 3),
    ("HASH_TYPE_MD5", 4),
    ("HASH_TYPE_SHA1", 5),
    ("HASH_TYPE_SHA256", 6),
    ("HASH_TYPE_SHA384", 7),
    ("HASH_TYPE_SHA512", 8),
    // `sign`'s old boolean `isBase64` is this number (false 0, true 1).
    ("DATA_FORMAT_PLAIN", 0),
    ("DATA_FORMAT_BASE64", 1),
    ("DATA_FORMAT_HASH", 2),
    ("KEY_INFO_ALGORITHM", 1),
    ("KEY_INFO_SPEC", 2),
    ("KEY_INFO_USAGE_PERIOD", 3),
    ("KEY_SPEC_SIGN", 1),
    ("KEY_SPEC_SIGN_AND_EXCHANGE", 2),
    ("KEY_TYPE_COMMON", 0),
    ("KEY_TYPE_JOURNAL", 1),
    ("BINARY_FILE_INFO_PRIVATE", 1),
    ("BIO_TYPE_NOT_SUPPORTED", 0),
    ("BIO_TYPE_NOT_SPECIFIED", 1),
    ("INTERFACE_TYPE_USB", 1),
    ("INTERFACE_TYPE_BT", 2),
    ("INTERFACE_TYPE_UART", 3),
    ("INTERFACE_TYPE_ISO", 4),
    ("INTERFACE_TYPE_SD", 5),
    ("INTERFACE_TYPE_NFC", 6),
    ("INTERFACE_TYPE_NFC_TYPE_A", 6),
    ("INTERFACE_TYPE_NFC_TYPE_B", 7),
    ("SECURE_MESSAGING_OFF", 0),
    ("SECURE_MESSAGING_ON", 1),
    ("SECURE_MESSAGING_ENHANCED", 2),
    ("SECURE_MESSAGING_UNSUPPORTED", 3),
    ("SECURE_MESSAGING_NOT_SPECIFIED", 4),
];

/// A constant's value by name. Panics never: an unknown name is a programming error caught by
/// the unit test below, answered with `u32::MAX` (no page value matches it).
pub fn constant(name: &str) -> u32 {
    CONSTANTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(u32::MAX, |(_, v)| *v)
}

/// The names in one group (`"TOKEN_INFO_"` …) with their values.
pub fn group(prefix: &str) -> impl Iterator<Item = (&'static str, u32)> + '_ {
    CONSTANTS
        .iter()
        .filter(move |(n, _)| n.starts_with(prefix))
        .map(|(n, v)| (*n, *v))
}

/// What the bridge's script needs: the properties spread onto the plugin object (constants,
/// `errorCodes`, `version`, `valid`) under `constants`, and the method names under `methods`
/// (one list, [`crate::methods::NAMES`]; a method the bridge has is on the object).
pub fn constants() -> Value {
    let mut m = Map::new();
    for (k, v) in CONSTANTS {
        m.insert((*k).to_owned(), json!(v));
    }
    let mut errors: Map<String, Value> = ALL
        .iter()
        .map(|(_, name, n)| ((*name).to_owned(), json!(n)))
        .collect();
    for (name, n) in OTHER_ERRORS {
        errors.insert((*name).to_owned(), json!(n));
    }
    m.insert("errorCodes".to_owned(), Value::Object(errors));
    m.insert("version".to_owned(), json!(plugin_version()));
    m.insert("valid".to_owned(), json!(true));
    json!({"constants": m, "methods": crate::methods::NAMES.to_vec()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named() {
        let mut seen = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for (code, name, n) in ALL {
            assert!(seen.insert(*n), "{name} repeats {n}");
            assert!(names.insert(*name));
            assert_eq!(code.code(), *n);
            assert_eq!(code.name(), *name);
        }
        for (name, n) in OTHER_ERRORS {
            assert!(seen.insert(*n), "{name} repeats {n}");
            assert!(names.insert(*name), "{name} twice");
        }
        let c = constants();
        assert_eq!(c["constants"]["errorCodes"]["FUNCTION_REJECTED"], json!(30));
        assert_eq!(c["constants"]["errorCodes"]["PIN_INCORRECT"], json!(17));
        assert_eq!(c["constants"]["CERT_CATEGORY_USER"], json!(1));
        assert!(c["methods"].as_array().is_some_and(|m| m.len() >= 47));
    }

    #[test]
    fn constants_are_unique_within_a_group() {
        for prefix in [
            "TOKEN_INFO_",
            "TOKEN_TYPE_",
            "DEVICE_DATA_FORMAT_",
            "CERT_CATEGORY_",
            "HASH_TYPE_",
            "DATA_FORMAT_",
            "CIPHER_ALGORITHM_",
            "KEY_INFO_",
            "SECURE_MESSAGING_",
        ] {
            let mut seen = std::collections::BTreeSet::new();
            for (name, v) in group(prefix) {
                assert!(seen.insert(v), "{name} repeats {v}");
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (name, v) in group("PUBLIC_KEY_ALGORITHM_") {
            assert!(seen.insert(v), "{name} repeats {v}");
        }
        assert_eq!(constant("NO_SUCH_CONSTANT"), u32::MAX);
    }

    #[test]
    fn versions_are_dotted_numbers() {
        assert!(is_dotted_version(DEFAULT_PLUGIN_VERSION));
        assert!(is_dotted_version("4.5.1.0"));
        assert!(!is_dotted_version("4.0.0.0-rutoken-lab"));
        assert!(!is_dotted_version(""));
    }
}
