//! The parsers never panic: arbitrary bytes, and valid structures with bytes changed, give a
//! value or a named error.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use proptest::prelude::*;
use rutoken_pki::reissue::{ReissueDocument, records};
use rutoken_pki::{Cert, PrivateKey, Request};

const EXAMPLES: &str = include_str!("data/rfc9215-examples.pem");

fn sample_der() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for block in EXAMPLES.split("-----BEGIN ").skip(1) {
        let pem = format!("-----BEGIN {}", block.split("\n#").next().unwrap_or(block));
        for label in ["CERTIFICATE REQUEST", "CERTIFICATE"] {
            if let Ok(der) = rutoken_pki::encoding::der_bytes(pem.trim().as_bytes(), label) {
                out.push(der);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn requests_round_trip_any_text_subject(cn in "\\PC{1,64}", org in "\\PC{1,64}", seed in any::<u64>()) {
        use rutoken_pki::name::{Attribute, NameBuilder, get};
        let subject = NameBuilder::new()
            .with(Attribute::CommonName, cn.clone())
            .with(Attribute::Organization, org.clone())
            .build()
            .unwrap();
        let mut rng = gost::Rng::from_seed(seed);
        let key = gost::SigningKey::generate(gost::ParamSet::Gost256B, &mut rng).unwrap();
        let info = rutoken_pki::RequestInfo::new(
            subject,
            &key.verifying_key(),
            gost::KeyAlgorithm::Gost2012_256,
            &rutoken_pki::ext::RequestedExtensions::bank_default(),
        )
        .unwrap();
        let request = info.sign_with_key(&key, &mut rng).unwrap();
        let parsed = Request::parse(request.to_pem().unwrap().as_bytes()).unwrap();
        prop_assert_eq!(parsed.verify().unwrap().key, key.verifying_key());
        prop_assert_eq!(get(parsed.subject(), Attribute::CommonName), Some(cn));
        prop_assert_eq!(get(parsed.subject(), Attribute::Organization), Some(org));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Request::parse(&bytes).map(|r| r.verify());
        let _ = Cert::parse(&bytes);
        let _ = PrivateKey::parse(&bytes);
        let _ = ReissueDocument::decode(&bytes);
        let _ = records(&bytes);
    }

    #[test]
    fn mutated_valid_der_never_panics(index in 0usize..6, position in any::<usize>(), value in any::<u8>()) {
        let samples = sample_der();
        prop_assume!(!samples.is_empty());
        let mut der = samples[index % samples.len()].clone();
        let at = position % der.len();
        der[at] = value;
        if let Ok(request) = Request::parse(&der) {
            let _ = request.verify();
            let _ = request.requested_extensions();
        }
        if let Ok(cert) = Cert::parse(&der) {
            let _ = cert.verify_issued_by(&cert);
            let _ = cert.not_after();
            let _ = cert.subject_key_id();
        }
    }

    #[test]
    fn pem_wrapped_garbage_never_panics(body in "[A-Za-z0-9+/=\n]{0,200}") {
        for label in ["CERTIFICATE", "CERTIFICATE REQUEST", "PRIVATE KEY"] {
            let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
            let _ = Request::parse(pem.as_bytes());
            let _ = Cert::parse(pem.as_bytes());
            let _ = PrivateKey::parse(pem.as_bytes());
        }
    }

    #[test]
    fn documents_round_trip(owner in "\\PC{1,40}", org in "\\PC{1,40}", number in "[0-9]{1,8}",
                            serial in "([0-9A-F]{2}){1,20}", day in 1u8..=28, month in 1u8..=12, year in 1990i32..2100) {
        let date = time::Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), day).unwrap();
        let doc = ReissueDocument { date, owner, organisation: org, request_number: number,
                                    replaced_serial: serial, request_hash: [7; 32] };
        let bytes = doc.encode().unwrap();
        prop_assert_eq!(ReissueDocument::decode(&bytes).unwrap(), doc);
        // Any truncation is an error, not a panic.
        for cut in 0..bytes.len() {
            prop_assert!(ReissueDocument::decode(&bytes[..cut]).is_err());
        }
    }
}
