//! The few fields of an X.509 certificate (RFC 5280 §4.1) the runner checks, read with the
//! crate's TLV reader so a malformed certificate is a finding, not a panic.

use crate::tlv;

/// id-at-commonName 2.5.4.3, DER body of the OID (RFC 5280 Appendix A).
const OID_CN: [u8; 3] = [0x55, 0x04, 0x03];

/// What the runner reads from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Serial, big-endian, leading zero removed, upper-case hex.
    pub serial_hex: String,
    /// Issuer CN.
    pub issuer_cn: Option<String>,
    /// Subject CN.
    pub subject_cn: Option<String>,
    /// The SubjectPublicKeyInfo, DER.
    pub spki_der: Vec<u8>,
    /// The public key `LE(x) ‖ LE(y)`: the OCTET STRING inside the BIT STRING (RFC 9215 §4.3).
    pub public_key: Vec<u8>,
}

/// Parses the fields; `None` when the DER is not a certificate.
pub fn parse(der: &[u8]) -> Option<CertificateInfo> {
    let cert = tlv::read(der).filter(|t| t.tag == 0x30)?;
    let tbs = tlv::children(cert.value)
        .into_iter()
        .next()
        .filter(|t| t.tag == 0x30)?;
    let mut fields = tlv::children(tbs.value).into_iter().peekable();
    if fields.peek().is_some_and(|t| t.tag == 0xA0) {
        fields.next();
    }
    let serial = fields.next().filter(|t| t.tag == 0x02)?;
    let _signature = fields.next()?;
    let issuer = fields.next().filter(|t| t.tag == 0x30)?;
    let _validity = fields.next()?;
    let subject = fields.next().filter(|t| t.tag == 0x30)?;
    let spki = fields.next().filter(|t| t.tag == 0x30)?;
    let spki_der = spki_der(tbs.value)?;
    let bits = tlv::children(spki.value)
        .into_iter()
        .find(|t| t.tag == 0x03)?;
    let key = tlv::read(bits.value.get(1..)?).filter(|t| t.tag == 0x04)?;
    let serial_bytes = match serial.value {
        [0, rest @ ..] if !rest.is_empty() => rest,
        v => v,
    };
    Some(CertificateInfo {
        serial_hex: hex::encode_upper(serial_bytes),
        issuer_cn: common_name(issuer.value),
        subject_cn: common_name(subject.value),
        spki_der,
        public_key: key.value.to_vec(),
    })
}

/// The encoded SPKI (the 7th field, or 6th without a version).
fn spki_der(tbs: &[u8]) -> Option<Vec<u8>> {
    let mut rest = tbs;
    let mut index = 0;
    let skip_version = tlv::read(tbs)?.tag == 0xA0;
    let target = if skip_version { 6 } else { 5 };
    while let Some(t) = tlv::read(rest) {
        if index == target {
            return Some(rest[..t.encoded_len].to_vec());
        }
        rest = &rest[t.encoded_len..];
        index += 1;
    }
    None
}

/// The first CN of a Name, as text.
pub fn common_name(name: &[u8]) -> Option<String> {
    for rdn in tlv::children(name) {
        for atv in tlv::children(rdn.value) {
            let parts = tlv::children(atv.value);
            if parts
                .first()
                .is_some_and(|o| o.tag == 0x06 && o.value == OID_CN)
            {
                return parts
                    .get(1)
                    .map(|v| String::from_utf8_lossy(v.value).into_owned());
            }
        }
    }
    None
}

/// PEM armour (RFC 7468 §2), 64 columns.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 §10.
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn reads_a_synthetic_certificate() {
        let e = tlv::encode;
        let cn = |s: &str| {
            e(
                0x30,
                &e(
                    0x31,
                    &e(0x30, &[e(0x06, &OID_CN), e(0x0C, s.as_bytes())].concat()),
                ),
            )
        };
        let spki = e(
            0x30,
            &[
                e(0x30, &e(0x06, &[0x2A])),
                e(0x03, &[&[0u8][..], &e(0x04, &[7; 64])].concat()),
            ]
            .concat(),
        );
        let tbs = e(
            0x30,
            &[
                e(0xA0, &e(0x02, &[2])),
                e(0x02, &[0x00, 0x81]),
                e(0x30, &[]),
                cn("УЦ НотариПро"),
                e(0x30, &[]),
                cn("Иванов"),
                spki.clone(),
            ]
            .concat(),
        );
        let der = e(0x30, &[tbs, e(0x30, &[]), e(0x03, &[0])].concat());
        let info = parse(&der).unwrap();
        assert_eq!(info.serial_hex, "81");
        assert_eq!(info.issuer_cn.as_deref(), Some("УЦ НотариПро"));
        assert_eq!(info.subject_cn.as_deref(), Some("Иванов"));
        assert_eq!(info.public_key, vec![7; 64]);
        assert_eq!(info.spki_der, spki);
        assert!(parse(&[0x30, 0x01]).is_none());
    }
}
