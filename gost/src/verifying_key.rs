//! A public key Q, checked to be on its curve.

use crate::{Error, ParamSet, Signature};

/// A GOST R 34.10 public key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifyingKey {
    _private: (),
}

impl VerifyingKey {
    /// From `LE(x) ‖ LE(y)` (64 or 128 bytes): the token's, PKCS#11's and X.509's form.
    pub fn from_le_bytes(param: ParamSet, bytes: &[u8]) -> Result<Self, Error> {
        let _ = (param, bytes);
        todo!()
    }
    /// From affine x and y, big-endian.
    pub fn from_xy_be(param: ParamSet, x: &[u8], y: &[u8]) -> Result<Self, Error> {
        let _ = (param, x, y);
        todo!()
    }
    /// `LE(x) ‖ LE(y)`.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        todo!()
    }
    /// x, big-endian.
    pub fn x_be(&self) -> Vec<u8> {
        todo!()
    }
    /// y, big-endian.
    pub fn y_be(&self) -> Vec<u8> {
        todo!()
    }
    /// The parameter set.
    pub fn param_set(&self) -> ParamSet {
        todo!()
    }
    /// Verifies a signature over a digest in wire order (RFC 7091 §6.2).
    pub fn verify_digest(&self, digest: &[u8], signature: &Signature) -> Result<(), Error> {
        let _ = (digest, signature);
        todo!()
    }
}
