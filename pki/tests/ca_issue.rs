//! The test CA issues: reissue (reissue-flow.md step 4) for 256/512-bit keys, `issue_new`,
//! serials, validity and extensions.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;
use support::{keys, reissue};

use gost::{ParamSet, Rng};
use rutoken_pki::Cert;
use rutoken_pki::ca::{Refusal, RequestForm, TestCa};
use rutoken_pki::fixtures::{self, REISSUE_DATE};
use rutoken_pki::verify::signature_algorithm;
use time::macros::datetime;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

use reissue::{ca, owner, reissue};

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
