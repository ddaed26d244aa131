//! A private key d, kept secret: constant-time use, zeroized on drop, never printed.

use zeroize::Zeroizing;

use crate::arith::registry::{CurveRef, curve};
use crate::encoding::{self, narrow, widen};
use crate::{Error, ParamSet, Rng, Signature, VerifyingKey};

/// How many fresh nonces `sign_digest` tries before giving up (r = 0 or s = 0 has probability
/// about 2^-250 per try, so reaching this means a broken random source).
const MAX_NONCE_TRIES: usize = 16;

/// A GOST R 34.10 private key on one parameter set. `Debug` shows only the parameter set; a
/// clone zeroizes its own copy of d when dropped.
#[derive(Clone)]
pub struct SigningKey {
    param: ParamSet,
    /// d as little-endian limbs; limbs above the parameter set's size are zero.
    d: Zeroizing<[u64; 8]>,
    /// Q = d·P, computed once when the key is made (so that a failure is an error there).
    public: VerifyingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("param", &self.param)
            .finish_non_exhaustive()
    }
}

/// Whether `0 < k < q` for the parameter set, in constant time.
pub(crate) fn is_valid_scalar(param: ParamSet, k: &[u64; 8]) -> bool {
    match curve(param) {
        CurveRef::C4(c) => bool::from(c.is_valid_scalar(&narrow(k))),
        CurveRef::C8(c) => bool::from(c.is_valid_scalar(&narrow(k))),
    }
}

/// A uniformly random scalar in (0, q), by rejection sampling on the bit length of q (the
/// rejections depend only on discarded random bytes).
pub(crate) fn random_scalar(param: ParamSet, rng: &mut Rng) -> Zeroizing<[u64; 8]> {
    let len = param.scalar_len();
    let top_bits = match curve(param) {
        CurveRef::C4(c) => crate::arith::limbs::bit_len(&c.q),
        CurveRef::C8(c) => crate::arith::limbs::bit_len(&c.q),
    };
    let mut bytes = Zeroizing::new([0u8; 64]);
    loop {
        rng.fill_bytes(&mut bytes[..len]);
        let mut k = Zeroizing::new(encoding::limbs_from_le(&bytes[..len]));
        // q has `top_bits` bits: clear the bits above them (len·8 - top_bits < 64).
        let top = len / 8 - 1;
        k[top] &= u64::MAX >> (len * 8 - top_bits as usize);
        if is_valid_scalar(param, &k) {
            return k;
        }
    }
}

impl SigningKey {
    /// A new random key, 0 < d < q, with its public key Q = d·P.
    ///
    /// Fails only with [`Error::BasePointMultiplication`] (the parameter set's tables did not
    /// build), which the published parameter sets never cause.
    pub fn generate(param: ParamSet, rng: &mut Rng) -> Result<Self, Error> {
        Self::with_public(param, random_scalar(param, rng))
    }
    /// From d little-endian (the token's and PKCS#11's `CKA_VALUE` form); 32 or 64 bytes.
    pub fn from_le_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        Self::check_len(param, bytes)?;
        Self::from_limbs(param, Zeroizing::new(encoding::limbs_from_le(bytes)))
    }
    /// From d big-endian (the form RFCs print).
    pub fn from_be_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        Self::check_len(param, bytes)?;
        Self::from_limbs(param, Zeroizing::new(encoding::limbs_from_be(bytes)))
    }
    fn check_len(param: ParamSet, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() == param.scalar_len() {
            Ok(())
        } else {
            Err(Error::InvalidLength {
                what: "private key",
                expected: param.scalar_len(),
                actual: bytes.len(),
            })
        }
    }
    fn from_limbs(param: ParamSet, d: Zeroizing<[u64; 8]>) -> Result<Self, Error> {
        if is_valid_scalar(param, &d) {
            Self::with_public(param, d)
        } else {
            Err(Error::PrivateKeyOutOfRange)
        }
    }
    /// The key with Q = d·P computed (`0 < d < q`, checked by the callers).
    fn with_public(param: ParamSet, d: Zeroizing<[u64; 8]>) -> Result<Self, Error> {
        let (x, y) = match curve(param) {
            CurveRef::C4(c) => c
                .public_key(&Zeroizing::new(narrow(&d)))
                .map(|(x, y)| (widen(&x), widen(&y)))?,
            CurveRef::C8(c) => c
                .public_key(&Zeroizing::new(narrow(&d)))
                .map(|(x, y)| (widen(&x), widen(&y)))?,
        };
        // d·P with 0 < d < q lies in the order-q subgroup by construction: the full check of
        // the same point parsed back (the token's answer to a key generation, read by the host
        // in the same process) can be a lookup.
        crate::checked_points::insert_computed(param, x, y);
        let public = VerifyingKey::from_trusted_point(param, x, y);
        Ok(SigningKey { param, d, public })
    }
    /// d little-endian, in a buffer that zeroizes itself.
    pub fn to_le_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(encoding::limbs_to_le(&self.d, self.param.scalar_len()))
    }
    /// d as limbs, for the crate's other secret-key operations (VKO).
    pub(crate) fn secret_limbs(&self) -> Zeroizing<[u64; 8]> {
        self.d.clone()
    }
    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.param
    }
    /// Q = d·P (computed when the key was made).
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public.clone()
    }
    /// Signs a digest given in wire order (RFC 7091 §6.1), with a fresh k from `rng`.
    /// The digest length must equal the parameter set's scalar length.
    pub fn sign_digest(&self, digest: &[u8], rng: &mut Rng) -> Result<Signature, Error> {
        self.check_digest(digest)?;
        for _ in 0..MAX_NONCE_TRIES {
            // RFC 7091 §6.1 step 3: a random k, 0 < k < q.
            let k = random_scalar(self.param, rng);
            if let Some(sig) = self.sign_with_limbs(digest, &k)? {
                return Ok(sig);
            }
        }
        Err(Error::SignatureOutOfRange)
    }
    /// Signs with a caller-chosen k (big-endian). Only for known-answer tests.
    #[doc(hidden)]
    pub fn sign_digest_with_nonce(&self, digest: &[u8], k_be: &[u8]) -> Result<Signature, Error> {
        self.check_digest(digest)?;
        if k_be.len() != self.param.scalar_len() {
            return Err(Error::InvalidLength {
                what: "nonce k",
                expected: self.param.scalar_len(),
                actual: k_be.len(),
            });
        }
        let k = Zeroizing::new(encoding::limbs_from_be(k_be));
        if !is_valid_scalar(self.param, &k) {
            return Err(Error::NonceOutOfRange);
        }
        self.sign_with_limbs(digest, &k)?
            .ok_or(Error::SignatureOutOfRange)
    }
    fn check_digest(&self, digest: &[u8]) -> Result<(), Error> {
        if digest.len() == self.param.scalar_len() {
            Ok(())
        } else {
            Err(Error::InvalidLength {
                what: "digest",
                expected: self.param.scalar_len(),
                actual: digest.len(),
            })
        }
    }
    /// RFC 7091 §6.1 steps 1-6 with k chosen; `None` if r or s came out 0 (pick another k).
    fn sign_with_limbs(&self, digest: &[u8], k: &[u64; 8]) -> Result<Option<Signature>, Error> {
        // Step 1 (hashing) was done by the caller; step 2 starts from the wire digest.
        let alpha = encoding::digest_to_alpha(digest);
        let rs = match curve(self.param) {
            CurveRef::C4(c) => c
                .sign(
                    &Zeroizing::new(narrow(&self.d)),
                    &narrow(&alpha),
                    &Zeroizing::new(narrow(k)),
                )?
                .map(|(r, s)| (widen(&r), widen(&s))),
            CurveRef::C8(c) => c
                .sign(
                    &Zeroizing::new(narrow(&self.d)),
                    &narrow(&alpha),
                    &Zeroizing::new(narrow(k)),
                )?
                .map(|(r, s)| (widen(&r), widen(&s))),
        };
        let Some((r, s)) = rs else {
            return Ok(None);
        };
        let len = self.param.scalar_len();
        Signature::from_rs_be(
            &encoding::limbs_to_be(&r, len),
            &encoding::limbs_to_be(&s, len),
        )
        .map(Some)
    }
}
