//! Short Weierstrass points `y^2 = x^3 + a x + b` in Jacobian coordinates
//! (x = X/Z^2, y = Y/Z^3, Z = 0 the identity). Formulas from the Explicit-Formulas Database
//! (hyperelliptic.org/EFD/g1p/auto-shortw-jacobian*.html), names as there.

use subtle::Choice;

use super::field::{Fe, Field};
use super::limbs;

/// An affine point (never the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Affine<const N: usize> {
    pub(crate) x: Fe<N>,
    pub(crate) y: Fe<N>,
}

/// A Jacobian point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jacobian<const N: usize> {
    pub(crate) x: Fe<N>,
    pub(crate) y: Fe<N>,
    pub(crate) z: Fe<N>,
}

/// The curve equation's field and coefficients, in the field's internal form.
#[derive(Clone, Debug)]
pub(crate) struct CurveArith<const N: usize> {
    pub(crate) f: Field<N>,
    pub(crate) a: Fe<N>,
    pub(crate) b: Fe<N>,
    /// a = -3: doubling uses the cheaper `dbl-2001-b`.
    pub(crate) a_is_minus_3: bool,
}

impl<const N: usize> CurveArith<N> {
    /// The identity.
    pub(crate) fn identity(&self) -> Jacobian<N> {
        Jacobian {
            x: self.f.one(),
            y: self.f.one(),
            z: self.f.zero(),
        }
    }

    /// Lifts an affine point (Z = 1).
    pub(crate) fn lift(&self, p: &Affine<N>) -> Jacobian<N> {
        Jacobian {
            x: p.x,
            y: p.y,
            z: self.f.one(),
        }
    }

    /// Whether (x, y) satisfies the curve equation.
    pub(crate) fn is_on_curve(&self, p: &Affine<N>) -> bool {
        let f = &self.f;
        let lhs = f.square(&p.y);
        let x2 = f.square(&p.x);
        let rhs = f.add(&f.mul(&f.add(&x2, &self.a), &p.x), &self.b);
        bool::from(f.ct_eq(&lhs, &rhs))
    }

    /// Whether a point is the identity.
    pub(crate) fn is_identity(&self, p: &Jacobian<N>) -> Choice {
        self.f.is_zero(&p.z)
    }

    /// -P.
    pub(crate) fn neg(&self, p: &Jacobian<N>) -> Jacobian<N> {
        Jacobian {
            x: p.x,
            y: self.f.neg(&p.y),
            z: p.z,
        }
    }

    /// 2P; branch-free, and the identity doubles to the identity (Z3 = 2YZ).
    pub(crate) fn double(&self, p: &Jacobian<N>) -> Jacobian<N> {
        let f = &self.f;
        if self.a_is_minus_3 {
            // dbl-2001-b
            let delta = f.square(&p.z);
            let gamma = f.square(&p.y);
            let beta = f.mul(&p.x, &gamma);
            let t = f.mul(&f.sub(&p.x, &delta), &f.add(&p.x, &delta));
            let alpha = f.add(&f.double(&t), &t);
            let beta4 = f.double(&f.double(&beta));
            let x3 = f.sub(&f.square(&alpha), &f.double(&beta4));
            let yz = f.add(&p.y, &p.z);
            let z3 = f.sub(&f.sub(&f.square(&yz), &gamma), &delta);
            let gamma2 = f.square(&gamma);
            let gamma2_8 = f.double(&f.double(&f.double(&gamma2)));
            let y3 = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &gamma2_8);
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            // dbl-2007-bl
            let xx = f.square(&p.x);
            let yy = f.square(&p.y);
            let yyyy = f.square(&yy);
            let zz = f.square(&p.z);
            let xyy = f.add(&p.x, &yy);
            let s = f.double(&f.sub(&f.sub(&f.square(&xyy), &xx), &yyyy));
            let m = f.add(&f.add(&f.double(&xx), &xx), &f.mul(&self.a, &f.square(&zz)));
            let t = f.sub(&f.square(&m), &f.double(&s));
            let yyyy8 = f.double(&f.double(&f.double(&yyyy)));
            let y3 = f.sub(&f.mul(&m, &f.sub(&s, &t)), &yyyy8);
            let yz = f.add(&p.y, &p.z);
            let z3 = f.sub(&f.sub(&f.square(&yz), &yy), &zz);
            Jacobian { x: t, y: y3, z: z3 }
        }
    }

    /// P + Q with Q affine (`madd-2007-bl`), branch-free, from its first products Z1^2,
    /// U2 = X2·Z1^2 and S2 = Y2·Z1^3 (which `add_affine_vartime` computes to tell the special
    /// cases apart). Correct when P is the identity (the result is then Q) and when P = -Q (the
    /// identity); P = Q gives a wrong result, which its caller checks for.
    fn finish_add_affine(
        &self,
        p: &Jacobian<N>,
        q: &Affine<N>,
        z1z1: &Fe<N>,
        u2: &Fe<N>,
        s2: &Fe<N>,
    ) -> Jacobian<N> {
        let f = &self.f;
        let (z1z1, u2, s2) = (*z1z1, *u2, *s2);
        let h = f.sub(&u2, &p.x);
        let hh = f.square(&h);
        let i = f.double(&f.double(&hh));
        let j = f.mul(&h, &i);
        let r = f.double(&f.sub(&s2, &p.y));
        let v = f.mul(&p.x, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y1j = f.mul(&p.y, &j);
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&y1j));
        let zh = f.add(&p.z, &h);
        let z3 = f.sub(&f.sub(&f.square(&zh), &z1z1), &hh);
        // P = O: the formulas give garbage, so take Q (lifted) instead, by mask.
        let p_is_identity = f.zero_mask(&p.z);
        let one = self.f.one();
        Jacobian {
            x: limbs::select_mask(&x3, &q.x, p_is_identity),
            y: limbs::select_mask(&y3, &q.y, p_is_identity),
            z: limbs::select_mask(&z3, &one, p_is_identity),
        }
    }

    /// P + Q for public points (variable time), handling every case.
    pub(crate) fn add_vartime(&self, p: &Jacobian<N>, q: &Jacobian<N>) -> Jacobian<N> {
        let f = &self.f;
        if bool::from(self.is_identity(p)) {
            return *q;
        }
        if bool::from(self.is_identity(q)) {
            return *p;
        }
        // add-2007-bl
        let z1z1 = f.square(&p.z);
        let z2z2 = f.square(&q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&f.mul(&p.y, &q.z), &z2z2);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        let h = f.sub(&u2, &u1);
        let r = f.double(&f.sub(&s2, &s1));
        if bool::from(f.is_zero(&h)) {
            return if bool::from(f.is_zero(&r)) {
                self.double(p)
            } else {
                self.identity()
            };
        }
        let i = f.square(&f.double(&h));
        let j = f.mul(&h, &i);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let s1j = f.mul(&s1, &j);
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&s1j));
        let zz = f.add(&p.z, &q.z);
        let z3 = f.mul(&f.sub(&f.sub(&f.square(&zz), &z1z1), &z2z2), &h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// P + Q with Q affine, for public points (variable time), handling every case.
    pub(crate) fn add_affine_vartime(&self, p: &Jacobian<N>, q: &Affine<N>) -> Jacobian<N> {
        if bool::from(self.is_identity(p)) {
            return self.lift(q);
        }
        let f = &self.f;
        let z1z1 = f.square(&p.z);
        let u2 = f.mul(&q.x, &z1z1);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        if bool::from(f.ct_eq(&u2, &p.x)) {
            return if bool::from(f.ct_eq(&s2, &p.y)) {
                self.double(p)
            } else {
                self.identity()
            };
        }
        self.finish_add_affine(p, q, &z1z1, &u2, &s2)
    }

    /// To affine (one constant-time inversion); `None` for the identity.
    pub(crate) fn to_affine(&self, p: &Jacobian<N>) -> Option<Affine<N>> {
        if bool::from(self.is_identity(p)) {
            return None;
        }
        let f = &self.f;
        let zinv = f.invert(&p.z);
        let zinv2 = f.square(&zinv);
        Some(Affine {
            x: f.canonical(&f.mul(&p.x, &zinv2)),
            y: f.canonical(&f.mul(&p.y, &f.mul(&zinv2, &zinv))),
        })
    }

    /// Many points to affine with one inversion (Montgomery's trick); public points only.
    /// The identity is not allowed (it has no affine form); `None` if one is present.
    pub(crate) fn batch_to_affine(&self, points: &[Jacobian<N>]) -> Option<Vec<Affine<N>>> {
        let f = &self.f;
        let mut prefix = Vec::with_capacity(points.len());
        let mut acc = f.one();
        for p in points {
            if bool::from(self.is_identity(p)) {
                return None;
            }
            prefix.push(acc);
            acc = f.mul(&acc, &p.z);
        }
        let mut inv = f.invert(&acc);
        let mut out = vec![
            Affine {
                x: f.zero(),
                y: f.zero()
            };
            points.len()
        ];
        for (k, p) in points.iter().enumerate().rev() {
            let zinv = f.mul(&inv, &prefix[k]);
            inv = f.mul(&inv, &p.z);
            let zinv2 = f.square(&zinv);
            out[k] = Affine {
                x: f.canonical(&f.mul(&p.x, &zinv2)),
                y: f.canonical(&f.mul(&p.y, &f.mul(&zinv2, &zinv))),
            };
        }
        Some(out)
    }
}
