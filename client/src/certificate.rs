//! The few fields of an X.509 certificate (RFC 5280 §4.1) the client and its front-ends read,
//! with the BER-TLV reader so a malformed certificate is `None`, not a panic.

use rutoken_apdu::tlv::{self, Tlv};

/// id-at-commonName 2.5.4.3, DER body of the OID (RFC 5280 Appendix A).
const OID_CN: [u8; 3] = [0x55, 0x04, 0x03];

/// What is read from a certificate.
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

/// The certificate's own bytes: a certificate EF may be longer than its DER (padding).
pub fn trim(der: &[u8]) -> &[u8] {
    let len = tlv::parse_first(der).map_or(der.len(), |t| t.encoded_len);
    der.get(..len).unwrap_or(der)
}

/// Parses the fields; `None` when the DER is not a certificate.
pub fn parse(der: &[u8]) -> Option<CertificateInfo> {
    let cert = tlv::parse_first(der).ok().filter(|t| t.tag == 0x30)?;
    let tbs = tlv::parse_first(cert.value)
        .ok()
        .filter(|t| t.tag == 0x30)?;
    let fields: Vec<Tlv<'_>> = tlv::children(tbs.value).ok()?;
    let skip = usize::from(fields.first()?.tag == 0xA0);
    let field = |n: usize, tag: u32| fields.get(skip + n).filter(|t| t.tag == tag);
    let serial = field(0, 0x02)?;
    let issuer = field(2, 0x30)?;
    let subject = field(4, 0x30)?;
    let spki = field(5, 0x30)?;
    let spki_der = tlv::encode(spki.tag, spki.value).ok()?;
    let bits = tlv::children(spki.value)
        .ok()?
        .into_iter()
        .find(|t| t.tag == 0x03)?;
    let key = tlv::parse_first(bits.value.get(1..)?)
        .ok()
        .filter(|t| t.tag == 0x04)?;
    let serial_bytes = match serial.value {
        [0, rest @ ..] if !rest.is_empty() => rest,
        v => v,
    };
    Some(CertificateInfo {
        serial_hex: serial_bytes.iter().map(|b| format!("{b:02X}")).collect(),
        issuer_cn: common_name(issuer.value),
        subject_cn: common_name(subject.value),
        spki_der,
        public_key: key.value.to_vec(),
    })
}

/// The first CN of a Name, as text.
pub fn common_name(name: &[u8]) -> Option<String> {
    for rdn in tlv::children(name).ok()? {
        for atv in tlv::children(rdn.value).ok()? {
            let parts = tlv::children(atv.value).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn e(tag: u32, value: &[u8]) -> Vec<u8> {
        tlv::encode(tag, value).unwrap()
    }

    #[test]
    fn reads_a_synthetic_certificate() {
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
        let mut padded = der.clone();
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(trim(&padded), &der[..]);
    }
}
