//! GOST R 34.11-2012 (Streebog, RFC 6986) and GOST R 34.11-94 with CryptoPro parameters
//! (RFC 4357), all outputs in **wire** order (what the hash function emits byte by byte).

use const_oid::ObjectIdentifier;

/// A GOST hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// GOST R 34.11-94 with the CryptoPro S-box (1.2.643.2.2.30.1), 32 bytes.
    Gost94CryptoPro,
    /// Streebog-256, 1.2.643.7.1.1.2.2, 32 bytes.
    Streebog256,
    /// Streebog-512, 1.2.643.7.1.1.2.3, 64 bytes.
    Streebog512,
}

impl DigestAlgorithm {
    /// 32 or 64.
    pub fn output_len(self) -> usize {
        todo!()
    }
    /// The digest OID (for 34.11-94: the CryptoPro hash parameter set OID 1.2.643.2.2.30.1).
    pub fn oid(self) -> ObjectIdentifier {
        todo!()
    }
    /// One-shot digest, wire order.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let _ = data;
        todo!()
    }
    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        todo!()
    }
}

/// An incremental GOST hash (what the token's on-card PSO: HASH keeps between chained APDUs).
#[derive(Clone)]
pub struct Hasher {
    _private: (),
}

impl Hasher {
    /// Which algorithm this hasher runs.
    pub fn algorithm(&self) -> DigestAlgorithm {
        todo!()
    }
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        let _ = data;
        todo!()
    }
    /// The digest, wire order.
    pub fn finalize(self) -> Vec<u8> {
        todo!()
    }
}
