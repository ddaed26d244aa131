//! `C_EX_PKCS7VerifyInit`, `C_EX_PKCS7Verify` (attached content), `C_EX_PKCS7VerifyUpdate` and
//! `C_EX_PKCS7VerifyFinal` (detached content): a CMS SignedData checked on the host against
//! the caller's `CK_VENDOR_X509_STORE`.
//!
//! Each SignerInfo's certificate is found by issuer and serial (or subject key identifier)
//! among the CMS's certificates (unless `CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS`) and the
//! store's; its signature is checked (over the signed attributes, whose messageDigest must be
//! the content's, or over the content when there are none): a wrong one is
//! `CKR_SIGNATURE_INVALID`. Its chain must reach a trusted certificate, each link's signature
//! checked and each certificate valid now; a trusted certificate ends the chain when it is
//! self-issued, any trusted one with `CKF_VENDOR_ALLOW_PARTIAL_CHAINS`; otherwise
//! `CKR_CERT_CHAIN_NOT_VERIFIED`. CRLs are not checked: a store with CRLs, or a mode other
//! than `OPTIONAL_CRL_CHECK`, is `CKR_FUNCTION_NOT_SUPPORTED` (docs/pkcs11.md).
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use der::Encode;
use gost::Signature;
use rutoken_pki::cert::Cert;

use cryptoki_sys::*;

use super::buffers;
use super::der_util::{Tlv, children, parse_exact, tlv};
use super::pkcs7::{ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA};
use super::types::*;
use crate::error::{Error, fail};
use crate::ffi::{bytes, entry, put, to_usize, with_module};
use crate::module::Module;

/// The most certificates a store may list.
const MAX_STORE: usize = 256;
/// The longest chain followed.
const MAX_CHAIN: usize = 10;

/// A verification between its init and its end.
struct Pending {
    /// The CMS (DER).
    cms: Vec<u8>,
    trusted: Vec<Vec<u8>>,
    certificates: Vec<Vec<u8>>,
    flags: CK_FLAGS,
    /// Whether the CMS carries its content (`C_EX_PKCS7Verify`) or not (Update/Final).
    attached: bool,
    /// The detached content so far.
    data: Vec<u8>,
}

/// Verifications in progress, by module instance and session (a session handle of an earlier
/// `C_Initialize` is another key).
static PENDING: Mutex<Option<HashMap<(usize, CK_SESSION_HANDLE), Pending>>> = Mutex::new(None);

fn key(m: &Module, session: CK_SESSION_HANDLE) -> (usize, CK_SESSION_HANDLE) {
    (m as *const Module as usize, session)
}

fn with_pending<T>(f: impl FnOnce(&mut HashMap<(usize, CK_SESSION_HANDLE), Pending>) -> T) -> T {
    f(PENDING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new))
}

fn bad() -> Error {
    Error::Rv(CKR_ARGUMENTS_BAD)
}

/// The parts of a SignedData the checks use.
struct Parsed<'a> {
    content: Option<&'a [u8]>,
    certificates: Vec<&'a [u8]>,
    signers: Vec<Tlv<'a>>,
}

fn parse_cms(cms: &[u8]) -> Option<Parsed<'_>> {
    let info = parse_exact(cms)?;
    let parts = children(info.value)?;
    let [kind, explicit] = parts[..] else {
        return None;
    };
    if kind.raw != ID_SIGNED_DATA.to_der().ok()? || explicit.tag != 0xA0 {
        return None;
    }
    let signed = parse_exact(explicit.value)?;
    let parts = children(signed.value)?;
    let encap = children(parts.get(2)?.value)?;
    if encap.first()?.raw != ID_DATA.to_der().ok()? {
        return None;
    }
    let content = match encap.get(1) {
        Some(e) => {
            let octets = parse_exact(e.value)?;
            // A constructed (BER-style) OCTET STRING is not DER.
            (octets.tag == 0x04).then_some(octets.value)?;
            Some(octets.value)
        }
        None => None,
    };
    let mut certificates = Vec::new();
    let mut signers = None;
    for part in &parts[3..] {
        match part.tag {
            0xA0 => certificates = children(part.value)?.iter().map(|c| c.raw).collect(),
            0xA1 => {}
            0x31 => signers = Some(children(part.value)?),
            _ => return None,
        }
    }
    let signers = signers.filter(|s| !s.is_empty())?;
    Some(Parsed {
        content,
        certificates,
        signers,
    })
}

/// Checks one SignerInfo over `content`; the signer's certificate.
fn check_signer(signer: &Tlv<'_>, content: &[u8], pool: &[Cert]) -> Result<Cert, Error> {
    let invalid = || Error::Rv(CKR_SIGNATURE_INVALID);
    let parts = children(signer.value).ok_or_else(bad)?;
    let sid = parts.get(1).ok_or_else(bad)?;
    let cert = pool
        .iter()
        .find(|c| {
            let tbs = c.certificate().tbs_certificate();
            match sid.tag {
                0x30 => {
                    let wanted = [
                        tbs.issuer().to_der().unwrap_or_default(),
                        tbs.serial_number().to_der().unwrap_or_default(),
                    ]
                    .concat();
                    wanted == sid.value
                }
                0x80 => c.subject_key_id().ok().flatten().as_deref() == Some(sid.value),
                _ => false,
            }
        })
        .cloned()
        .ok_or(Error::Rv(CKR_CERT_CHAIN_NOT_VERIFIED))?;
    let (algorithm, public) = cert.public_key().map_err(|_| invalid())?;
    let digest_alg = children(parts.get(2).ok_or_else(bad)?.value).ok_or_else(bad)?;
    if digest_alg.first().map(|o| o.raw) != algorithm.digest().oid().to_der().ok().as_deref() {
        return Err(invalid());
    }
    let digest = algorithm.digest().digest(content);
    let mut rest = parts.iter().skip(3);
    let mut next = rest.next().ok_or_else(bad)?;
    let signed = if next.tag == 0xA0 {
        let md = ID_MESSAGE_DIGEST.to_der().map_err(|_| bad())?;
        let attrs = children(next.value).ok_or_else(bad)?;
        let message_digest = attrs.iter().find_map(|a| {
            let kids = children(a.value)?;
            (kids.first()?.raw == md.as_slice())
                .then(|| children(kids.get(1)?.value))
                .flatten()
                .and_then(|v| v.first().map(|o| o.value.to_vec()))
        });
        if message_digest.as_deref() != Some(digest.as_slice()) {
            return Err(invalid());
        }
        // The signature covers the attributes as a SET (RFC 5652 §5.4), not the [0].
        let set = tlv(0x31, next.value);
        next = rest.next().ok_or_else(bad)?;
        algorithm.digest().digest(&set)
    } else {
        digest
    };
    let _signature_algorithm = next;
    let value = rest.next().ok_or_else(bad)?;
    let signature = Signature::from_x509_bytes(value.value).map_err(|_| invalid())?;
    public
        .verify_digest(&signed, &signature)
        .map_err(|_| invalid())?;
    Ok(cert)
}

/// Whether `cert` chains to a trusted certificate through `pool` (see the module's note).
fn chain_ok(cert: &Cert, pool: &[Cert], trusted: &[Vec<u8>], flags: CK_FLAGS) -> bool {
    let now = time::OffsetDateTime::now_utc();
    let mut current = cert.clone();
    for _ in 0..MAX_CHAIN {
        if !current.is_valid_at(now).unwrap_or(false) {
            return false;
        }
        let self_issued = current.subject() == current.issuer();
        if trusted.iter().any(|t| t.as_slice() == current.to_der())
            && (self_issued || flags & CKF_VENDOR_ALLOW_PARTIAL_CHAINS != 0)
        {
            return true;
        }
        if self_issued {
            return false;
        }
        let Some(issuer) = pool
            .iter()
            .find(|c| c.subject() == current.issuer() && current.verify_issued_by(c).is_ok())
        else {
            return false;
        };
        current = issuer.clone();
    }
    false
}

/// Runs the checks; the signer certificates (DER).
fn run(p: &Pending, content: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let parsed = parse_cms(&p.cms).ok_or_else(bad)?;
    let mut pool: Vec<Cert> = Vec::new();
    let internal = p.flags & CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS == 0;
    let own = parsed.certificates.iter().filter(|_| internal).copied();
    for der in own
        .chain(p.certificates.iter().map(Vec::as_slice))
        .chain(p.trusted.iter().map(Vec::as_slice))
    {
        if let Ok(c) = Cert::parse(der) {
            pool.push(c);
        }
    }
    let mut signers = Vec::new();
    for s in &parsed.signers {
        let cert = check_signer(s, content, &pool)?;
        if !chain_ok(&cert, &pool, &p.trusted, p.flags) {
            return fail(CKR_CERT_CHAIN_NOT_VERIFIED);
        }
        signers.push(cert.to_der().to_vec());
    }
    Ok(signers)
}

/// The caller's `CK_VENDOR_BUFFER` array, copied.
///
/// # Safety
/// `ptr` is null or points at `count` buffers whose `pData` point at `ulSize` bytes.
unsafe fn buffer_list(
    ptr: *const CK_VENDOR_BUFFER,
    count: CK_ULONG,
) -> Result<Vec<Vec<u8>>, Error> {
    let count = to_usize(count)?;
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() || count > MAX_STORE {
        return Err(bad());
    }
    // SAFETY: non-null, `count` structures by the caller's contract.
    let raw = unsafe { std::slice::from_raw_parts(ptr, count) };
    raw.iter()
        .map(|b| {
            if b.pData.is_null() || b.ulSize == 0 {
                return Err(bad());
            }
            // SAFETY: each pData/ulSize pair is the caller's buffer (contract above).
            unsafe { bytes(b.pData, b.ulSize) }.map(<[u8]>::to_vec)
        })
        .collect()
}

/// Hands out the signer certificates: an array of `CK_VENDOR_BUFFER` (one module buffer),
/// each `pData` a module buffer of its own; every one is freed with `C_EX_FreeBuffer`.
fn give_certificates(certs: Vec<Vec<u8>>) -> (*mut u8, CK_ULONG) {
    let count = certs.len() as CK_ULONG;
    let mut array = Vec::with_capacity(certs.len() * std::mem::size_of::<CK_VENDOR_BUFFER>());
    for der in certs {
        let (ptr, len) = buffers::give(der);
        array.extend_from_slice(&(ptr as usize).to_ne_bytes());
        array.extend_from_slice(&len.to_ne_bytes());
    }
    let (ptr, _) = buffers::give(array);
    (ptr, count)
}

/// `C_EX_PKCS7VerifyInit`.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyInit(
    hSession: CK_SESSION_HANDLE,
    pCms: *const CK_BYTE,
    ulCmsSize: CK_ULONG,
    pStore: *const CK_VENDOR_X509_STORE,
    ckMode: CK_ULONG,
    flags: CK_FLAGS,
) -> CK_RV {
    entry(|| {
        if pCms.is_null() || ulCmsSize == 0 || ckMode > ALL_CRL_CHECK {
            return fail(CKR_ARGUMENTS_BAD);
        }
        if flags & !(CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS | CKF_VENDOR_ALLOW_PARTIAL_CHAINS)
            != 0
        {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's CMS of ulCmsSize bytes.
        let cms = unsafe { bytes(pCms, ulCmsSize) }?.to_vec();
        let (trusted, certificates, crls) = if pStore.is_null() {
            (Vec::new(), Vec::new(), 0)
        } else {
            // SAFETY: a non-null store is the caller's CK_VENDOR_X509_STORE.
            let store = unsafe { std::ptr::read(pStore) };
            // SAFETY: the store's arrays by the vendor's contract.
            unsafe {
                (
                    buffer_list(store.pTrustedCertificates, store.ulTrustedCertificatesCount)?,
                    buffer_list(store.pCertificates, store.ulCertificatesCount)?,
                    store.ulCrlsCount,
                )
            }
        };
        if crls != 0 || ckMode != OPTIONAL_CRL_CHECK {
            return fail(CKR_FUNCTION_NOT_SUPPORTED);
        }
        let attached = parse_cms(&cms).ok_or_else(bad)?.content.is_some();
        with_module(|m| {
            m.require_user(hSession)?;
            with_pending(|p| {
                // Verifications of sessions closed since are dropped: their handles are gone.
                let this = key(m, hSession).0;
                p.retain(|(module, session), _| {
                    *module != this || m.session_state(*session).is_ok()
                });
                if p.contains_key(&key(m, hSession)) {
                    return fail(CKR_OPERATION_ACTIVE);
                }
                p.insert(
                    key(m, hSession),
                    Pending {
                        cms,
                        trusted,
                        certificates,
                        flags,
                        attached,
                        data: Vec::new(),
                    },
                );
                Ok(())
            })
        })
    })
}

/// The session's pending verification, taken (the operation ends).
fn take(m: &Module, session: CK_SESSION_HANDLE) -> Result<Pending, Error> {
    m.session_state(session)?;
    with_pending(|p| p.remove(&key(m, session))).ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))
}

/// `C_EX_PKCS7Verify`: an attached CMS; the content and the signer certificates.
pub(super) unsafe extern "C" fn C_EX_PKCS7Verify(
    hSession: CK_SESSION_HANDLE,
    ppData: *mut *mut CK_BYTE,
    pulDataSize: *mut CK_ULONG,
    ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
    pulSignerCertificatesCount: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if ppData.is_null()
            || pulDataSize.is_null()
            || ppSignerCertificates.is_null()
            || pulSignerCertificatesCount.is_null()
        {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let (content, signers) = with_module(|m| {
            let p = take(m, hSession)?;
            if !p.attached {
                // A detached CMS ends with C_EX_PKCS7VerifyUpdate/Final.
                return fail(CKR_ARGUMENTS_BAD);
            }
            let parsed = parse_cms(&p.cms).ok_or_else(bad)?;
            let content = parsed.content.unwrap_or_default().to_vec();
            let signers = run(&p, &content)?;
            Ok((content, signers))
        })?;
        let (data, len) = buffers::give(content);
        let (certs, count) = give_certificates(signers);
        // SAFETY: the four out pointers checked non-null above.
        unsafe {
            put(ppData, data)?;
            put(pulDataSize, len)?;
            put(ppSignerCertificates, certs as *mut CK_VENDOR_BUFFER)?;
            put(pulSignerCertificatesCount, count)
        }
    })
}

/// `C_EX_PKCS7VerifyUpdate`: a part of a detached CMS's content.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyUpdate(
    hSession: CK_SESSION_HANDLE,
    pData: *const CK_BYTE,
    ulDataSize: CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pData.is_null() && ulDataSize != 0 {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's ulDataSize bytes.
        let data = unsafe { bytes(pData, ulDataSize) }?;
        with_module(|m| {
            m.session_state(hSession)?;
            with_pending(|p| match p.get_mut(&key(m, hSession)) {
                Some(v) if !v.attached => {
                    v.data.extend_from_slice(data);
                    Ok(())
                }
                Some(_) => fail(CKR_ARGUMENTS_BAD),
                None => fail(CKR_OPERATION_NOT_INITIALIZED),
            })
        })
    })
}

/// `C_EX_PKCS7VerifyFinal`: a detached CMS over the content given by the updates; the signer
/// certificates.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyFinal(
    hSession: CK_SESSION_HANDLE,
    ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
    pulSignerCertificatesCount: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if ppSignerCertificates.is_null() || pulSignerCertificatesCount.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let signers = with_module(|m| {
            let p = take(m, hSession)?;
            if p.attached {
                return fail(CKR_ARGUMENTS_BAD);
            }
            run(&p, &p.data)
        })?;
        let (certs, count) = give_certificates(signers);
        // SAFETY: both out pointers checked non-null above.
        unsafe {
            put(ppSignerCertificates, certs as *mut CK_VENDOR_BUFFER)?;
            put(pulSignerCertificatesCount, count)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SignedData (RFC 5652 §5.1) with one certificate, the given fields after them, and one
    /// signer info; the content detached.
    fn signed_data(after_certificates: &[u8]) -> Vec<u8> {
        let mut body = tlv(0x02, &[1]);
        body.extend(tlv(0x31, &[]));
        body.extend(tlv(0x30, &ID_DATA.to_der().unwrap_or_default()));
        body.extend(tlv(0xA0, &tlv(0x30, &[])));
        body.extend_from_slice(after_certificates);
        body.extend(tlv(0x31, &tlv(0x30, &[])));
        let mut info = ID_SIGNED_DATA.to_der().unwrap_or_default();
        info.extend(tlv(0xA0, &tlv(0x30, &body)));
        tlv(0x30, &info)
    }

    /// Revocation information (`crls`, `[1]`) between the certificates and the signer infos is
    /// skipped, as another signer's library may send it; a field RFC 5652 does not have there
    /// makes the structure no SignedData.
    #[test]
    fn revocation_information_is_skipped_and_unknown_fields_refused() {
        for after in [Vec::new(), tlv(0xA1, &[])] {
            let cms = signed_data(&after);
            let parsed =
                parse_cms(&cms).map(|p| (p.content, p.certificates.len(), p.signers.len()));
            assert_eq!(parsed, Some((None, 1, 1)), "{after:02X?}");
        }
        assert!(parse_cms(&signed_data(&tlv(0xA2, &[]))).is_none());
    }
}
