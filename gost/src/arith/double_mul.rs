//! Variable-time scalar multiplication for public data only (verification, point checks):
//! interleaved width-w NAF (Hankerson-Menezes-Vanstone, Guide to ECC, Alg. 3.51).

use super::point::{Affine, CurveArith, Jacobian};

/// Window of the per-call table for the variable point, by limb count: 2^(w-2) odd multiples
/// built per call. Measured by callgrind on verify: w = 6 saves ~1.5% on the 512-bit sets,
/// and costs ~1% on the 256-bit ones (where the larger table does not pay for itself).
pub(crate) const fn var_window<const N: usize>() -> u32 {
    if N > 4 { 6 } else { 5 }
}
/// Window of the per-curve table for the base point (128 odd multiples, affine, built once):
/// w = 9 instead of 7 saves 1-3% of a verification.
pub(crate) const BASE_WINDOW: u32 = 9;

/// The width-w NAF digits of k, least significant first (each odd digit in (-2^(w-1), 2^(w-1))).
pub(crate) fn wnaf<const N: usize>(k: &[u64; N], w: u32) -> Vec<i32> {
    let mut n = [0u64; 9];
    n[..N].copy_from_slice(k);
    let mut out = Vec::with_capacity(64 * N + 1);
    let modulus = 1i32 << w;
    while n.iter().any(|&l| l != 0) {
        let mut digit = 0i32;
        if n[0] & 1 == 1 {
            digit = low_bits(n[0], w);
            if digit >= modulus / 2 {
                digit -= modulus;
            }
            // n -= digit
            if digit > 0 {
                let mut borrow = u64::from(digit.unsigned_abs());
                for limb in n.iter_mut() {
                    let (d, b) = limb.overflowing_sub(borrow);
                    *limb = d;
                    borrow = u64::from(b);
                }
            } else {
                let mut carry = u64::from(digit.unsigned_abs());
                for limb in n.iter_mut() {
                    let (s, c) = limb.overflowing_add(carry);
                    *limb = s;
                    carry = u64::from(c);
                }
            }
        }
        out.push(digit);
        for i in 0..8 {
            n[i] = (n[i] >> 1) | (n[i + 1] << 63);
        }
        n[8] >>= 1;
    }
    out
}

/// The low `w` bits of `x` (w <= 16), as an `i32`.
#[inline]
fn low_bits(x: u64, w: u32) -> i32 {
    debug_assert!(w <= 16);
    // Exact: the value is masked to w <= 16 bits first, far below i32::MAX.
    #[allow(clippy::cast_possible_truncation)]
    let low = (x & ((1u64 << w) - 1)) as i32;
    low
}

/// The odd multiples P, 3P, ..., (2^(w-1) - 1)P (Jacobian).
pub(crate) fn odd_multiples<const N: usize>(
    arith: &CurveArith<N>,
    p: &Jacobian<N>,
    w: u32,
) -> Vec<Jacobian<N>> {
    let count = 1usize << (w - 2);
    let twice = arith.double(p);
    let mut out = Vec::with_capacity(count);
    out.push(*p);
    for i in 1..count {
        out.push(arith.add_vartime(&out[i - 1], &twice));
    }
    out
}

/// u1·G + u2·Q, with `g_odd` = odd multiples of G for [`BASE_WINDOW`] in affine form.
pub(crate) fn double_mul_vartime<const N: usize>(
    arith: &CurveArith<N>,
    g_odd: &[Affine<N>],
    u1: &[u64; N],
    q: &Affine<N>,
    u2: &[u64; N],
) -> Jacobian<N> {
    let naf1 = wnaf(u1, BASE_WINDOW);
    let naf2 = wnaf(u2, var_window::<N>());
    let q_odd = odd_multiples(arith, &arith.lift(q), var_window::<N>());
    let len = naf1.len().max(naf2.len());
    let mut acc = arith.identity();
    for i in (0..len).rev() {
        acc = arith.double(&acc);
        let d1 = naf1.get(i).copied().unwrap_or(0);
        if d1 != 0 {
            let mut t = g_odd[(d1.unsigned_abs() / 2) as usize];
            if d1 < 0 {
                t.y = arith.f.neg(&t.y);
            }
            acc = arith.add_affine_vartime(&acc, &t);
        }
        let d2 = naf2.get(i).copied().unwrap_or(0);
        if d2 != 0 {
            let t = q_odd[(d2.unsigned_abs() / 2) as usize];
            let t = if d2 < 0 { arith.neg(&t) } else { t };
            acc = arith.add_vartime(&acc, &t);
        }
    }
    acc
}

/// k·P for public k and P (variable time).
pub(crate) fn mul_vartime<const N: usize>(
    arith: &CurveArith<N>,
    p: &Affine<N>,
    k: &[u64; N],
) -> Jacobian<N> {
    let naf = wnaf(k, var_window::<N>());
    let odd = odd_multiples(arith, &arith.lift(p), var_window::<N>());
    let mut acc = arith.identity();
    for &d in naf.iter().rev() {
        acc = arith.double(&acc);
        if d != 0 {
            let t = odd[(d.unsigned_abs() / 2) as usize];
            let t = if d < 0 { arith.neg(&t) } else { t };
            acc = arith.add_vartime(&acc, &t);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::wnaf;

    #[test]
    fn wnaf_reconstructs_the_scalar() {
        for k in [1u64, 2, 7, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9ABC_DEF1] {
            let digits = wnaf(&[k, 1], 5);
            let mut acc: i128 = 0;
            for &d in digits.iter().rev() {
                acc = acc * 2 + i128::from(d);
                assert!(d == 0 || (d % 2 != 0 && d.abs() < 16));
            }
            assert_eq!(acc, (1i128 << 64) + i128::from(k));
        }
    }
}
