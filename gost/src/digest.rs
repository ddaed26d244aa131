//! GOST R 34.11-2012 (Streebog, RFC 6986) and GOST R 34.11-94 with CryptoPro parameters
//! (RFC 4357), all outputs in **wire** order (what the hash function emits byte by byte).

use const_oid::ObjectIdentifier;
use streebog::Digest;

use crate::oid;

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
        match self {
            DigestAlgorithm::Gost94CryptoPro | DigestAlgorithm::Streebog256 => 32,
            DigestAlgorithm::Streebog512 => 64,
        }
    }
    /// The digest OID (for 34.11-94: the CryptoPro hash parameter set OID 1.2.643.2.2.30.1).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Gost94CryptoPro => oid::GOST_R3411_94_CRYPTOPRO_PARAMSET,
            DigestAlgorithm::Streebog256 => oid::STREEBOG_256,
            DigestAlgorithm::Streebog512 => oid::STREEBOG_512,
        }
    }
    /// One-shot digest, wire order.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finalize()
    }
    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        let inner = match self {
            DigestAlgorithm::Gost94CryptoPro => Inner::Gost94(gost94::Gost94CryptoPro::new()),
            DigestAlgorithm::Streebog256 => Inner::Streebog256(streebog::Streebog256::new()),
            DigestAlgorithm::Streebog512 => Inner::Streebog512(streebog::Streebog512::new()),
        };
        Hasher { inner }
    }
}

#[derive(Clone)]
enum Inner {
    Gost94(gost94::Gost94CryptoPro),
    Streebog256(streebog::Streebog256),
    Streebog512(streebog::Streebog512),
}

/// An incremental GOST hash (what the token's on-card PSO: HASH keeps between chained APDUs).
#[derive(Clone)]
pub struct Hasher {
    inner: Inner,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Which algorithm this hasher runs.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self.inner {
            Inner::Gost94(_) => DigestAlgorithm::Gost94CryptoPro,
            Inner::Streebog256(_) => DigestAlgorithm::Streebog256,
            Inner::Streebog512(_) => DigestAlgorithm::Streebog512,
        }
    }
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::Gost94(h) => Digest::update(h, data),
            Inner::Streebog256(h) => Digest::update(h, data),
            Inner::Streebog512(h) => Digest::update(h, data),
        }
    }
    /// The digest, wire order.
    pub fn finalize(self) -> Vec<u8> {
        match self.inner {
            Inner::Gost94(h) => h.finalize().to_vec(),
            Inner::Streebog256(h) => h.finalize().to_vec(),
            Inner::Streebog512(h) => h.finalize().to_vec(),
        }
    }
}
