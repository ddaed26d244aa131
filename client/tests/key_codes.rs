//! `ClientConfig::key_of_code`: the attribute-85 key code of a listed key back to its
//! algorithm and parameter set, with the default profile's codes
//! (`device/src/profile/token.rs` `default_gost_key_codes`, as in
//! `profiles/rutoken-ecp2-safetouch.yaml`). A 2001 key's letter names a CryptoPro set
//! (`gost2001-A` → `cryptopro-A`); a 2012 key's name carries its TC26 set.
#![allow(clippy::unwrap_used, reason = "tests")]

use gost::{KeyAlgorithm, ParamSet};
use rutoken_client::ClientConfig;

#[test]
fn every_default_code_names_its_key() {
    let config = ClientConfig::default();
    let expected = [
        (0x20, KeyAlgorithm::Gost2001, "cryptopro-A"),
        (0x30, KeyAlgorithm::Gost2001, "cryptopro-B"),
        (0x40, KeyAlgorithm::Gost2001, "cryptopro-C"),
        (0x11, KeyAlgorithm::Gost2012_256, "256-A"),
        (0x21, KeyAlgorithm::Gost2012_256, "256-B"),
        (0x31, KeyAlgorithm::Gost2012_256, "256-C"),
        (0x41, KeyAlgorithm::Gost2012_256, "256-D"),
        (0x12, KeyAlgorithm::Gost2012_512, "512-A"),
        (0x22, KeyAlgorithm::Gost2012_512, "512-B"),
        (0x32, KeyAlgorithm::Gost2012_512, "512-C"),
    ];
    for (code, algorithm, set) in expected {
        assert_eq!(
            config.key_of_code(code),
            Some((algorithm, ParamSet::from_name(set).unwrap())),
            "code {code:#04x}"
        );
    }
}

#[test]
fn an_unknown_code_names_no_key() {
    let config = ClientConfig::default();
    for code in [0x00, 0x10, 0x13, 0x50, 0xFF] {
        assert_eq!(config.key_of_code(code), None, "code {code:#04x}");
        assert_eq!(config.param_set_of_code(code), None, "code {code:#04x}");
    }
}
