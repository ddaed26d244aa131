//! Which attributes a session object or a token data object's template may carry, and
//! `CKA_OBJECT_ID`'s encoding.

use cryptoki_sys::*;

use crate::error::{Error, fail};

/// Whether a session object of `class` may carry `a` (PKCS#11 v2.40 §4.4 common storage
/// attributes, §4.5 data objects, §4.6.3 X.509 certificates), with a value of its type's size.
pub(super) fn check_session_attribute(
    class: CK_OBJECT_CLASS,
    a: &crate::attribute::Attribute,
) -> Result<(), Error> {
    const STORAGE: [CK_ATTRIBUTE_TYPE; 8] = [
        CKA_CLASS,
        CKA_TOKEN,
        CKA_PRIVATE,
        CKA_MODIFIABLE,
        CKA_LABEL,
        CKA_COPYABLE,
        CKA_DESTROYABLE,
        CKA_UNIQUE_ID,
    ];
    const DATA: [CK_ATTRIBUTE_TYPE; 3] = [CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE];
    const CERTIFICATE: [CK_ATTRIBUTE_TYPE; 17] = [
        CKA_CERTIFICATE_TYPE,
        CKA_TRUSTED,
        CKA_CERTIFICATE_CATEGORY,
        CKA_CHECK_VALUE,
        CKA_START_DATE,
        CKA_END_DATE,
        CKA_PUBLIC_KEY_INFO,
        CKA_SUBJECT,
        CKA_ID,
        CKA_ISSUER,
        CKA_SERIAL_NUMBER,
        CKA_VALUE,
        CKA_URL,
        CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
        CKA_HASH_OF_ISSUER_PUBLIC_KEY,
        CKA_JAVA_MIDP_SECURITY_DOMAIN,
        CKA_NAME_HASH_ALGORITHM,
    ];
    let valid = STORAGE.contains(&a.kind)
        || (class == CKO_DATA && DATA.contains(&a.kind))
        || (class == CKO_CERTIFICATE && CERTIFICATE.contains(&a.kind));
    if !valid {
        return fail(CKR_ATTRIBUTE_TYPE_INVALID);
    }
    let size = match a.kind {
        CKA_TOKEN | CKA_PRIVATE | CKA_MODIFIABLE | CKA_COPYABLE | CKA_DESTROYABLE | CKA_TRUSTED => {
            Some(1)
        }
        CKA_CLASS
        | CKA_CERTIFICATE_TYPE
        | CKA_CERTIFICATE_CATEGORY
        | CKA_JAVA_MIDP_SECURITY_DOMAIN
        | CKA_NAME_HASH_ALGORITHM => Some(size_of::<CK_ULONG>()),
        _ => None,
    };
    if size.is_some_and(|n| n != a.value.len()) {
        return fail(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    Ok(())
}

/// `CKA_OBJECT_ID` as the DER of an OID. PKCS#11 v2.40 §4.5 says DER (`06 len body`);
/// OpenSC's pkcs11-tool sends the body alone (`sc_asn1_encode_object_id`): both are taken.
pub(super) fn object_id_der(value: &[u8]) -> Result<Vec<u8>, Error> {
    use der::{Decode, Encode};
    if value.is_empty() {
        return Ok(Vec::new());
    }
    der::asn1::ObjectIdentifier::from_der(value)
        .or_else(|_| der::asn1::ObjectIdentifier::from_bytes(value))
        .ok()
        .and_then(|oid| oid.to_der().ok())
        .ok_or(Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))
}
