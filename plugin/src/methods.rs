//! Every method of the plugin object and the options each one documents, with what the bridge
//! does with each option: honoured as the real plugin honours it, or refused with a code. One
//! list: the served script builds the object's methods from [`NAMES`] (`codes::constants`),
//! `api::call` dispatches on the same names, and the option walk (tests/options.rs) reads
//! [`SPECS`].
//!
//! Sources: Aktiv's public demo (AktivCo/rutoken-plugin-demo `src/present.js`: 47 methods and
//! their option objects), the plugin reference (API v4.10.1.0), the older names the
//! `ruscryptojs` wrapper requires (`getDeviceModel`, `getDeviceType`).

use crate::codes::ErrorCode;

/// What the bridge does with one documented option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Honoured as the real plugin honours it.
    Honoured,
    /// Refused with this code when set (to a value that asks for something).
    Refused(ErrorCode),
}

/// A method: its name, where its options object is (argument index) and its options.
#[derive(Debug, Clone, Copy)]
pub struct MethodSpec {
    /// The name on the plugin object.
    pub name: &'static str,
    /// Index of the options argument, if the method takes one.
    pub options_at: Option<usize>,
    /// The documented options.
    pub options: &'static [(&'static str, Treatment)],
}

use Treatment::{Honoured, Refused};

const fn m(name: &'static str) -> MethodSpec {
    MethodSpec {
        name,
        options_at: None,
        options: &[],
    }
}

const fn o(
    name: &'static str,
    at: usize,
    options: &'static [(&'static str, Treatment)],
) -> MethodSpec {
    MethodSpec {
        name,
        options_at: Some(at),
        options,
    }
}

/// Every method with its options.
pub const SPECS: &[MethodSpec] = &[
    o("enumerateDevices", 0, &[("mode", Honoured)]),
    m("getDeviceInfo"),
    m("getDeviceModel"),
    m("getDeviceType"),
    m("login"),
    m("logout"),
    m("savePin"),
    m("removePin"),
    o("changePin", 3, &[("useAdminPin", Honoured)]),
    m("unblockUserPin"),
    o(
        "formatToken",
        1,
        &[
            ("adminPin", Honoured),
            ("newUserPin", Honoured),
            // Written to the PKCS#15 TokenInfo (getDeviceInfo(TOKEN_INFO_LABEL) reads it).
            ("label", Honoured),
        ],
    ),
    m("authenticate"),
    m("enumerateKeys"),
    o(
        "generateKeyPair",
        3,
        &[
            ("publicKeyAlgorithm", Honoured),
            ("paramset", Honoured),
            ("signatureSize", Honoured),
            ("id", Honoured),
            ("keySpec", Honoured),
            // A second PIN: the ECP 2.0 has none.
            ("needPin", Refused(ErrorCode::UnsupportedByToken)),
            // Confirmation on the device: honoured in a SafeTouch (every signature is
            // confirmed there), refused without one.
            ("needConfirm", Honoured),
            // A journal key pair: the emulated token keeps no journal.
            ("keyType", Honoured),
            // Key usage periods are an ECP 3.0 feature.
            ("privateKeyUsagePeriod", Honoured),
        ],
    ),
    m("deleteKeyPair"),
    m("getKeyLabel"),
    m("setKeyLabel"),
    m("getKeyInfo"),
    o("getPublicKeyValue", 2, &[]),
    m("enumerateCertificates"),
    m("getCertificate"),
    m("parseCertificate"),
    m("parseCertificateFromString"),
    m("getCertificateInfo"),
    m("getKeyByCertificate"),
    m("importCertificate"),
    m("deleteCertificate"),
    m("getCertLabel"),
    m("setCertLabel"),
    o("enumerateStoreCertificates", 0, &[]),
    o("getStoreCertificate", 1, &[]),
    o(
        "createPkcs10",
        4,
        &[
            ("subjectSignTool", Honoured),
            ("hashAlgorithm", Honoured),
            ("customExtensions", Honoured),
        ],
    ),
    o(
        "sign",
        4,
        &[
            ("detached", Honoured),
            ("addUserCertificate", Honoured),
            ("useHardwareHash", Honoured),
            ("addSignTime", Honoured),
            ("CMS", Honoured),
            ("eContentType", Honoured),
            ("addEssCert", Honoured),
            ("rsaHashAlgorithm", Honoured),
            // Aktiv's own signed attributes (their OIDs and contents are not public).
            ("addSystemInfo", Refused(ErrorCode::FunctionFailed)),
            (
                "addSecurityProductsInfo",
                Refused(ErrorCode::FunctionFailed),
            ),
            // A time-stamp needs the TSA's server: the bridge reaches no network.
            ("tspOptions", Refused(ErrorCode::HostNotFound)),
        ],
    ),
    o(
        "rawSign",
        3,
        &[
            ("computeHash", Honoured),
            ("useHardwareHash", Honoured),
            ("hashAlgorithm", Honoured),
        ],
    ),
    o(
        "verify",
        2,
        &[
            ("data", Honoured),
            ("base64", Honoured),
            ("useHardwareHash", Honoured),
            ("certificates", Honoured),
            ("CA", Honoured),
            ("verifyCertificate", Honoured),
        ],
    ),
    o(
        "digest",
        3,
        &[("base64", Honoured), ("useHardwareHash", Honoured)],
    ),
    o(
        "cmsEncrypt",
        4,
        &[("base64", Honoured), ("cipherAlgorithm", Honoured)],
    ),
    o("cmsDecrypt", 3, &[("base64", Honoured)]),
    o("derive", 3, &[("ukm", Honoured)]),
    o(
        "createTsRequest",
        3,
        &[
            ("cert", Honoured),
            ("nonce", Honoured),
            ("policy", Honoured),
            ("extensions", Honoured),
        ],
    ),
    o(
        "verifyTsResponse",
        4,
        &[("certificates", Honoured), ("CA", Honoured)],
    ),
    o("getJournal", 2, &[]),
    m("enumerateBinaryFiles"),
    m("createBinaryFile"),
    m("readBinaryFile"),
    m("deleteBinaryFile"),
    m("getBinaryFileInfo"),
    m("getLicence"),
    m("setLicence"),
];

/// The method names, in [`SPECS`] order.
pub const NAMES: [&str; SPECS.len()] = {
    let mut names = [""; SPECS.len()];
    let mut i = 0;
    while i < SPECS.len() {
        names[i] = SPECS[i].name;
        i += 1;
    }
    names
};

/// The spec of a method, if the plugin has it.
pub fn spec(name: &str) -> Option<&'static MethodSpec> {
    SPECS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 47 methods Aktiv's public demo calls (`pluginObject.X` in `src/present.js`).
    const DEMO: &[&str] = &[
        "authenticate",
        "changePin",
        "cmsDecrypt",
        "cmsEncrypt",
        "createBinaryFile",
        "createPkcs10",
        "createTsRequest",
        "deleteBinaryFile",
        "deleteCertificate",
        "deleteKeyPair",
        "derive",
        "digest",
        "enumerateBinaryFiles",
        "enumerateCertificates",
        "enumerateDevices",
        "enumerateKeys",
        "enumerateStoreCertificates",
        "formatToken",
        "generateKeyPair",
        "getBinaryFileInfo",
        "getCertLabel",
        "getCertificate",
        "getCertificateInfo",
        "getDeviceInfo",
        "getJournal",
        "getKeyByCertificate",
        "getKeyInfo",
        "getKeyLabel",
        "getLicence",
        "getPublicKeyValue",
        "getStoreCertificate",
        "importCertificate",
        "login",
        "logout",
        "parseCertificate",
        "parseCertificateFromString",
        "rawSign",
        "readBinaryFile",
        "removePin",
        "savePin",
        "setCertLabel",
        "setKeyLabel",
        "setLicence",
        "sign",
        "unblockUserPin",
        "verify",
        "verifyTsResponse",
    ];

    #[test]
    fn every_demo_method_is_listed_once() {
        assert_eq!(DEMO.len(), 47);
        for name in DEMO {
            assert!(spec(name).is_some(), "{name} missing");
        }
        let mut seen = std::collections::BTreeSet::new();
        for name in NAMES {
            assert!(seen.insert(name), "{name} twice");
        }
    }
}
