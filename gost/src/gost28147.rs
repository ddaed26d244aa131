//! GOST 28147-89: the block cipher through RustCrypto's `magma` crate, its parameter sets by
//! OID, the modes PKCS#11 (`CKM_GOST28147_ECB`, `CKM_GOST28147`, `CKM_GOST28147_MAC`,
//! `CKM_GOST28147_KEY_WRAP`) and CMS (RFC 4490) use, and the key wraps of RFC 4357 §6.
//!
//! Byte order is GOST 28147-89's throughout (the one of RFC 4357, CMS, PKCS#11 and OpenSSL's
//! gost engine): keys are eight little-endian 32-bit words, blocks two little-endian halves.
//! Keys live in zeroizing buffers; `magma`'s key schedule zeroizes itself on drop.
//! Not constant time: the S-box is a table lookup indexed by key-dependent data (in `magma`
//! and in our MAC rounds alike), as in every software GOST 28147-89.

pub mod block;
pub mod keywrap;
pub mod mac;
mod meshing;
pub mod modes;
pub mod params;

pub use block::Gost28147;
pub use keywrap::{KeyWrap, UKM_LEN, WRAPPED_LEN, diversify, unwrap, wrap};
pub use mac::{MAC_LEN, Mac};
pub use modes::{BLOCK_LEN, Cfb, Cnt, Direction, ecb_decrypt, ecb_encrypt};
pub use params::CipherParams;
