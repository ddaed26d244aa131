//! GOST R 34.10-2012 / 34.10-2001 signatures and GOST R 34.11-2012 (Streebog) / 34.11-94 hashes.
//!
//! Byte orders are the classic source of bugs here, so every conversion lives in [`encoding`]
//! (see `shared/spec/gost-vectors.md` §0):
//! - digests are handled in **wire** order (the bytes a hash function outputs), and turned into
//!   the integer `e` little-endian (RFC 7091 §6.1 step 2, as every implementation does);
//! - public keys are `LE(x) ‖ LE(y)` (RFC 9215 §4.3, PKCS#11 `CKA_VALUE`, the token's answer);
//! - X.509 / PKCS#11 signatures are `s ‖ r`, each big-endian (RFC 9215 §2);
//! - the token's wire signature is `r_le ‖ s_le` (OpenSC reverses it as a whole into `s ‖ r`).
// No unsafe code except two calls, one per vector kernel: `digest/streebog_x86.rs` (AVX-512
// Streebog) and `arith/edwards_x86.rs` (AVX-512 IFMA 512-C verification) each enter their
// `#[target_feature]` code after the CPU features were detected (such a function can only be
// called in `unsafe`); those two functions alone allow it, each with its SAFETY argument.
#![deny(unsafe_code)]
// Issue #9: a `usize as u8` elsewhere produced a malformed answer; every narrowing cast here is
// either checked, or exact by construction and allowed where it happens with the reason.
#![deny(clippy::cast_possible_truncation)]

pub(crate) mod arith;
mod checked_points;
pub mod curve;
pub mod digest;
pub mod encoding;
pub mod error;
pub mod gost28147;
pub mod key_transport;
pub mod oid;
pub mod rng;
pub mod signature;
pub mod signing_key;
pub mod spki;
mod verified_signatures;
pub mod verifying_key;
pub mod vko;

pub use curve::{KeyAlgorithm, KeySize, ParamSet};
pub use digest::{DigestAlgorithm, Hasher};
pub use error::Error;
pub use gost28147::CipherParams;
pub use rng::Rng;
pub use signature::Signature;
pub use signing_key::SigningKey;
pub use verifying_key::VerifyingKey;
pub use vko::{Vko, vko};
