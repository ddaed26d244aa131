//! The GOST 28147-89 block cipher itself: RustCrypto's `magma` crate, in GOST 28147-89's byte
//! order.
//!
//! `magma` follows GOST R 34.12-2015, which writes keys and blocks big-endian; GOST 28147-89 as
//! RFC 4357, CMS, PKCS#11 and OpenSSL's gost engine use it reads each 32-bit key word and each
//! block half little-endian (N1 = the first four bytes). The two agree when every key word's
//! bytes and the whole block are reversed: 28147(K, P) = rev(Magma(wrev(K), rev(P))) (RFC 8891
//! §5 gives the 34.12 order; `tests/gost28147_vectors.rs` checks this against RFC 8891's
//! example and against CryptoPro's and the engine's 28147 outputs).

use magma::cipher::consts::{U1, U8};
use magma::cipher::{
    Array, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut,
    KeyInit, ParBlocksSizeUser,
};
use magma::{Gost89, Gost89CryptoProA, Gost89CryptoProB, Gost89CryptoProC, Magma};
use zeroize::{Zeroize, Zeroizing};

use super::params::{CipherParams, Rfc4357CryptoProDSbox, Rfc4357TestSbox};

/// CryptoPro-D with the right table (see `Rfc4357CryptoProDSbox`; not `magma::Gost89CryptoProD`).
type Gost89CryptoProD = Gost89<Rfc4357CryptoProDSbox>;

/// The `magma` cipher for each S-box (the crate's key schedule zeroizes itself on drop).
#[derive(Clone)]
enum Inner {
    Test(Gost89<Rfc4357TestSbox>),
    A(Gost89CryptoProA),
    B(Gost89CryptoProB),
    C(Gost89CryptoProC),
    D(Gost89CryptoProD),
    Z(Magma),
}

/// GOST 28147-89 with one key and one parameter set, in 28147's (little-endian) byte order.
/// Implements the `cipher` traits, so RustCrypto's `ecb` and `cfb-mode` drive it.
#[derive(Clone)]
pub struct Gost28147 {
    params: CipherParams,
    inner: Inner,
}

impl std::fmt::Debug for Gost28147 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gost28147")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn make<C: KeyInit>(key: &Array<u8, C::KeySize>) -> C {
    C::new(key)
}

impl Gost28147 {
    /// The cipher for a 32-byte key (28147 order: eight little-endian words K1..K8).
    pub fn new(params: CipherParams, key: &[u8; 32]) -> Self {
        // 34.12 order: each word's bytes reversed.
        let mut swapped = Zeroizing::new([0u8; 32]);
        for (dst, src) in swapped.chunks_exact_mut(4).zip(key.chunks_exact(4)) {
            dst.copy_from_slice(src);
            dst.reverse();
        }
        let mut k: Array<u8, _> = Array::from(*swapped);
        let inner = match params {
            CipherParams::Test => Inner::Test(make(&k)),
            CipherParams::CryptoProA => Inner::A(make(&k)),
            CipherParams::CryptoProB => Inner::B(make(&k)),
            CipherParams::CryptoProC => Inner::C(make(&k)),
            CipherParams::CryptoProD => Inner::D(make(&k)),
            CipherParams::Tc26Z => Inner::Z(make(&k)),
        };
        k.zeroize();
        Gost28147 { params, inner }
    }

    /// The parameter set.
    pub fn params(&self) -> CipherParams {
        self.params
    }

    /// Encrypts one block in place (GOST 28147-89 §2, simple substitution mode).
    pub fn encrypt(&self, block: &mut [u8; 8]) {
        let mut b = Array::from(*block);
        self.encrypt_28147(&mut b);
        *block = b.into();
    }

    /// Decrypts one block in place.
    pub fn decrypt(&self, block: &mut [u8; 8]) {
        let mut b = Array::from(*block);
        self.decrypt_28147(&mut b);
        *block = b.into();
    }

    fn encrypt_28147(&self, b: &mut Block<Self>) {
        b.reverse();
        match &self.inner {
            Inner::Test(c) => BlockCipherEncrypt::encrypt_block(c, b),
            Inner::A(c) => BlockCipherEncrypt::encrypt_block(c, b),
            Inner::B(c) => BlockCipherEncrypt::encrypt_block(c, b),
            Inner::C(c) => BlockCipherEncrypt::encrypt_block(c, b),
            Inner::D(c) => BlockCipherEncrypt::encrypt_block(c, b),
            Inner::Z(c) => BlockCipherEncrypt::encrypt_block(c, b),
        }
        b.reverse();
    }

    fn decrypt_28147(&self, b: &mut Block<Self>) {
        b.reverse();
        match &self.inner {
            Inner::Test(c) => BlockCipherDecrypt::decrypt_block(c, b),
            Inner::A(c) => BlockCipherDecrypt::decrypt_block(c, b),
            Inner::B(c) => BlockCipherDecrypt::decrypt_block(c, b),
            Inner::C(c) => BlockCipherDecrypt::decrypt_block(c, b),
            Inner::D(c) => BlockCipherDecrypt::decrypt_block(c, b),
            Inner::Z(c) => BlockCipherDecrypt::decrypt_block(c, b),
        }
        b.reverse();
    }
}

impl BlockSizeUser for Gost28147 {
    type BlockSize = U8;
}

impl ParBlocksSizeUser for Gost28147 {
    type ParBlocksSize = U1;
}

impl BlockCipherEncBackend for Gost28147 {
    fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let mut b = block.clone_in();
        self.encrypt_28147(&mut b);
        *block.get_out() = b;
    }
}

impl BlockCipherEncrypt for Gost28147 {
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
        f.call(self)
    }
}

impl BlockCipherDecBackend for Gost28147 {
    fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let mut b = block.clone_in();
        self.decrypt_28147(&mut b);
        *block.get_out() = b;
    }
}

impl BlockCipherDecrypt for Gost28147 {
    fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>) {
        f.call(self)
    }
}

impl CipherParams {
    /// The S-box (row 0 substitutes the least significant nibble, K1 of GOST 28147-89 §2.1):
    /// `magma`'s tables, and ours for the RFC 4357 test set.
    pub fn sbox(self) -> [[u8; 16]; 8] {
        sbox_table(self)
    }
}

/// The raw S-box of a parameter set (row 0 = least significant nibble), for the MAC's
/// 16-round transform, which `magma` has no entry point for.
pub(crate) fn sbox_table(params: CipherParams) -> [[u8; 16]; 8] {
    fn of<S: magma::Sbox>(_: std::marker::PhantomData<Gost89<S>>) -> [[u8; 16]; 8] {
        S::SBOX
    }
    use std::marker::PhantomData as P;
    match params {
        CipherParams::Test => of(P::<Gost89<Rfc4357TestSbox>>),
        CipherParams::CryptoProA => of(P::<Gost89CryptoProA>),
        CipherParams::CryptoProB => of(P::<Gost89CryptoProB>),
        CipherParams::CryptoProC => of(P::<Gost89CryptoProC>),
        CipherParams::CryptoProD => of(P::<Gost89CryptoProD>),
        CipherParams::Tc26Z => of(P::<Magma>),
    }
}
