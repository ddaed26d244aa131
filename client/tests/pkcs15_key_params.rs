//! The GOST parameters OpenSC writes in a key's PrKDF and PuKDF entries (`params_r3410`,
//! `params_r3411`, `params_28147`): the parameter set's letter counted from 1, a 2001 key
//! counting its CryptoPro letter (`gost_param_number`'s documentation: the fixture's 256-A key
//! writes `02 01 01`; trace 11_kpg2001: CryptoPro A writes `02 01 01`).
#![allow(clippy::unwrap_used, reason = "tests")]

use gost::{KeyAlgorithm, ParamSet};
use rutoken_client::layout::pkcs15::{gost_param_number, private_key_entry, public_key_entry};

fn set(name: &str) -> ParamSet {
    ParamSet::from_name(name).unwrap()
}

#[test]
fn each_set_counts_its_letter() {
    let cases = [
        (KeyAlgorithm::Gost2012_256, "256-A", 1),
        (KeyAlgorithm::Gost2012_256, "256-B", 2),
        (KeyAlgorithm::Gost2012_256, "256-C", 3),
        (KeyAlgorithm::Gost2012_256, "256-D", 4),
        (KeyAlgorithm::Gost2012_512, "512-A", 1),
        (KeyAlgorithm::Gost2012_512, "512-B", 2),
        (KeyAlgorithm::Gost2012_512, "512-C", 3),
        (KeyAlgorithm::Gost2001, "cryptopro-A", 1),
        (KeyAlgorithm::Gost2001, "cryptopro-B", 2),
        (KeyAlgorithm::Gost2001, "cryptopro-C", 3),
    ];
    for (algorithm, name, number) in cases {
        assert_eq!(gost_param_number(algorithm, set(name)), number, "{name}");
    }
}

#[test]
fn both_entries_carry_the_three_parameters() {
    // params_r3410 = the letter's number, params_r3411 = 0, params_28147 = 0 (OpenSC's
    // pkcs15-init output for a 256-D key).
    let expected = [0x02, 0x01, 0x04, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
    let path = [0x3F, 0x00, 0x10, 0x00, 0x10, 0x00, 0x60, 0x02, 0x00, 0x02];
    let entries = [
        private_key_entry(
            "k",
            &[1],
            2,
            &path,
            KeyAlgorithm::Gost2012_256,
            set("256-D"),
            false,
        )
        .unwrap(),
        public_key_entry("k", &[1], &path, KeyAlgorithm::Gost2012_256, set("256-D")).unwrap(),
    ];
    for entry in entries {
        assert!(
            entry.ends_with(&expected),
            "the entry ends with its typed attributes' parameters: {entry:02X?}"
        );
    }
}
