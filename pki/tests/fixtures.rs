//! The committed fixtures: they load, they are what the brief describes, and regeneration from
//! the default seed reproduces them byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use gost::{KeyAlgorithm, ParamSet};
use rutoken_pki::fixtures::{self, DEFAULT_SEED, FILES, REISSUE_DATE};
use rutoken_pki::name::{self, Attribute};

#[test]
fn fixtures_regenerate_byte_for_byte() {
    let generated = fixtures::generate(DEFAULT_SEED).unwrap();
    assert_eq!(generated.len(), FILES.len());
    for ((name, bytes), file) in generated.iter().zip(FILES) {
        assert_eq!(*name, file.name);
        assert!(
            **bytes == *file.contents,
            "{name} differs from the generator; run `cargo run --release -- fixtures regenerate`"
        );
    }
}

#[test]
fn regenerate_and_check_through_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let written = fixtures::regenerate(dir.path(), DEFAULT_SEED).unwrap();
    assert_eq!(written.len(), FILES.len());
    assert!(
        fixtures::check(dir.path(), DEFAULT_SEED)
            .unwrap()
            .is_empty()
    );
    std::fs::write(dir.path().join("ca.crt.pem"), b"tampered").unwrap();
    std::fs::remove_file(dir.path().join("owner-expired.key.pem")).unwrap();
    assert_eq!(
        fixtures::check(dir.path(), DEFAULT_SEED).unwrap(),
        ["ca.crt.pem", "owner-expired.key.pem"]
    );
    // Another seed gives other keys.
    assert!(
        !fixtures::check(dir.path(), DEFAULT_SEED + 1)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn owner_current_is_the_instruction_s_certificate() {
    let owner = fixtures::owner_current().unwrap();
    assert_eq!(owner.cert.serial_hex(), "010101D1010201B6");
    assert_eq!(owner.key.algorithm, KeyAlgorithm::Gost2012_256);
    assert_eq!(owner.key.key.param_set(), ParamSet::Gost256B);
    assert!(owner.cert.is_valid_at(REISSUE_DATE).unwrap());
    let subject = owner.cert.subject();
    assert_eq!(
        name::get(subject, Attribute::CommonName).as_deref(),
        Some("Иванов Иван Иванович")
    );
    assert_eq!(
        name::get(subject, Attribute::Organization).as_deref(),
        Some("3867XXXXXXXXXX")
    );
    assert_eq!(
        name::get(subject, Attribute::Title).as_deref(),
        Some("Директор")
    );
    assert_eq!(
        name::get(subject, Attribute::Locality).as_deref(),
        Some("Тюмень")
    );
    let ca = fixtures::ca().unwrap();
    owner.cert.verify_issued_by(&ca.cert).unwrap();
    assert!(
        name::get(ca.cert.subject(), Attribute::CommonName)
            .unwrap()
            .contains("ТЕСТ")
    );
    ca.cert.verify_issued_by(&ca.cert).unwrap();
}

#[test]
fn the_other_fixtures_are_what_scenarios_need() {
    let ca = fixtures::ca().unwrap();
    let expired = fixtures::owner_expired().unwrap();
    expired.cert.verify_issued_by(&ca.cert).unwrap();
    assert!(!expired.cert.is_valid_at(REISSUE_DATE).unwrap());
    assert!(expired.cert.not_after().unwrap() < REISSUE_DATE);

    let foreign_ca = fixtures::foreign_ca().unwrap();
    let foreign = fixtures::owner_foreign().unwrap();
    foreign.cert.verify_issued_by(&foreign_ca.cert).unwrap();
    assert!(foreign.cert.verify_issued_by(&ca.cert).is_err());
    assert!(foreign.cert.is_valid_at(REISSUE_DATE).unwrap());

    let second = fixtures::second_owner().unwrap();
    second.cert.verify_issued_by(&ca.cert).unwrap();
    assert_ne!(
        name::canonical(second.cert.subject()),
        name::canonical(fixtures::owner_current().unwrap().cert.subject())
    );
    // Every key is distinct.
    let keys: std::collections::BTreeSet<Vec<u8>> = [&ca, &expired, &foreign_ca, &foreign, &second]
        .iter()
        .map(|f| f.key.key.verifying_key().to_le_bytes())
        .collect();
    assert_eq!(keys.len(), 5);
}

#[test]
fn debug_never_prints_key_material() {
    let owner = fixtures::owner_current().unwrap();
    let debug = format!("{owner:?}");
    let d = hex::encode(&*owner.key.key.to_le_bytes());
    assert!(!debug.to_lowercase().contains(&d[..16]));
    assert!(!format!("{:?}", rutoken_pki::ca::TestCa::fixture(1).unwrap()).contains(&d[..16]));
}
