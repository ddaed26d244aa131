//! Modular inversion of **public** values by the binary extended Euclidean algorithm
//! (Menezes et al., Handbook of Applied Cryptography, Alg. 14.61 variant for odd moduli).
//! Variable time: used only for e^-1 mod q in verification (e comes from public data).
//! Secret values are inverted by Fermat in `field`.

use super::limbs;

/// a^-1 mod m for odd m and `0 < a < m` with gcd(a, m) = 1 (m prime here); `None` otherwise.
pub(crate) fn invert_vartime<const N: usize>(a: &[u64; N], m: &[u64; N]) -> Option<[u64; N]> {
    let mut one = [0u64; N];
    one[0] = 1;
    if bool::from(limbs::is_zero(a)) || !limbs::lt_vartime(a, m) || m[0] & 1 == 0 {
        return None;
    }
    let minv = neg_inverse_mod_2_64(m[0]);
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (one, [0u64; N]);
    while u != one && v != one {
        // All the factors of two at once (up to 63 a step): u / 2^t, and x1 / 2^t mod m by one
        // Montgomery-style step, where the bit-by-bit halving took 5% of a 256-A verification.
        while u[0] & 1 == 0 {
            let t = u[0].trailing_zeros().min(63);
            shr(&mut u, t, 0);
            div_pow2_mod(&mut x1, t, m, minv);
        }
        while v[0] & 1 == 0 {
            let t = v[0].trailing_zeros().min(63);
            shr(&mut v, t, 0);
            div_pow2_mod(&mut x2, t, m, minv);
        }
        if !limbs::lt_vartime(&u, &v) {
            u = limbs::sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        } else {
            v = limbs::sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        }
        if bool::from(limbs::is_zero(&u)) || bool::from(limbs::is_zero(&v)) {
            return None; // not coprime
        }
    }
    Some(if u == one { x1 } else { x2 })
}

/// -m^-1 mod 2^64 for odd m (Newton's iteration doubles the correct low bits: 1, 2, 4, ... 64;
/// m·m = 1 mod 8 makes m itself right to 3 bits).
fn neg_inverse_mod_2_64(m: u64) -> u64 {
    let mut inv = m;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Shifts right by `t` (1..=63) bits, shifting the low `t` bits of `top` into the top.
fn shr<const N: usize>(a: &mut [u64; N], t: u32, top: u64) {
    debug_assert!((1..64).contains(&t));
    for i in 0..N {
        let next = if i + 1 < N { a[i + 1] } else { top };
        a[i] = (a[i] >> t) | (next << (64 - t));
    }
}

/// x / 2^t mod m for x < m, m odd, 1 <= t <= 63: add the multiple k·m (k < 2^t) that makes
/// the low t bits zero, then shift; (x + k·m) / 2^t < (m + (2^t - 1)·m) / 2^t = m.
fn div_pow2_mod<const N: usize>(x: &mut [u64; N], t: u32, m: &[u64; N], minv: u64) {
    let k = x[0].wrapping_mul(minv) & ((1u64 << t) - 1);
    let mut carry = 0;
    for (limb, &mi) in x.iter_mut().zip(m) {
        (*limb, carry) = limbs::mac(*limb, k, mi, carry);
    }
    shr(x, t, carry);
}

/// a - b mod m for a, b < m.
fn sub_mod<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N]) -> [u64; N] {
    let (d, borrow) = limbs::sub(a, b);
    if borrow == 1 { limbs::add(&d, m).0 } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::field::{Field, Reduction};
    use crate::arith::limbs::hex;

    #[test]
    fn matches_fermat() {
        let q: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893");
        let f = Field::new(q, Reduction::Montgomery);
        for a in [
            [1u64, 0, 0, 0],
            [2, 0, 0, 0],
            [u64::MAX, 5, 7, 1 << 62],
            limbs::sub_small(q, 1),
        ] {
            let fermat = f.to_int(&f.invert(&f.element(&a)));
            assert_eq!(invert_vartime(&a, &q), Some(fermat));
        }
        assert_eq!(invert_vartime(&[0u64; 4], &q), None);
        assert_eq!(invert_vartime(&q, &q), None);
    }

    #[test]
    fn random_values_match_fermat() {
        let q: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893");
        // 512-C's order (RFC 7836 id-tc26-gost-3410-12-512-paramSetC)
        let q512: [u64; 8] = hex(
            "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
        );
        let (f, f512) = (
            Field::new(q, Reduction::Montgomery),
            Field::new(q512, Reduction::Montgomery),
        );
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300 {
            let a = [next(), next(), next(), next() >> 1];
            let fermat = f.to_int(&f.invert(&f.element(&a)));
            assert_eq!(invert_vartime(&a, &q), Some(fermat));
            let mut b = [0u64; 8];
            b.iter_mut().for_each(|l| *l = next());
            b[7] >>= 3;
            // sparse values: long runs of zero bits exercise the multi-bit steps
            if b[0] & 1 == 0 {
                b[1] = 0;
                b[0] &= 0xFFFF_0000_0000_0000;
            }
            let fermat = f512.to_int(&f512.invert(&f512.element(&b)));
            assert_eq!(invert_vartime(&b, &q512), Some(fermat));
        }
    }
}
