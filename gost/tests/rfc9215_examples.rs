//! RFC 9215 Appendix D: the nine example requests, certificates and CRLs (copied verbatim into
//! `tests/data/rfc9215-examples.pem`). Every signature verifies with our code, every SPKI
//! decodes to the expected point, and `to_spki_der` reproduces each SPKI byte for byte.

#![allow(clippy::unwrap_used)]

use der::{Decode, DecodePem, Encode};
use gost::spki::{from_spki, from_spki_der, to_spki_der};
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet, Signature, SigningKey, VerifyingKey};
use hex_literal::hex;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::request::CertReq;

const PEM: &str = include_str!("data/rfc9215-examples.pem");

/// The PEM blocks of the file, in order (D.1.1, D.1.2, D.1.3, D.2.1, ...).
fn blocks() -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in PEM.lines() {
        if line.starts_with("-----BEGIN") {
            current = Some(String::new());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
        if line.starts_with("-----END") {
            out.push(current.take().unwrap());
        }
    }
    out
}

/// The DER of the first element inside the outer SEQUENCE (the signed TBS part), read from
/// the original bytes rather than re-encoded.
fn raw_tbs(der: &[u8]) -> &[u8] {
    fn header_len(tlv: &[u8]) -> (usize, usize) {
        let first = tlv[1];
        if first < 0x80 {
            (2, first as usize)
        } else {
            let n = (first & 0x7F) as usize;
            let len = tlv[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            (2 + n, len)
        }
    }
    let (outer_header, _) = header_len(der);
    let inner = &der[outer_header..];
    let (h, len) = header_len(inner);
    &inner[..h + len]
}

struct Expected {
    param: ParamSet,
    qx: &'static [u8],
    qy: &'static [u8],
    /// d, to check Q = d·P on the way.
    d: &'static [u8],
}

const D1: Expected = Expected {
    param: ParamSet::Gost256Test,
    qx: &hex!("7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B"),
    qy: &hex!("26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"),
    d: &hex!("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28"),
};
const D2: Expected = Expected {
    param: ParamSet::Gost256A,
    qx: &hex!("99C3DF265EA59350640BA69D1DE04418AF3FEA03EC0F85F2DD84E8BED4952774"),
    qy: &hex!("E218631A69C47C122E2D516DA1C09E6BD19344D94389D1F16C0C4D4DCF96F578"),
    d: &hex!("3A929ADE789BB9BE10ED359DD39A72C10B87C83F80BE18B85C041F4325B62EC1"),
};
const D3: Expected = Expected {
    param: ParamSet::Gost512Test,
    qx: &hex!(
        "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1"
    ),
    qy: &hex!(
        "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC"
    ),
    d: &hex!(
        "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4"
    ),
};

/// Verifies `signature_bits` (s‖r) over `tbs` with `key`, for the signature algorithm `oid`.
fn verify_signed(
    key: &VerifyingKey,
    alg_oid: &der::asn1::ObjectIdentifier,
    tbs: &[u8],
    signature_bits: &der::asn1::BitString,
) {
    let algorithm = KeyAlgorithm::from_signature_oid(alg_oid).unwrap();
    assert_eq!(algorithm, KeyAlgorithm::gost2012_for(key.param_set()));
    let digest = algorithm.digest().digest(tbs);
    let sig = Signature::from_x509_bytes(signature_bits.as_bytes().unwrap()).unwrap();
    key.verify_digest(&digest, &sig).unwrap();
    // One flipped bit of the signed data breaks it.
    let mut tampered = tbs.to_vec();
    tampered[tbs.len() / 2] ^= 0x01;
    assert!(
        key.verify_digest(&algorithm.digest().digest(&tampered), &sig)
            .is_err()
    );
}

fn check_section(expected: &Expected, request_pem: &str, cert_pem: &str, crl_pem: &str) {
    let key = SigningKey::from_be_bytes(expected.param, expected.d)
        .unwrap()
        .verifying_key();
    assert_eq!(key.x_be(), expected.qx);
    assert_eq!(key.y_be(), expected.qy);

    // Request: SPKI decodes to Q, re-encodes byte for byte, and the signature verifies.
    let req = CertReq::from_pem(request_pem).unwrap();
    let req_der = req.to_der().unwrap();
    let (alg, req_key) = from_spki(&req.info.public_key).unwrap();
    assert_eq!(req_key, key);
    let spki_der = req.info.public_key.to_der().unwrap();
    assert_eq!(
        to_spki_der(&key, alg),
        spki_der,
        "our SPKI differs from the RFC's"
    );
    assert_eq!(from_spki_der(&spki_der).unwrap(), (alg, key.clone()));
    assert_eq!(raw_tbs(&req_der), req.info.to_der().unwrap().as_slice());
    verify_signed(&key, &req.algorithm.oid, raw_tbs(&req_der), &req.signature);

    // Certificate.
    let cert = Certificate::from_pem(cert_pem).unwrap();
    let cert_der = cert.to_der().unwrap();
    let tbs = cert.tbs_certificate();
    let (cert_alg, cert_key) = from_spki(tbs.subject_public_key_info()).unwrap();
    assert_eq!((cert_alg, &cert_key), (alg, &key));
    assert_eq!(
        to_spki_der(&key, alg),
        tbs.subject_public_key_info().to_der().unwrap()
    );
    verify_signed(
        &key,
        &cert.signature_algorithm().oid,
        raw_tbs(&cert_der),
        cert.signature(),
    );

    // CRL, signed by the same key.
    let crl: CertificateList = CertificateList::from_pem(crl_pem).unwrap();
    let crl_der = crl.to_der().unwrap();
    assert_eq!(
        CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&crl_der).unwrap(),
        crl
    );
    verify_signed(
        &key,
        &crl.signature_algorithm.oid,
        raw_tbs(&crl_der),
        &crl.signature,
    );
}

#[test]
fn appendix_d_examples_verify_and_reencode() {
    let b = blocks();
    assert_eq!(b.len(), 9);
    check_section(&D1, &b[0], &b[1], &b[2]);
    check_section(&D2, &b[3], &b[4], &b[5]);
    check_section(&D3, &b[6], &b[7], &b[8]);
}

/// The end-to-end numbers of `gost-vectors.md` §4 for D.1.2: Streebog-256(TBS) and the e read
/// little-endian from it.
#[test]
fn d12_certificate_digest() {
    let b = blocks();
    let cert = Certificate::from_pem(&b[1]).unwrap();
    let der = cert.to_der().unwrap();
    let tbs = raw_tbs(&der);
    assert_eq!(tbs.len(), 222);
    assert_eq!(&der[4..4 + 222], tbs);
    let digest = DigestAlgorithm::Streebog256.digest(tbs);
    assert_eq!(
        digest,
        hex!("afecc67f740bfc461f87bfa2f5e4185e68dde304efe6a98b777cdc031ffd8743")
    );
    let sig = Signature::from_x509_bytes(cert.signature().as_bytes().unwrap()).unwrap();
    assert_eq!(
        sig.s_be(),
        hex!("4D53F012FE081776507D4D9BB81F00EFDB4EEFD4AB83BAC4BACF735173CFA81C")
    );
    assert_eq!(
        sig.r_be(),
        hex!("41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493")
    );
}
