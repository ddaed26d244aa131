//! The test CA: the happy path of reissue-flow.md step 4, one test per refusal, `issue_new`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

#[path = "support/keys.rs"]
mod keys;

use gost::{ParamSet, Rng, Signature, SigningKey};
use rutoken_pki::ca::{Refusal, ReissueInput, RequestForm, TestCa};
use rutoken_pki::fixtures::{self, Fixture, REISSUE_DATE};
use rutoken_pki::reissue::{ReissueDocument, request_hash};
use rutoken_pki::verify::signature_algorithm;
use rutoken_pki::{Cert, Request};
use time::macros::datetime;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

/// Everything the bank sends: request, document, its signature, the current certificate.
struct Reissue {
    request: Vec<u8>,
    document: Vec<u8>,
    signature: Signature,
    current: Vec<u8>,
    new_key: SigningKey,
}

impl Reissue {
    fn input(&self) -> ReissueInput<'_> {
        ReissueInput {
            request: &self.request,
            document: &self.document,
            document_signature: &self.signature,
            current_certificate: &self.current,
        }
    }
}

fn document_for(request: &Request, current: &Cert) -> ReissueDocument {
    let doc = ReissueDocument::for_request(REISSUE_DATE.date(), "37562", request, current);
    assert_eq!(doc.owner, "Иванов Иван Иванович");
    assert_eq!(doc.organisation, "3867XXXXXXXXXX");
    assert_eq!(doc.request_hash, request_hash(request.to_der()));
    doc
}

fn sign_document(signer: &Fixture, document: &[u8]) -> Signature {
    let algorithm = signer.key.algorithm;
    let digest = algorithm.digest().digest(document);
    signer
        .key
        .key
        .sign_digest(&digest, &mut Rng::from_seed(99))
        .unwrap()
}

/// A correct reissue of `current` (signed by its key) for a new key with `subject`.
fn reissue(current: &Fixture, param: ParamSet, subject: x509_cert::name::Name) -> Reissue {
    let (new_key, request) = keys::request(param, 42, subject);
    let document = document_for(&request, &current.cert).encode().unwrap();
    let signature = sign_document(current, &document);
    Reissue {
        request: request.to_der().to_vec(),
        document,
        signature,
        current: current.cert.to_der().to_vec(),
        new_key,
    }
}

fn owner() -> Fixture {
    fixtures::owner_current().unwrap()
}

fn ca() -> TestCa {
    TestCa::fixture(1).unwrap()
}

#[test]
fn issues_a_reissue_for_256_and_512_bit_keys() {
    for param in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost512A,
        ParamSet::Gost512C,
    ] {
        let mut ca = ca();
        let r = reissue(&owner(), param, fixtures::owner_subject().unwrap());
        let cert = ca
            .issue_reissue(&r.input(), REISSUE_DATE)
            .unwrap_or_else(|e| panic!("{param:?}: {e}"));
        cert.verify_issued_by(ca.certificate()).unwrap();
        let (_, key) = cert.public_key().unwrap();
        assert_eq!(key, r.new_key.verifying_key());
        assert_eq!(
            rutoken_pki::name::canonical(cert.subject()),
            rutoken_pki::name::canonical(owner().cert.subject())
        );
        assert_eq!(cert.not_before().unwrap(), REISSUE_DATE);
        assert_eq!(
            cert.not_after().unwrap(),
            datetime!(2021-05-04 06:51:00 UTC),
            "15 months"
        );
        assert_ne!(cert.serial_hex(), fixtures::OWNER_CURRENT_SERIAL);
        let tbs = cert.certificate().tbs_certificate();
        let (critical, bc) = tbs.get_extension::<BasicConstraints>().unwrap().unwrap();
        assert!(critical && !bc.ca);
        let (_, ku) = tbs.get_extension::<KeyUsage>().unwrap().unwrap();
        // Requested digitalSignature|nonRepudiation|keyEncipherment, all allowed.
        assert_eq!(
            ku.0,
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation | KeyUsages::KeyEncipherment
        );
        let exts: Vec<String> = tbs
            .extensions()
            .unwrap()
            .iter()
            .map(|e| e.extn_id.to_string())
            .collect();
        for oid in [
            "2.5.29.14",
            "2.5.29.35",
            "1.2.643.100.111",
            "1.2.643.100.112",
            "1.2.643.100.114",
            "2.5.29.37",
            "2.5.29.32",
        ] {
            assert!(
                exts.contains(&oid.to_string()),
                "{param:?}: {oid} missing from {exts:?}"
            );
        }
        assert_eq!(
            signature_algorithm(cert.certificate().signature_algorithm()).unwrap(),
            gost::KeyAlgorithm::Gost2012_256
        );
    }
}

#[test]
fn serials_are_unique_and_reproducible() {
    let issue_three = |seed| {
        let mut ca = TestCa::fixture(seed).unwrap();
        (0..3)
            .map(|_| {
                let r = reissue(
                    &owner(),
                    ParamSet::Gost256B,
                    fixtures::owner_subject().unwrap(),
                );
                ca.issue_reissue(&r.input(), REISSUE_DATE)
                    .unwrap()
                    .to_der()
                    .to_vec()
            })
            .collect::<Vec<_>>()
    };
    let a = issue_three(5);
    assert_eq!(a, issue_three(5), "same seed, same certificates");
    let serials: std::collections::BTreeSet<String> = a
        .iter()
        .map(|der| Cert::parse(der).unwrap().serial_hex())
        .collect();
    assert_eq!(serials.len(), 3);
}

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
fn issue_new_checks_the_request_and_the_form() {
    let form = RequestForm {
        subject: fixtures::owner_subject().unwrap(),
    };
    let (_, request) = keys::request(ParamSet::Gost256B, 77, fixtures::owner_subject().unwrap());
    let mut ca = ca();
    let cert = ca.issue_new(request.to_der(), &form, REISSUE_DATE).unwrap();
    cert.verify_issued_by(ca.certificate()).unwrap();

    let (_, other) = keys::request(
        ParamSet::Gost256B,
        78,
        fixtures::second_owner_subject().unwrap(),
    );
    assert!(matches!(
        ca.issue_new(other.to_der(), &form, REISSUE_DATE),
        Err(Refusal::SubjectMismatch { .. })
    ));

    let mut bad = request.to_der().to_vec();
    *bad.last_mut().unwrap() ^= 0x80;
    assert!(matches!(
        ca.issue_new(&bad, &form, REISSUE_DATE),
        Err(Refusal::RequestSignatureInvalid(_))
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

#[test]
fn usages_are_requested_and_allowed_by_policy() {
    use const_oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_SERVER_AUTH};
    use rutoken_pki::ext::RequestedExtensions;
    use x509_cert::ext::pkix::ExtendedKeyUsage;

    let form = RequestForm {
        subject: fixtures::owner_subject().unwrap(),
    };
    let issue = |requested: RequestedExtensions| {
        let (algorithm, key) = keys::key(ParamSet::Gost256B, 500);
        let info = rutoken_pki::RequestInfo::new(
            form.subject.clone(),
            &key.verifying_key(),
            algorithm,
            &requested,
        )
        .unwrap();
        let request = info.sign_with_key(&key, &mut Rng::from_seed(501)).unwrap();
        let cert = ca()
            .issue_new(request.to_der(), &form, REISSUE_DATE)
            .unwrap();
        let tbs = cert.certificate().tbs_certificate().clone();
        let ku = tbs.get_extension::<KeyUsage>().unwrap().unwrap().1.0;
        let eku = tbs
            .get_extension::<ExtendedKeyUsage>()
            .unwrap()
            .unwrap()
            .1
            .0;
        let copied = RequestedExtensions::from_extensions(tbs.extensions().unwrap()).unwrap();
        (ku, eku, copied)
    };

    // keyCertSign and serverAuth are not for end entities: dropped; the rest kept.
    let requested = RequestedExtensions {
        key_usage: Some(KeyUsage(
            KeyUsages::DigitalSignature | KeyUsages::KeyCertSign,
        )),
        ext_key_usage: vec![ID_KP_SERVER_AUTH, ID_KP_CLIENT_AUTH],
        subject_sign_tool: Some("СКЗИ \"РУТОКЕН ЭЦП 2.0\"".into()),
        identification_kind: Some(0),
        ..Default::default()
    };
    let (ku, eku, copied) = issue(requested);
    assert_eq!(
        ku,
        x509_cert::der::flagset::FlagSet::from(KeyUsages::DigitalSignature)
    );
    assert_eq!(eku, vec![ID_KP_CLIENT_AUTH]);
    assert_eq!(
        copied.subject_sign_tool.as_deref(),
        Some("СКЗИ \"РУТОКЕН ЭЦП 2.0\"")
    );
    assert_eq!(copied.identification_kind, Some(0));

    // Nothing requested: the policy's defaults, and no subjectSignTool invented.
    let (ku, eku, copied) = issue(RequestedExtensions::default());
    assert_eq!(ku, KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
    assert_eq!(eku.len(), 2);
    assert_eq!(copied.subject_sign_tool, None);
    assert_eq!(copied.policies, vec![rutoken_pki::ext::OID_POLICY_KC1]);
}
