//! A GOST R 34.10 signature (r, s) and its three encodings.

use crate::{Error, encoding};

/// A signature: r and s, each a fixed-width scalar (32 or 64 bytes).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Signature {
    r: Vec<u8>,
    s: Vec<u8>,
}

fn check_total(what: &'static str, len: usize) -> Result<(), Error> {
    if len == 64 || len == 128 {
        Ok(())
    } else {
        Err(Error::InvalidLength {
            what,
            expected: if len < 96 { 64 } else { 128 },
            actual: len,
        })
    }
}

impl Signature {
    /// From r and s, big-endian, each 32 or 64 bytes (the same width).
    pub fn from_rs_be(r: &[u8], s: &[u8]) -> Result<Self, Error> {
        check_total("signature r and s", r.len() * 2)?;
        if s.len() != r.len() {
            return Err(Error::InvalidLength {
                what: "signature s",
                expected: r.len(),
                actual: s.len(),
            });
        }
        Ok(Signature {
            r: r.to_vec(),
            s: s.to_vec(),
        })
    }
    /// From the X.509 / CMS / PKCS#11 form `s ‖ r`, big-endian (RFC 9215 §2); 64 or 128 bytes.
    pub fn from_x509_bytes(bytes: &[u8]) -> Result<Self, Error> {
        check_total("signature s||r", bytes.len())?;
        let (r, s) = encoding::signature_from_x509(bytes);
        Ok(Signature { r, s })
    }
    /// To `s ‖ r`, big-endian.
    pub fn to_x509_bytes(&self) -> Vec<u8> {
        encoding::signature_to_x509(&self.r, &self.s)
    }
    /// From the token's wire form `r_le ‖ s_le` (PSO: COMPUTE DIGITAL SIGNATURE's answer).
    pub fn from_token_bytes(bytes: &[u8]) -> Result<Self, Error> {
        check_total("token signature r_le||s_le", bytes.len())?;
        let (r, s) = encoding::signature_from_token(bytes);
        Ok(Signature { r, s })
    }
    /// To `r_le ‖ s_le`.
    pub fn to_token_bytes(&self) -> Vec<u8> {
        encoding::signature_to_token(&self.r, &self.s)
    }
    /// r, big-endian, fixed width.
    pub fn r_be(&self) -> &[u8] {
        &self.r
    }
    /// s, big-endian, fixed width.
    pub fn s_be(&self) -> &[u8] {
        &self.s
    }
}
