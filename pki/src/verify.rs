//! Signing and verifying the to-be-signed DER of requests and certificates with GOST keys.

use der::asn1::{AnyRef, BitString};
use der::{Decode, Encode, Sequence};
use gost::{KeyAlgorithm, Rng, Signature, SigningKey, VerifyingKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::{Error, Result};

/// The GOST algorithm a signature AlgorithmIdentifier names (RFC 9215 §3.1; 1.2.643.2.2.3 for
/// GOST R 34.10-2001 with GOST R 34.11-94, RFC 4491 §2.2.2).
pub fn signature_algorithm(algorithm: &AlgorithmIdentifierOwned) -> Result<KeyAlgorithm> {
    KeyAlgorithm::from_signature_oid(&algorithm.oid)
        .map_err(|_| Error::UnsupportedSignatureAlgorithm(algorithm.oid.to_string()))
}

/// The signature AlgorithmIdentifier for keys of `algorithm`: the OID and no parameters
/// (RFC 9215 §3.1 "parameters … MUST be omitted"; we accept NULL when reading, as OpenSSL
/// writes it).
pub fn signature_algorithm_identifier(algorithm: KeyAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: algorithm.signature_oid(),
        parameters: None,
    }
}

/// Signs `tbs` (DER) with a software key: digest with the key algorithm's hash, sign, and return
/// the X.509 signature value `s ‖ r` (RFC 9215 §2).
pub fn sign_tbs(
    key: &SigningKey,
    algorithm: KeyAlgorithm,
    tbs: &[u8],
    rng: &mut Rng,
) -> Result<Vec<u8>> {
    let digest = algorithm.digest().digest(tbs);
    Ok(key.sign_digest(&digest, rng)?.to_x509_bytes())
}

/// Verifies `signature` over `tbs` with the key in `spki`, after checking that the signature
/// algorithm belongs to the key's algorithm. Returns the key.
pub fn verify_tbs(
    tbs: &[u8],
    algorithm: &AlgorithmIdentifierOwned,
    signature: &BitString,
    spki: &SubjectPublicKeyInfoOwned,
) -> Result<(KeyAlgorithm, VerifyingKey)> {
    let signed_with = signature_algorithm(algorithm)?;
    let (key_algorithm, key) = gost::spki::from_spki(spki)?;
    if signed_with != key_algorithm {
        return Err(Error::AlgorithmMismatch {
            signature: signed_with,
            key: key_algorithm,
        });
    }
    let bytes = signature.as_bytes().ok_or(Error::SignatureBitString)?;
    let signature = Signature::from_x509_bytes(bytes)?;
    verify_digest_of(&key, key_algorithm, tbs, &signature)?;
    Ok((key_algorithm, key))
}

/// Verifies a signature over `data` hashed with `algorithm`'s digest; a failed verification is
/// [`Error::SignatureInvalid`], everything else (range, size) stays a GOST error.
pub fn verify_digest_of(
    key: &VerifyingKey,
    algorithm: KeyAlgorithm,
    data: &[u8],
    signature: &Signature,
) -> Result<()> {
    let digest = algorithm.digest().digest(data);
    key.verify_digest(&digest, signature).map_err(|e| match e {
        gost::Error::VerificationFailed | gost::Error::SignatureOutOfRange => {
            Error::SignatureInvalid
        }
        other => Error::Gost(other),
    })
}

/// `SIGNED { ToBeSigned }` (RFC 5280 §4.1, RFC 2986 §4) with the to-be-signed part kept raw, so
/// the bytes hashed are exactly the bytes the signer signed, even if re-encoding would differ.
#[derive(Sequence)]
struct RawSigned<'a> {
    tbs: AnyRef<'a>,
    algorithm: AnyRef<'a>,
    signature: AnyRef<'a>,
}

/// The to-be-signed DER inside a signed structure (certificate, request, CRL), as received.
pub fn raw_tbs(signed_der: &[u8]) -> Result<Vec<u8>> {
    Ok(RawSigned::from_der(signed_der)?.tbs.to_der()?)
}
