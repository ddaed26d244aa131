//! The single home of every byte-order conversion (`shared/spec/gost-vectors.md` §0).
//!
//! Integers live in little-endian `u64` limbs, at most 8 (512 bits). Byte strings come in three
//! orders: big-endian (what the RFCs print, X.509 r and s), little-endian (keys on the token and
//! in PKCS#11 / SPKI, and the digest-to-integer rule of RFC 7091 §6.1 step 2), and the hash
//! functions' own wire order, which is what gets interpreted little-endian.

/// Limbs of a big-endian byte string of at most 64 bytes.
pub(crate) fn limbs_from_be(bytes: &[u8]) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (i, &b) in bytes.iter().rev().take(64).enumerate() {
        out[i / 8] |= u64::from(b) << ((i % 8) * 8);
    }
    out
}

/// Limbs of a little-endian byte string of at most 64 bytes.
pub(crate) fn limbs_from_le(bytes: &[u8]) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (i, &b) in bytes.iter().take(64).enumerate() {
        out[i / 8] |= u64::from(b) << ((i % 8) * 8);
    }
    out
}

/// The low `len` bytes of an integer, big-endian.
pub(crate) fn limbs_to_be(limbs: &[u64; 8], len: usize) -> Vec<u8> {
    let mut out = limbs_to_le(limbs, len);
    out.reverse();
    out
}

/// The low `len` bytes of an integer, little-endian.
pub(crate) fn limbs_to_le(limbs: &[u64; 8], len: usize) -> Vec<u8> {
    limbs
        .iter()
        .flat_map(|limb| limb.to_le_bytes())
        .take(len.min(64))
        .collect()
}

/// RFC 7091 §6.1 step 2 / §6.2 step 2: alpha is the digest read **little-endian** from its
/// wire bytes (gost-engine `BN_lebin2bn(dgst)`; every RFC 9215 signature verifies only so).
pub(crate) fn digest_to_alpha(digest_wire: &[u8]) -> [u64; 8] {
    limbs_from_le(digest_wire)
}

/// `s ‖ r`, each big-endian of `len` bytes: the X.509 / CMS / PKCS#11 signature (RFC 9215 §2).
pub(crate) fn signature_to_x509(r_be: &[u8], s_be: &[u8]) -> Vec<u8> {
    [s_be, r_be].concat()
}

/// Splits `s ‖ r` into (r, s), big-endian.
pub(crate) fn signature_from_x509(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (s, r) = bytes.split_at(bytes.len() / 2);
    (r.to_vec(), s.to_vec())
}

/// `r_le ‖ s_le`: the token's wire signature (the whole-string reversal of `s ‖ r`).
pub(crate) fn signature_to_token(r_be: &[u8], s_be: &[u8]) -> Vec<u8> {
    let mut out = signature_to_x509(r_be, s_be);
    out.reverse();
    out
}

/// Splits `r_le ‖ s_le` into (r, s), big-endian.
pub(crate) fn signature_from_token(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut reversed = bytes.to_vec();
    reversed.reverse();
    signature_from_x509(&reversed)
}

/// `LE(x) ‖ LE(y)`: the public key on the token, in PKCS#11 `CKA_VALUE` and inside the SPKI
/// OCTET STRING (RFC 9215 §4.3).
pub(crate) fn point_to_le(x: &[u64; 8], y: &[u64; 8], len: usize) -> Vec<u8> {
    [limbs_to_le(x, len), limbs_to_le(y, len)].concat()
}

/// Splits `LE(x) ‖ LE(y)` into the coordinates.
pub(crate) fn point_from_le(bytes: &[u8]) -> ([u64; 8], [u64; 8]) {
    let (x, y) = bytes.split_at(bytes.len() / 2);
    (limbs_from_le(x), limbs_from_le(y))
}

/// The first N limbs (the rest must be zero: the caller checked the byte length).
pub(crate) fn narrow<const N: usize>(a: &[u64; 8]) -> [u64; N] {
    let mut out = [0u64; N];
    out.copy_from_slice(&a[..N]);
    out
}

/// Zero-extended to 8 limbs.
pub(crate) fn widen<const N: usize>(a: &[u64; N]) -> [u64; 8] {
    let mut out = [0u64; 8];
    out[..N].copy_from_slice(a);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_round_trip() {
        let be: Vec<u8> = (1..=32).collect();
        let limbs = limbs_from_be(&be);
        assert_eq!(limbs[0], 0x191A_1B1C_1D1E_1F20);
        assert_eq!(limbs_to_be(&limbs, 32), be);
        let mut le = be.clone();
        le.reverse();
        assert_eq!(limbs_from_le(&le), limbs);
        assert_eq!(limbs_to_le(&limbs, 32), le);
    }

    #[test]
    fn token_signature_is_reversed_x509() {
        let r = vec![1u8, 2];
        let s = vec![3u8, 4];
        assert_eq!(signature_to_x509(&r, &s), vec![3, 4, 1, 2]);
        assert_eq!(signature_to_token(&r, &s), vec![2, 1, 4, 3]);
        assert_eq!(signature_from_token(&[2, 1, 4, 3]), (r, s));
    }
}
