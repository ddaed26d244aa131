//! A private key d, kept secret: constant-time use, zeroized on drop, never printed.

use zeroize::Zeroizing;

use crate::{Error, ParamSet, Rng, Signature, VerifyingKey};

/// A GOST R 34.10 private key on one parameter set. `Debug` shows only the parameter set.
pub struct SigningKey {
    _private: (),
}

impl SigningKey {
    /// A new random key, 0 < d < q.
    pub fn generate(param: ParamSet, rng: &mut Rng) -> Self {
        let _ = (param, rng);
        todo!()
    }
    /// From d little-endian (the token's and PKCS#11's `CKA_VALUE` form); 32 or 64 bytes.
    pub fn from_le_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        let _ = (param, bytes);
        todo!()
    }
    /// From d big-endian (the form RFCs print).
    pub fn from_be_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        let _ = (param, bytes);
        todo!()
    }
    /// d little-endian, in a buffer that zeroizes itself.
    pub fn to_le_bytes(&self) -> Zeroizing<Vec<u8>> {
        todo!()
    }
    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        todo!()
    }
    /// Q = d·P.
    pub fn verifying_key(&self) -> VerifyingKey {
        todo!()
    }
    /// Signs a digest given in wire order (RFC 7091 §6.1), with a fresh k from `rng`.
    /// The digest length must equal the parameter set's scalar length.
    pub fn sign_digest(&self, digest: &[u8], rng: &mut Rng) -> Result<Signature, Error> {
        let _ = (digest, rng);
        todo!()
    }
    /// Signs with a caller-chosen k (big-endian). Only for known-answer tests.
    #[doc(hidden)]
    pub fn sign_digest_with_nonce(&self, digest: &[u8], k_be: &[u8]) -> Result<Signature, Error> {
        let _ = (digest, k_be);
        todo!()
    }
}
