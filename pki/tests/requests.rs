//! Building, signing (callback and software key), parsing and verifying PKCS#10 requests.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;
use support::keys;

use gost::{KeyAlgorithm, ParamSet, Rng};
use rutoken_pki::ext::{RUTOKEN_SIGN_TOOL, RequestedExtensions};
use rutoken_pki::name::{self, Attribute};
use rutoken_pki::verify::sign_tbs;
use rutoken_pki::{Error, Request, RequestInfo};

#[test]
fn every_parameter_set_signs_and_verifies() {
    for (i, param) in ParamSet::ALL.into_iter().enumerate() {
        let (key, request) = keys::request(param, 100 + i as u64, keys::subject());
        let verified = request
            .verify()
            .unwrap_or_else(|e| panic!("{param:?}: {e}"));
        assert_eq!(verified.key, key.verifying_key());
        assert_eq!(verified.algorithm, KeyAlgorithm::gost2012_for(param));
        let again = Request::parse(request.to_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(again.to_der(), request.to_der());
    }
}

#[test]
fn the_callback_gets_the_cert_req_info_and_returns_s_r() {
    let (algorithm, key) = keys::key(ParamSet::Gost256A, 7);
    let info = RequestInfo::new(
        keys::subject(),
        &key.verifying_key(),
        algorithm,
        &RequestedExtensions::bank_default(),
    )
    .unwrap();
    let expected_tbs = info.to_be_signed().unwrap();
    let mut rng = Rng::from_seed(8);
    let mut seen = Vec::new();
    let request = info
        .sign_with(|tbs: &[u8]| {
            seen = tbs.to_vec();
            sign_tbs(&key, algorithm, tbs, &mut rng)
        })
        .unwrap();
    assert_eq!(seen, expected_tbs);
    assert_eq!(
        rutoken_pki::verify::raw_tbs(request.to_der()).unwrap(),
        expected_tbs
    );
    request.verify().unwrap();
}

#[test]
fn a_failing_signer_is_a_named_error() {
    let (algorithm, key) = keys::key(ParamSet::Gost256B, 9);
    let info = RequestInfo::new(
        keys::subject(),
        &key.verifying_key(),
        algorithm,
        &RequestedExtensions::default(),
    )
    .unwrap();
    let err = info
        .sign_with(|_| Err::<Vec<u8>, _>(std::io::Error::other("user rejected")))
        .unwrap_err();
    assert!(matches!(err, Error::Signer(_)), "{err}");
}

#[test]
fn subject_and_extensions_round_trip_in_cyrillic() {
    let (_, request) = keys::request(ParamSet::Gost256B, 11, keys::subject());
    let parsed = Request::parse(request.to_der()).unwrap();
    assert_eq!(
        name::get(parsed.subject(), Attribute::CommonName).as_deref(),
        Some("Иванов Иван Иванович")
    );
    assert_eq!(
        name::get(parsed.subject(), Attribute::Inn).as_deref(),
        Some("386700000001")
    );
    let ext = parsed.requested_extensions().unwrap();
    assert_eq!(ext, RequestedExtensions::bank_default());
    assert_eq!(ext.subject_sign_tool.as_deref(), Some(RUTOKEN_SIGN_TOOL));
}

#[test]
fn a_signature_by_another_key_fails() {
    let (algorithm, key) = keys::key(ParamSet::Gost256B, 12);
    let (_, other) = keys::key(ParamSet::Gost256B, 13);
    let info = RequestInfo::new(
        keys::subject(),
        &key.verifying_key(),
        algorithm,
        &RequestedExtensions::default(),
    )
    .unwrap();
    let mut rng = Rng::from_seed(1);
    let request = info
        .sign_with(|tbs: &[u8]| sign_tbs(&other, algorithm, tbs, &mut rng))
        .unwrap();
    assert!(matches!(request.verify(), Err(Error::SignatureInvalid)));
    // The convenience refuses a key that is not the request's.
    assert!(matches!(
        info.sign_with_key(&other, &mut rng),
        Err(Error::KeyCertificateMismatch)
    ));
}

#[test]
fn mismatched_and_unknown_algorithms_are_named() {
    let (_, request) = keys::request(ParamSet::Gost256B, 14, keys::subject());
    let mut req = request.cert_req().clone();
    req.algorithm.oid = KeyAlgorithm::Gost2012_512.signature_oid();
    let err = Request::from_cert_req(req.clone())
        .unwrap()
        .verify()
        .unwrap_err();
    assert!(matches!(err, Error::AlgorithmMismatch { .. }), "{err}");
    req.algorithm.oid = const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
    let err = Request::from_cert_req(req).unwrap().verify().unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedSignatureAlgorithm(_)),
        "{err}"
    );
}

#[test]
fn a_wrong_size_signature_is_an_error_not_a_panic() {
    let (algorithm, key) = keys::key(ParamSet::Gost512A, 15);
    let info = RequestInfo::new(
        keys::subject(),
        &key.verifying_key(),
        algorithm,
        &RequestedExtensions::default(),
    )
    .unwrap();
    let request = info.sign_with(|_| Ok::<_, Error>(vec![1u8; 64])).unwrap();
    assert!(request.verify().is_err());
}

#[test]
fn gost_2001_keys_sign_with_gost94() {
    // GOST R 34.10-2001 keys (OpenSC's): CryptoPro-A curve, GOST R 34.11-94 digest.
    let (_, key) = keys::key(ParamSet::Gost256B, 16);
    let info = RequestInfo::new(
        keys::subject(),
        &key.verifying_key(),
        KeyAlgorithm::Gost2001,
        &RequestedExtensions::default(),
    )
    .unwrap();
    let request = info.sign_with_key(&key, &mut Rng::from_seed(17)).unwrap();
    assert_eq!(
        request.cert_req().algorithm.oid.to_string(),
        "1.2.643.2.2.3"
    );
    assert_eq!(request.verify().unwrap().algorithm, KeyAlgorithm::Gost2001);
}

#[test]
fn requests_from_spki_der_and_short_names() {
    let (algorithm, key) = keys::key(ParamSet::Gost256C, 18);
    let spki_der = gost::spki::to_spki_der(&key.verifying_key(), algorithm);
    let subject = rutoken_pki::name::NameBuilder::new()
        .with_short_name("CN", "Иванов Иван Иванович")
        .unwrap()
        .with_short_name("INN", "386700000001")
        .unwrap()
        .build()
        .unwrap();
    let info = RequestInfo::with_spki_der(subject, &spki_der, &RequestedExtensions::bank_default())
        .unwrap();
    let request = info.sign_with_key(&key, &mut Rng::from_seed(19)).unwrap();
    assert_eq!(request.verify().unwrap().key, key.verifying_key());
    assert!(
        RequestInfo::with_spki_der(
            keys::subject(),
            b"\x30\x00",
            &RequestedExtensions::default()
        )
        .is_err()
    );
}

#[test]
fn wrong_pem_labels_and_mismatched_keys_are_named() {
    let cert_pem = rutoken_pki::fixtures::file("ca.crt.pem").unwrap();
    assert!(matches!(Request::parse(cert_pem), Err(Error::Pem { .. })));
    assert!(matches!(
        rutoken_pki::PrivateKey::parse(cert_pem),
        Err(Error::Pem { .. })
    ));
    let ca = rutoken_pki::fixtures::ca().unwrap();
    let other = rutoken_pki::fixtures::owner_current().unwrap();
    let err = rutoken_pki::ca::TestCa::new(ca.cert, other.key, Default::default(), 1).unwrap_err();
    assert!(matches!(err, Error::KeyCertificateMismatch), "{err}");
}
