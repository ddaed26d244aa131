//! The few certificate fields the client reads (`rutoken_client::certificate`), on DER built
//! here byte by byte so each case holds exactly the shape under test: a serial that is a
//! single zero octet (RFC 5280 §4.1.2.2 allows it; the leading-zero rule must not eat it), and
//! a Name whose first attribute is not the CN (the CN must be found by its OID, not by
//! position).
#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_client::certificate::{common_name, parse};

/// id-at-commonName 2.5.4.3 and id-at-organizationName 2.5.4.10 (RFC 5280 Appendix A), DER.
const OID_CN: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
const OID_O: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x0A];

/// A DER TLV (X.690 §8.1.3: short-form length under 128, else `81 len`; every value here is
/// under 256 bytes).
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = u8::try_from(value.len()).unwrap();
    let mut out = if len < 0x80 {
        vec![tag, len]
    } else {
        vec![tag, 0x81, len]
    };
    out.extend_from_slice(value);
    out
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// One RDN holding one attribute: SET { SEQUENCE { OID, UTF8String } }.
fn rdn(oid: &[u8], text: &str) -> Vec<u8> {
    tlv(
        0x31,
        &tlv(0x30, &cat(&[oid.to_vec(), tlv(0x0C, text.as_bytes())])),
    )
}

/// A certificate with the given serial bytes (INTEGER body) and names; the rest is the
/// smallest shape `parse` walks: version, algorithm, validity, an SPKI whose BIT STRING wraps an
/// OCTET STRING key.
fn certificate(serial: &[u8], issuer: &[u8], subject: &[u8], key: &[u8]) -> Vec<u8> {
    let algorithm = tlv(
        0x30,
        &tlv(0x06, &[0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x01]),
    );
    let mut bits = vec![0x00];
    bits.extend(tlv(0x04, key));
    let spki = tlv(0x30, &cat(&[algorithm.clone(), tlv(0x03, &bits)]));
    let tbs = tlv(
        0x30,
        &cat(&[
            tlv(0xA0, &tlv(0x02, &[0x02])),
            tlv(0x02, serial),
            algorithm.clone(),
            tlv(0x30, issuer),
            tlv(0x30, &[]),
            tlv(0x30, subject),
            spki,
        ]),
    );
    tlv(0x30, &cat(&[tbs, algorithm, tlv(0x03, &[0x00, 0x01])]))
}

#[test]
fn a_serial_of_one_zero_octet_is_00() {
    let name = rdn(&OID_CN, "CA");
    let der = certificate(&[0x00], &name, &name, &[7; 4]);
    assert_eq!(parse(&der).unwrap().serial_hex, "00");
    // The sign octet before a high bit is dropped, as the field's documentation says.
    let der = certificate(&[0x00, 0x80, 0x01], &name, &name, &[7; 4]);
    assert_eq!(parse(&der).unwrap().serial_hex, "8001");
}

#[test]
fn the_cn_is_found_by_its_oid_after_other_attributes() {
    let issuer = cat(&[rdn(&OID_O, "Bank"), rdn(&OID_CN, "Issuing CA")]);
    let subject = cat(&[rdn(&OID_O, "Bank"), rdn(&OID_CN, "Ivan")]);
    assert_eq!(common_name(&issuer).as_deref(), Some("Issuing CA"));
    let info = parse(&certificate(&[0x01], &issuer, &subject, &[7; 4])).unwrap();
    assert_eq!(info.issuer_cn.as_deref(), Some("Issuing CA"));
    assert_eq!(info.subject_cn.as_deref(), Some("Ivan"));
    assert_eq!(info.public_key, vec![7; 4]);
    // A Name without a CN has none, whatever else it holds.
    assert_eq!(common_name(&rdn(&OID_O, "Bank")), None);
}
