//! GOST R 34.11-2012 (Streebog, RFC 6986) and GOST R 34.11-94 with CryptoPro parameters
//! (RFC 4357), all outputs in **wire** order (what the hash function emits byte by byte).
//!
//! Streebog has two implementations, chosen once per process ([`streebog_backend`]): a vector
//! one for x86-64 CPUs with AVX-512 (F, BW, VBMI) and GFNI (`digest/streebog_x86.rs`, about
//! 2.7x the table-based crate), and the RustCrypto `streebog` crate everywhere else. Setting
//! the environment variable `GOST_STREEBOG_BACKEND=portable` forces the crate (to test or
//! compare both on one machine).

use const_oid::ObjectIdentifier;
use streebog::Digest;

use crate::oid;

#[cfg(target_arch = "x86_64")]
mod streebog_x86;

/// Which Streebog implementation this process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreebogBackend {
    /// The RustCrypto `streebog` crate (lookup tables), on every CPU.
    Portable,
    /// The AVX-512 + GFNI vector code (x86-64 only, detected at run time).
    Avx512Gfni,
}

impl StreebogBackend {
    /// `"portable"` or `"avx512-gfni"`.
    pub fn name(self) -> &'static str {
        match self {
            StreebogBackend::Portable => "portable",
            StreebogBackend::Avx512Gfni => "avx512-gfni",
        }
    }
}

/// The Streebog implementation every new [`Hasher`] of this process uses: the vector one when
/// the CPU has the features and `GOST_STREEBOG_BACKEND` is not `portable`. Decided at the first
/// call and kept (a hasher's backend never changes under it).
pub fn streebog_backend() -> StreebogBackend {
    #[cfg(target_arch = "x86_64")]
    if vector_kernel().is_some() {
        return StreebogBackend::Avx512Gfni;
    }
    StreebogBackend::Portable
}

/// The detected vector kernel, unless the environment forces the portable code.
#[cfg(target_arch = "x86_64")]
fn vector_kernel() -> Option<streebog_x86::Kernel> {
    static KERNEL: std::sync::OnceLock<Option<streebog_x86::Kernel>> = std::sync::OnceLock::new();
    *KERNEL.get_or_init(|| {
        let forced_portable = std::env::var_os("GOST_STREEBOG_BACKEND")
            .is_some_and(|v| v.eq_ignore_ascii_case("portable"));
        if forced_portable {
            None
        } else {
            streebog_x86::detect()
        }
    })
}

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
        #[cfg(target_arch = "x86_64")]
        if self != DigestAlgorithm::Gost94CryptoPro
            && let Some(kernel) = vector_kernel()
        {
            let wide = self == DigestAlgorithm::Streebog512;
            return Hasher {
                inner: Inner::StreebogX86(streebog_x86::Streebog::new(kernel, wide)),
            };
        }
        self.portable_hasher()
    }

    /// A hasher on the RustCrypto crates whatever the CPU (the tests compare both backends).
    fn portable_hasher(self) -> Hasher {
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
    #[cfg(target_arch = "x86_64")]
    StreebogX86(streebog_x86::Streebog),
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
            #[cfg(target_arch = "x86_64")]
            Inner::StreebogX86(ref h) => {
                if h.is_wide() {
                    DigestAlgorithm::Streebog512
                } else {
                    DigestAlgorithm::Streebog256
                }
            }
        }
    }
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::Gost94(h) => Digest::update(h, data),
            Inner::Streebog256(h) => Digest::update(h, data),
            Inner::Streebog512(h) => Digest::update(h, data),
            #[cfg(target_arch = "x86_64")]
            Inner::StreebogX86(h) => h.update(data),
        }
    }
    /// The digest, wire order.
    pub fn finalize(self) -> Vec<u8> {
        match self.inner {
            Inner::Gost94(h) => h.finalize().to_vec(),
            Inner::Streebog256(h) => h.finalize().to_vec(),
            Inner::Streebog512(h) => h.finalize().to_vec(),
            #[cfg(target_arch = "x86_64")]
            Inner::StreebogX86(h) => h.finalize(),
        }
    }
}
