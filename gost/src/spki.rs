//! SubjectPublicKeyInfo for GOST keys, with RFC 9215 §4 parameter rules.

use ::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, OctetString};
use der::{Decode, Encode};

use crate::{DigestAlgorithm, Error, KeyAlgorithm, ParamSet, VerifyingKey, oid};

/// The publicKeyParamSet OID and digestParamSet OID (if any) written for a key.
///
/// RFC 9215 §4.2: digestParamSet MUST be present for the 2001 sets (Test, CryptoPro-A/B/C,
/// XchA/B), SHOULD be omitted for tc26-256-paramSetA and the 512-bit sets and MUST be omitted
/// for tc26-256-paramSetB/C/D. GOST R 34.10-2001 keys (RFC 4491 §2.3.2) always carry the
/// CryptoPro curve OID and the 34.11-94 digest parameter set.
fn key_parameters(
    param: ParamSet,
    algorithm: KeyAlgorithm,
) -> (ObjectIdentifier, Option<ObjectIdentifier>) {
    match algorithm {
        KeyAlgorithm::Gost2001 => (
            param.cryptopro_oid().unwrap_or_else(|| param.oid()),
            Some(DigestAlgorithm::Gost94CryptoPro.oid()),
        ),
        KeyAlgorithm::Gost2012_256 | KeyAlgorithm::Gost2012_512 => {
            let set = param.oid();
            let is_2001_set = param.cryptopro_oid() == Some(set);
            (set, is_2001_set.then_some(oid::STREEBOG_256))
        }
    }
}

/// Encodes a public key as SubjectPublicKeyInfo: algorithm OID, parameters
/// `SEQUENCE { publicKeyParamSet, digestParamSet OPTIONAL }` (digestParamSet present exactly where
/// RFC 9215 §4.2 says MUST, absent where it says SHOULD NOT or MUST NOT), and the BIT STRING
/// wrapping an OCTET STRING of `LE(x) ‖ LE(y)`.
pub fn to_spki(key: &VerifyingKey, algorithm: KeyAlgorithm) -> SubjectPublicKeyInfoOwned {
    let (set, digest) = key_parameters(key.param_set(), algorithm);
    let oids: Vec<ObjectIdentifier> = std::iter::once(set).chain(digest).collect();
    let parameters = Some(fixed_size_der(Any::encode_from(&oids)));
    let octets = fixed_size_der(OctetString::new(key.to_le_bytes()).and_then(|o| o.to_der()));
    let subject_public_key = fixed_size_der(BitString::from_bytes(&octets));
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: algorithm.oid(),
            parameters,
        },
        subject_public_key,
    }
}

/// A public key under another key's AlgorithmIdentifier, copied as it is (the curve OID alias
/// and digestParamSet of `like`): what OpenSSL's gost engine requires of a peer key
/// (`EVP_PKEY_derive_set_peer` compares the parameters by OID, so 1.2.643.2.2.35.1 and its tc26
/// alias 1.2.643.7.1.2.1.1.2 do not match) and how it writes a key-transport ephemeral key.
/// `key` must be on the parameter set `like` names (checked by the callers that decode both).
pub fn to_spki_like(
    key: &VerifyingKey,
    like: &SubjectPublicKeyInfoOwned,
) -> SubjectPublicKeyInfoOwned {
    let octets = fixed_size_der(OctetString::new(key.to_le_bytes()).and_then(|o| o.to_der()));
    SubjectPublicKeyInfoOwned {
        algorithm: like.algorithm.clone(),
        subject_public_key: fixed_size_der(BitString::from_bytes(&octets)),
    }
}

/// Unwraps a DER encoding of bounded size: der only fails on lengths near 2^28 bytes, and every
/// value encoded here is at most a few hundred bytes, so the error arm is unreachable.
fn fixed_size_der<T>(result: der::Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => unreachable!("DER encoding of a fixed-size GOST structure failed: {err}"),
    }
}

/// Decodes a GOST SubjectPublicKeyInfo (accepting every alias OID and an optional digestParamSet).
pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<(KeyAlgorithm, VerifyingKey), Error> {
    let algorithm = KeyAlgorithm::from_oid(&spki.algorithm.oid)?;
    let params = spki
        .algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Error::Der("GOST key parameters missing".into()))?;
    let oids: Vec<ObjectIdentifier> = params
        .decode_as()
        .map_err(|e| Error::Der(format!("GOST key parameters: {e}")))?;
    let set = oids
        .first()
        .ok_or_else(|| Error::Der("empty GOST key parameters".into()))?;
    let param = ParamSet::from_oid(set)?;
    if param.size() != algorithm.size() {
        return Err(Error::ParamSetMismatch(
            "the curve's size differs from the key algorithm's",
        ));
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::Der("public key BIT STRING has unused bits".into()))?;
    let octets = OctetString::from_der(bits)
        .map_err(|e| Error::Der(format!("public key OCTET STRING: {e}")))?;
    let key = VerifyingKey::from_le_bytes(param, octets.as_bytes())?;
    Ok((algorithm, key))
}

/// DER of [`to_spki`].
pub fn to_spki_der(key: &VerifyingKey, algorithm: KeyAlgorithm) -> Vec<u8> {
    fixed_size_der(to_spki(key, algorithm).to_der())
}

/// [`from_spki`] from DER.
pub fn from_spki_der(der: &[u8]) -> Result<(KeyAlgorithm, VerifyingKey), Error> {
    let spki = SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|e| Error::Der(format!("SubjectPublicKeyInfo: {e}")))?;
    from_spki(&spki)
}
