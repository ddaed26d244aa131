//! Limb primitives: carries, borrows, constant-time selection, compile-time hex constants.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// A double-width value as (low limb, high limb).
#[inline(always)]
// Exact: the low cast keeps `t mod 2^64` on purpose (that is the low limb), and `t >> 64` is
// below 2^64, so the high cast loses nothing.
#[allow(clippy::cast_possible_truncation)]
pub(crate) const fn split(t: u128) -> (u64, u64) {
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry`, returning (sum, carry out); `carry` is 0 or 1.
///
/// Written with `overflowing_add` (the pattern LLVM turns into one `adc` per limb, the carry
/// staying in the flags) rather than through a u128 sum, whose carry LLVM materialises in a
/// register between limbs: callgrind, 4.8% fewer instructions per 256-A verification and 9%
/// per 256-B one; CPU time 7-13% better on every verification. Likewise `sbb`.
#[inline(always)]
pub(crate) const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let (s1, c1) = a.overflowing_add(b);
    let (s2, c2) = s1.overflowing_add(carry);
    (s2, (c1 | c2) as u64)
}

/// `a - b - borrow`, returning (difference, borrow out); `borrow` is 0 or 1.
#[inline(always)]
pub(crate) const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let (d1, b1) = a.overflowing_sub(b);
    let (d2, b2) = d1.overflowing_sub(borrow);
    (d2, (b1 | b2) as u64)
}

/// `a + b * c + carry`, returning (low, high).
#[inline(always)]
pub(crate) const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    split((a as u128) + (b as u128) * (c as u128) + (carry as u128))
}

/// The number of bits of N limbs, 64·N, as a `u32` (by repeated addition: no cast).
pub(crate) const fn bits<const N: usize>() -> u32 {
    let mut out = 0u32;
    let mut i = 0;
    while i < N {
        out += 64;
        i += 1;
    }
    out
}

/// `a + b` over N limbs, returning the carry out.
#[inline(always)]
pub(crate) fn add<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut carry = 0;
    for i in 0..N {
        (out[i], carry) = adc(a[i], b[i], carry);
    }
    (out, carry)
}

/// `a - b` over N limbs, returning the borrow out (1 if a < b).
#[inline(always)]
pub(crate) fn sub<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
    let mut out = [0u64; N];
    let mut borrow = 0;
    for i in 0..N {
        (out[i], borrow) = sbb(a[i], b[i], borrow);
    }
    (out, borrow)
}

/// `b` where `choice` is set, else `a`, without branching on `choice`.
#[inline(always)]
pub(crate) fn select<const N: usize>(a: &[u64; N], b: &[u64; N], choice: Choice) -> [u64; N] {
    let mut out = [0u64; N];
    for i in 0..N {
        out[i] = u64::conditional_select(&a[i], &b[i], choice);
    }
    out
}

/// `b` where `mask` is all ones, `a` where it is zero: plain mask arithmetic, no branch (the
/// field code's hot path; `select` with a `subtle::Choice` elsewhere).
#[inline(always)]
pub(crate) fn select_mask<const N: usize>(a: &[u64; N], b: &[u64; N], mask: u64) -> [u64; N] {
    let mut out = [0u64; N];
    for i in 0..N {
        out[i] = a[i] ^ ((a[i] ^ b[i]) & mask);
    }
    out
}

/// `acc |= b & mask`: a table scan's accumulation (`acc` starts at zero and exactly one entry
/// has an all-ones mask), by plain mask arithmetic.
#[inline(always)]
pub(crate) fn or_masked<const N: usize>(acc: &mut [u64; N], b: &[u64; N], mask: u64) {
    for i in 0..N {
        acc[i] |= b[i] & mask;
    }
}

/// All ones if `a == b`, else zero, by arithmetic only (for table scans, where a
/// `subtle::Choice` per entry would cost an optimisation-barrier call each).
#[inline(always)]
pub(crate) fn eq_mask(a: u64, b: u64) -> u64 {
    let diff = a ^ b;
    // (diff | -diff) has its top bit set exactly when diff != 0.
    ((diff | diff.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// All ones if every limb is zero, else zero, by arithmetic only.
#[inline(always)]
pub(crate) fn zero_mask<const N: usize>(a: &[u64; N]) -> u64 {
    let mut acc = 0u64;
    for limb in a {
        acc |= limb;
    }
    eq_mask(acc, 0)
}

/// Whether every limb is zero, in constant time.
#[inline(always)]
pub(crate) fn is_zero<const N: usize>(a: &[u64; N]) -> Choice {
    let mut acc = 0u64;
    for limb in a {
        acc |= limb;
    }
    acc.ct_eq(&0)
}

/// `a == b`, in constant time.
#[inline(always)]
pub(crate) fn ct_eq<const N: usize>(a: &[u64; N], b: &[u64; N]) -> Choice {
    let mut acc = 0u64;
    for i in 0..N {
        acc |= a[i] ^ b[i];
    }
    acc.ct_eq(&0)
}

/// `a < b` (1 if so), in constant time.
#[inline(always)]
pub(crate) fn ct_lt<const N: usize>(a: &[u64; N], b: &[u64; N]) -> Choice {
    let (_, borrow) = sub(a, b);
    borrow.ct_eq(&1)
}

/// `a < b` for public values (variable time is fine).
pub(crate) fn lt_vartime<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// The limbs of a big-endian hex constant (compile time; a bad digit fails the build).
pub(crate) const fn hex<const N: usize>(hex: &str) -> [u64; N] {
    let bytes = hex.as_bytes();
    let mut out = [0u64; N];
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[bytes.len() - 1 - i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        };
        out[i / 16] |= (v as u64) << ((i % 16) * 4);
        i += 1;
    }
    out
}

/// `a - small` at compile time (used for `a = p - 3`).
pub(crate) const fn sub_small<const N: usize>(a: [u64; N], small: u64) -> [u64; N] {
    let mut out = a;
    let mut borrow = small;
    let mut i = 0;
    while i < N {
        let (d, b) = sbb(out[i], borrow, 0);
        out[i] = d;
        borrow = b;
        i += 1;
    }
    out
}

/// The number of significant bits.
pub(crate) fn bit_len<const N: usize>(a: &[u64; N]) -> u32 {
    let mut out = 0;
    let mut base = 0u32;
    for limb in a {
        if *limb != 0 {
            out = base + (64 - limb.leading_zeros());
        }
        base += 64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parses_big_endian() {
        let v: [u64; 2] = hex("0102030405060708090A0B0C0D0E0F10");
        assert_eq!(v, [0x090A0B0C0D0E0F10, 0x0102030405060708]);
        assert_eq!(sub_small([2u64, 1], 3), [u64::MAX, 0]);
    }

    #[test]
    fn comparisons() {
        let a = [1u64, 2];
        let b = [0u64, 3];
        assert!(bool::from(ct_lt(&a, &b)));
        assert!(!bool::from(ct_lt(&b, &a)));
        assert!(lt_vartime(&a, &b));
        assert_eq!(bit_len(&b), 66);
        assert_eq!(eq_mask(5, 5), u64::MAX);
        assert_eq!(eq_mask(5, 4), 0);
        assert_eq!(eq_mask(0, 1 << 63), 0);
    }
}
