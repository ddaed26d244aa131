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
    debug_assert!((2..=16).contains(&w));
    // Reads w-bit windows of k straight from its limbs with a pending carry (the recoding of
    // curve25519-dalek's `non_adjacent_form`), instead of subtracting each digit from a
    // multi-limb copy and shifting it bit by bit: that copy cost ~6% of a 256-A verification.
    let bits = 64 * N;
    let width = 1i32 << w;
    // A carry out of the top window lands at most w positions above the last bit.
    let mut out = vec![0i32; bits + w as usize + 1];
    let mut carry = 0i32;
    let mut pos = 0usize;
    while pos < bits {
        let (limb, bit) = (pos / 64, pos % 64);
        let mut window = k[limb] >> bit;
        if bit + w as usize > 64 && limb + 1 < N {
            window |= k[limb + 1] << (64 - bit);
        }
        let value = carry + low_bits(window, w);
        if value & 1 == 0 {
            // Even: digit 0 here; a carry of 1 plus a set bit moves on as the same carry.
            pos += 1;
            continue;
        }
        let digit = if value < width / 2 {
            carry = 0;
            value
        } else {
            carry = 1;
            value - width
        };
        out[pos] = digit;
        pos += w as usize;
    }
    if carry != 0 {
        out[pos] = 1;
    }
    let len = out.iter().rposition(|&d| d != 0).map_or(0, |top| top + 1);
    out.truncate(len);
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

    /// sum d_i 2^i over the digits, as N + 2 limbs (the sum is positive for positive k).
    #[allow(clippy::cast_possible_truncation)] // the low half of a u128, on purpose
    fn reconstruct<const N: usize>(digits: &[i32]) -> Vec<u64> {
        let (mut plus, mut minus) = (vec![0u64; N + 2], vec![0u64; N + 2]);
        for (i, &d) in digits.iter().enumerate() {
            let target = if d > 0 { &mut plus } else { &mut minus };
            let v = u128::from(d.unsigned_abs()) << (i % 64);
            let mut carry = v;
            for limb in target.iter_mut().skip(i / 64) {
                let sum = u128::from(*limb) + (carry & u128::from(u64::MAX));
                *limb = sum as u64;
                carry = (carry >> 64) + (sum >> 64);
            }
        }
        let mut borrow = 0u64;
        for (p, m) in plus.iter_mut().zip(&minus) {
            let (d1, b1) = p.overflowing_sub(*m);
            let (d2, b2) = d1.overflowing_sub(borrow);
            *p = d2;
            borrow = u64::from(b1 | b2);
        }
        assert_eq!(borrow, 0, "the digits sum to a negative value");
        plus
    }

    fn check<const N: usize>(k: [u64; N], w: u32) {
        let digits = wnaf(&k, w);
        let mut last_nonzero: Option<usize> = None;
        for (i, &d) in digits.iter().enumerate() {
            if d != 0 {
                assert!(
                    d % 2 != 0 && d.abs() < 1 << (w - 1),
                    "digit {d} at {i}, w = {w}"
                );
                if let Some(j) = last_nonzero {
                    assert!(
                        i - j >= w as usize,
                        "non-zero digits {j} and {i} closer than w"
                    );
                }
                last_nonzero = Some(i);
            }
        }
        assert_ne!(digits.last(), Some(&0), "trailing zero digit");
        let mut want = k.to_vec();
        want.extend([0, 0]);
        assert_eq!(reconstruct::<N>(&digits), want, "k = {k:x?}, w = {w}");
    }

    #[test]
    fn wnaf_reconstructs_the_scalar() {
        for k in [1u64, 2, 7, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9ABC_DEF1] {
            check([k, 1], 5);
        }
        check([0u64; 4], 5);
        check([u64::MAX; 4], 5);
        check([u64::MAX; 8], 11);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for w in 2..=12 {
            for _ in 0..50 {
                check([next(), next(), next(), next()], w);
                check(
                    [
                        next(),
                        next(),
                        next(),
                        next(),
                        next(),
                        next(),
                        next(),
                        next(),
                    ],
                    w,
                );
            }
        }
    }
}
