//! One parameter set ready for computing: field, scalar field, base point and lazy tables,
//! with the GOST R 34.10-2012 signature algorithms (RFC 7091 §6.1, §6.2) on integers.

use std::sync::OnceLock;

use subtle::Choice;
use zeroize::Zeroize;

use super::double_mul::{self, BASE_WINDOW};
use super::edwards::Edwards;
use super::field::{Field, Reduction};
use super::fixed_base::{FIXED_WINDOW, FixedBaseTable};
use super::inverse;
use super::key_tables::KeyTables;
use super::limbs;
use super::point::{Affine, CurveArith, Jacobian};
use crate::Error;
use crate::curve::params::CurveConsts;

/// A signature (r, s) as integers, or `None` when r or s came out 0 (RFC 7091 §6.1 steps 4-5:
/// pick another k).
pub(crate) type MaybeSignature<const N: usize> = Option<([u64; N], [u64; N])>;

/// A parameter set's arithmetic.
pub(crate) struct Curve<const N: usize> {
    pub(crate) arith: CurveArith<N>,
    /// Z/qZ, Montgomery form.
    pub(crate) scalar: Field<N>,
    pub(crate) q: [u64; N],
    pub(crate) base: Affine<N>,
    pub(crate) cofactor: u64,
    fixed: OnceLock<Option<FixedBaseTable<N>>>,
    base_odd: OnceLock<Option<Vec<Affine<N>>>>,
    /// Tables of the public keys that verify often (Weierstrass sets).
    key_tables: KeyTables<N>,
    /// The Edwards coefficient d (with e = 1) for the twisted Edwards sets, whose signing and
    /// verification run in Edwards form.
    edwards_d: Option<[u64; N]>,
    edwards: OnceLock<Option<Edwards<N>>>,
}

impl<const N: usize> Curve<N> {
    /// From the constants of `curve::params`.
    /// `edwards_d`: the d of RFC 7836's twisted Edwards form when e = 1 (256-A, 512-C).
    pub(crate) fn new(c: &CurveConsts<N>, edwards_d: Option<[u64; N]>) -> Self {
        let f = Field::new(c.p, c.reduction);
        let arith = CurveArith {
            a: f.element(&c.a),
            b: f.element(&c.b),
            a_is_minus_3: c.a_is_minus_3,
            f,
        };
        let base = Affine {
            x: arith.f.element(&c.x),
            y: arith.f.element(&c.y),
        };
        Curve {
            scalar: Field::new(c.q, Reduction::Montgomery),
            q: c.q,
            base,
            cofactor: c.cofactor,
            arith,
            fixed: OnceLock::new(),
            base_odd: OnceLock::new(),
            key_tables: KeyTables::new(),
            edwards_d,
            edwards: OnceLock::new(),
        }
    }

    fn fixed_table(&self) -> Option<&FixedBaseTable<N>> {
        self.fixed
            .get_or_init(|| {
                FixedBaseTable::new(
                    &self.arith,
                    &self.base,
                    FIXED_WINDOW,
                    limbs::bit_len(&self.q),
                )
            })
            .as_ref()
    }

    fn base_odd_multiples(&self) -> Option<&[Affine<N>]> {
        self.base_odd
            .get_or_init(|| {
                let odd = double_mul::odd_multiples(
                    &self.arith,
                    &self.arith.lift(&self.base),
                    BASE_WINDOW,
                );
                self.arith.batch_to_affine(&odd)
            })
            .as_deref()
    }

    fn edwards(&self) -> Option<&Edwards<N>> {
        let d = self.edwards_d.as_ref()?;
        self.edwards
            .get_or_init(|| Edwards::new(&self.arith.f, d, &self.base, limbs::bit_len(&self.q)))
            .as_ref()
    }

    /// k·P for the base point in affine form, constant time in k (`0 < k < q`).
    pub(crate) fn mul_base(&self, k: &[u64; N]) -> Result<Affine<N>, Error> {
        if self.edwards_d.is_some() {
            let ed = self.edwards().ok_or(Error::BasePointMultiplication(
                "the Edwards-form tables of the parameter set did not build",
            ))?;
            return ed.mul_base(k).ok_or(Error::BasePointMultiplication(
                "k·P has no Weierstrass affine form (k is a multiple of the order)",
            ));
        }
        let table = self.fixed_table().ok_or(Error::BasePointMultiplication(
            "the fixed-base table of the parameter set did not build",
        ))?;
        self.arith
            .to_affine(&table.mul(&self.arith, k))
            .ok_or(Error::BasePointMultiplication(
                "k·P is the identity (k is a multiple of the order)",
            ))
    }

    /// Q = d·P as integers (x, y).
    pub(crate) fn public_key(&self, d: &[u64; N]) -> Result<([u64; N], [u64; N]), Error> {
        let q = self.mul_base(d)?;
        Ok((self.arith.f.to_int(&q.x), self.arith.f.to_int(&q.y)))
    }

    /// `0 < k < q` in constant time.
    pub(crate) fn is_valid_scalar(&self, k: &[u64; N]) -> Choice {
        !limbs::is_zero(k) & limbs::ct_lt(k, &self.q)
    }

    /// RFC 7091 §6.1 step 2: e = alpha mod q, and e = 1 if that is 0 (Montgomery form).
    fn digest_scalar(&self, alpha: &[u64; N]) -> [u64; N] {
        let sc = &self.scalar;
        let e = sc.reduce_int(alpha);
        limbs::select(&e, &sc.one(), limbs::is_zero(&e))
    }

    /// RFC 7091 §6.1 steps 2, 4-6 for `alpha` (digest as integer), key d and nonce k (both
    /// `0 < . < q`, checked by the caller). Returns (r, s), or `Ok(None)` when r or s is 0 and
    /// the caller must pick another k (step 4/5 "return to step 3").
    pub(crate) fn sign(
        &self,
        d: &[u64; N],
        alpha: &[u64; N],
        k: &[u64; N],
    ) -> Result<MaybeSignature<N>, Error> {
        let sc = &self.scalar;
        // Step 2: e = alpha mod q; if e = 0 then e = 1.
        let mut e = self.digest_scalar(alpha);
        // Step 4: C = k·P; r = x_C mod q; if r = 0, back to step 3.
        let c = self.mul_base(k)?;
        let x_c = self.arith.f.to_int(&c.x);
        let r_mont = sc.reduce_int(&x_c);
        let r = sc.to_int(&r_mont);
        // Step 5: s = (r·d + k·e) mod q; if s = 0, back to step 3.
        let mut d_mont = sc.element(d);
        let mut k_mont = sc.element(k);
        let mut rd = sc.mul(&r_mont, &d_mont);
        let mut ke = sc.mul(&k_mont, &e);
        let s = sc.to_int(&sc.add(&rd, &ke));
        d_mont.zeroize();
        k_mont.zeroize();
        rd.zeroize();
        ke.zeroize();
        e.zeroize();
        // Step 6: the signature is (r, s) (encoded by `Signature`).
        if bool::from(limbs::is_zero(&r) | limbs::is_zero(&s)) {
            return Ok(None);
        }
        Ok(Some((r, s)))
    }

    /// RFC 7091 §6.2 steps 2-7 for a public key (x, y) already validated, `alpha` the digest as
    /// an integer, and (r, s) already checked to be in (0, q) (step 1).
    pub(crate) fn verify(
        &self,
        qx: &[u64; N],
        qy: &[u64; N],
        alpha: &[u64; N],
        r: &[u64; N],
        s: &[u64; N],
    ) -> bool {
        let sc = &self.scalar;
        // Step 2-3: e = alpha mod q (1 if 0).
        let e = self.digest_scalar(alpha);
        // Step 4: v = e^-1 mod q (e is public here: variable-time inversion).
        let Some(v) = inverse::invert_vartime(&sc.to_int(&e), &self.q) else {
            return false;
        };
        let v = sc.element(&v);
        // Step 5: z1 = s·v mod q, z2 = -r·v mod q.
        let z1 = sc.to_int(&sc.mul(&sc.element(s), &v));
        let z2 = sc.to_int(&sc.neg(&sc.mul(&sc.element(r), &v)));
        // Step 6: C = z1·P + z2·Q.
        let q_point = Affine {
            x: self.arith.f.element(qx),
            y: self.arith.f.element(qy),
        };
        if self.edwards_d.is_some() {
            return self
                .edwards()
                .is_some_and(|ed| ed.verify_x(&z1, &q_point, &z2, r, &self.q));
        }
        let c = if let (Some(q_table), Some(p_table)) = (
            self.key_tables
                .for_key(&self.arith, &q_point, limbs::bit_len(&self.q)),
            self.fixed_table(),
        ) {
            let c = p_table.add_mul_vartime(&self.arith, self.arith.identity(), &z1);
            q_table.add_mul_vartime(&self.arith, c, &z2)
        } else {
            let Some(g_odd) = self.base_odd_multiples() else {
                return false;
            };
            double_mul::double_mul_vartime(&self.arith, g_odd, &z1, &q_point, &z2)
        };
        // Steps 6-7: R = x_C mod q, accept iff R = r. With x_C = X/Z^2 and x_C < p, that is
        // X = (r + j·q)·Z^2 for some j >= 0 with r + j·q < p: no field inversion needed.
        self.x_matches_mod_q(&c, r)
    }

    /// For tests: z1·P + z2·Q for a public key Q, by the interleaved wNAF and by the two
    /// fixed-base tables (built here whatever Q's history), both in affine form.
    #[cfg(test)]
    pub(crate) fn double_mul_both_ways(
        &self,
        qx: &[u64; N],
        qy: &[u64; N],
        z1: &[u64; N],
        z2: &[u64; N],
    ) -> (Option<Affine<N>>, Option<Affine<N>>) {
        let q = Affine {
            x: self.arith.f.element(qx),
            y: self.arith.f.element(qy),
        };
        let wnaf = self.base_odd_multiples().and_then(|g_odd| {
            self.arith.to_affine(&double_mul::double_mul_vartime(
                &self.arith,
                g_odd,
                z1,
                &q,
                z2,
            ))
        });
        let bits = limbs::bit_len(&self.q);
        let tables = FixedBaseTable::new(&self.arith, &q, FIXED_WINDOW, bits)
            .zip(self.fixed_table())
            .and_then(|(q_table, p_table)| {
                let c = p_table.add_mul_vartime(&self.arith, self.arith.identity(), z1);
                self.arith
                    .to_affine(&q_table.add_mul_vartime(&self.arith, c, z2))
            });
        (wnaf, tables)
    }

    /// For tests: whether the public key (x, y) has a table.
    #[cfg(test)]
    pub(crate) fn has_key_table(&self, qx: &[u64; N], qy: &[u64; N]) -> bool {
        let q = Affine {
            x: self.arith.f.element(qx),
            y: self.arith.f.element(qy),
        };
        self.key_tables.has(&q)
    }

    /// Whether the affine x of C, reduced mod q, equals r (public values).
    fn x_matches_mod_q(&self, c: &Jacobian<N>, r: &[u64; N]) -> bool {
        let f = &self.arith.f;
        if bool::from(self.arith.is_identity(c)) {
            return false;
        }
        let zz = f.square(&c.z);
        let mut candidate = *r;
        while limbs::lt_vartime(&candidate, f.modulus()) {
            if bool::from(f.ct_eq(&f.mul(&f.element(&candidate), &zz), &c.x)) {
                return true;
            }
            let (next, carry) = limbs::add(&candidate, &self.q);
            if carry != 0 {
                break;
            }
            candidate = next;
        }
        false
    }

    /// Whether (x, y), as integers, is a point of the prime-order subgroup other than O:
    /// coordinates below p, on the curve, and (for cofactor 4 sets) q·Q = O.
    pub(crate) fn is_valid_public_point(&self, x: &[u64; N], y: &[u64; N]) -> bool {
        let p = self.arith.f.modulus();
        if !limbs::lt_vartime(x, p) || !limbs::lt_vartime(y, p) {
            return false;
        }
        let point = Affine {
            x: self.arith.f.element(x),
            y: self.arith.f.element(y),
        };
        if !self.arith.is_on_curve(&point) {
            return false;
        }
        if self.cofactor != 1 {
            let q_times = double_mul::mul_vartime(&self.arith, &point, &self.q);
            return bool::from(self.arith.is_identity(&q_times));
        }
        true
    }
}
