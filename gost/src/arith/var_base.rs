//! Constant-time k·Q for a variable point Q (VKO key agreement: the peer's public key times
//! our secret scalar), on the short Weierstrass form of every parameter set.
//!
//! Signed radix-2^5 digits (the recoding of `fixed_base.rs`), most significant first: five
//! doublings, then one addition of a table entry j·Q (j = 1..16) picked by a full scan with
//! masks and negated by mask. The additions and doublings are the complete projective formulas
//! of Renes-Costello-Batina (ePrint 2015/1060, Algorithm 4 for a = -3, Algorithm 1 for any a),
//! right for every pair of points including the identity and P = ±Q, so a zero digit adds the
//! identity and no case is branched on. Nothing secret selects a branch or an index.

use zeroize::Zeroizing;

use super::complete::Projective;
use super::field::Fe;
use super::fixed_base::{SignedDigits, digit_count};
use super::limbs;
use super::point::{Affine, CurveArith};

/// Window of the signed digits: a table of 2^(W-1) = 16 multiples of Q.
const WINDOW: u32 = 5;

impl<const N: usize> CurveArith<N> {
    /// P + Q for any projective P and Q, branch-free and complete (RCB 2015 Alg. 4 or 1).
    pub(crate) fn add_complete(&self, p: &Projective<N>, q: &Projective<N>) -> Projective<N> {
        let f = &self.f;
        let triple = |v: &Fe<N>| f.add(&f.double(v), v);
        // Steps 1-18 of both: the three products and the three cross sums.
        let xx = f.mul(&p.x, &q.x);
        let yy = f.mul(&p.y, &q.y);
        let zz = f.mul(&p.z, &q.z);
        let cross = |a1: &Fe<N>, b1: &Fe<N>, a2: &Fe<N>, b2: &Fe<N>, aa: &Fe<N>, bb: &Fe<N>| {
            f.sub(&f.mul(&f.add(a1, b1), &f.add(a2, b2)), &f.add(aa, bb))
        };
        let xy = cross(&p.x, &p.y, &q.x, &q.y, &xx, &yy);
        let yz = cross(&p.y, &p.z, &q.y, &q.z, &yy, &zz);
        let xz = cross(&p.x, &p.z, &q.x, &q.z, &xx, &zz);
        if self.a_is_minus_3 {
            // Algorithm 4, steps 19-43.
            let bzz3 = triple(&f.sub(&xz, &f.mul(&self.b, &zz)));
            let (yy_minus, yy_plus) = (f.sub(&yy, &bzz3), f.add(&yy, &bzz3));
            let zz3 = triple(&zz);
            let bxz3 = triple(&f.sub(&f.mul(&self.b, &xz), &f.add(&zz3, &xx)));
            let xx3_minus_zz3 = f.sub(&triple(&xx), &zz3);
            Projective {
                x: f.sub(&f.mul(&yy_plus, &xy), &f.mul(&yz, &bxz3)),
                y: f.add(&f.mul(&yy_plus, &yy_minus), &f.mul(&xx3_minus_zz3, &bxz3)),
                z: f.add(&f.mul(&yy_minus, &yz), &f.mul(&xy, &xx3_minus_zz3)),
            }
        } else {
            // Algorithm 1, steps 19-40.
            let b3 = triple(&self.b);
            let s = f.add(&f.mul(&self.a, &xz), &f.mul(&b3, &zz));
            let (yy_minus, yy_plus) = (f.sub(&yy, &s), f.add(&yy, &s));
            let azz = f.mul(&self.a, &zz);
            let xx3_plus_azz = f.add(&triple(&xx), &azz);
            let u = f.add(&f.mul(&b3, &xz), &f.mul(&self.a, &f.sub(&xx, &azz)));
            Projective {
                x: f.sub(&f.mul(&xy, &yy_minus), &f.mul(&yz, &u)),
                y: f.add(&f.mul(&yy_minus, &yy_plus), &f.mul(&xx3_plus_azz, &u)),
                z: f.add(&f.mul(&yz, &yy_plus), &f.mul(&xy, &xx3_plus_azz)),
            }
        }
    }

    /// k·Q in constant time in k, for an affine Q of the prime-order subgroup (a checked
    /// public key) and any `k < 2^(64N - 1)`; the identity when k·Q is (k ≡ 0 mod q).
    pub(crate) fn mul_var_base(
        &self,
        q: &Affine<N>,
        k: &[u64; N],
        scalar_bits: u32,
    ) -> Projective<N> {
        let f = &self.f;
        let half = 1usize << (WINDOW - 1);
        // The table j·Q, j = 1..16 (Q is public; the complete addition keeps it uniform).
        let q1 = Projective {
            x: q.x,
            y: q.y,
            z: f.one(),
        };
        let mut table = Vec::with_capacity(half);
        table.push(q1);
        for j in 1..half {
            table.push(self.add_complete(&table[j - 1], &q1));
        }
        // The digits, least significant first, then used from the top.
        let count = digit_count(scalar_bits, WINDOW);
        let mut digits = Zeroizing::new(vec![(0u64, 0u64); count]);
        let mut recoder = SignedDigits::new(k, WINDOW);
        for d in digits.iter_mut() {
            *d = recoder.next_digit();
        }
        let mut acc = self.projective_identity();
        for &(magnitude, negative) in digits.iter().rev() {
            for _ in 0..WINDOW {
                acc = self.add_complete(&acc, &acc);
            }
            let magnitude = std::hint::black_box(magnitude);
            // The identity unless a table entry matches; every entry is read.
            let mut entry = self.projective_identity();
            for (j, candidate) in table.iter().enumerate() {
                let hit = limbs::eq_mask(magnitude, j as u64 + 1);
                entry.x = limbs::select_mask(&entry.x, &candidate.x, hit);
                entry.y = limbs::select_mask(&entry.y, &candidate.y, hit);
                entry.z = limbs::select_mask(&entry.z, &candidate.z, hit);
            }
            let neg_y = f.neg(&entry.y);
            entry.y = limbs::select_mask(&entry.y, &neg_y, negative.wrapping_neg());
            acc = self.add_complete(&acc, &entry);
        }
        acc
    }
}

#[cfg(test)]
mod tests;
