//! Full-width (2N-limb) products and squares, before reduction.
//!
//! Written row by row: the N products of one limb by the other operand first, assembled into an
//! (N + 1)-limb row with one carry chain, then the row added into the result with a second
//! chain, instead of one multiply-accumulate (`limbs::mac`) per product with its carry in and
//! out. The 8-limb product is one level of Karatsuba over 4-limb rows (three 4 x 4 products
//! that fit the registers instead of one 8 x 8 that spills) and the 8-limb square two 4-limb
//! squares and one 4 x 4 product. Measured on 4 Dec 2026 (callgrind instructions per
//! verification, then CPU time): rows instead of `mac` -6% instructions on 256-A and +8-13%
//! verifications per second on every pseudo-Mersenne set; for 8 limbs, Karatsuba against plain
//! rows +1% instructions but 2-7% faster; three 4-limb squares for the 8-limb square (Karatsuba
//! square) no faster; the 8-limb square as plain rows 60% slower (its variable-length inner
//! loops are not unrolled).

use super::super::limbs::{adc, sbb, split};

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

/// `a * b` for one limb b: N + 1 limbs (in a 9-limb buffer; N <= 8).
#[inline(always)]
pub(super) fn row<const N: usize>(a: &[u64; N], b: u64) -> [u64; 9] {
    let mut lo = [0u64; 8];
    let mut hi = [0u64; 8];
    for j in 0..N {
        (lo[j], hi[j]) = split(u128::from(a[j]) * u128::from(b));
    }
    let mut out = [0u64; 9];
    out[0] = lo[0];
    let mut carry = 0;
    for j in 1..N {
        (out[j], carry) = adc(lo[j], hi[j - 1], carry);
    }
    // a·b < 2^(64(N+1)): the top limb takes the last carry without overflowing.
    out[N] = hi[N - 1] + carry;
    out
}

/// The full 2N-limb product, in a 16-limb buffer (N <= 8).
#[inline(always)]
pub(super) fn wide_mul<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; 16] {
    if N == 8 {
        // N = 8 here (a compile-time constant): the copies are exact.
        return karatsuba8(
            &std::array::from_fn(|i| a[i]),
            &std::array::from_fn(|i| b[i]),
        );
    }
    schoolbook(a, b)
}

/// Row-by-row schoolbook product.
#[inline(always)]
fn schoolbook<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; 16] {
    let mut w = [0u64; 16];
    let first = row(a, b[0]);
    w[..=N].copy_from_slice(&first[..=N]);
    for i in 1..N {
        let r = row(a, b[i]);
        let mut carry = 0;
        for j in 0..N {
            (w[i + j], carry) = adc(w[i + j], r[j], carry);
        }
        // The partial product is below 2^(64(i+N+1)): no carry out of limb i + N.
        w[i + N] = r[N] + carry;
    }
    w
}

/// The full 2N-limb square: off-diagonal rows once, doubled, plus the diagonal (N(N+1)/2
/// products instead of N^2), in a 16-limb buffer (N <= 8).
#[inline(always)]
pub(super) fn wide_square<const N: usize>(a: &[u64; N]) -> [u64; 16] {
    if N == 8 {
        // N = 8 here (a compile-time constant): the copy is exact.
        return square8(&std::array::from_fn(|i| a[i]));
    }
    square_rows(a)
}

/// Row-by-row square.
#[inline(always)]
fn square_rows<const N: usize>(a: &[u64; N]) -> [u64; 16] {
    let mut w = [0u64; 16];
    // Row i: a[i] · a[i+1..N] at limb 2i + 1 (len = N - 1 - i products).
    for i in 0..N.saturating_sub(1) {
        let len = N - 1 - i;
        let mut lo = [0u64; 8];
        let mut hi = [0u64; 8];
        for j in 0..len {
            (lo[j], hi[j]) = split(u128::from(a[i + 1 + j]) * u128::from(a[i]));
        }
        let mut r = [0u64; 9];
        r[0] = lo[0];
        let mut carry = 0;
        for j in 1..len {
            (r[j], carry) = adc(lo[j], hi[j - 1], carry);
        }
        r[len] = hi[len - 1] + carry;
        let at = 2 * i + 1;
        let mut carry = 0;
        for j in 0..len {
            (w[at + j], carry) = adc(w[at + j], r[j], carry);
        }
        // Still below 2^(64(at+len+1)): limb at + len takes the carry.
        w[at + len] = r[len] + carry;
    }
    let mut carry = 0;
    for limb in w.iter_mut().take(2 * N) {
        let top = *limb >> 63;
        *limb = (*limb << 1) | carry;
        carry = top;
    }
    // The diagonal as one carry chain; the square fits 2N limbs, so nothing carries out.
    let mut carry = 0;
    for i in 0..N {
        let (lo, hi) = split(u128::from(a[i]) * u128::from(a[i]));
        (w[2 * i], carry) = adc(w[2 * i], lo, carry);
        (w[2 * i + 1], carry) = adc(w[2 * i + 1], hi, carry);
    }
    debug_assert_eq!(carry, 0);
    w
}

/// The low and high halves of an 8-limb value.
#[inline(always)]
fn halves(a: &[u64; 8]) -> ([u64; 4], [u64; 4]) {
    ([a[0], a[1], a[2], a[3]], [a[4], a[5], a[6], a[7]])
}

/// |x - y| and an all-ones mask when x < y, without branching.
#[inline(always)]
fn abs_diff(x: &[u64; 4], y: &[u64; 4]) -> ([u64; 4], u64) {
    let mut d = [0u64; 4];
    let mut borrow = 0;
    for i in 0..4 {
        (d[i], borrow) = sbb(x[i], y[i], borrow);
    }
    let mask = borrow.wrapping_neg();
    // Two's-complement negation where x < y: (d XOR mask) + 1.
    let mut carry = borrow;
    for limb in &mut d {
        (*limb, carry) = adc(*limb ^ mask, 0, carry);
    }
    (d, mask)
}

/// 8 x 8 limbs by subtractive Karatsuba: with a = a1·2^256 + a0 and b likewise,
/// a0·b1 + a1·b0 = a0·b0 + a1·b1 + (a0 - a1)(b1 - b0), the last product taken as
/// ±|a0 - a1|·|b1 - b0| so that every operand stays 4 limbs (no carry bits).
#[inline(always)]
fn karatsuba8(a: &[u64; 8], b: &[u64; 8]) -> [u64; 16] {
    let (a0, a1) = halves(a);
    let (b0, b1) = halves(b);
    let low = schoolbook(&a0, &b0);
    let high = schoolbook(&a1, &b1);
    let (da, sa) = abs_diff(&a0, &a1);
    let (db, sb) = abs_diff(&b1, &b0);
    let cross = schoolbook(&da, &db);
    // All ones when (a0 - a1)(b1 - b0) is negative.
    let negative = sa ^ sb;
    // middle = low + high ± cross = a0·b1 + a1·b0 >= 0, below 2^513: 9 limbs.
    let mut middle = [0u64; 9];
    let mut carry = 0;
    for i in 0..8 {
        (middle[i], carry) = adc(low[i], high[i], carry);
    }
    middle[8] = carry;
    // ± cross as a 9-limb two's-complement value: (cross XOR mask) + 1 where negative.
    let mut carry = negative & 1;
    for i in 0..8 {
        (middle[i], carry) = adc(middle[i], cross[i] ^ negative, carry);
    }
    middle[8] = middle[8].wrapping_add(negative).wrapping_add(carry);
    assemble8(&low, &high, &middle)
}

/// low + middle·2^256 + high·2^512 as 16 limbs, `low` and `high` being 4 x 4-limb products
/// (their first 8 limbs), the last step of both 8-limb products; the result fits 16 limbs, so
/// nothing carries out.
#[inline(always)]
fn assemble8(low: &[u64; 16], high: &[u64; 16], middle: &[u64; 9]) -> [u64; 16] {
    let mut w = [0u64; 16];
    w[..8].copy_from_slice(&low[..8]);
    w[8..].copy_from_slice(&high[..8]);
    let mut carry = 0;
    for i in 0..9 {
        (w[4 + i], carry) = adc(w[4 + i], middle[i], carry);
    }
    for limb in w.iter_mut().skip(13) {
        (*limb, carry) = adc(*limb, 0, carry);
    }
    debug_assert_eq!(carry, 0);
    w
}

/// 8-limb square from 4-limb pieces: a0^2 + 2·a0·a1·2^256 + a1^2·2^512.
#[inline(always)]
fn square8(a: &[u64; 8]) -> [u64; 16] {
    let (a0, a1) = halves(a);
    let low = square_rows(&a0);
    let high = square_rows(&a1);
    let cross = schoolbook(&a0, &a1);
    let mut twice = [0u64; 9];
    let mut carry = 0;
    for i in 0..8 {
        twice[i] = (cross[i] << 1) | carry;
        carry = cross[i] >> 63;
    }
    twice[8] = carry;
    assemble8(&low, &high, &twice)
}

#[cfg(test)]
mod reference {
    //! A plain reference for the products above: bit-serial shift-and-add over u128-free
    //! limbs (nothing shared with the code under test but `adc`'s definition in `limbs`).

    /// The 2N-limb product by shift-and-add, one bit of b at a time.
    pub(super) fn product<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; 16] {
        let mut acc = [0u64; 16];
        for bit in (0..64 * N).rev() {
            // acc <<= 1
            let mut top = 0;
            for limb in acc.iter_mut() {
                let next = *limb >> 63;
                *limb = (*limb << 1) | top;
                top = next;
            }
            if (b[bit / 64] >> (bit % 64)) & 1 == 1 {
                let mut carry = false;
                for i in 0..16 {
                    let add = if i < N { a[i] } else { 0 };
                    let (s1, c1) = acc[i].overflowing_add(add);
                    let (s2, c2) = s1.overflowing_add(u64::from(carry));
                    acc[i] = s2;
                    carry = c1 | c2;
                }
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::reference::product;
    use super::{wide_mul, wide_square};

    /// Edge values (0, 1, all ones, the top bit alone, halves equal or ordered either way, for
    /// Karatsuba's sign of (a0 - a1)(b1 - b0)) and pseudo-random ones.
    fn values<const N: usize>() -> Vec<[u64; N]> {
        let mut out = vec![[0u64; N], [u64::MAX; N]];
        let mut one = [0u64; N];
        one[0] = 1;
        out.push(one);
        let mut top = [0u64; N];
        top[N - 1] = 1 << 63;
        out.push(top);
        let mut low_half = [0u64; N];
        let mut high_half = [0u64; N];
        for i in 0..N / 2 {
            low_half[i] = u64::MAX;
            high_half[N / 2 + i] = u64::MAX;
        }
        out.push(low_half);
        out.push(high_half);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..24 {
            let mut v = [0u64; N];
            for limb in v.iter_mut() {
                // xorshift64: reproducible, no dependency.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *limb = state;
            }
            out.push(v);
        }
        // Equal halves (a0 = a1, so |a0 - a1| = 0), and near-equal ones.
        let mut equal = out[8];
        for i in 0..N / 2 {
            equal[N / 2 + i] = equal[i];
        }
        out.push(equal);
        equal[0] ^= 1;
        out.push(equal);
        out
    }

    fn check<const N: usize>() {
        let values = values::<N>();
        for a in &values {
            assert_eq!(wide_square(a), product(a, a), "square of {a:x?}");
            for b in &values {
                assert_eq!(wide_mul(a, b), product(a, b), "{a:x?} * {b:x?}");
            }
        }
    }

    #[test]
    fn products_match_shift_and_add() {
        check::<4>();
        check::<8>();
        check::<2>();
    }
}
