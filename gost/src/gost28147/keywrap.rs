//! The key wraps of RFC 4357 §6: GOST 28147-89 key wrap (§6.1, §6.2) and CryptoPro key wrap
//! (§6.3, §6.4) with the CryptoPro KEK diversification (§6.5). `CKM_GOST28147_KEY_WRAP` and
//! CMS key transport (RFC 4490 §4.2, the gost engine's `GostR3410-KeyTransport`) use these.
//!
//! Wrapped form (both): UKM (8) ‖ CEK_ENC (32) ‖ CEK_MAC (4), where CEK_ENC is the CEK in ECB
//! under the (diversified) KEK and CEK_MAC the 4-byte MAC of the CEK under it with IV = UKM.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::mac::{MAC_LEN, Mac};
use super::modes::{Cfb, Direction, ecb_decrypt, ecb_encrypt};
use super::params::CipherParams;
use crate::Error;

/// UKM length (RFC 4357 §6: 64 bits).
pub const UKM_LEN: usize = 8;
/// The wrapped key's length: UKM ‖ CEK_ENC ‖ CEK_MAC.
pub const WRAPPED_LEN: usize = UKM_LEN + 32 + MAC_LEN;

/// Which of the two RFC 4357 wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyWrap {
    /// GOST 28147-89 key wrap (RFC 4357 §6.1): the KEK used as it is.
    Gost28147,
    /// CryptoPro key wrap (RFC 4357 §6.3): the KEK diversified with the UKM first (§6.5).
    CryptoPro,
}

/// RFC 4357 §6.5: KEK(UKM). Eight rounds; round i splits the KEK's eight little-endian words
/// by the bits of UKM byte i into two sums mod 2^32 (S = s1 ‖ s2) and encrypts the KEK in CFB
/// under itself with IV = S.
pub fn diversify(params: CipherParams, kek: &[u8; 32], ukm: &[u8; UKM_LEN]) -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new(*kek);
    for &u in ukm {
        let (mut s1, mut s2) = (0u32, 0u32);
        for (j, chunk) in k.chunks_exact(4).enumerate() {
            let word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            // Bit j of the UKM byte picks the sum (a public value: the UKM is sent in clear).
            if (u >> j) & 1 == 1 {
                s1 = s1.wrapping_add(word);
            } else {
                s2 = s2.wrapping_add(word);
            }
        }
        let mut iv = [0u8; 8];
        iv[..4].copy_from_slice(&s1.to_le_bytes());
        iv[4..].copy_from_slice(&s2.to_le_bytes());
        // 32 bytes: no meshing boundary is reached, whatever the parameter set.
        let next = Cfb::apply(params, &k, &iv, Direction::Encrypt, &k[..]);
        k.copy_from_slice(&next);
        drop(Zeroizing::new(next));
    }
    k
}

fn kek_for(
    kind: KeyWrap,
    params: CipherParams,
    kek: &[u8; 32],
    ukm: &[u8; 8],
) -> Zeroizing<[u8; 32]> {
    match kind {
        KeyWrap::Gost28147 => Zeroizing::new(*kek),
        KeyWrap::CryptoPro => diversify(params, kek, ukm),
    }
}

/// Wraps a 32-byte CEK (RFC 4357 §6.1 / §6.3) into UKM ‖ CEK_ENC ‖ CEK_MAC.
pub fn wrap(
    kind: KeyWrap,
    params: CipherParams,
    kek: &[u8; 32],
    ukm: &[u8; UKM_LEN],
    cek: &[u8; 32],
) -> [u8; WRAPPED_LEN] {
    let kek = kek_for(kind, params, kek, ukm);
    let mut out = [0u8; WRAPPED_LEN];
    out[..UKM_LEN].copy_from_slice(ukm);
    out[UKM_LEN..UKM_LEN + 32].copy_from_slice(cek);
    // 32 bytes are block-aligned: ECB cannot fail here.
    let _ = ecb_encrypt(params, &kek, &mut out[UKM_LEN..UKM_LEN + 32]);
    let mut mac = Mac::with_iv(params, &kek, ukm);
    mac.update(cek);
    out[UKM_LEN + 32..].copy_from_slice(&mac.finalize_4());
    out
}

/// Unwraps UKM ‖ CEK_ENC ‖ CEK_MAC (RFC 4357 §6.2 / §6.4); the MAC is compared in constant
/// time and a mismatch is [`Error::KeyUnwrapFailed`] (the CEK is not returned).
pub fn unwrap(
    kind: KeyWrap,
    params: CipherParams,
    kek: &[u8; 32],
    wrapped: &[u8],
) -> Result<Zeroizing<[u8; 32]>, Error> {
    if wrapped.len() != WRAPPED_LEN {
        return Err(Error::InvalidLength {
            what: "wrapped key (UKM || CEK_ENC || CEK_MAC)",
            expected: WRAPPED_LEN,
            actual: wrapped.len(),
        });
    }
    let mut ukm = [0u8; UKM_LEN];
    ukm.copy_from_slice(&wrapped[..UKM_LEN]);
    let kek = kek_for(kind, params, kek, &ukm);
    let mut cek = Zeroizing::new([0u8; 32]);
    cek.copy_from_slice(&wrapped[UKM_LEN..UKM_LEN + 32]);
    ecb_decrypt(params, &kek, &mut cek[..])?;
    let mut mac = Mac::with_iv(params, &kek, &ukm);
    mac.update(&cek[..]);
    let expected = mac.finalize_4();
    if bool::from(expected.ct_eq(&wrapped[UKM_LEN + 32..])) {
        Ok(cek)
    } else {
        Err(Error::KeyUnwrapFailed)
    }
}
