//! The complete formulas against the variable-time Jacobian additions (which handle every case
//! by branching), on a = -3 sets and on sets with another a, in every exceptional case.
#![allow(clippy::unwrap_used)]

use crate::Rng;
use crate::arith::complete::Projective;
use crate::arith::curve_impl::Curve;
use crate::arith::double_mul::mul_vartime;
use crate::arith::point::{Affine, CurveArith, Jacobian};
use crate::curve::params::{self, CurveConsts};

/// An affine point as projective, scaled by a random λ (so Z is not 1).
fn scaled<const N: usize>(arith: &CurveArith<N>, p: &Affine<N>, rng: &mut Rng) -> Projective<N> {
    let f = &arith.f;
    let lambda = f.element_u64(rng.next_u64() | 1);
    Projective {
        x: f.mul(&p.x, &lambda),
        y: f.mul(&p.y, &lambda),
        z: lambda,
    }
}

fn affine<const N: usize>(arith: &CurveArith<N>, p: &Jacobian<N>) -> Option<Affine<N>> {
    arith.to_affine(p)
}

fn check_curve<const N: usize>(consts: &CurveConsts<N>, seed: u64) {
    let curve = Curve::new(consts, None);
    let arith = &curve.arith;
    let mut rng = Rng::from_seed(seed);
    let point = |rng: &mut Rng| {
        let k: [u64; N] = core::array::from_fn(|_| rng.next_u64() >> 8);
        affine(arith, &mul_vartime(arith, &curve.base, &k)).unwrap()
    };
    for _ in 0..20 {
        let (p, q) = (point(&mut rng), point(&mut rng));
        let neg_q = Affine {
            x: q.x,
            y: arith.f.neg(&q.y),
        };
        // P + Q, Q + Q (a doubling), (-Q) + Q (the identity), O + Q.
        let cases = [
            (Some(p), q, arith.add_affine_vartime(&arith.lift(&p), &q)),
            (Some(q), q, arith.double(&arith.lift(&q))),
            (Some(neg_q), q, arith.identity()),
            (None, q, arith.lift(&q)),
        ];
        for (left, right, want) in cases {
            let left = match left {
                Some(a) => scaled(arith, &a, &mut rng),
                None => arith.projective_identity(),
            };
            let got = arith.projective_to_jacobian(&arith.add_affine_complete(&left, &right));
            assert_eq!(
                affine(arith, &got),
                affine(arith, &want),
                "a = -3: {}",
                arith.a_is_minus_3
            );
        }
    }
}

#[test]
fn complete_addition_matches_the_case_by_case_one() {
    // Algorithm 5 (a = -3): 256-B, 512-A; Algorithm 2 (other a): the test curves and the
    // Weierstrass forms of the Edwards sets.
    check_curve(&params::GOST_256_B, 1);
    check_curve(&params::GOST_512_A, 2);
    check_curve(&params::GOST_256_TEST, 3);
    check_curve(&params::GOST_512_C, 4);
}
