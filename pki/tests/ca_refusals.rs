//! Every refusal of the test CA, one test each (reissue-flow.md step 4).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;
use support::reissue;

use gost::{ParamSet, Rng};
use rutoken_pki::Request;
use rutoken_pki::ca::{Refusal, ReissueInput};
use rutoken_pki::fixtures::{self, Fixture, REISSUE_DATE};
use time::macros::datetime;

use reissue::{ca, document_for, owner, reissue, sign_document};

#[test]
fn refuses_a_bad_request_signature() {
    let mut r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    *r.request.last_mut().unwrap() ^= 0x01;
    // Re-bind the document to the tampered request so only the PKCS#10 check fails.
    let request = Request::parse(&r.request).unwrap();
    r.document = document_for(&request, &owner().cert).encode().unwrap();
    r.signature = sign_document(&owner(), &r.document);
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(matches!(err, Refusal::RequestSignatureInvalid(_)), "{err}");
}

#[test]
fn refuses_a_malformed_request() {
    let mut r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    r.request.truncate(10);
    assert!(matches!(
        ca().issue_reissue(&r.input(), REISSUE_DATE),
        Err(Refusal::MalformedRequest(_))
    ));
}

#[test]
fn refuses_a_document_signed_by_another_key() {
    let mut r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    r.signature = sign_document(&fixtures::second_owner().unwrap(), &r.document);
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(matches!(err, Refusal::DocumentSignatureInvalid), "{err}");
}

#[test]
fn refuses_a_certificate_of_another_ca() {
    let r = reissue(
        &fixtures::owner_foreign().unwrap(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(matches!(err, Refusal::NotIssuedByThisCa), "{err}");
}

#[test]
fn refuses_an_expired_certificate() {
    let r = reissue(
        &fixtures::owner_expired().unwrap(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(
        matches!(err, Refusal::CurrentCertificateExpired { not_after } if not_after == datetime!(2019-12-01 0:00 UTC)),
        "{err}"
    );
}

#[test]
fn refuses_a_certificate_not_yet_valid() {
    let r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    let err = ca()
        .issue_reissue(&r.input(), datetime!(2019-01-01 0:00 UTC))
        .unwrap_err();
    assert!(
        matches!(err, Refusal::CurrentCertificateNotYetValid { .. }),
        "{err}"
    );
}

#[test]
fn refuses_a_subject_mismatch() {
    let r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::second_owner_subject().unwrap(),
    );
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(matches!(err, Refusal::SubjectMismatch { .. }), "{err}");
    assert!(err.to_string().contains("Петров Пётр Петрович"));
}

#[test]
fn refuses_a_document_for_another_certificate_or_request() {
    let owner = owner();
    let mut r = reissue(
        &owner,
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    let request = Request::parse(&r.request).unwrap();
    let mut doc = document_for(&request, &owner.cert);
    doc.replaced_serial = "010101D1010201A1".into();
    r.document = doc.encode().unwrap();
    r.signature = sign_document(&owner, &r.document);
    assert!(matches!(
        ca().issue_reissue(&r.input(), REISSUE_DATE),
        Err(Refusal::DocumentSerialMismatch { .. })
    ));

    let mut doc = document_for(&request, &owner.cert);
    doc.request_hash[0] ^= 1;
    r.document = doc.encode().unwrap();
    r.signature = sign_document(&owner, &r.document);
    assert!(matches!(
        ca().issue_reissue(&r.input(), REISSUE_DATE),
        Err(Refusal::DocumentRequestMismatch)
    ));
}

#[test]
fn refuses_a_malformed_document() {
    let owner = owner();
    let mut r = reissue(
        &owner,
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    r.document.truncate(r.document.len() - 3);
    r.signature = sign_document(&owner, &r.document);
    assert!(matches!(
        ca().issue_reissue(&r.input(), REISSUE_DATE),
        Err(Refusal::MalformedDocument(_))
    ));
}

#[test]
fn refuses_a_malformed_current_certificate() {
    let mut r = reissue(
        &owner(),
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    r.current = b"not a certificate".to_vec();
    assert!(matches!(
        ca().issue_reissue(&r.input(), REISSUE_DATE),
        Err(Refusal::MalformedCurrentCertificate(_))
    ));
}

#[test]
fn refuses_a_request_for_the_current_key() {
    let owner = owner();
    let info = rutoken_pki::RequestInfo::new(
        fixtures::owner_subject().unwrap(),
        &owner.key.key.verifying_key(),
        owner.key.algorithm,
        &rutoken_pki::ext::RequestedExtensions::bank_default(),
    )
    .unwrap();
    let request = info
        .sign_with_key(&owner.key.key, &mut Rng::from_seed(3))
        .unwrap();
    let document = document_for(&request, &owner.cert).encode().unwrap();
    let signature = sign_document(&owner, &document);
    let input = ReissueInput {
        request: request.to_der(),
        document: &document,
        document_signature: &signature,
        current_certificate: owner.cert.to_der(),
    };
    assert!(matches!(
        ca().issue_reissue(&input, REISSUE_DATE),
        Err(Refusal::KeyNotRenewed)
    ));
}

#[test]
fn refuses_a_certificate_forged_under_our_name() {
    // Same issuer name as our CA, but signed by the foreign CA's key.
    let owner = owner();
    let foreign = fixtures::foreign_ca().unwrap();
    let template = rutoken_pki::ca::CertTemplate {
        serial: vec![0x01, 0x02],
        issuer: fixtures::ca().unwrap().cert.subject().clone(),
        subject: owner.cert.subject().clone(),
        not_before: datetime!(2019-06-04 0:00 UTC),
        not_after: datetime!(2020-09-04 0:00 UTC),
        public_key: owner.cert.spki().clone(),
        extensions: vec![],
    };
    let mut rng = Rng::from_seed(4);
    let forged =
        rutoken_pki::ca::build_certificate(&template, foreign.cert.spki(), |tbs: &[u8]| {
            rutoken_pki::verify::sign_tbs(&foreign.key.key, foreign.key.algorithm, tbs, &mut rng)
        })
        .unwrap();
    let forged_owner = Fixture {
        key: fixtures::owner_current().unwrap().key,
        cert: forged,
    };
    let r = reissue(
        &forged_owner,
        ParamSet::Gost256B,
        fixtures::owner_subject().unwrap(),
    );
    let err = ca().issue_reissue(&r.input(), REISSUE_DATE).unwrap_err();
    assert!(matches!(err, Refusal::NotIssuedByThisCa), "{err}");
}
