//! A CMS SignedData (RFC 5652) with one signer and no signed attributes, for `sign`: the
//! signature is over the content's digest itself, which is what a token hashing on board
//! (`useHardwareHash`, the SafeTouch path) produces. GOST identifiers per RFC 4490 / RFC 9215
//! (digest Streebog, signature algorithm the key's 34.10-2012 OID, value `s ‖ r` as in X.509).

use der::Encode;
use gost::KeyAlgorithm;
use rutoken_pki::cert::Cert;

/// id-signedData, RFC 5652 §5.1.
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// id-data, RFC 5652 §4.
const ID_DATA: &str = "1.2.840.113549.1.7.1";

fn len(n: usize) -> Vec<u8> {
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    match u8::try_from(n) {
        Ok(short) if short < 0x80 => vec![short],
        _ => {
            // At most 8 length octets (a usize's): the count always fits.
            let count = u8::try_from(bytes.len()).unwrap_or(8);
            let mut out = vec![0x80 | count];
            out.extend(bytes);
            out
        }
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(len(content.len()));
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Result<Vec<u8>, der::Error> {
    let oid = const_oid::ObjectIdentifier::new(dotted).map_err(|_| der::ErrorKind::OidMalformed)?;
    oid.to_der()
}

fn oid_bytes(o: const_oid::ObjectIdentifier) -> Result<Vec<u8>, der::Error> {
    o.to_der()
}

/// What went into a SignedData.
pub struct SignedParts<'a> {
    /// The signer's certificate.
    pub certificate: &'a Cert,
    /// The signer's key algorithm.
    pub algorithm: KeyAlgorithm,
    /// The content (included unless `detached`).
    pub content: &'a [u8],
    /// Leave the content out.
    pub detached: bool,
    /// Put the signer's certificate in.
    pub include_certificate: bool,
    /// The signature, `s ‖ r` big-endian.
    pub signature: &'a [u8],
}

/// DER ContentInfo { signedData }.
pub fn signed_data(parts: &SignedParts<'_>) -> Result<Vec<u8>, der::Error> {
    let digest_alg = seq(&[&oid_bytes(parts.algorithm.digest().oid())?]);
    let sig_alg = seq(&[&oid_bytes(parts.algorithm.oid())?]);
    let version = tlv(0x02, &[1]);
    let digest_algs = tlv(0x31, &digest_alg);
    let mut encap = oid(ID_DATA)?;
    if !parts.detached {
        encap.extend(tlv(0xA0, &tlv(0x04, parts.content)));
    }
    let encap = tlv(0x30, &encap);
    let tbs = parts.certificate.certificate().tbs_certificate();
    let issuer = tbs.issuer().to_der()?;
    let serial = tbs.serial_number().to_der()?;
    let sid = seq(&[&issuer, &serial]);
    let signer_info = seq(&[
        &version,
        &sid,
        &digest_alg,
        &sig_alg,
        &tlv(0x04, parts.signature),
    ]);
    let signer_infos = tlv(0x31, &signer_info);
    let certificates = if parts.include_certificate {
        tlv(0xA0, parts.certificate.to_der())
    } else {
        Vec::new()
    };
    let signed = seq(&[&version, &digest_algs, &encap, &certificates, &signer_infos]);
    Ok(seq(&[&oid(ID_SIGNED_DATA)?, &tlv(0xA0, &signed)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_der() {
        assert_eq!(len(5), vec![5]);
        assert_eq!(len(0x80), vec![0x81, 0x80]);
        assert_eq!(len(0x1234), vec![0x82, 0x12, 0x34]);
        assert_eq!(tlv(0x04, &[]), vec![0x04, 0x00]);
    }
}
