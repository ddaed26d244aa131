//! Modular inversion of **public** values by binary extended Euclidean algorithms: Pornin's
//! 31-steps-at-a-time variant, with the one-step algorithm (Menezes et al., Handbook of Applied
//! Cryptography, Alg. 14.61 for odd moduli) as its fallback. Variable time: used only for
//! e^-1 mod q in verification (e comes from public data) and for public points.
//! Secret values are inverted by Fermat in `field`.

use super::limbs;

/// Inner steps per outer step of [`invert_vartime`]: the transition factors stay within ±2^31.
const STEPS: u32 = 31;

/// a^-1 mod m for odd m and `0 < a < m` with gcd(a, m) = 1 (m prime here); `None` otherwise.
///
/// Pornin's binary GCD (T. Pornin, "Optimized Binary GCD for Modular Inversion", IACR ePrint
/// 2020/972, Alg. 2) in variable time: 31 steps at a time run on 64-bit approximations of the
/// two values (their low 31 and top 33 bits), and the full-width values and their cofactors are
/// updated once per 31 steps with the accumulated factors. The invariants a = y·u and b = y·v
/// (mod m) hold whatever the approximations decide; they only steer how fast a reaches 0. A
/// run that has not converged within the bound falls back to the one-step binary algorithm.
pub(crate) fn invert_vartime<const N: usize>(y: &[u64; N], m: &[u64; N]) -> Option<[u64; N]> {
    if bool::from(limbs::is_zero(y)) || !limbs::lt_vartime(y, m) || m[0] & 1 == 0 {
        return None;
    }
    pornin(y, m).unwrap_or_else(|| invert_binary(y, m))
}

/// The rounds of [`invert_vartime`]: `None` when they did not converge within the bound.
fn pornin<const N: usize>(y: &[u64; N], m: &[u64; N]) -> Option<Option<[u64; N]>> {
    let minv = neg_inverse_mod_2_64(m[0]);
    let (mut a, mut b) = (*y, *m);
    let (mut u, mut v) = ([0u64; N], [0u64; N]);
    u[0] = 1;
    // The exact algorithm needs at most 2·len(m) - 1 steps; twice that bounds the rounds.
    let rounds = (4 * 64 * N).div_ceil(STEPS as usize) + 2;
    for _ in 0..rounds {
        if bool::from(limbs::is_zero(&a)) {
            let mut one = [0u64; N];
            one[0] = 1;
            return Some((b == one).then_some(v));
        }
        let len = limbs::bit_len(&a).max(limbs::bit_len(&b)).max(64);
        let (mut at, mut bt) = (approximate(&a, len), approximate(&b, len));
        let (mut f0, mut g0, mut f1, mut g1) = (1i64, 0i64, 0i64, 1i64);
        for _ in 0..STEPS {
            if at & 1 == 1 {
                if at < bt {
                    (at, bt) = (bt, at);
                    (f0, f1) = (f1, f0);
                    (g0, g1) = (g1, g0);
                }
                at -= bt;
                f0 -= f1;
                g0 -= g1;
            }
            at >>= 1;
            f1 <<= 1;
            g1 <<= 1;
        }
        let (next_a, a_negative) = combine_shift(&a, &b, f0, g0);
        let (next_b, b_negative) = combine_shift(&a, &b, f1, g1);
        if a_negative {
            (f0, g0) = (-f0, -g0);
        }
        if b_negative {
            (f1, g1) = (-f1, -g1);
        }
        (a, b) = (next_a, next_b);
        (u, v) = (
            combine_mod(&u, &v, f0, g0, m, minv),
            combine_mod(&u, &v, f1, g1, m, minv),
        );
    }
    None
}

/// The low 31 bits of x and its bits [len - 33, len) above them: exact when len <= 64.
fn approximate<const N: usize>(x: &[u64; N], len: u32) -> u64 {
    if len <= 64 {
        return x[0];
    }
    let start = (len - 33) as usize;
    let (limb, shift) = (start / 64, start % 64);
    let mut top = x[limb] >> shift;
    if shift > 31 && limb + 1 < N {
        top |= x[limb + 1] << (64 - shift);
    }
    ((top & ((1 << 33) - 1)) << STEPS) | (x[0] & ((1 << STEPS) - 1))
}

/// f·a + g·b as N + 1 limbs, two's complement (|f|, |g| <= 2^31 keep it within one more limb).
fn combine<const N: usize>(a: &[u64; N], b: &[u64; N], f: i64, g: i64) -> ([u64; N], i64) {
    let mut out = [0u64; N];
    let mut carry: i128 = 0;
    for i in 0..N {
        let acc = i128::from(a[i]) * i128::from(f) + i128::from(b[i]) * i128::from(g) + carry;
        out[i] = low_u64(acc);
        carry = acc >> 64;
    }
    // |f·a + g·b| < 2^(64N + 32): the top fits an i64.
    (out, i64::try_from(carry).unwrap_or_default())
}

/// (f·a + g·b) / 2^31, exact (the steps made the low 31 bits zero), as |value| and its sign.
fn combine_shift<const N: usize>(a: &[u64; N], b: &[u64; N], f: i64, g: i64) -> ([u64; N], bool) {
    let (mut x, top) = combine(a, b, f, g);
    shift_signed(&mut x, top, STEPS);
    let negative = top < 0;
    if negative {
        negate(&mut x);
    }
    (x, negative)
}

/// (f·u + g·v) / 2^31 mod m, in [0, m).
fn combine_mod<const N: usize>(
    u: &[u64; N],
    v: &[u64; N],
    f: i64,
    g: i64,
    m: &[u64; N],
    minv: u64,
) -> [u64; N] {
    let (mut x, mut top) = combine(u, v, f, g);
    // + k·m with k < 2^31 chosen to clear the low 31 bits, then the exact shift: the value
    // lands in (-2m, 3m), and at most two corrections bring it into [0, m).
    let k = x[0].wrapping_mul(minv) & ((1 << STEPS) - 1);
    let mut carry = 0u64;
    for (limb, &mi) in x.iter_mut().zip(m) {
        (*limb, carry) = limbs::mac(*limb, k, mi, carry);
    }
    top += i64::try_from(carry).unwrap_or_default();
    shift_signed(&mut x, top, STEPS);
    let mut top = top >> STEPS;
    while top < 0 {
        let (sum, c) = limbs::add(&x, m);
        x = sum;
        top += i64::try_from(c).unwrap_or_default();
    }
    while top > 0 || !limbs::lt_vartime(&x, m) {
        let (diff, borrow) = limbs::sub(&x, m);
        x = diff;
        top -= i64::try_from(borrow).unwrap_or_default();
    }
    x
}

/// x := (x + top·2^(64N)) >> t for 0 < t < 64 (arithmetic: the top limb's sign comes in).
fn shift_signed<const N: usize>(x: &mut [u64; N], top: i64, t: u32) {
    for i in 0..N {
        let next = if i + 1 < N {
            x[i + 1]
        } else {
            top.cast_unsigned()
        };
        x[i] = (x[i] >> t) | (next << (64 - t));
    }
}

/// x := -x mod 2^(64N).
fn negate<const N: usize>(x: &mut [u64; N]) {
    let mut carry = 1u64;
    for limb in x.iter_mut() {
        (*limb, carry) = limbs::adc(!*limb, 0, carry);
    }
}

/// The low 64 bits of a signed 128-bit value.
#[allow(clippy::cast_possible_truncation)] // the truncation is the point
fn low_u64(x: i128) -> u64 {
    x as u64
}

/// The one-step binary algorithm (HAC 14.61 for odd moduli, several halvings at once): the
/// fallback of [`invert_vartime`].
fn invert_binary<const N: usize>(a: &[u64; N], m: &[u64; N]) -> Option<[u64; N]> {
    let mut one = [0u64; N];
    one[0] = 1;
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
            // the fast rounds converge on their own, and the fallback agrees
            assert_eq!(pornin(&a, &q), Some(Some(fermat)));
            assert_eq!(invert_binary(&a, &q), Some(fermat));
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
            assert_eq!(pornin(&b, &q512), Some(Some(fermat)));
            assert_eq!(invert_binary(&b, &q512), Some(fermat));
        }
    }
}
