//! The plugin's error codes and constants, as the page reads them from the plugin object
//! (`plugin.errorCodes.PIN_INCORRECT`, `plugin.TOKEN_INFO_SERIAL`, …).
//!
//! Names: Aktiv's public demo (AktivCo/rutoken-plugin-demo `src/present.js`, `src/index.html`).
//! Error code values: Aktiv's pki-core error table (`rt_pc_e_*`, the library under the plugin),
//! where a name appears there; `UNKNOWN_ERROR` = 1 is ours (pki-core starts at 2). Constant
//! values (TOKEN_INFO_*, CERT_CATEGORY_*, …) are not public: ours, and a page that follows
//! Aktiv's examples only ever compares with the names. Both are rows of `docs/assumptions.md`.

use serde_json::{Map, Value, json};

/// One error the bridge reports; `code()` is what `Error.message` carries (as the
/// native-messaging plugin does: `parseInt(error.message)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Anything the other codes do not describe.
    UnknownError,
    /// A bad argument: wrong type, unknown constant, malformed data.
    BadParams,
    /// No device with that id (never was, or pulled).
    DeviceNotFound,
    /// A category the call does not accept.
    CertificateCategoryBad,
    /// The certificate is on the token already.
    CertificateExists,
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
    /// «Операция отклонена пользователем»: Reject (or the time-out) on the SafeTouch.
    FunctionRejected,
    /// The operation failed for a reason the others do not name.
    FunctionFailed,
    /// Base64 that does not decode.
    Base64DecodeFailed,
    /// ASN.1 that does not parse.
    Asn1Error,
    /// PEM that does not parse.
    PemError,
    /// Already logged in.
    AlreadyLoggedIn,
}

/// Every code with its name, in the order of the table.
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
    (ErrorCode::PinLengthInvalid, "PIN_LENGTH_INVALID", 16),
    (ErrorCode::PinIncorrect, "PIN_INCORRECT", 17),
    (ErrorCode::PinLocked, "PIN_LOCKED", 18),
    (ErrorCode::UserNotLoggedIn, "USER_NOT_LOGGED_IN", 19),
    (ErrorCode::KeyNotFound, "KEY_NOT_FOUND", 20),
    (ErrorCode::CertificateNotFound, "CERTIFICATE_NOT_FOUND", 22),
    (ErrorCode::TokenInvalid, "TOKEN_INVALID", 24),
    (ErrorCode::WrongKeyType, "WRONG_KEY_TYPE", 25),
    (ErrorCode::DeviceError, "DEVICE_ERROR", 26),
    (ErrorCode::DataInvalid, "DATA_INVALID", 27),
    (ErrorCode::UnsupportedByToken, "UNSUPPORTED_BY_TOKEN", 28),
    (ErrorCode::FunctionRejected, "FUNCTION_REJECTED", 30),
    (ErrorCode::FunctionFailed, "FUNCTION_FAILED", 31),
    (ErrorCode::Base64DecodeFailed, "BASE64_DECODE_FAILED", 32),
    (ErrorCode::Asn1Error, "ASN1_ERROR", 33),
    (ErrorCode::PemError, "PEM_ERROR", 34),
    (ErrorCode::AlreadyLoggedIn, "ALREADY_LOGGED_IN", 93),
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

/// `enumerateDevices` modes.
pub const ENUMERATE_DEVICES_LIST: u32 = 1;
/// `enumerateDevices({mode: ENUMERATE_DEVICES_EVENTS})`: `{connected: [...], disconnected: [...]}`
/// since the previous call on the same connection.
pub const ENUMERATE_DEVICES_EVENTS: u32 = 2;

/// `getDeviceInfo` kinds.
pub mod token_info {
    /// Model name.
    pub const MODEL: u32 = 1;
    /// Reader name.
    pub const READER: u32 = 2;
    /// Token label.
    pub const LABEL: u32 = 3;
    /// `TOKEN_TYPE_*`.
    pub const DEVICE_TYPE: u32 = 4;
    /// Serial (decimal string).
    pub const SERIAL: u32 = 5;
    /// Logged in (bool).
    pub const IS_LOGGED_IN: u32 = 6;
    /// Data formats the device can show (`DEVICE_DATA_FORMAT_*`).
    pub const FORMATS: u32 = 7;
    /// Features (object).
    pub const FEATURES: u32 = 8;
    /// Mechanisms (array of names).
    pub const SUPPORTED_MECHANISMS: u32 = 9;
    /// PIN state (object).
    pub const PINS_INFO: u32 = 10;
    /// Vendor model name.
    pub const VENDOR_MODEL_NAME: u32 = 11;
    /// The device number of the bank's PIN dialog (ours).
    pub const DEVICE_NUMBER: u32 = 100;
}

/// `TOKEN_TYPE_RUTOKEN_ECP`.
pub const TOKEN_TYPE_RUTOKEN_ECP: u32 = 2;
/// `DEVICE_DATA_FORMAT_PLAIN`, `…_SAFETOUCH`.
pub const DEVICE_DATA_FORMAT_PLAIN: u32 = 0;
/// The SafeTouch TLV document format.
pub const DEVICE_DATA_FORMAT_SAFETOUCH: u32 = 2;

/// Certificate categories.
pub mod cert_category {
    /// Unspecified.
    pub const UNSPEC: u32 = 0;
    /// The user's own (has a key on the token).
    pub const USER: u32 = 1;
    /// A CA's.
    pub const CA: u32 = 2;
    /// Anyone else's.
    pub const OTHER: u32 = 3;
}

/// Public key algorithms.
pub mod algorithm {
    /// GOST R 34.10-2001.
    pub const GOST3410_2001: u32 = 1;
    /// GOST R 34.10-2012, 256-bit.
    pub const GOST3410_2012_256: u32 = 2;
    /// GOST R 34.10-2012, 512-bit.
    pub const GOST3410_2012_512: u32 = 3;
    /// RSA (not supported by the emulator).
    pub const RSA: u32 = 4;
}

/// Data formats of `sign`.
pub mod data_format {
    /// A UTF-8 string.
    pub const PLAIN: u32 = 0;
    /// Base64 of the bytes.
    pub const BASE64: u32 = 1;
    /// A hash, hex.
    pub const HASH: u32 = 2;
}

/// Hash types.
pub mod hash_type {
    /// GOST R 34.11-94.
    pub const GOST3411_94: u32 = 1;
    /// Streebog-256.
    pub const GOST3411_12_256: u32 = 2;
    /// Streebog-512.
    pub const GOST3411_12_512: u32 = 3;
}

/// The constants object spread onto the plugin object, and the `errorCodes` table.
pub fn constants() -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: u32| {
        m.insert(k.to_owned(), json!(v));
    };
    put("ENUMERATE_DEVICES_LIST", ENUMERATE_DEVICES_LIST);
    put("ENUMERATE_DEVICES_EVENTS", ENUMERATE_DEVICES_EVENTS);
    put("TOKEN_INFO_MODEL", token_info::MODEL);
    put("TOKEN_INFO_READER", token_info::READER);
    put("TOKEN_INFO_LABEL", token_info::LABEL);
    put("TOKEN_INFO_DEVICE_TYPE", token_info::DEVICE_TYPE);
    put("TOKEN_INFO_SERIAL", token_info::SERIAL);
    put("TOKEN_INFO_IS_LOGGED_IN", token_info::IS_LOGGED_IN);
    put("TOKEN_INFO_FORMATS", token_info::FORMATS);
    put("TOKEN_INFO_FEATURES", token_info::FEATURES);
    put(
        "TOKEN_INFO_SUPPORTED_MECHANISMS",
        token_info::SUPPORTED_MECHANISMS,
    );
    put("TOKEN_INFO_PINS_INFO", token_info::PINS_INFO);
    put(
        "TOKEN_INFO_VENDOR_MODEL_NAME",
        token_info::VENDOR_MODEL_NAME,
    );
    put("TOKEN_INFO_DEVICE_NUMBER", token_info::DEVICE_NUMBER);
    put("TOKEN_TYPE_RUTOKEN_ECP", TOKEN_TYPE_RUTOKEN_ECP);
    put("DEVICE_DATA_FORMAT_PLAIN", DEVICE_DATA_FORMAT_PLAIN);
    put("DEVICE_DATA_FORMAT_SAFETOUCH", DEVICE_DATA_FORMAT_SAFETOUCH);
    put("CERT_CATEGORY_UNSPEC", cert_category::UNSPEC);
    put("CERT_CATEGORY_USER", cert_category::USER);
    put("CERT_CATEGORY_CA", cert_category::CA);
    put("CERT_CATEGORY_OTHER", cert_category::OTHER);
    put(
        "PUBLIC_KEY_ALGORITHM_GOST3410_2001",
        algorithm::GOST3410_2001,
    );
    put(
        "PUBLIC_KEY_ALGORITHM_GOST3410_2012_256",
        algorithm::GOST3410_2012_256,
    );
    put(
        "PUBLIC_KEY_ALGORITHM_GOST3410_2012_512",
        algorithm::GOST3410_2012_512,
    );
    put("PUBLIC_KEY_ALGORITHM_RSA", algorithm::RSA);
    put("DATA_FORMAT_PLAIN", data_format::PLAIN);
    put("DATA_FORMAT_BASE64", data_format::BASE64);
    put("DATA_FORMAT_HASH", data_format::HASH);
    put("HASH_TYPE_GOST3411_94", hash_type::GOST3411_94);
    put("HASH_TYPE_GOST3411_12_256", hash_type::GOST3411_12_256);
    put("HASH_TYPE_GOST3411_12_512", hash_type::GOST3411_12_512);
    let errors: Map<String, Value> = ALL
        .iter()
        .map(|(_, name, n)| ((*name).to_owned(), json!(n)))
        .collect();
    m.insert("errorCodes".to_owned(), Value::Object(errors));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, name, n) in ALL {
            assert!(seen.insert(*n), "{name} repeats {n}");
            assert_eq!(code.code(), *n);
            assert_eq!(code.name(), *name);
        }
        let c = constants();
        assert_eq!(c["errorCodes"]["FUNCTION_REJECTED"], json!(30));
        assert_eq!(c["errorCodes"]["PIN_INCORRECT"], json!(17));
        assert_eq!(c["CERT_CATEGORY_USER"], json!(1));
    }
}
