//! `C_EX_CreateCSR`: a PKCS#10 request (RFC 2986) for a token key pair, signed on the token
//! with the document hashed on board, so the SafeTouch shows «Запрос подписи запроса на
//! сертификат» and waits for a press (Reject: `CKR_FUNCTION_REJECTED`). And
//! `C_EX_FreeBuffer`, for every buffer the extended calls hand out.
//!
//! The vendor's arguments (`rtpkcs11f.h`, pkcs11jna's `RtPkcs11.C_EX_CreateCSR`): `dn`,
//! `pAttributes` and `pExtensions` are arrays of C strings taken in pairs, a type (a short
//! name such as `CN`, or a dotted OID such as `2.5.4.3`) then its value; an odd count, a NULL
//! string, an unknown type or a value the type does not take is `CKR_ARGUMENTS_BAD`, before
//! the token is asked anything. Extensions as the vendor's SDK sample writes them: `keyUsage`
//! with OpenSSL's bit names, `extendedKeyUsage` with purpose names or OIDs, comma-separated,
//! `critical,` in front making one critical; also `certificatePolicies` (OIDs),
//! `subjectSignTool` and `identificationKind` (Приказ ФСБ № 795).
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::ffi::CStr;

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, SetOfVec, Utf8StringRef};
use der::{Encode, Tag};
use gost::VerifyingKey;
use rutoken_pki::ext;
use rutoken_pki::name::Attribute as NameAttribute;
use rutoken_pki::request::RequestInfo;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages, certpolicy::PolicyInformation,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::CertReq;

use cryptoki_sys::*;

use super::{buffers, keys};
use crate::error::{Error, fail};
use crate::ffi::{entry, put, to_usize, with_module};

/// The most strings an array may carry: far above any real subject, and it keeps a count
/// like 2^32 from making the module read gigabytes of the caller's memory.
const MAX_STRINGS: usize = 512;

fn bad() -> Error {
    Error::Rv(CKR_ARGUMENTS_BAD)
}

/// The caller's array of C strings, in (type, value) pairs.
///
/// # Safety
/// `ptr` is null or points at `count` pointers, each to a NUL-terminated string.
unsafe fn pairs(
    ptr: *const *const CK_CHAR,
    count: CK_ULONG,
) -> Result<Vec<(String, String)>, Error> {
    let count = to_usize(count)?;
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() || count % 2 != 0 || count > MAX_STRINGS {
        return Err(bad());
    }
    // SAFETY: non-null, `count` pointers by the caller's contract.
    let raw = unsafe { std::slice::from_raw_parts(ptr, count) };
    let mut strings = Vec::with_capacity(count);
    for &s in raw {
        if s.is_null() {
            return Err(bad());
        }
        // SAFETY: a NUL-terminated string by the caller's contract.
        let text = unsafe { CStr::from_ptr(s as *const std::ffi::c_char) };
        strings.push(text.to_str().map_err(|_| bad())?.to_owned());
    }
    Ok(strings
        .chunks_exact(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect())
}

/// An attribute type by short name or dotted OID.
fn attribute_type(name: &str) -> Result<(ObjectIdentifier, Option<NameAttribute>), Error> {
    if let Some(a) = NameAttribute::from_short_name(name) {
        return Ok((a.oid(), Some(a)));
    }
    if !name.contains('.') {
        return Err(bad());
    }
    let oid = ObjectIdentifier::new(name).map_err(|_| bad())?;
    Ok((oid, NameAttribute::from_oid(&oid)))
}

/// The subject: one attribute per RDN, in the caller's order; known attributes in their
/// string type (checked as `rutoken_pki::name` checks them), others as UTF8String.
pub(super) fn subject(dn: &[(String, String)]) -> Result<Name, Error> {
    if dn.is_empty() {
        return Err(bad());
    }
    let mut seq = RdnSequence::default();
    for (kind, value) in dn {
        let (oid, known) = attribute_type(kind)?;
        let value = match known {
            Some(a) => a.encode_value(value).map_err(|_| bad())?,
            None if !value.is_empty() => {
                Any::new(Tag::Utf8String, value.as_bytes()).map_err(|_| bad())?
            }
            None => return Err(bad()),
        };
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue { oid, value })
            .map_err(|_| bad())?;
        seq.push(RelativeDistinguishedName::from(set));
    }
    Ok(Name::hazmat_from_rdn_sequence(seq))
}

/// keyUsage bits by OpenSSL's names (RFC 5280 §4.2.1.3 order).
fn key_usage_bit(name: &str) -> Option<KeyUsages> {
    Some(match name {
        "digitalSignature" => KeyUsages::DigitalSignature,
        "nonRepudiation" | "contentCommitment" => KeyUsages::NonRepudiation,
        "keyEncipherment" => KeyUsages::KeyEncipherment,
        "dataEncipherment" => KeyUsages::DataEncipherment,
        "keyAgreement" => KeyUsages::KeyAgreement,
        "keyCertSign" => KeyUsages::KeyCertSign,
        "cRLSign" => KeyUsages::CRLSign,
        "encipherOnly" => KeyUsages::EncipherOnly,
        "decipherOnly" => KeyUsages::DecipherOnly,
        _ => return None,
    })
}

/// One extension from its (type, value) pair.
pub(super) fn extension(kind: &str, value: &str) -> Result<Extension, Error> {
    let (critical, value) = match value.strip_prefix("critical,") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, value),
    };
    let items = || value.split(',').map(str::trim).filter(|s| !s.is_empty());
    let oid_of = |s: &str| ObjectIdentifier::new(s).map_err(|_| bad());
    let der_err = |_| bad();
    let (oid, der) = match kind {
        "keyUsage" | "2.5.29.15" => {
            let mut bits = der::flagset::FlagSet::<KeyUsages>::default();
            for n in items() {
                bits |= key_usage_bit(n).ok_or_else(bad)?;
            }
            if bits.is_empty() {
                return Err(bad());
            }
            (
                oid_of("2.5.29.15")?,
                KeyUsage(bits).to_der().map_err(der_err)?,
            )
        }
        "extendedKeyUsage" | "2.5.29.37" => {
            let purposes = items()
                .map(|n| ext::key_purpose(n).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?;
            if purposes.is_empty() {
                return Err(bad());
            }
            (
                oid_of("2.5.29.37")?,
                ExtendedKeyUsage(purposes).to_der().map_err(der_err)?,
            )
        }
        "certificatePolicies" | "2.5.29.32" => {
            let policies = items()
                .map(|n| {
                    Ok(PolicyInformation {
                        policy_identifier: oid_of(n)?,
                        policy_qualifiers: None,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            if policies.is_empty() {
                return Err(bad());
            }
            (
                oid_of("2.5.29.32")?,
                CertificatePolicies(policies).to_der().map_err(der_err)?,
            )
        }
        "subjectSignTool" | "1.2.643.100.111" => {
            // UTF8String (SIZE (1..200)), Приказ ФСБ № 795 §II.3.
            if value.is_empty() || value.chars().count() > 200 {
                return Err(bad());
            }
            let text = Utf8StringRef::new(value).map_err(der_err)?;
            (ext::OID_SUBJECT_SIGN_TOOL, text.to_der().map_err(der_err)?)
        }
        "identificationKind" | "1.2.643.100.114" => {
            let n: u8 = value.trim().parse().map_err(|_| bad())?;
            if n > 3 {
                return Err(bad());
            }
            (ext::OID_IDENTIFICATION_KIND, n.to_der().map_err(der_err)?)
        }
        _ => return Err(bad()),
    };
    ext::extension(oid, critical, der).map_err(|_| bad())
}

/// One request attribute (RFC 2985 §5.4): the type by dotted OID or the names
/// `challengePassword` / `unstructuredName`, the value a UTF8String.
pub(super) fn request_attribute(kind: &str, value: &str) -> Result<Attribute, Error> {
    let oid = match kind {
        "challengePassword" => ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.7"),
        "unstructuredName" => ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.2"),
        // The extensionRequest is built from pExtensions.
        "1.2.840.113549.1.9.14" => return Err(bad()),
        // Anything else must be a dotted OID.
        k => ObjectIdentifier::new(k).map_err(|_| bad())?,
    };
    if value.is_empty() {
        return Err(bad());
    }
    let mut values = SetOfVec::new();
    values
        .insert(Any::new(Tag::Utf8String, value.as_bytes()).map_err(|_| bad())?)
        .map_err(|_| bad())?;
    Ok(Attribute { oid, values })
}

/// `C_EX_CreateCSR`.
pub(super) unsafe extern "C" fn C_EX_CreateCSR(
    hSession: CK_SESSION_HANDLE,
    hPublicKey: CK_OBJECT_HANDLE,
    dn: *const *const CK_CHAR,
    dnLength: CK_ULONG,
    pCsr: *mut *mut CK_BYTE,
    pulCsrLength: *mut CK_ULONG,
    hPrivKey: CK_OBJECT_HANDLE,
    pAttributes: *const *const CK_CHAR,
    ulAttributesLength: CK_ULONG,
    pExtensions: *const *const CK_CHAR,
    ulExtensionsLength: CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pCsr.is_null() || pulCsrLength.is_null() {
            return Err(bad());
        }
        // SAFETY: the three arrays by the vendor's contract (count strings each).
        let (dn, attributes, extensions) = unsafe {
            (
                pairs(dn, dnLength)?,
                pairs(pAttributes, ulAttributesLength)?,
                pairs(pExtensions, ulExtensionsLength)?,
            )
        };
        let subject = subject(&dn)?;
        let extensions = extensions
            .iter()
            .map(|(k, v)| extension(k, v))
            .collect::<Result<Vec<_>, _>>()?;
        let attributes = attributes
            .iter()
            .map(|(k, v)| request_attribute(k, v))
            .collect::<Result<Vec<_>, _>>()?;
        let der = with_module(|m| {
            let state = m.require_user(hSession)?;
            let public = keys::public_key(m, hSession, hPublicKey)?;
            let private = keys::private_key(m, hSession, state.slot, hPrivKey, &public.id)?;
            let key = VerifyingKey::from_le_bytes(public.spec.param, &public.public)
                .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?;
            let info = RequestInfo {
                subject,
                public_key: gost::spki::to_spki(&key, public.spec.algorithm),
                extensions,
            };
            let mut cri = info
                .to_cert_req_info()
                .map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?;
            for a in attributes {
                cri.attributes.insert(a).map_err(|_| bad())?;
            }
            let tbs = cri.to_der().map_err(|_| bad())?;
            // On-token hashing: the SafeTouch shows the request and waits.
            let signature = m.on_token(state.slot, |t| t.device.sign_document(&private, &tbs))?;
            let req = CertReq {
                info: cri,
                algorithm: rutoken_pki::verify::signature_algorithm_identifier(
                    public.spec.algorithm,
                ),
                signature: BitString::from_bytes(&signature).map_err(|_| bad())?,
            };
            req.to_der().map_err(|_| Error::Rv(CKR_GENERAL_ERROR))
        })?;
        let (ptr, len) = buffers::give(der);
        // SAFETY: both out pointers checked non-null above; the caller's to write.
        unsafe {
            put(pCsr, ptr)?;
            put(pulCsrLength, len)
        }
    })
}

/// `C_EX_FreeBuffer`: a buffer an extended call handed out (NULL, or one it did not hand
/// out, or one freed already: `CKR_ARGUMENTS_BAD`).
pub(super) unsafe extern "C" fn C_EX_FreeBuffer(pBuffer: *mut CK_BYTE) -> CK_RV {
    entry(|| {
        if pBuffer.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        buffers::take_back(pBuffer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    fn p(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn the_vendors_sample_dn_and_extensions_build() {
        let name = subject(&p(&[
            ("CN", "Ivanoff"),
            ("C", "RU"),
            ("2.5.4.5", "12312312312"),
            ("1.2.840.113549.1.9.1", "ivanov@mail.ru"),
            ("ST", "Moscow"),
        ]))
        .unwrap();
        assert_eq!(name.iter().count(), 5);
        let ku = extension(
            "keyUsage",
            "digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment",
        )
        .unwrap();
        assert!(!ku.critical);
        let eku = extension(
            "extendedKeyUsage",
            "1.2.643.2.2.34.6,1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4",
        )
        .unwrap();
        assert_eq!(eku.extn_id.to_string(), "2.5.29.37");
        assert!(
            extension("keyUsage", "critical,digitalSignature")
                .unwrap()
                .critical
        );
    }

    #[test]
    fn bad_types_and_values_are_refused() {
        for dn in [
            vec![("XX", "y")],
            vec![("C", "RUS")],
            vec![("CN", "")],
            vec![("2.5.4.x", "v")],
        ] {
            assert_eq!(subject(&p(&dn)).unwrap_err(), bad(), "{dn:?}");
        }
        assert_eq!(subject(&[]).unwrap_err(), bad());
        assert_eq!(extension("keyUsage", "signEverything").unwrap_err(), bad());
        assert_eq!(extension("nameConstraints", "x").unwrap_err(), bad());
        assert_eq!(extension("identificationKind", "7").unwrap_err(), bad());
        assert_eq!(request_attribute("colour", "red").unwrap_err(), bad());
        assert!(request_attribute("challengePassword", "secret").is_ok());
    }

    /// The extensions besides keyUsage and extendedKeyUsage, each within its bounds:
    /// certificatePolicies (OIDs, one at least); subjectSignTool a UTF8String of 1 to 200
    /// characters (characters, not bytes) and identificationKind 0 to 3 (Приказ ФСБ № 795).
    #[test]
    fn each_extension_kind_builds_within_its_bounds() {
        let policies = extension(
            "certificatePolicies",
            "1.2.643.100.113.1, 1.2.643.100.113.2",
        )
        .unwrap();
        assert_eq!(policies.extn_id.to_string(), "2.5.29.32");
        let der = policies.extn_value.as_bytes();
        assert_eq!(
            CertificatePolicies::from_der(der).unwrap().0.len(),
            2,
            "two policies"
        );
        assert_eq!(extension("certificatePolicies", "").unwrap_err(), bad());
        assert_eq!(extension("2.5.29.32", "policy").unwrap_err(), bad());

        let longest = "С".repeat(200);
        let tool = extension("subjectSignTool", &longest).unwrap();
        assert_eq!(tool.extn_id, ext::OID_SUBJECT_SIGN_TOOL);
        assert_eq!(
            Utf8StringRef::from_der(tool.extn_value.as_bytes())
                .unwrap()
                .as_str(),
            longest
        );
        assert_eq!(
            extension("subjectSignTool", &"С".repeat(201)).unwrap_err(),
            bad()
        );
        assert_eq!(extension("1.2.643.100.111", "").unwrap_err(), bad());

        for n in 0..=3u8 {
            let kind = extension("identificationKind", &n.to_string()).unwrap();
            assert_eq!(kind.extn_id, ext::OID_IDENTIFICATION_KIND);
            assert_eq!(kind.extn_value.as_bytes(), [0x02, 0x01, n]);
        }
        assert_eq!(extension("1.2.643.100.114", "4").unwrap_err(), bad());

        // Bits add up; an empty list is no keyUsage.
        let ku = extension("keyUsage", "digitalSignature, keyAgreement").unwrap();
        let bits = KeyUsage::from_der(ku.extn_value.as_bytes()).unwrap().0;
        assert_eq!(bits, KeyUsages::DigitalSignature | KeyUsages::KeyAgreement);
        assert_eq!(extension("keyUsage", "").unwrap_err(), bad());
        assert_eq!(extension("extendedKeyUsage", " , ").unwrap_err(), bad());
    }

    /// Request attributes: the two names and any dotted OID, with a value; the
    /// extensionRequest's OID is refused (pExtensions builds it); an attribute type of an
    /// unknown OID in the subject needs a value.
    #[test]
    fn request_attributes_take_names_and_oids_with_a_value() {
        let name = request_attribute("unstructuredName", "host").unwrap();
        assert_eq!(name.oid.to_string(), "1.2.840.113549.1.9.2");
        let password = request_attribute("challengePassword", "pw").unwrap();
        assert_eq!(password.oid.to_string(), "1.2.840.113549.1.9.7");
        let other = request_attribute("1.2.3.4", "v").unwrap();
        assert_eq!(other.oid.to_string(), "1.2.3.4");
        assert_eq!(
            request_attribute("1.2.840.113549.1.9.14", "x").unwrap_err(),
            bad()
        );
        assert_eq!(
            request_attribute("unstructuredName", "").unwrap_err(),
            bad()
        );
        assert!(subject(&p(&[("1.2.3.4", "v")])).is_ok());
        assert_eq!(subject(&p(&[("1.2.3.4", "")])).unwrap_err(), bad());
    }
}
