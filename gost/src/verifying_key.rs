//! A public key Q, checked to be on its curve.

use crate::arith::registry::{CurveRef, curve};
use crate::checked_points;
use crate::encoding::{self, narrow};
use crate::verified_signatures;
use crate::{Error, ParamSet, Signature};

/// Which loop computes z1·P + z2·Q when verifying a tc26-512-C signature in this process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifyBackend {
    /// Scalar 64-bit limb code, on every CPU (and for every other parameter set).
    Portable,
    /// Four field elements per instruction with AVX-512 IFMA (x86-64, detected at run time).
    Avx512Ifma,
}

impl VerifyBackend {
    /// `"portable"` or `"avx512-ifma"`.
    pub fn name(self) -> &'static str {
        match self {
            VerifyBackend::Portable => "portable",
            VerifyBackend::Avx512Ifma => "avx512-ifma",
        }
    }
}

/// The 512-C verification loop of this process: the vector one when the CPU has AVX-512 F, VL
/// and IFMA and `GOST_VERIFY_BACKEND` is not `portable`. Decided at the first call and kept.
pub fn verify_backend() -> VerifyBackend {
    #[cfg(target_arch = "x86_64")]
    if crate::arith::edwards_x86::detect().is_some() {
        return VerifyBackend::Avx512Ifma;
    }
    VerifyBackend::Portable
}

/// A GOST R 34.10 public key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifyingKey {
    param: ParamSet,
    /// Affine x and y as little-endian limbs (limbs above the set's size are zero).
    x: [u64; 8],
    y: [u64; 8],
}

impl VerifyingKey {
    /// From `LE(x) ‖ LE(y)` (64 or 128 bytes): the token's, PKCS#11's and X.509's form.
    pub fn from_le_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        let expected = 2 * param.scalar_len();
        if bytes.len() != expected {
            return Err(Error::InvalidLength {
                what: "public key LE(x)||LE(y)",
                expected,
                actual: bytes.len(),
            });
        }
        let (x, y) = encoding::point_from_le(bytes);
        Self::from_point(param, x, y)
    }
    /// From affine x and y, big-endian.
    pub fn from_xy_be(param: ParamSet, x: &[u8], y: &[u8]) -> Result<Self, Error> {
        let len = param.scalar_len();
        for (what, coord) in [("public key x", x), ("public key y", y)] {
            if coord.len() != len {
                return Err(Error::InvalidLength {
                    what,
                    expected: len,
                    actual: coord.len(),
                });
            }
        }
        Self::from_point(
            param,
            encoding::limbs_from_be(x),
            encoding::limbs_from_be(y),
        )
    }
    fn from_point(param: ParamSet, x: [u64; 8], y: [u64; 8]) -> Result<Self, Error> {
        if checked_points::contains(param, &x, &y) {
            return Ok(VerifyingKey { param, x, y });
        }
        let valid = match curve(param) {
            CurveRef::C4(c) => c.is_valid_public_point(&narrow(&x), &narrow(&y)),
            CurveRef::C8(c) => c.is_valid_public_point(&narrow(&x), &narrow(&y)),
        };
        if valid {
            checked_points::insert(param, x, y);
            Ok(VerifyingKey { param, x, y })
        } else {
            Err(Error::PointNotOnCurve)
        }
    }
    /// A point computed here as d·P (no need to re-check it).
    pub(crate) fn from_trusted_point(param: ParamSet, x: [u64; 8], y: [u64; 8]) -> Self {
        VerifyingKey { param, x, y }
    }
    /// Affine x and y as limbs (checked to be a point of the curve's order-q subgroup).
    pub(crate) fn xy_limbs(&self) -> ([u64; 8], [u64; 8]) {
        (self.x, self.y)
    }
    /// `LE(x) ‖ LE(y)`.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        encoding::point_to_le(&self.x, &self.y, self.param.scalar_len())
    }
    /// x, big-endian.
    pub fn x_be(&self) -> Vec<u8> {
        encoding::limbs_to_be(&self.x, self.param.scalar_len())
    }
    /// y, big-endian.
    pub fn y_be(&self) -> Vec<u8> {
        encoding::limbs_to_be(&self.y, self.param.scalar_len())
    }
    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.param
    }
    /// Verifies a signature over a digest in wire order (RFC 7091 §6.2). The same signature
    /// verified again under the same key over the same digest is answered from a small memory
    /// of this process's successful verifications (`verified_signatures.rs`).
    pub fn verify_digest(&self, digest: &[u8], signature: &Signature) -> Result<(), Error> {
        self.verify(digest, signature, true)
    }

    /// [`Self::verify_digest`] computed in full every time, never answered from the memory of
    /// earlier verifications (nor adding to it): what benchmarks of the arithmetic measure.
    pub fn verify_digest_uncached(
        &self,
        digest: &[u8],
        signature: &Signature,
    ) -> Result<(), Error> {
        self.verify(digest, signature, false)
    }

    fn verify(&self, digest: &[u8], signature: &Signature, remember: bool) -> Result<(), Error> {
        let len = self.param.scalar_len();
        if digest.len() != len {
            return Err(Error::InvalidLength {
                what: "digest",
                expected: len,
                actual: digest.len(),
            });
        }
        if signature.r_be().len() != len {
            return Err(Error::InvalidLength {
                what: "signature r",
                expected: len,
                actual: signature.r_be().len(),
            });
        }
        let r = encoding::limbs_from_be(signature.r_be());
        let s = encoding::limbs_from_be(signature.s_be());
        let alpha = encoding::digest_to_alpha(digest);
        // Step 1: 0 < r < q and 0 < s < q, else the signature is invalid.
        if !crate::signing_key::is_valid_scalar(self.param, &r)
            || !crate::signing_key::is_valid_scalar(self.param, &s)
        {
            return Err(Error::SignatureOutOfRange);
        }
        let entry = verified_signatures::Verified {
            param: self.param,
            x: self.x,
            y: self.y,
            alpha,
            r,
            s,
        };
        if remember && verified_signatures::contains(&entry) {
            return Ok(());
        }
        // Steps 2-7.
        let ok = match curve(self.param) {
            CurveRef::C4(c) => c.verify(
                &narrow(&self.x),
                &narrow(&self.y),
                &narrow(&alpha),
                &narrow(&r),
                &narrow(&s),
            ),
            CurveRef::C8(c) => c.verify(
                &narrow(&self.x),
                &narrow(&self.y),
                &narrow(&alpha),
                &narrow(&r),
                &narrow(&s),
            ),
        };
        if !ok {
            return Err(Error::VerificationFailed);
        }
        if remember {
            verified_signatures::insert(entry);
        }
        Ok(())
    }
}
