//! `C_EX_PKCS7Sign`: CMS SignedData (RFC 5652) signed with a token key, GOST identifiers as
//! RFC 4490 / RFC 9215 give them (digest Streebog, signature algorithm the key's 34.10 OID,
//! value `s ‖ r` as in X.509), the signer's certificate and the caller's `phCertificates`
//! included.
//!
//! Two ways, by `flags` (`rtpkcs11t.h`):
//! - 0: hashed on the host; signed attributes contentType, messageDigest and signingTime
//!   (RFC 5652 §11.1-3); the token signs their digest (the SafeTouch shows that hash);
//! - `USE_HARDWARE_HASH`: the document itself goes to the token (`PSO: HASH` chained), so the
//!   SafeTouch shows the document and waits for a press; the SignerInfo then carries no signed
//!   attributes (RFC 5652 §5.3 allows that for id-data): the signature is over the document's
//!   digest the token computed, which is the document the holder saw.
//!
//! `PKCS7_DETACHED_SIGNATURE` leaves the content out. Another flag bit is `CKR_ARGUMENTS_BAD`.
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use der::Encode;
use der::asn1::UtcTime;
use gost::{KeyAlgorithm, VerifyingKey};
use rutoken_pki::cert::Cert;

use cryptoki_sys::*;

use super::der_util::{parse, seq, set_of, tlv};
use super::types::{PKCS7_DETACHED_SIGNATURE, USE_HARDWARE_HASH};
use super::{buffers, keys};
use crate::device::KeyPair;
use crate::error::{Error, fail};
use crate::ffi::{bytes, entry, put, to_usize, with_module};

/// id-signedData, RFC 5652 §5.1.
pub(super) const ID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data, RFC 5652 §4.
pub(super) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-contentType, RFC 5652 §11.1.
pub(super) const ID_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest, RFC 5652 §11.2.
pub(super) const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime, RFC 5652 §11.3.
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// The most certificates a caller may add (a chain is a handful).
const MAX_CERTIFICATES: usize = 64;

fn oid(o: ObjectIdentifier) -> Vec<u8> {
    // An ObjectIdentifier always encodes.
    o.to_der().unwrap_or_default()
}

fn attribute(kind: ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(kind), &tlv(0x31, value)])
}

/// What a SignedData is built from.
pub(super) struct SignedParts<'a> {
    /// The signer's certificate (DER).
    pub signer: &'a [u8],
    /// The signer's algorithm.
    pub algorithm: KeyAlgorithm,
    /// The document, when attached.
    pub content: Option<&'a [u8]>,
    /// Every certificate to include (the signer's first).
    pub certificates: &'a [Vec<u8>],
    /// The signed attributes' SET, when there are any.
    pub signed_attrs: Option<&'a [u8]>,
    /// `s ‖ r`.
    pub signature: &'a [u8],
}

/// The signed attributes (a DER SET: what the signature covers, RFC 5652 §5.4).
pub(super) fn signed_attributes(digest: &[u8], at: SystemTime) -> Result<Vec<u8>, Error> {
    let time = UtcTime::from_system_time(at)
        .and_then(|t| t.to_der())
        .map_err(|_| Error::Rv(CKR_GENERAL_ERROR))?;
    Ok(set_of(vec![
        attribute(ID_CONTENT_TYPE, &oid(ID_DATA)),
        attribute(ID_MESSAGE_DIGEST, &tlv(0x04, digest)),
        attribute(ID_SIGNING_TIME, &time),
    ]))
}

/// ContentInfo { SignedData } with one SignerInfo (version 1, issuerAndSerialNumber).
pub(super) fn signed_data(p: &SignedParts<'_>) -> Result<Vec<u8>, Error> {
    let cert = Cert::parse(p.signer).map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?;
    let tbs = cert.certificate().tbs_certificate();
    let der_err = |_| Error::Rv(CKR_GENERAL_ERROR);
    let sid = seq(&[
        &tbs.issuer().to_der().map_err(der_err)?,
        &tbs.serial_number().to_der().map_err(der_err)?,
    ]);
    let digest_alg = seq(&[&oid(p.algorithm.digest().oid())]);
    let attrs = match p.signed_attrs {
        // [0] IMPLICIT: the SET's content under A0.
        Some(set) => tlv(0xA0, parse(set).map(|t| t.value).unwrap_or_default()),
        None => Vec::new(),
    };
    let signer_info = seq(&[
        &tlv(0x02, &[1]),
        &sid,
        &digest_alg,
        &attrs,
        &seq(&[&oid(p.algorithm.oid())]),
        &tlv(0x04, p.signature),
    ]);
    let mut encap = oid(ID_DATA);
    if let Some(content) = p.content {
        encap.extend(tlv(0xA0, &tlv(0x04, content)));
    }
    let certificates = if p.certificates.is_empty() {
        Vec::new()
    } else {
        tlv(0xA0, &p.certificates.concat())
    };
    let signed = seq(&[
        &tlv(0x02, &[1]),
        &set_of(vec![digest_alg.clone()]),
        &tlv(0x30, &encap),
        &certificates,
        &set_of(vec![signer_info]),
    ]);
    Ok(seq(&[&oid(ID_SIGNED_DATA), &tlv(0xA0, &signed)]))
}

/// Whether `key` is the key of the certificate `der`.
fn key_matches(key: &KeyPair, der: &[u8]) -> bool {
    let Ok(cert) = Cert::parse(der) else {
        return false;
    };
    let Ok((algorithm, public)) = cert.public_key() else {
        return false;
    };
    algorithm == key.spec.algorithm
        && VerifyingKey::from_le_bytes(key.spec.param, &key.public).is_ok_and(|k| k == public)
}

/// `C_EX_PKCS7Sign`.
pub(super) unsafe extern "C" fn C_EX_PKCS7Sign(
    hSession: CK_SESSION_HANDLE,
    pData: *const CK_BYTE,
    ulDataLen: CK_ULONG,
    hCert: CK_OBJECT_HANDLE,
    ppEnvelope: *mut *mut CK_BYTE,
    pEnvelopeLen: *mut CK_ULONG,
    hPrivKey: CK_OBJECT_HANDLE,
    phCertificates: *const CK_OBJECT_HANDLE,
    ulCertificatesLen: CK_ULONG,
    flags: CK_ULONG,
) -> CK_RV {
    entry(|| {
        if ppEnvelope.is_null() || pEnvelopeLen.is_null() || pData.is_null() || ulDataLen == 0 {
            return fail(CKR_ARGUMENTS_BAD);
        }
        if flags & !(PKCS7_DETACHED_SIGNATURE | USE_HARDWARE_HASH) != 0 {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's document of ulDataLen bytes.
        let data = unsafe { bytes(pData, ulDataLen) }?;
        let count = to_usize(ulCertificatesLen)?;
        if count > MAX_CERTIFICATES || (count > 0 && phCertificates.is_null()) {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let extra: &[CK_OBJECT_HANDLE] = if count == 0 {
            &[]
        } else {
            // SAFETY: non-null, `count` handles by the vendor's contract.
            unsafe { std::slice::from_raw_parts(phCertificates, count) }
        };
        let envelope = with_module(|m| {
            let state = m.require_user(hSession)?;
            let cert = keys::certificate(m, hSession, hCert)?;
            let key = keys::private_key(m, hSession, state.slot, hPrivKey, &cert.id)?;
            if !key_matches(&key, &cert.der) {
                return fail(CKR_KEY_HANDLE_INVALID);
            }
            let mut certificates = vec![cert.der.clone()];
            for &h in extra {
                let c = keys::certificate(m, hSession, h)?;
                if !certificates.contains(&c.der) {
                    certificates.push(c.der);
                }
            }
            let algorithm = key.spec.algorithm;
            let (signed_attrs, signature) = if flags & USE_HARDWARE_HASH != 0 {
                // The document to the token: the SafeTouch shows it.
                let s = m.on_token(state.slot, |t| t.device.sign_document(&key, data))?;
                (None, s)
            } else {
                let digest = algorithm.digest().digest(data);
                let attrs = signed_attributes(&digest, SystemTime::now())?;
                let to_sign = algorithm.digest().digest(&attrs);
                let s = m.on_token(state.slot, |t| t.device.sign_digest(&key, &to_sign))?;
                (Some(attrs), s)
            };
            signed_data(&SignedParts {
                signer: &cert.der,
                algorithm,
                content: (flags & PKCS7_DETACHED_SIGNATURE == 0).then_some(data),
                certificates: &certificates,
                signed_attrs: signed_attrs.as_deref(),
                signature: &signature,
            })
        })?;
        let (ptr, len) = buffers::give(envelope);
        // SAFETY: both out pointers checked non-null above.
        unsafe {
            put(ppEnvelope, ptr)?;
            put(pEnvelopeLen, len)
        }
    })
}
