//! The module's fixed tables and rules, checked against their published values without a
//! token: the TC 26 vendor mechanism numbers (`VENDOR_PKCS11_RU_TEAM` 0xD4321000, as
//! `pkcs11/src/vendor.rs` and Aktiv's `rtpkcs11t.h` define them), the GOST 28147-89
//! mechanisms' flags, which key each signature mechanism takes and which digest parameter,
//! the key-generation mechanism a key reports, and the `CKR_` of the token's status words
//! (`rutoken-ecp-apdu.md`; ISO 7816-4 §5.6).
#![allow(clippy::unwrap_used, reason = "tests")]

use cryptoki_sys::*;
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet};
use rutoken_client::DriverError;
use rutoken_pkcs11::device::KeySpec;
use rutoken_pkcs11::error::{Error, ProfileWords, status_error, status_rv};
use rutoken_pkcs11::mechanism::{
    SignKind, check_sign_parameter, find, keygen_mechanism, sign_kind,
};
use rutoken_pkcs11::vendor::*;

fn spec(algorithm: KeyAlgorithm, set: &str) -> KeySpec {
    KeySpec {
        algorithm,
        param: ParamSet::from_name(set).unwrap(),
    }
}

#[test]
fn vendor_mechanism_numbers() {
    assert_eq!(VENDOR_PKCS11_RU_TEAM, 0xD432_1000);
    assert_eq!(CKM_GOSTR3410_WITH_GOSTR3411_12_256, 0xD432_1008);
    assert_eq!(CKM_GOSTR3410_WITH_GOSTR3411_12_512, 0xD432_1009);
    assert_eq!(CKM_GOSTR3411_12_256, 0xD432_1012);
    assert_eq!(CKM_GOSTR3411_12_512, 0xD432_1013);
}

#[test]
fn gost28147_mechanisms_carry_their_flags() {
    let flags = |kind| find(kind).unwrap().flags;
    assert_eq!(flags(CKM_GOST28147_KEY_GEN), CKF_GENERATE | CKF_HW);
    assert_eq!(flags(CKM_GOST28147_ECB), CKF_ENCRYPT | CKF_DECRYPT | CKF_HW);
    assert_eq!(flags(CKM_GOST28147), CKF_ENCRYPT | CKF_DECRYPT | CKF_HW);
    assert_eq!(flags(CKM_GOST28147_MAC), CKF_SIGN | CKF_VERIFY | CKF_HW);
    assert_eq!(
        flags(CKM_GOST28147_KEY_WRAP),
        CKF_WRAP | CKF_UNWRAP | CKF_HW
    );
}

#[test]
fn each_signature_mechanism_takes_its_keys() {
    let k2001 = spec(KeyAlgorithm::Gost2001, "cryptopro-A");
    let k256 = spec(KeyAlgorithm::Gost2012_256, "256-A");
    let k512 = spec(KeyAlgorithm::Gost2012_512, "512-A");
    let host = |len| Ok(SignKind::HostDigest { len });
    assert_eq!(sign_kind(CKM_GOSTR3410, k2001), host(32));
    assert_eq!(sign_kind(CKM_GOSTR3410, k256), host(32));
    assert_eq!(sign_kind(CKM_GOSTR3410_512, k512), host(64));
    let inconsistent = Err(Error::Rv(CKR_KEY_TYPE_INCONSISTENT));
    assert_eq!(sign_kind(CKM_GOSTR3410, k512), inconsistent);
    assert_eq!(sign_kind(CKM_GOSTR3410_512, k256), inconsistent);
    assert_eq!(
        sign_kind(CKM_GOSTR3410_WITH_GOSTR3411_12_256, k256),
        Ok(SignKind::OnToken(DigestAlgorithm::Streebog256))
    );
    assert_eq!(
        sign_kind(CKM_GOSTR3410_WITH_GOSTR3411_12_256, k512),
        inconsistent
    );
}

#[test]
fn a_digest_parameter_must_name_the_mechanism_s_digest() {
    let streebog256 = SignKind::OnToken(DigestAlgorithm::Streebog256);
    let streebog512 = SignKind::OnToken(DigestAlgorithm::Streebog512);
    assert_eq!(
        check_sign_parameter(streebog256, HASH_PARAMS_2012_256),
        Ok(())
    );
    assert_eq!(
        check_sign_parameter(streebog512, HASH_PARAMS_2012_512),
        Ok(())
    );
    assert_eq!(check_sign_parameter(streebog256, &[]), Ok(()));
    let invalid = Err(Error::Rv(CKR_MECHANISM_PARAM_INVALID));
    assert_eq!(
        check_sign_parameter(streebog256, HASH_PARAMS_2012_512),
        invalid
    );
    assert_eq!(
        check_sign_parameter(streebog512, HASH_PARAMS_2012_256),
        invalid
    );
}

#[test]
fn a_key_reports_the_mechanism_that_generates_it() {
    assert_eq!(
        keygen_mechanism(spec(KeyAlgorithm::Gost2012_256, "256-A")),
        CKM_GOSTR3410_KEY_PAIR_GEN
    );
    assert_eq!(
        keygen_mechanism(spec(KeyAlgorithm::Gost2012_512, "512-A")),
        CKM_GOSTR3410_512_KEY_PAIR_GEN
    );
}

#[test]
fn status_words_read_as_pkcs11_answers() {
    // 6984: reference data not usable (the token's file system invalidated).
    assert_eq!(status_rv(0x6984), CKR_TOKEN_NOT_RECOGNIZED);
    assert_eq!(status_rv(0x63C2), CKR_PIN_INCORRECT);
    // 63Cx a wrong PIN with x tries left, whatever operation answered it.
    match status_error("VERIFY", 0x63C3, &ProfileWords::default()) {
        DriverError::PinIncorrect { tries_left, .. } => assert_eq!(tries_left, Some(3)),
        other => panic!("expected a wrong PIN, got {other:?}"),
    }
}
