//! A GOST R 34.10 signature (r, s) and its three encodings.

use crate::Error;

/// A signature: r and s, each a fixed-width scalar (32 or 64 bytes).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Signature {
    _private: (),
}

impl Signature {
    /// From r and s, big-endian, each 32 or 64 bytes (the same width).
    pub fn from_rs_be(r: &[u8], s: &[u8]) -> Result<Self, Error> {
        let _ = (r, s);
        todo!()
    }
    /// From the X.509 / CMS / PKCS#11 form `s ‖ r`, big-endian (RFC 9215 §2); 64 or 128 bytes.
    pub fn from_x509_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let _ = bytes;
        todo!()
    }
    /// To `s ‖ r`, big-endian.
    pub fn to_x509_bytes(&self) -> Vec<u8> {
        todo!()
    }
    /// From the token's wire form `r_le ‖ s_le` (PSO: COMPUTE DIGITAL SIGNATURE's answer).
    pub fn from_token_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let _ = bytes;
        todo!()
    }
    /// To `r_le ‖ s_le`.
    pub fn to_token_bytes(&self) -> Vec<u8> {
        todo!()
    }
    /// r, big-endian, fixed width.
    pub fn r_be(&self) -> &[u8] {
        todo!()
    }
    /// s, big-endian, fixed width.
    pub fn s_be(&self) -> &[u8] {
        todo!()
    }
}
