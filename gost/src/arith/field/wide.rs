//! Full-width (2N-limb) products and squares, before reduction.

use super::super::limbs::{adc, mac};

/// How many one bits the integer starts with, from bit 64N - 1 down.
pub(super) fn leading_ones<const N: usize>(e: &[u64; N]) -> u32 {
    let mut count = 0;
    for limb in e.iter().rev() {
        count += limb.leading_ones();
        if *limb != u64::MAX {
            break;
        }
    }
    count
}

/// The full 2N-limb product (schoolbook), in a 16-limb buffer.
#[inline(always)]
pub(super) fn wide_mul<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; 16] {
    // Operand scanning, one row per limb of a (measured faster here than product scanning).
    let mut w = [0u64; 16];
    unroll_upto_8!(N, i, {
        let mut carry = 0;
        for j in 0..N {
            (w[i + j], carry) = mac(w[i + j], a[i], b[j], carry);
        }
        w[i + N] = carry;
    });
    w
}

/// The full 2N-limb square: off-diagonal products once, doubled, plus the diagonal.
#[inline(always)]
pub(super) fn wide_square<const N: usize>(a: &[u64; N]) -> [u64; 16] {
    let mut w = [0u64; 16];
    unroll_upto_8!(N, i, {
        let mut carry = 0;
        for j in (i + 1)..N {
            (w[i + j], carry) = mac(w[i + j], a[i], a[j], carry);
        }
        w[i + N] = carry;
    });
    let mut carry = 0;
    for limb in w.iter_mut().take(2 * N) {
        let top = *limb >> 63;
        *limb = (*limb << 1) | carry;
        carry = top;
    }
    let mut carry = 0;
    unroll_upto_8!(N, i, {
        let (lo, hi) = mac(w[2 * i], a[i], a[i], carry);
        w[2 * i] = lo;
        let (s, c) = adc(w[2 * i + 1], hi, 0);
        w[2 * i + 1] = s;
        carry = c;
    });
    // The square fits 2N limbs: the final carry is always 0.
    debug_assert_eq!(carry, 0);
    w
}
