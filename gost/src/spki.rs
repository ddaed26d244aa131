//! SubjectPublicKeyInfo for GOST keys, with RFC 9215 §4 parameter rules.

use ::spki::SubjectPublicKeyInfoOwned;

use crate::{Error, KeyAlgorithm, VerifyingKey};

/// Encodes a public key as SubjectPublicKeyInfo: algorithm OID, parameters
/// `SEQUENCE { publicKeyParamSet, digestParamSet OPTIONAL }` (digestParamSet present exactly where
/// RFC 9215 §4.2 says MUST, absent where it says SHOULD NOT or MUST NOT), and the BIT STRING
/// wrapping an OCTET STRING of `LE(x) ‖ LE(y)`.
pub fn to_spki(key: &VerifyingKey, algorithm: KeyAlgorithm) -> SubjectPublicKeyInfoOwned {
    let _ = (key, algorithm);
    todo!()
}

/// Decodes a GOST SubjectPublicKeyInfo (accepting every alias OID and an optional digestParamSet).
pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<(KeyAlgorithm, VerifyingKey), Error> {
    let _ = spki;
    todo!()
}

/// DER of [`to_spki`].
pub fn to_spki_der(key: &VerifyingKey, algorithm: KeyAlgorithm) -> Vec<u8> {
    let _ = (key, algorithm);
    todo!()
}

/// [`from_spki`] from DER.
pub fn from_spki_der(der: &[u8]) -> Result<(KeyAlgorithm, VerifyingKey), Error> {
    let _ = der;
    todo!()
}
