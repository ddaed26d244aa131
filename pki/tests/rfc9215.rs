//! RFC 9215 Appendix D examples (copied verbatim into `data/`): the requests and certificates
//! parse, and their signatures verify with the keys inside (all self-signed).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use rutoken_pki::{Cert, Request};

const EXAMPLES: &str = include_str!("data/rfc9215-examples.pem");

/// (section comment, PEM block) for every block with `label`.
fn blocks(label: &str) -> Vec<(String, String)> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut comment = String::new();
    let mut current: Option<String> = None;
    for line in EXAMPLES.lines() {
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
            if line == end {
                out.push((comment.clone(), current.take().unwrap()));
            }
        } else if line == begin {
            current = Some(format!("{line}\n"));
        } else if let Some(c) = line.strip_prefix("# ") {
            comment = c.to_owned();
        }
    }
    out
}

#[test]
fn requests_parse_and_verify() {
    let requests = blocks("CERTIFICATE REQUEST");
    assert_eq!(requests.len(), 3);
    for (section, pem) in requests {
        let request = Request::parse(pem.as_bytes()).unwrap_or_else(|e| panic!("{section}: {e}"));
        let verified = request
            .verify()
            .unwrap_or_else(|e| panic!("{section}: {e}"));
        let (_, key) = request.public_key().unwrap();
        assert_eq!(verified.key, key, "{section}");
        assert_eq!(
            rutoken_pki::name::get(request.subject(), rutoken_pki::name::Attribute::CommonName)
                .as_deref(),
            Some("Example")
        );
    }
}

#[test]
fn certificates_parse_and_verify_self_signed() {
    let certs = blocks("CERTIFICATE");
    assert_eq!(certs.len(), 3);
    for (section, pem) in certs {
        let cert = Cert::parse(pem.as_bytes()).unwrap_or_else(|e| panic!("{section}: {e}"));
        cert.verify_issued_by(&cert)
            .unwrap_or_else(|e| panic!("{section}: {e}"));
    }
}

#[test]
fn a_flipped_bit_fails_verification() {
    for (section, pem) in blocks("CERTIFICATE REQUEST") {
        let der = Request::parse(pem.as_bytes()).unwrap().to_der().to_vec();
        // Flip one bit of the last signature byte.
        let mut bad = der.clone();
        *bad.last_mut().unwrap() ^= 1;
        let err = Request::parse(&bad).unwrap().verify().unwrap_err();
        assert!(
            matches!(err, rutoken_pki::Error::SignatureInvalid),
            "{section}: {err}"
        );
    }
}

#[test]
fn d12_end_to_end_vector() {
    // gost-vectors.md §4: the D.1.2 TBS is 222 bytes at offset 4, and its Streebog-256 (wire)
    // starts afecc67f.
    let (_, pem) = &blocks("CERTIFICATE")[0];
    let cert = Cert::parse(pem.as_bytes()).unwrap();
    let tbs = rutoken_pki::verify::raw_tbs(cert.to_der()).unwrap();
    assert_eq!(tbs.len(), 222);
    assert_eq!(&cert.to_der()[4..4 + 222], &tbs[..]);
    let digest = gost::DigestAlgorithm::Streebog256.digest(&tbs);
    assert_eq!(hex::encode(&digest[..4]), "afecc67f");
}

#[test]
fn crls_verify_with_their_certificates() {
    use der::Decode;
    use x509_cert::crl::CertificateList;

    let certs = blocks("CERTIFICATE");
    let crls = blocks("X509 CRL");
    assert_eq!(crls.len(), 3);
    for ((section, pem), (_, cert_pem)) in crls.iter().zip(&certs) {
        let der = rutoken_pki::encoding::der_bytes(pem.as_bytes(), "X509 CRL").unwrap();
        let crl: CertificateList =
            CertificateList::from_der(&der).unwrap_or_else(|e| panic!("{section}: {e}"));
        let issuer = Cert::parse(cert_pem.as_bytes()).unwrap();
        assert_eq!(&crl.tbs_cert_list.issuer, issuer.subject(), "{section}");
        let tbs = rutoken_pki::verify::raw_tbs(&der).unwrap();
        rutoken_pki::verify::verify_tbs(
            &tbs,
            &crl.signature_algorithm,
            &crl.signature,
            issuer.spki(),
        )
        .unwrap_or_else(|e| panic!("{section}: {e}"));
    }
}
