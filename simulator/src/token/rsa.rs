//! RSA key material as the Rutoken ECP 2.0 keeps it in its key objects (attribute 85 classes 23
//! private, 33 public), with the byte layouts OpenSC writes and expects (`pkcs15-rtecp.c`
//! `rtecp_create_key` / `rtecp_store_key`, `card-rtecp.c` `rtecp_card_ctl` / `rtecp_cipher`;
//! `rutoken-ecp-apdu.md` §3, §4):
//!
//! - a private object of an n-bit key holds `p ‖ 0⁴ ‖ q ‖ 0⁴ ‖ iqmp ‖ dmp1 ‖ dmq1`, each value
//!   n/16 bytes little-endian, two 4-byte gaps: n/16·5 + 8 bytes, the size OpenSC creates it with;
//! - a public object holds `n ‖ e`, n/8 bytes then n/16 bytes, little-endian: n/16·3 bytes;
//! - GENERATE KEY answers n little-endian; the PSO data and answers are little-endian integers
//!   (OpenSC reverses both ways).
//!
//! The private operation is RustCrypto `rsa` (crypto-bigint: constant-time arithmetic) with base,
//! exponent and modulus blinding from the token's random source, and the CRT result checked
//! against the public exponent before it leaves the token.

use crypto_bigint::{BoxedUint, NonZero};
use rsa::hazmat::rsa_decrypt_and_check;
use rsa::rand_core::TryCryptoRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::secret::Secret;
use super::status::CardResult;
use rutoken_apdu::StatusWord;

/// The public exponent when GENERATE KEY names none: 65537, what OpenSC assumes for every key it
/// generates on this card (`rtecp_card_ctl` writes `01 00 01` as the exponent).
pub const DEFAULT_EXPONENT: u32 = 65_537;

/// Size in bytes of the two gaps in the private layout (`rtecp_store_key`: `len + 4`).
const GAP: usize = 4;
/// The same, for object sizes (which the token keeps as `u16`).
const GAP_U16: u16 = 4;

/// Bytes of a private key object for an n-bit modulus: 5 values of n/16 bytes and two gaps.
pub fn private_size(bits: u16) -> u16 {
    bits / 16 * 5 + 2 * GAP_U16
}

/// Bytes of a public key object for an n-bit modulus: n (n/8 bytes) and e (n/16 bytes).
pub fn public_size(bits: u16) -> u16 {
    bits / 16 * 3
}

/// The modulus size a private object of `size` bytes is made for, if it is one of `allowed`.
pub fn bits_of_private(size: u16, allowed: &[u16]) -> Option<u16> {
    allowed
        .iter()
        .copied()
        .find(|bits| private_size(*bits) == size)
}

/// The modulus size a public object of `size` bytes is made for, if it is one of `allowed`.
pub fn bits_of_public(size: u16, allowed: &[u16]) -> Option<u16> {
    allowed
        .iter()
        .copied()
        .find(|bits| public_size(*bits) == size)
}

/// A private RSA key, rebuilt from (or about to become) the bytes of a class-23 object. The
/// `rsa` key zeroizes itself on drop; `Debug` prints the size only.
pub struct RsaPrivate {
    key: rsa::PrivateKey,
    bits: u16,
}

impl std::fmt::Debug for RsaPrivate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPrivate({} bits)", self.bits)
    }
}

/// `value` as exactly `len` little-endian bytes (6A80 when it does not fit).
fn le_fixed(value: &BoxedUint, len: usize) -> CardResult<Zeroizing<Vec<u8>>> {
    if usize::try_from(value.bit_width()).unwrap_or(usize::MAX) > len * 8 {
        return Err(StatusWord::WRONG_DATA);
    }
    // Fits (`bit_width` is constant-time: these are secret factors): whatever `to_le_bytes`
    // holds beyond `len` (the integer's precision) is zero.
    let mut bytes = Zeroizing::new(value.to_le_bytes().into_vec());
    bytes.resize(len, 0);
    Ok(bytes)
}

impl RsaPrivate {
    /// Generates a key of `bits` bits (one of the profile's sizes) with public exponent `e`.
    pub fn generate<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        bits: u16,
        e: u32,
    ) -> CardResult<RsaPrivate> {
        // `new_with_exp_unchecked`: the card does 512 and 768 bits, below the crate's 1024 floor.
        let key =
            rsa::PrivateKey::new_with_exp_unchecked(rng, usize::from(bits), BoxedUint::from(e))
                .map_err(|_| StatusWord::WRONG_DATA)?;
        Ok(RsaPrivate { key, bits })
    }

    /// Rebuilds the key from the object bytes (the layout above) of a `bits`-bit key. The public
    /// exponent is not stored there: it is recovered as dmp1⁻¹ mod (p − 1) (exact for any
    /// e < p − 1, i.e. every exponent the `rsa` crate accepts), and the rebuilt key must give
    /// back the stored dmq1 and iqmp, else 6A80.
    pub fn from_object(bytes: &[u8], bits: u16) -> CardResult<RsaPrivate> {
        let len = usize::from(bits / 16);
        if bytes.len() != usize::from(private_size(bits)) {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let precision = u32::from(bits / 2);
        let part = |at: usize| -> CardResult<BoxedUint> {
            BoxedUint::from_le_slice(&bytes[at..at + len], precision)
                .map_err(|_| StatusWord::WRONG_DATA)
        };
        let (p, q) = (part(0)?, part(len + GAP)?);
        let dmp1 = Zeroizing::new(part(2 * len + 2 * GAP + len)?);
        let p_minus_1 = Zeroizing::new(
            NonZero::new(p.wrapping_sub(BoxedUint::one()))
                .into_option()
                .ok_or(StatusWord::WRONG_DATA)?,
        );
        let mut e =
            Option::<BoxedUint>::from(dmp1.invert_mod(&p_minus_1)).ok_or(StatusWord::WRONG_DATA)?;
        // e is public: trim it to its width for the public-key checks and exponentiation.
        let e_bytes = e.to_le_bytes_trimmed_vartime();
        e.zeroize();
        if e_bytes.len() > 8 {
            return Err(StatusWord::WRONG_DATA);
        }
        let e = BoxedUint::from_le_slice_vartime(&e_bytes);
        let key = rsa::PrivateKey::from_p_q(p, q, e).map_err(|_| StatusWord::WRONG_DATA)?;
        if usize::from(bits) != key.n().as_ref().bit_width_vartime() as usize {
            return Err(StatusWord::WRONG_DATA);
        }
        let rebuilt = RsaPrivate { key, bits };
        let again = rebuilt.to_object()?;
        if !bool::from(again.expose().ct_eq(bytes)) {
            return Err(StatusWord::WRONG_DATA);
        }
        Ok(rebuilt)
    }

    /// The object bytes of this key (the layout above).
    pub fn to_object(&self) -> CardResult<Secret> {
        let len = usize::from(self.bits / 16);
        let k = &self.key;
        let (Some(dp), Some(dq), Some(iqmp)) = (k.dp(), k.dq(), k.crt_coefficient()) else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let iqmp = Zeroizing::new(iqmp);
        let [p, q] = k.primes() else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let mut out = Zeroizing::new(Vec::with_capacity(usize::from(private_size(self.bits))));
        out.extend_from_slice(&le_fixed(p.as_ref(), len)?);
        out.extend_from_slice(&[0; GAP]);
        out.extend_from_slice(&le_fixed(q.as_ref(), len)?);
        out.extend_from_slice(&[0; GAP]);
        out.extend_from_slice(&le_fixed(&iqmp, len)?);
        out.extend_from_slice(&le_fixed(dp, len)?);
        out.extend_from_slice(&le_fixed(dq, len)?);
        Ok(Secret::new(std::mem::take(&mut *out)))
    }

    /// The public object bytes: `n ‖ e`, little-endian, n/8 and n/16 bytes.
    pub fn public_object(&self) -> CardResult<Vec<u8>> {
        let len = usize::from(self.bits / 16);
        let mut out = self.modulus_le()?;
        out.extend_from_slice(&le_fixed(self.key.e(), len)?);
        Ok(out)
    }

    /// The modulus, n/8 bytes little-endian (the GENERATE KEY answer).
    pub fn modulus_le(&self) -> CardResult<Vec<u8>> {
        Ok(le_fixed(self.key.n().as_ref(), usize::from(self.bits / 8))?.to_vec())
    }

    /// The raw private operation (RSASP1 / RSADP) on a little-endian integer of at most n/8
    /// bytes, answered as exactly n/8 little-endian bytes. An input ≥ n is 6A80.
    pub fn private_op<R: TryCryptoRng + ?Sized>(
        &self,
        input_le: &[u8],
        rng: &mut R,
    ) -> CardResult<Zeroizing<Vec<u8>>> {
        let k = usize::from(self.bits / 8);
        if input_le.is_empty() || input_le.len() > k {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let precision = self.key.n().as_ref().bits_precision();
        let mut c =
            BoxedUint::from_le_slice(input_le, precision).map_err(|_| StatusWord::WRONG_DATA)?;
        let result =
            rsa_decrypt_and_check(&self.key, Some(rng), &c).map_err(|_| StatusWord::WRONG_DATA);
        c.zeroize();
        let mut m = result?;
        let out = le_fixed(&m, k);
        m.zeroize();
        out
    }
}

/// A public key object's bytes checked: `n ‖ e` of a `bits`-bit key, n odd and of exactly that
/// size, e odd, 3 ≤ e < 2³³ (the `rsa` crate's bounds).
pub fn check_public_object(bytes: &[u8], bits: u16) -> CardResult<()> {
    let k = usize::from(bits / 8);
    if bytes.len() != usize::from(public_size(bits)) {
        return Err(StatusWord::WRONG_LENGTH);
    }
    let n = BoxedUint::from_le_slice_vartime(&bytes[..k]);
    let e = BoxedUint::from_le_slice_vartime(&bytes[k..]);
    if n.bit_width_vartime() != u32::from(bits) {
        return Err(StatusWord::WRONG_DATA);
    }
    rsa::PublicKey::new_with_size_limits(n, e, 512..=4096).map_err(|_| StatusWord::WRONG_DATA)?;
    Ok(())
}

/// The exponent GENERATE KEY asks for: none (OpenSC 0.23), or the template OpenSC sends since
/// 0.24, `A6 len 94 len e`, e little-endian (`card-rtecp.c` `rsa_prop` = `A6 06 94 04 01 00 01
/// 00`). Anything else is 6A80.
pub fn requested_exponent(data: &[u8]) -> CardResult<u32> {
    let e_le = match data {
        [] => return Ok(DEFAULT_EXPONENT),
        [0xA6, outer, inner @ ..] if usize::from(*outer) == inner.len() => match inner {
            [0x94, len, e @ ..] if usize::from(*len) == e.len() && (1..=4).contains(&e.len()) => e,
            _ => return Err(StatusWord::WRONG_DATA),
        },
        _ => return Err(StatusWord::WRONG_DATA),
    };
    let mut word = [0u8; 4];
    word[..e_le.len()].copy_from_slice(e_le);
    let e = u32::from_le_bytes(word);
    if e < 3 || e % 2 == 0 {
        return Err(StatusWord::WRONG_DATA);
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_opensc_s() {
        // rtecp_create_key: private n/8/2*5+8, public n/8/2*3.
        assert_eq!((private_size(2048), public_size(2048)), (648, 384));
        assert_eq!((private_size(512), public_size(512)), (168, 96));
        let allowed = [512, 1024];
        assert_eq!(bits_of_private(168, &allowed), Some(512));
        assert_eq!(bits_of_public(192, &allowed), Some(1024));
        assert_eq!(bits_of_private(88, &allowed), None);
    }

    #[test]
    fn object_round_trip_and_damage() {
        let mut rng = gost::Rng::from_seed(3);
        let key = RsaPrivate::generate(&mut rng, 512, DEFAULT_EXPONENT).unwrap();
        let object = key.to_object().unwrap();
        assert_eq!(object.expose().len(), 168);
        assert_eq!(&object.expose()[32..36], &[0; 4], "first gap");
        let back = RsaPrivate::from_object(object.expose(), 512).unwrap();
        assert_eq!(back.public_object().unwrap(), key.public_object().unwrap());
        check_public_object(&key.public_object().unwrap(), 512).unwrap();
        // iqmp changed: refused.
        let mut bad = object.expose().to_vec();
        bad[72] ^= 1;
        assert_eq!(
            RsaPrivate::from_object(&bad, 512).unwrap_err(),
            StatusWord::WRONG_DATA
        );
        assert_eq!(
            RsaPrivate::from_object(&bad[1..], 512).unwrap_err(),
            StatusWord::WRONG_LENGTH
        );
        // An even modulus is no public key.
        let mut public = key.public_object().unwrap();
        public[0] &= 0xFE;
        assert_eq!(
            check_public_object(&public, 512).unwrap_err(),
            StatusWord::WRONG_DATA
        );
    }

    #[test]
    fn exponent_template() {
        assert_eq!(requested_exponent(&[]), Ok(65_537));
        let opensc = [0xA6, 0x06, 0x94, 0x04, 0x01, 0x00, 0x01, 0x00];
        assert_eq!(requested_exponent(&opensc), Ok(65_537));
        assert_eq!(requested_exponent(&[0xA6, 0x03, 0x94, 0x01, 0x03]), Ok(3));
        assert_eq!(
            requested_exponent(&[0xA6, 0x03, 0x94, 0x01, 0x04]),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(
            requested_exponent(&[0x94, 0x01, 0x03]),
            Err(StatusWord::WRONG_DATA)
        );
    }
}
