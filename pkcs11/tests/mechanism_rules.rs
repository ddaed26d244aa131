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
    SignKind, check_sign_parameter, digest_of, find, key_spec, keygen_mechanism, sign_kind,
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
    // The 512-bit key type and mechanisms (OpenSC `pkcs11.h`: RU_TEAM | 0x003, 0x005, 0x006).
    assert_eq!(CKK_GOSTR3410_512, 0xD432_1003);
    assert_eq!(CKM_GOSTR3410_512_KEY_PAIR_GEN, 0xD432_1005);
    assert_eq!(CKM_GOSTR3410_512, 0xD432_1006);
    // VKO GOST R 34.10-2012 (RU_TEAM | 0x007, as Aktiv's `rtpkcs11t.h` declares it).
    assert_eq!(
        rutoken_pkcs11::symmetric::CKM_GOSTR3410_12_DERIVE,
        0xD432_1007
    );
    // The KDF of `CK_GOSTR3410_DERIVE_PARAMS` that asks for Streebog-256 (RU_TEAM | 0x026).
    assert_eq!(
        rutoken_pkcs11::symmetric::CKM_KDF_GOSTR3411_2012_256,
        0xD432_1026
    );
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

/// The two other hashing signature mechanisms: `CKM_GOSTR3410_WITH_GOSTR3411` with a 2001 key
/// only (the token hashes with GOST R 34.11-94, CryptoPro parameters), `…_12_512` with a
/// 2012-512 key only; each refuses the other sizes and algorithms as `CKR_KEY_TYPE_INCONSISTENT`.
#[test]
fn the_2001_and_512_bit_hashing_mechanisms_take_only_their_keys() {
    let k2001 = spec(KeyAlgorithm::Gost2001, "cryptopro-A");
    let k256 = spec(KeyAlgorithm::Gost2012_256, "256-A");
    let k512 = spec(KeyAlgorithm::Gost2012_512, "512-A");
    let inconsistent = Err(Error::Rv(CKR_KEY_TYPE_INCONSISTENT));
    assert_eq!(
        sign_kind(CKM_GOSTR3410_WITH_GOSTR3411, k2001),
        Ok(SignKind::OnToken(DigestAlgorithm::Gost94CryptoPro))
    );
    for other in [k256, k512] {
        assert_eq!(sign_kind(CKM_GOSTR3410_WITH_GOSTR3411, other), inconsistent);
    }
    assert_eq!(
        sign_kind(CKM_GOSTR3410_WITH_GOSTR3411_12_512, k512),
        Ok(SignKind::OnToken(DigestAlgorithm::Streebog512))
    );
    for other in [k2001, k256] {
        assert_eq!(
            sign_kind(CKM_GOSTR3410_WITH_GOSTR3411_12_512, other),
            inconsistent
        );
    }
    // The 2001 key is a 256-bit key for the host-digest mechanisms.
    assert_eq!(sign_kind(CKM_GOSTR3410_512, k2001), inconsistent);
    assert_eq!(
        sign_kind(CKM_GOSTR3411_12_256, k256),
        Err(Error::Rv(CKR_MECHANISM_INVALID))
    );
}

/// The GOST R 34.11-94 digest parameter (`1.2.643.2.2.30.1`, as Aktiv's samples pass
/// `CKA_GOSTR3411_PARAMS` of a 2001 key) goes with `CKM_GOSTR3410_WITH_GOSTR3411` only.
#[test]
fn the_gost94_digest_parameter_goes_with_the_2001_mechanism_only() {
    let gost94 = SignKind::OnToken(DigestAlgorithm::Gost94CryptoPro);
    let invalid = Err(Error::Rv(CKR_MECHANISM_PARAM_INVALID));
    assert_eq!(check_sign_parameter(gost94, HASH_PARAMS_2001), Ok(()));
    assert_eq!(check_sign_parameter(gost94, &[]), Ok(()));
    for wrong in [HASH_PARAMS_2012_256, HASH_PARAMS_2012_512] {
        assert_eq!(check_sign_parameter(gost94, wrong), invalid);
    }
    for kind in [
        SignKind::OnToken(DigestAlgorithm::Streebog256),
        SignKind::OnToken(DigestAlgorithm::Streebog512),
        SignKind::HostDigest { len: 32 },
    ] {
        assert_eq!(check_sign_parameter(kind, HASH_PARAMS_2001), invalid);
    }
}

/// Each digest mechanism names its digest (TC26: `CKM_GOSTR3411_12_256`/`_512` are Streebog,
/// PKCS#11 v2.40 §2.57: `CKM_GOSTR3411` is GOST R 34.11-94 with the CryptoPro parameters).
#[test]
fn each_digest_mechanism_computes_its_digest() {
    assert_eq!(
        digest_of(CKM_GOSTR3411_12_256),
        Some(DigestAlgorithm::Streebog256)
    );
    assert_eq!(
        digest_of(CKM_GOSTR3411_12_512),
        Some(DigestAlgorithm::Streebog512)
    );
    assert_eq!(
        digest_of(CKM_GOSTR3411),
        Some(DigestAlgorithm::Gost94CryptoPro)
    );
    assert_eq!(digest_of(CKM_GOSTR3410), None);
}

/// A key-pair template without `CKA_GOSTR3410_PARAMS` gets the TC 26 paramSetA of the
/// mechanism's size; a `CKA_GOSTR3411_PARAMS` in it must then be that size's Streebog.
#[test]
fn without_a_curve_the_digest_parameter_must_match_the_size() {
    let inconsistent = Err(Error::Rv(CKR_TEMPLATE_INCONSISTENT));
    assert_eq!(
        key_spec(
            CKM_GOSTR3410_KEY_PAIR_GEN,
            None,
            None,
            Some(HASH_PARAMS_2012_256)
        ),
        Ok(spec(KeyAlgorithm::Gost2012_256, "256-A"))
    );
    assert_eq!(
        key_spec(
            CKM_GOSTR3410_512_KEY_PAIR_GEN,
            None,
            None,
            Some(HASH_PARAMS_2012_512)
        ),
        Ok(spec(KeyAlgorithm::Gost2012_512, "512-A"))
    );
    for (mechanism, wrong) in [
        (CKM_GOSTR3410_KEY_PAIR_GEN, HASH_PARAMS_2012_512),
        (CKM_GOSTR3410_KEY_PAIR_GEN, HASH_PARAMS_2001),
        (CKM_GOSTR3410_512_KEY_PAIR_GEN, HASH_PARAMS_2012_256),
    ] {
        assert_eq!(key_spec(mechanism, None, None, Some(wrong)), inconsistent);
    }
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
    // A blocked PIN (63C0, or 6983 "authentication method blocked") and a missing login (6982)
    // are typed as well: the module's log names them, not a bare refusal.
    for sw in [0x63C0, 0x6983] {
        assert!(
            matches!(
                status_error("VERIFY", sw, &ProfileWords::default()),
                DriverError::PinBlocked { .. }
            ),
            "{sw:04X}"
        );
    }
    assert!(matches!(
        status_error("PSO", 0x6982, &ProfileWords::default()),
        DriverError::NotLoggedIn { .. }
    ));
}

/// The GOST R 34.10/34.11 mechanisms' `CK_MECHANISM_INFO` (PKCS#11 v2.40 §2.57 tables, TC26):
/// key-pair generation and signatures on the token (`CKF_HW`) with their key sizes, digests on
/// the host without a key size, VKO derivation on the token for both key sizes.
#[test]
fn gost_r_34_10_and_34_11_mechanisms_carry_their_flags_and_sizes() {
    let info = |kind| {
        let m = find(kind).unwrap();
        (m.flags, m.min_bits, m.max_bits)
    };
    let sign = CKF_SIGN | CKF_VERIFY | CKF_HW;
    assert_eq!(
        info(CKM_GOSTR3410_KEY_PAIR_GEN),
        (CKF_GENERATE_KEY_PAIR | CKF_HW, 256, 256)
    );
    assert_eq!(
        info(CKM_GOSTR3410_512_KEY_PAIR_GEN),
        (CKF_GENERATE_KEY_PAIR | CKF_HW, 512, 512)
    );
    assert_eq!(info(CKM_GOSTR3410), (sign, 256, 256));
    assert_eq!(info(CKM_GOSTR3410_512), (sign, 512, 512));
    assert_eq!(info(CKM_GOSTR3410_WITH_GOSTR3411), (sign, 256, 256));
    assert_eq!(info(CKM_GOSTR3410_WITH_GOSTR3411_12_256), (sign, 256, 256));
    assert_eq!(info(CKM_GOSTR3410_WITH_GOSTR3411_12_512), (sign, 512, 512));
    for digest in [CKM_GOSTR3411, CKM_GOSTR3411_12_256, CKM_GOSTR3411_12_512] {
        assert_eq!(info(digest), (CKF_DIGEST, 0, 0), "{digest:#x}");
    }
    assert_eq!(
        info(rutoken_pkcs11::symmetric::CKM_GOSTR3410_12_DERIVE),
        (CKF_DERIVE | CKF_HW, 256, 512)
    );
    assert!(find(CKM_RSA_PKCS).is_none());
}
