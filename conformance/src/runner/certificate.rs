//! The certificate fields the runner checks (`rutoken_client::certificate`) and PEM armour for
//! the artifacts.

pub use rutoken_client::certificate::{CertificateInfo, common_name, parse};

use crate::error::CertificateError;

/// The profile fields of a certificate the `certificate` assertion checks: what the CA put
/// into it besides names, serial and key (RFC 5280 §4.1.2.5, §4.2.1.3, §4.2.1.9, §4.2.1.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFields {
    /// keyUsage bits by name (snake case), in bit order; empty when the extension is absent.
    pub key_usage: Vec<String>,
    /// extKeyUsage purposes, dotted, sorted; empty when absent.
    pub extended_key_usage: Vec<String>,
    /// certificatePolicies, dotted, sorted; empty when absent.
    pub policies: Vec<String>,
    /// basicConstraints cA (absent extension: false).
    pub ca: bool,
    /// subjectKeyIdentifier, when present.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub authority_key_id: Option<Vec<u8>>,
    /// SHA-1 of the subjectPublicKey BIT STRING's bytes (RFC 5280 §4.2.1.2 method 1).
    pub public_key_sha1: Vec<u8>,
    /// notBefore, `DD.MM.YYYY` UTC.
    pub not_before: String,
    /// notAfter, `DD.MM.YYYY` UTC.
    pub not_after: String,
}

/// keyUsage bit names in bit order (RFC 5280 §4.2.1.3 `KeyUsage`).
const KEY_USAGE_NAMES: [&str; 9] = [
    "digital_signature",
    "non_repudiation",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
];

/// Reads the profile fields; the message says what does not decode.
pub fn profile_fields(der: &[u8]) -> Result<ProfileFields, CertificateError> {
    use der::Decode;
    use sha1::Digest;
    use x509_cert::ext::pkix::{
        AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
        SubjectKeyIdentifier,
    };
    let cert = x509_cert::Certificate::from_der(der).map_err(CertificateError::NotDer)?;
    let tbs = cert.tbs_certificate();
    let mut out = ProfileFields {
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        policies: Vec::new(),
        ca: false,
        subject_key_id: None,
        authority_key_id: None,
        public_key_sha1: sha1::Sha1::digest(
            tbs.subject_public_key_info().subject_public_key.raw_bytes(),
        )
        .to_vec(),
        not_before: date(tbs.validity().not_before.to_unix_duration())?,
        not_after: date(tbs.validity().not_after.to_unix_duration())?,
    };
    for ext in tbs.extensions().map(|e| e.as_slice()).unwrap_or_default() {
        let value = ext.extn_value.as_bytes();
        let bad = |extension: &'static str, source: der::Error| CertificateError::Extension {
            extension,
            source,
        };
        match ext.extn_id {
            const_oid::db::rfc5280::ID_CE_KEY_USAGE => {
                let ku = KeyUsage::from_der(value).map_err(|e| bad("keyUsage", e))?;
                let bits = ku.0.bits();
                out.key_usage = KEY_USAGE_NAMES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, n)| (*n).to_owned())
                    .collect();
            }
            const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE => {
                let eku = ExtendedKeyUsage::from_der(value).map_err(|e| bad("extKeyUsage", e))?;
                out.extended_key_usage = eku.0.iter().map(ToString::to_string).collect();
                out.extended_key_usage.sort();
            }
            const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES => {
                let cp = CertificatePolicies::from_der(value)
                    .map_err(|e| bad("certificatePolicies", e))?;
                out.policies =
                    cp.0.iter()
                        .map(|p| p.policy_identifier.to_string())
                        .collect();
                out.policies.sort();
            }
            const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER => {
                let ski = SubjectKeyIdentifier::from_der(value)
                    .map_err(|e| bad("subjectKeyIdentifier", e))?;
                out.subject_key_id = Some(ski.0.as_bytes().to_vec());
            }
            const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                let aki = AuthorityKeyIdentifier::from_der(value)
                    .map_err(|e| bad("authorityKeyIdentifier", e))?;
                out.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS => {
                let bc =
                    BasicConstraints::from_der(value).map_err(|e| bad("basicConstraints", e))?;
                out.ca = bc.ca;
            }
            _ => {}
        }
    }
    Ok(out)
}

fn date(since_epoch: std::time::Duration) -> Result<String, CertificateError> {
    let out_of_range = || CertificateError::Date(since_epoch.as_secs());
    let secs = i64::try_from(since_epoch.as_secs()).map_err(|_| out_of_range())?;
    let t = time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| out_of_range())?;
    Ok(format!(
        "{:02}.{:02}.{:04}",
        t.day(),
        u8::from(t.month()),
        t.year()
    ))
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
    fn what_does_not_decode_is_named() {
        assert!(matches!(
            profile_fields(b"not DER"),
            Err(CertificateError::NotDer(_))
        ));
        assert_eq!(
            date(std::time::Duration::from_secs(u64::MAX)),
            Err(CertificateError::Date(u64::MAX))
        );
        assert_eq!(
            date(std::time::Duration::from_secs(86_400)).as_deref(),
            Ok("02.01.1970")
        );
    }

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
}
