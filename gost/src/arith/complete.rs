//! Complete mixed addition on short Weierstrass curves of odd order, in homogeneous projective
//! coordinates (x = X/Z, y = Y/Z, the identity (0 : 1 : 0)): Renes, Costello and Batina,
//! "Complete addition formulas for prime order elliptic curves", EUROCRYPT 2016 (ePrint
//! 2015/1060), Algorithm 5 for a = -3 (11M + 2 products by b) and Algorithm 2 for any a
//! (11M + 3 products by a + 2 by 3b), as RustCrypto's `primeorder/src/point_arithmetic.rs`.
//!
//! Why: the constant-time fixed-base comb (`fixed_base.rs`) used `madd-2007-bl`, wrong for
//! P = Q, and excluded that case by a probability argument (about 2^-240 for random scalars).
//! These formulas give the right sum for every P, including the identity, P = Q and P = -Q
//! (on the odd-order subgroup every GOST base point generates), so no argument is needed.
//! They cost more products per addition; gost/README.md has the measured price.

use super::field::Fe;
use super::point::{Affine, CurveArith, Jacobian};

/// A point in homogeneous projective coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Projective<const N: usize> {
    pub(crate) x: Fe<N>,
    pub(crate) y: Fe<N>,
    pub(crate) z: Fe<N>,
}

impl<const N: usize> CurveArith<N> {
    /// The identity (0 : 1 : 0).
    pub(crate) fn projective_identity(&self) -> Projective<N> {
        Projective {
            x: self.f.zero(),
            y: self.f.one(),
            z: self.f.zero(),
        }
    }

    /// The same point in Jacobian coordinates: (X·Z : Y·Z^2 : Z), since X·Z/Z^2 = X/Z and
    /// Y·Z^2/Z^3 = Y/Z; the identity (Z = 0) stays the identity.
    pub(crate) fn projective_to_jacobian(&self, p: &Projective<N>) -> Jacobian<N> {
        let f = &self.f;
        Jacobian {
            x: f.mul(&p.x, &p.z),
            y: f.mul(&p.y, &f.square(&p.z)),
            z: p.z,
        }
    }

    /// P + Q for any P and an affine Q, branch-free and complete (RCB 2015 Alg. 5 or 2).
    pub(crate) fn add_affine_complete(&self, p: &Projective<N>, q: &Affine<N>) -> Projective<N> {
        let f = &self.f;
        let triple = |v: &Fe<N>| f.add(&f.double(v), v);
        // Shared by both algorithms (their steps 1-11): the products X1·x2 and Y1·y2, the cross
        // sum X1·y2 + Y1·x2, and the lifted sums X1 + x2·Z1 and Y1 + y2·Z1.
        let xx = f.mul(&p.x, &q.x);
        let yy = f.mul(&p.y, &q.y);
        let xy = f.sub(
            &f.mul(&f.add(&p.x, &p.y), &f.add(&q.x, &q.y)),
            &f.add(&xx, &yy),
        );
        let xz = f.add(&f.mul(&q.x, &p.z), &p.x);
        let yz = f.add(&f.mul(&q.y, &p.z), &p.y);
        if self.a_is_minus_3 {
            // Algorithm 5, steps 12-36.
            let bz3 = triple(&f.sub(&xz, &f.mul(&self.b, &p.z)));
            let (yy_minus, yy_plus) = (f.sub(&yy, &bz3), f.add(&yy, &bz3));
            let z3 = triple(&p.z);
            let bxz3 = triple(&f.sub(&f.mul(&self.b, &xz), &f.add(&z3, &xx)));
            let xx3_minus_z3 = f.sub(&triple(&xx), &z3);
            Projective {
                x: f.sub(&f.mul(&yy_plus, &xy), &f.mul(&yz, &bxz3)),
                y: f.add(&f.mul(&yy_plus, &yy_minus), &f.mul(&xx3_minus_z3, &bxz3)),
                z: f.add(&f.mul(&yy_minus, &yz), &f.mul(&xy, &xx3_minus_z3)),
            }
        } else {
            // Algorithm 2, steps 12-33.
            let b3 = triple(&self.b);
            let az = f.mul(&self.a, &p.z);
            let s = f.add(&f.mul(&self.a, &xz), &f.mul(&b3, &p.z));
            let (yy_minus, yy_plus) = (f.sub(&yy, &s), f.add(&yy, &s));
            let xx3_plus_az = f.add(&triple(&xx), &az);
            let u = f.add(&f.mul(&b3, &xz), &f.mul(&self.a, &f.sub(&xx, &az)));
            Projective {
                x: f.sub(&f.mul(&xy, &yy_minus), &f.mul(&yz, &u)),
                y: f.add(&f.mul(&yy_minus, &yy_plus), &f.mul(&xx3_plus_az, &u)),
                z: f.add(&f.mul(&yz, &yy_plus), &f.mul(&xy, &xx3_plus_az)),
            }
        }
    }
}

#[cfg(test)]
mod tests;
