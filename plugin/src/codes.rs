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

mod errors;

use errors::OTHER_ERRORS;
pub use errors::{ALL, ErrorCode};

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
