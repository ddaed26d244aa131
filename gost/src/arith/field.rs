//! Arithmetic modulo an odd prime on N 64-bit limbs, in constant time.
//!
//! Two reductions: Montgomery (CIOS, any odd modulus: the generic curves and every group order
//! q) and pseudo-Mersenne for `p = 2^(64N) - c` with a small c (2^256 - 617 of tc26-256-A/B and
//! 2^512 - 569 of tc26-512-A/C, RFC 7836 App. A), which folds the high half back with one
//! multiplication by c per limb.
//!
//! Representation: Montgomery elements are always fully reduced (`< p`). Pseudo-Mersenne
//! elements are kept below 2^(64N) only, so possibly p too big (p < 2^(64N) < 2p): a carry out
//! of 2^(64N) folds back as +c (2^(64N) = c mod p) and a borrow as -c, which saves the compare
//! and select of a full reduction in every addition, subtraction and product. Anything that
//! compares field elements goes through [`Field::is_zero`], [`Field::zero_mask`],
//! [`Field::ct_eq`] or [`Field::to_int`], which reduce fully first.

use super::limbs::{self, adc, mac};

/// Repeats a block for `$i` = 0..8 with `$i` a constant, skipping values `>= N`: forces the
/// outer loops of the limb products to unroll so the accumulators stay in registers.
macro_rules! unroll_upto_8 {
    ($n:expr, $i:ident, $body:block) => {{
        unroll_upto_8!(@one $n, $i, 0, $body);
        unroll_upto_8!(@one $n, $i, 1, $body);
        unroll_upto_8!(@one $n, $i, 2, $body);
        unroll_upto_8!(@one $n, $i, 3, $body);
        unroll_upto_8!(@one $n, $i, 4, $body);
        unroll_upto_8!(@one $n, $i, 5, $body);
        unroll_upto_8!(@one $n, $i, 6, $body);
        unroll_upto_8!(@one $n, $i, 7, $body);
    }};
    (@one $n:expr, $i:ident, $v:literal, $body:block) => {
        #[allow(clippy::reversed_empty_ranges, clippy::identity_op)]
        if $v < $n {
            let $i: usize = $v;
            $body
        }
    };
}

/// Which reduction a [`Field`] uses (a property of the modulus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduction {
    /// Montgomery form, `x * 2^(64N) mod p`.
    Montgomery,
    /// Plain form, `p = 2^(64N) - c`.
    PseudoMersenne,
}

/// A field element in the field's internal form (Montgomery or plain).
pub(crate) type Fe<const N: usize> = [u64; N];

/// Z/pZ for an odd prime p of at most 64N bits.
#[derive(Clone, Debug)]
pub(crate) struct Field<const N: usize> {
    p: [u64; N],
    kind: Reduction,
    /// `-p^-1 mod 2^64` (Montgomery).
    n0: u64,
    /// `2^(64N) - p` (pseudo-Mersenne; only used when it fits one limb).
    c: u64,
    /// `2^(128N) mod p` (Montgomery).
    r2: [u64; N],
    /// 1 in internal form.
    one: [u64; N],
    /// Montgomery with p's middle limbs all zero (p = p_0 + p_top·2^(64(N-1)): 2^255 + 3225 of
    /// tc26-256-C, 2^511 + 111 of tc26-512-B): each reduction round multiplies by p_0 and
    /// p_top only, 2 products instead of N.
    sparse: bool,
}

impl<const N: usize> Field<N> {
    /// The field of integers modulo `p` (odd). `PseudoMersenne` needs `p = 2^(64N) - c`.
    pub(crate) fn new(p: [u64; N], kind: Reduction) -> Self {
        // n0 = -p^-1 mod 2^64 by Newton iteration (each step doubles the correct bits).
        let mut inv: u64 = 1;
        for _ in 0..7 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inv)));
        }
        let n0 = inv.wrapping_neg();
        let (c_limbs, _) = limbs::sub(&[0u64; N], &p);
        let c = c_limbs[0];
        // R mod p, then R^2 mod p, by modular doubling from 1 (one-off, public).
        let mut r = [0u64; N];
        r[0] = 1;
        let mut field = Field {
            p,
            kind,
            n0,
            c,
            r2: [0; N],
            one: [0; N],
            sparse: kind == Reduction::Montgomery && N > 2 && p[1..N - 1].iter().all(|&l| l == 0),
        };
        for _ in 0..64 * N {
            r = field.add(&r, &r);
        }
        let r_mod_p = r;
        for _ in 0..64 * N {
            r = field.add(&r, &r);
        }
        field.r2 = r;
        let mut one = [0u64; N];
        one[0] = 1;
        field.one = match kind {
            Reduction::Montgomery => r_mod_p,
            Reduction::PseudoMersenne => one,
        };
        field
    }

    /// The modulus.
    pub(crate) fn modulus(&self) -> &[u64; N] {
        &self.p
    }

    /// 0.
    pub(crate) fn zero(&self) -> Fe<N> {
        [0; N]
    }

    /// 1 in internal form.
    pub(crate) fn one(&self) -> Fe<N> {
        self.one
    }

    /// An integer `< p` into internal form.
    pub(crate) fn element(&self, a: &[u64; N]) -> Fe<N> {
        match self.kind {
            Reduction::Montgomery => self.mont_mul(a, &self.r2),
            Reduction::PseudoMersenne => *a,
        }
    }

    /// Any integer `< 2^(64N)` reduced mod p, into internal form (Montgomery only, else one
    /// conditional subtraction per bit of excess: used for x mod q and e = alpha mod q).
    pub(crate) fn reduce_int(&self, a: &[u64; N]) -> Fe<N> {
        match self.kind {
            // a * R^2 / R = a * R mod p: valid for any a < R since r2 < p.
            Reduction::Montgomery => self.mont_mul(a, &self.r2),
            Reduction::PseudoMersenne => self.sub_p_if_ge(a),
        }
    }

    /// Internal form back to the integer in `[0, p)`.
    pub(crate) fn to_int(&self, a: &Fe<N>) -> [u64; N] {
        match self.kind {
            Reduction::Montgomery => {
                let mut one = [0u64; N];
                one[0] = 1;
                self.mont_mul(a, &one)
            }
            Reduction::PseudoMersenne => self.sub_p_if_ge(a),
        }
    }

    /// A small integer in internal form.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn element_u64(&self, v: u64) -> Fe<N> {
        let mut a = [0u64; N];
        a[0] = v;
        self.element(&self.sub_p_if_ge(&a))
    }

    /// The fully reduced representative (`< p`) of an element in internal form: one
    /// conditional subtraction, as every element is below 2^(64N) < 2p.
    #[inline(always)]
    pub(crate) fn canonical(&self, a: &Fe<N>) -> Fe<N> {
        match self.kind {
            Reduction::Montgomery => *a,
            Reduction::PseudoMersenne => self.sub_p_if_ge(a),
        }
    }

    /// Whether a = 0 (mod p), in constant time.
    #[inline(always)]
    pub(crate) fn is_zero(&self, a: &Fe<N>) -> subtle::Choice {
        limbs::is_zero(&self.canonical(a))
    }

    /// All ones if a = 0 (mod p), else zero, by arithmetic only.
    #[inline(always)]
    pub(crate) fn zero_mask(&self, a: &Fe<N>) -> u64 {
        limbs::zero_mask(&self.canonical(a))
    }

    /// Whether a = b (mod p), in constant time.
    #[inline(always)]
    pub(crate) fn ct_eq(&self, a: &Fe<N>, b: &Fe<N>) -> subtle::Choice {
        limbs::ct_eq(&self.canonical(a), &self.canonical(b))
    }

    fn sub_p_if_ge(&self, a: &[u64; N]) -> [u64; N] {
        let (d, borrow) = limbs::sub(a, &self.p);
        limbs::select_mask(a, &d, (borrow ^ 1).wrapping_neg())
    }

    /// a + b.
    #[inline(always)]
    pub(crate) fn add(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        if self.kind == Reduction::PseudoMersenne {
            return self.pm_add(a, b);
        }
        let (s, carry) = limbs::add(a, b);
        let (d, borrow) = limbs::sub(&s, &self.p);
        // s >= p exactly when the sum overflowed or the subtraction did not borrow.
        limbs::select_mask(&s, &d, (carry | (borrow ^ 1)).wrapping_neg())
    }

    /// a - b.
    #[inline(always)]
    pub(crate) fn sub(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        if self.kind == Reduction::PseudoMersenne {
            return self.pm_sub(a, b);
        }
        let (d, borrow) = limbs::sub(a, b);
        let mask = borrow.wrapping_neg();
        let mut out = [0u64; N];
        let mut carry = 0;
        for i in 0..N {
            (out[i], carry) = adc(d[i], self.p[i] & mask, carry);
        }
        out
    }

    /// -a.
    #[inline(always)]
    pub(crate) fn neg(&self, a: &Fe<N>) -> Fe<N> {
        self.sub(&[0; N], a)
    }

    /// 2a.
    #[inline(always)]
    pub(crate) fn double(&self, a: &Fe<N>) -> Fe<N> {
        self.add(a, a)
    }

    /// a * b.
    #[inline(always)]
    pub(crate) fn mul(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        match self.kind {
            Reduction::Montgomery => self.mont_mul(a, b),
            Reduction::PseudoMersenne => self.pm_reduce(&wide_mul(a, b)),
        }
    }

    /// a^2.
    #[inline(always)]
    pub(crate) fn square(&self, a: &Fe<N>) -> Fe<N> {
        match self.kind {
            Reduction::Montgomery => self.mont_mul(a, a),
            Reduction::PseudoMersenne => self.pm_reduce(&wide_square(a)),
        }
    }

    /// a^-1 by Fermat (a^(p-2)), constant time in a; 0 maps to 0.
    pub(crate) fn invert(&self, a: &Fe<N>) -> Fe<N> {
        let mut e = self.p;
        e[0] = e[0].wrapping_sub(2); // p is odd and > 2, so no borrow
        let ones = leading_ones(&e);
        if ones >= limbs::bits::<N>() / 2 {
            self.pow_leading_ones(a, &e, ones)
        } else {
            self.pow_public_exp(a, &e)
        }
    }

    /// a^e where e starts with `ones` one bits (pseudo-Mersenne p - 2 = 2^(64N) - c - 2): an
    /// addition chain for a^(2^ones - 1) (ones - 1 squarings, 2 log2(ones) multiplications),
    /// then square-and-multiply over the few remaining low bits of the public exponent.
    fn pow_leading_ones(&self, a: &Fe<N>, e: &[u64; N], ones: u32) -> Fe<N> {
        // t = a^(2^k - 1), growing k along the binary digits of `ones`.
        let mut t = *a;
        let mut k = 1u32;
        for bit in (0..31 - ones.leading_zeros()).rev() {
            let mut u = t;
            for _ in 0..k {
                u = self.square(&u);
            }
            t = self.mul(&u, &t);
            k *= 2;
            if (ones >> bit) & 1 == 1 {
                t = self.mul(&self.square(&t), a);
                k += 1;
            }
        }
        for bit in (0..limbs::bits::<N>() - ones).rev() {
            t = self.square(&t);
            if (e[bit as usize / 64] >> (bit % 64)) & 1 == 1 {
                t = self.mul(&t, a);
            }
        }
        t
    }

    /// a^e for a public exponent e: fixed 4-bit windows, the table index depends on e only.
    pub(crate) fn pow_public_exp(&self, a: &Fe<N>, e: &[u64; N]) -> Fe<N> {
        let mut table = [self.one; 16];
        for i in 1..16 {
            table[i] = self.mul(&table[i - 1], a);
        }
        let mut acc = self.one;
        for limb in (0..N).rev() {
            for nib in (0..16).rev() {
                for _ in 0..4 {
                    acc = self.square(&acc);
                }
                let idx = ((e[limb] >> (nib * 4)) & 0xF) as usize;
                if idx != 0 {
                    acc = self.mul(&acc, &table[idx]);
                }
            }
        }
        acc
    }

    /// Montgomery multiplication (CIOS): `a * b / 2^(64N) mod p`.
    #[inline(always)]
    fn mont_mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        if self.sparse {
            self.mont_mul_sparse(a, b)
        } else {
            self.mont_mul_dense(a, b)
        }
    }

    /// [`Self::mont_mul`] for a modulus whose middle limbs are zero: the reduction's products
    /// by those limbs vanish, leaving the carry to run through.
    #[inline(always)]
    fn mont_mul_sparse(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; 10];
        unroll_upto_8!(N, i, {
            let b_i = b[i];
            let mut carry = 0;
            for j in 0..N {
                (t[j], carry) = mac(t[j], a[j], b_i, carry);
            }
            let (s, c2) = adc(t[N], carry, 0);
            t[N] = s;
            t[N + 1] = c2;
            let m = t[0].wrapping_mul(self.n0);
            let (_, mut carry) = mac(t[0], m, self.p[0], 0);
            for j in 1..N - 1 {
                (t[j - 1], carry) = adc(t[j], carry, 0);
            }
            (t[N - 2], carry) = mac(t[N - 1], m, self.p[N - 1], carry);
            let (s, c3) = adc(t[N], carry, 0);
            t[N - 1] = s;
            t[N] = t[N + 1] + c3;
        });
        let mut r = [0u64; N];
        r.copy_from_slice(&t[..N]);
        let (d, borrow) = limbs::sub(&r, &self.p);
        limbs::select_mask(&r, &d, (t[N] | (borrow ^ 1)).wrapping_neg())
    }

    /// [`Self::mont_mul`] for any odd modulus.
    #[inline(always)]
    fn mont_mul_dense(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        // t holds N + 2 limbs; 10 covers N <= 8 without const-generic arithmetic.
        let mut t = [0u64; 10];
        unroll_upto_8!(N, i, {
            let b_i = b[i];
            let mut carry = 0;
            for j in 0..N {
                (t[j], carry) = mac(t[j], a[j], b_i, carry);
            }
            let (s, c2) = adc(t[N], carry, 0);
            t[N] = s;
            t[N + 1] = c2;
            let m = t[0].wrapping_mul(self.n0);
            let (_, mut carry) = mac(t[0], m, self.p[0], 0);
            for j in 1..N {
                (t[j - 1], carry) = mac(t[j], m, self.p[j], carry);
            }
            let (s, c3) = adc(t[N], carry, 0);
            t[N - 1] = s;
            t[N] = t[N + 1] + c3;
        });
        let mut r = [0u64; N];
        r.copy_from_slice(&t[..N]);
        let (d, borrow) = limbs::sub(&r, &self.p);
        // t < 2p: subtract p when t[N] is set or the subtraction did not borrow.
        limbs::select_mask(&r, &d, (t[N] | (borrow ^ 1)).wrapping_neg())
    }

    /// a + b for `p = 2^(64N) - c`, any a, b below 2^(64N): a carry out is 2^(64N) = c, so
    /// add c back; that can carry once more, and then the value is below c, so a second c
    /// (into the low limb) cannot.
    #[inline(always)]
    fn pm_add(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (mut s, carry) = limbs::add(a, b);
        let mut cy = 0;
        (s[0], cy) = adc(s[0], self.c & carry.wrapping_neg(), cy);
        for limb in s.iter_mut().skip(1) {
            (*limb, cy) = adc(*limb, 0, cy);
        }
        s[0] = s[0].wrapping_add(self.c & cy.wrapping_neg());
        s
    }

    /// a - b for `p = 2^(64N) - c`, any a, b below 2^(64N): a borrow is -2^(64N) = -c, so take
    /// c off; that can borrow once more, and then the value is at least 2^(64N) - c, so a
    /// second c (from the low limb) cannot.
    #[inline(always)]
    fn pm_sub(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        let (mut d, borrow) = limbs::sub(a, b);
        let mut bw = 0;
        (d[0], bw) = limbs::sbb(d[0], self.c & borrow.wrapping_neg(), bw);
        for limb in d.iter_mut().skip(1) {
            (*limb, bw) = limbs::sbb(*limb, 0, bw);
        }
        d[0] = d[0].wrapping_sub(self.c & bw.wrapping_neg());
        d
    }

    /// Reduces a 2N-limb product modulo `p = 2^(64N) - c` to a value below 2^(64N) (not
    /// necessarily below p): `hi * 2^(64N) = hi * c (mod p)`, twice.
    #[inline(always)]
    fn pm_reduce(&self, w: &[u64; 16]) -> [u64; N] {
        let c = self.c;
        // hi·c as one row (N + 1 limbs, the top one below c), added to the low half.
        let folded = row(&std::array::from_fn::<u64, N, _>(|i| w[N + i]), c);
        let mut r = [0u64; N];
        let mut carry = 0;
        for i in 0..N {
            (r[i], carry) = adc(w[i], folded[i], carry);
        }
        let top = folded[N] + carry;
        // v = r + top·c with top <= c: fold the top again; a carry out of that leaves a
        // value below top·c < 2^64 - c, so the final +c cannot carry.
        let (lo, hi) = limbs::split(u128::from(top) * u128::from(c));
        let mut cy;
        (r[0], cy) = adc(r[0], lo, 0);
        (r[1], cy) = adc(r[1], hi, cy);
        for limb in r.iter_mut().skip(2) {
            (*limb, cy) = adc(*limb, 0, cy);
        }
        r[0] = r[0].wrapping_add(c & cy.wrapping_neg());
        r
    }
}

/// A [`Field`] known to be pseudo-Mersenne (the Edwards sets' 2^256 - 617 and 2^512 - 569):
/// its products, squares, sums and differences go straight to the pseudo-Mersenne code, without
/// the per-operation choice of reduction of [`Field`]'s methods, which puts both reductions'
/// code into every formula (callgrind: 2% fewer instructions per 256-A verification without
/// it). Everything else (conversions, comparisons, inversion) is [`Field`]'s, through `Deref`.
#[derive(Clone, Debug)]
pub(crate) struct PmField<const N: usize>(Field<N>);

impl<const N: usize> PmField<N> {
    /// `Some` exactly when `f` uses the pseudo-Mersenne reduction.
    pub(crate) fn new(f: &Field<N>) -> Option<Self> {
        (f.kind == Reduction::PseudoMersenne).then(|| PmField(f.clone()))
    }

    /// a + b.
    #[inline(always)]
    pub(crate) fn add(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        self.0.pm_add(a, b)
    }

    /// a - b.
    #[inline(always)]
    pub(crate) fn sub(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        self.0.pm_sub(a, b)
    }

    /// -a.
    #[inline(always)]
    pub(crate) fn neg(&self, a: &Fe<N>) -> Fe<N> {
        self.0.pm_sub(&[0; N], a)
    }

    /// 2a.
    #[inline(always)]
    pub(crate) fn double(&self, a: &Fe<N>) -> Fe<N> {
        self.0.pm_add(a, a)
    }

    /// a * b.
    #[inline(always)]
    pub(crate) fn mul(&self, a: &Fe<N>, b: &Fe<N>) -> Fe<N> {
        self.0.pm_reduce(&wide_mul(a, b))
    }

    /// a^2.
    #[inline(always)]
    pub(crate) fn square(&self, a: &Fe<N>) -> Fe<N> {
        self.0.pm_reduce(&wide_square(a))
    }
}

impl<const N: usize> std::ops::Deref for PmField<N> {
    type Target = Field<N>;

    fn deref(&self) -> &Field<N> {
        &self.0
    }
}

mod wide;

use wide::{leading_ones, row, wide_mul, wide_square};

#[cfg(test)]
mod tests;
