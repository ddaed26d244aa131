//! CMS SignedData (RFC 5652) for `sign`, `authenticate` and `verify`: built with any number of
//! signers (co-signing keeps every earlier signer, its certificates and the content), with or
//! without signed attributes, and read back (DER). GOST identifiers per RFC 4490 / RFC 9215:
//! digest Streebog (or GOST R 34.11-94), signature algorithm the key's 34.10 OID, value `s ‖ r`
//! as in X.509. Signed attributes: contentType, messageDigest (RFC 5652 §11.1-2), signingTime
//! (§11.3), signingCertificateV2 (RFC 5035 §5.4) with a Streebog-256 certificate hash.

use der::Encode;
use gost::{DigestAlgorithm, KeyAlgorithm};
use rutoken_pki::cert::Cert;

use crate::der_walk::{self, seq, set_of, tlv};

/// id-signedData, RFC 5652 §5.1.
pub const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// id-data, RFC 5652 §4.
pub const ID_DATA: &str = "1.2.840.113549.1.7.1";
/// id-contentType, RFC 5652 §11.1.
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
/// id-messageDigest, RFC 5652 §11.2.
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// id-signingTime, RFC 5652 §11.3.
const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// id-aa-signingCertificateV2, RFC 5035 §3.
const ID_SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";

/// An OID's DER (a malformed dotted string is an ASN.1 error).
pub fn oid(dotted: &str) -> Result<Vec<u8>, der::Error> {
    let oid = const_oid::ObjectIdentifier::new(dotted).map_err(|_| der::ErrorKind::OidMalformed)?;
    oid.to_der()
}

/// A digest algorithm by its OID (the GOST ones the token computes).
pub fn digest_of_oid(oid_der: &[u8]) -> Option<DigestAlgorithm> {
    [
        DigestAlgorithm::Streebog256,
        DigestAlgorithm::Streebog512,
        DigestAlgorithm::Gost94CryptoPro,
    ]
    .into_iter()
    .find(|d| d.oid().to_der().ok().as_deref() == Some(oid_der))
}

/// What goes into a new SignerInfo's signed attributes.
pub struct Attributes<'a> {
    /// eContentType (DER OID).
    pub content_type: &'a [u8],
    /// The content's digest.
    pub digest: &'a [u8],
    /// signingTime.
    pub signing_time: Option<time::OffsetDateTime>,
    /// signingCertificateV2 for this certificate.
    pub ess_certificate: Option<&'a Cert>,
}

fn attribute(oid_dotted: &str, value: &[u8]) -> Result<Vec<u8>, der::Error> {
    Ok(seq(&[&oid(oid_dotted)?, &tlv(0x31, value)]))
}

/// UTCTime (1950-2049) or GeneralizedTime, RFC 5280 §4.1.2.5 rules.
fn time_der(t: time::OffsetDateTime) -> Vec<u8> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let rest = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if (1950..2050).contains(&t.year()) {
        tlv(0x17, format!("{:02}{rest}", t.year() % 100).as_bytes())
    } else {
        tlv(0x18, format!("{:04}{rest}", t.year()).as_bytes())
    }
}

/// The signed attributes as a DER SET OF (sorted, §5.4: what the signature covers).
pub fn signed_attributes(a: &Attributes<'_>) -> Result<Vec<u8>, der::Error> {
    let mut attrs = vec![
        attribute(ID_CONTENT_TYPE, a.content_type)?,
        attribute(ID_MESSAGE_DIGEST, &tlv(0x04, a.digest))?,
    ];
    if let Some(t) = a.signing_time {
        attrs.push(attribute(ID_SIGNING_TIME, &time_der(t))?);
    }
    if let Some(cert) = a.ess_certificate {
        let hash = DigestAlgorithm::Streebog256.digest(cert.to_der());
        let tbs = cert.certificate().tbs_certificate();
        // IssuerSerial: issuer as GeneralNames (directoryName [4]), serial.
        let issuer = tlv(0x30, &tlv(0xA4, &tbs.issuer().to_der()?));
        let issuer_serial = seq(&[&issuer, &tbs.serial_number().to_der()?]);
        let alg = seq(&[&DigestAlgorithm::Streebog256.oid().to_der()?]);
        let cert_id = seq(&[&alg, &tlv(0x04, &hash), &issuer_serial]);
        let value = seq(&[&seq(&[&cert_id])]);
        attrs.push(attribute(ID_SIGNING_CERTIFICATE_V2, &value)?);
    }
    Ok(set_of(attrs))
}

/// One new SignerInfo (issuerAndSerialNumber, version 1).
pub fn signer_info(
    cert: &Cert,
    algorithm: KeyAlgorithm,
    signed_attrs: Option<&[u8]>,
    signature: &[u8],
) -> Result<Vec<u8>, der::Error> {
    let tbs = cert.certificate().tbs_certificate();
    let sid = seq(&[&tbs.issuer().to_der()?, &tbs.serial_number().to_der()?]);
    let digest_alg = seq(&[&algorithm.digest().oid().to_der()?]);
    let sig_alg = seq(&[&algorithm.oid().to_der()?]);
    let attrs = signed_attrs
        .map(|set| {
            // [0] IMPLICIT: the SET's content under tag A0.
            der_walk::parse(set).map(|t| tlv(0xA0, t.value))
        })
        .transpose()?
        .unwrap_or_default();
    Ok(seq(&[
        &tlv(0x02, &[1]),
        &sid,
        &digest_alg,
        &attrs,
        &sig_alg,
        &tlv(0x04, signature),
    ]))
}

/// A SignedData being assembled or read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedData {
    /// eContentType, DER OID.
    pub content_type: Vec<u8>,
    /// The content, when attached.
    pub content: Option<Vec<u8>>,
    /// digestAlgorithms, each an AlgorithmIdentifier's DER.
    pub digest_algorithms: Vec<Vec<u8>>,
    /// Certificates, DER.
    pub certificates: Vec<Vec<u8>>,
    /// SignerInfos, DER.
    pub signers: Vec<Vec<u8>>,
}

impl SignedData {
    /// DER ContentInfo { signedData }.
    pub fn to_der(&self) -> Result<Vec<u8>, der::Error> {
        // RFC 5652 §5.1: version 3 when the content is not id-data.
        let version = if self.content_type == oid(ID_DATA)? {
            1
        } else {
            3
        };
        let mut algs = self.digest_algorithms.clone();
        algs.sort();
        algs.dedup();
        let mut encap = self.content_type.clone();
        if let Some(content) = &self.content {
            encap.extend(tlv(0xA0, &tlv(0x04, content)));
        }
        let certificates = if self.certificates.is_empty() {
            Vec::new()
        } else {
            tlv(0xA0, &self.certificates.concat())
        };
        let signed = seq(&[
            &tlv(0x02, &[version]),
            &set_of(algs),
            &tlv(0x30, &encap),
            &certificates,
            &tlv(0x31, &self.signers.concat()),
        ]);
        Ok(seq(&[&oid(ID_SIGNED_DATA)?, &tlv(0xA0, &signed)]))
    }

    /// Reads a ContentInfo { signedData } (DER; BER's indefinite lengths are refused).
    pub fn parse(der: &[u8]) -> Result<Self, der::Error> {
        let bad = || der::Error::from(der::ErrorKind::Failed);
        let info = der_walk::parse_exact(der)?;
        let [content_type, explicit] = info.children()?[..] else {
            return Err(bad());
        };
        if content_type.raw != oid(ID_SIGNED_DATA)? || explicit.tag != 0xA0 {
            return Err(bad());
        }
        let signed = der_walk::parse_exact(explicit.value)?;
        let parts = signed.children()?;
        let mut it = parts.iter().skip(1);
        let algs = it.next().ok_or_else(bad)?;
        let encap = it.next().ok_or_else(bad)?;
        let mut out = SignedData {
            digest_algorithms: algs.children()?.iter().map(|a| a.raw.to_vec()).collect(),
            ..SignedData::default()
        };
        let encap = encap.children()?;
        out.content_type = encap.first().ok_or_else(bad)?.raw.to_vec();
        if let Some(explicit) = encap.get(1) {
            let octets = der_walk::parse_exact(explicit.value)?;
            out.content = Some(octets.value.to_vec());
        }
        for part in it {
            match part.tag {
                0xA0 => {
                    out.certificates = der_walk::children_of(part.value)?
                        .iter()
                        .map(|c| c.raw.to_vec())
                        .collect();
                }
                0xA1 => {}
                0x31 => out.signers = part.children()?.iter().map(|s| s.raw.to_vec()).collect(),
                _ => return Err(bad()),
            }
        }
        Ok(out)
    }
}

/// A SignerInfo, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// issuer Name, DER.
    pub issuer: Vec<u8>,
    /// serialNumber INTEGER, DER.
    pub serial: Vec<u8>,
    /// The digest algorithm.
    pub digest: Option<DigestAlgorithm>,
    /// The signed attributes as the SET the signature covers.
    pub signed_attrs: Option<Vec<u8>>,
    /// The messageDigest attribute's value.
    pub message_digest: Option<Vec<u8>>,
    /// The signature (`s ‖ r`).
    pub signature: Vec<u8>,
}

impl Signer {
    /// Reads one SignerInfo.
    pub fn parse(der: &[u8]) -> Result<Self, der::Error> {
        let bad = || der::Error::from(der::ErrorKind::Failed);
        let info = der_walk::parse_exact(der)?;
        let parts = info.children()?;
        let sid = parts.get(1).ok_or_else(bad)?;
        let sid_parts = sid.children()?;
        let [issuer, serial] = sid_parts[..] else {
            return Err(bad());
        };
        let digest_alg = parts.get(2).ok_or_else(bad)?.children()?;
        let digest = digest_of_oid(digest_alg.first().ok_or_else(bad)?.raw);
        let mut rest = parts.iter().skip(3);
        let mut next = rest.next().ok_or_else(bad)?;
        let mut signed_attrs = None;
        let mut message_digest = None;
        if next.tag == 0xA0 {
            let set = tlv(0x31, next.value);
            for attr in der_walk::children_of(next.value)? {
                let kids = attr.children()?;
                if kids.first().map(|k| k.raw) == Some(&oid(ID_MESSAGE_DIGEST)?[..]) {
                    let values = kids.get(1).ok_or_else(bad)?.children()?;
                    message_digest = values.first().map(|v| v.value.to_vec());
                }
            }
            signed_attrs = Some(set);
            next = rest.next().ok_or_else(bad)?;
        }
        let _signature_algorithm = next;
        let signature = rest.next().ok_or_else(bad)?.value.to_vec();
        Ok(Signer {
            issuer: issuer.raw.to_vec(),
            serial: serial.raw.to_vec(),
            digest,
            signed_attrs,
            message_digest,
            signature,
        })
    }

    /// Whether `cert` is this signer's (issuer and serial).
    pub fn is_of(&self, cert: &Cert) -> bool {
        let tbs = cert.certificate().tbs_certificate();
        tbs.issuer().to_der().ok().as_deref() == Some(&self.issuer[..])
            && tbs.serial_number().to_der().ok().as_deref() == Some(&self.serial[..])
    }

    /// Checks the signature with `cert`'s key over `content`.
    pub fn verify(&self, cert: &Cert, content: &[u8]) -> bool {
        let Ok((algorithm, key)) = cert.public_key() else {
            return false;
        };
        let digest = self.digest.unwrap_or(algorithm.digest());
        let content_digest = digest.digest(content);
        let signed = match (&self.signed_attrs, &self.message_digest) {
            (Some(attrs), Some(md)) if *md == content_digest => digest.digest(attrs),
            (Some(_), _) => return false,
            (None, _) => content_digest,
        };
        gost::Signature::from_x509_bytes(&self.signature)
            .and_then(|s| key.verify_digest(&signed, &s))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_utc_or_generalized() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_580_817_600).unwrap();
        assert_eq!(time_der(t)[0], 0x17);
        assert_eq!(&time_der(t)[2..], b"200204120000Z");
        let later = time::OffsetDateTime::from_unix_timestamp(2_600_000_000).unwrap();
        assert_eq!(time_der(later)[0], 0x18);
    }
}
