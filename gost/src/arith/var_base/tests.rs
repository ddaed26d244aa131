//! The constant-time variable-base multiplication against the variable-time wNAF one, on
//! a = -3 sets and others (the Edwards sets' Weierstrass form included), for random scalars and
//! the edge ones (0, 1, 2, q - 1, q, and scalars that make digits of ±16 and 0 runs); and the
//! complete projective addition in its exceptional cases.
#![allow(clippy::unwrap_used)]

use crate::Rng;
use crate::arith::complete::Projective;
use crate::arith::curve_impl::Curve;
use crate::arith::double_mul::mul_vartime;
use crate::arith::limbs;
use crate::arith::point::{Affine, CurveArith};
use crate::curve::params::{self, CurveConsts};

fn affine<const N: usize>(arith: &CurveArith<N>, p: &Projective<N>) -> Option<Affine<N>> {
    arith.to_affine(&arith.projective_to_jacobian(p))
}

fn check_curve<const N: usize>(consts: &CurveConsts<N>, seed: u64) {
    let curve = Curve::new(consts, None);
    let arith = &curve.arith;
    let bits = limbs::bit_len(&curve.q);
    let mut rng = Rng::from_seed(seed);
    let random_scalar = |rng: &mut Rng| -> [u64; N] {
        let mut k: [u64; N] = core::array::from_fn(|_| rng.next_u64());
        // Below 2^(bits - 1) < q.
        let top = (bits - 1) as usize;
        for (i, limb) in k.iter_mut().enumerate() {
            let lo = i * 64;
            if lo >= top {
                *limb = 0;
            } else if top - lo < 64 {
                *limb &= (1u64 << (top - lo)) - 1;
            }
        }
        k
    };
    let one: [u64; N] = core::array::from_fn(|i| u64::from(i == 0));
    let (q_minus_1, _) = limbs::sub(&curve.q, &one);
    let mut scalars = vec![[0u64; N], one, limbs::add(&one, &one).0, q_minus_1, curve.q];
    // Digits of 16 and runs of zero digits: 0x10 and 0x...8421 patterns.
    scalars.push(core::array::from_fn(|i| if i == 0 { 0x10 } else { 0 }));
    scalars.push(core::array::from_fn(|i| {
        if i + 1 < N { 0x8421_0842_1084_2108 } else { 0 }
    }));
    for _ in 0..12 {
        scalars.push(random_scalar(&mut rng));
    }
    for _ in 0..4 {
        let point = arith.to_affine(&mul_vartime(arith, &curve.base, &random_scalar(&mut rng)));
        let point = point.unwrap();
        for k in &scalars {
            let got = affine(arith, &arith.mul_var_base(&point, k, bits));
            let want = arith.to_affine(&mul_vartime(arith, &point, k));
            assert_eq!(got, want, "a = -3: {}, k = {k:x?}", arith.a_is_minus_3);
        }
    }
    // The complete addition's exceptional cases: P + P, P + (-P), O + P, P + O, O + O.
    let p = arith.to_affine(&mul_vartime(arith, &curve.base, &random_scalar(&mut rng)));
    let p = p.unwrap();
    let lift = |a: &Affine<N>, lambda: u64| {
        let l = arith.f.element_u64(lambda);
        Projective {
            x: arith.f.mul(&a.x, &l),
            y: arith.f.mul(&a.y, &l),
            z: l,
        }
    };
    let neg_p = Affine {
        x: p.x,
        y: arith.f.neg(&p.y),
    };
    let o = arith.projective_identity();
    let double = arith.to_affine(&arith.double(&arith.lift(&p)));
    assert_eq!(
        affine(arith, &arith.add_complete(&lift(&p, 3), &lift(&p, 7))),
        double
    );
    assert_eq!(
        affine(arith, &arith.add_complete(&lift(&p, 5), &lift(&neg_p, 9))),
        None
    );
    assert_eq!(
        affine(arith, &arith.add_complete(&o, &lift(&p, 11))),
        Some(p)
    );
    assert_eq!(
        affine(arith, &arith.add_complete(&lift(&p, 13), &o)),
        Some(p)
    );
    assert_eq!(affine(arith, &arith.add_complete(&o, &o)), None);
}

#[test]
fn variable_base_matches_the_variable_time_one() {
    check_curve(&params::GOST_256_B, 11);
    check_curve(&params::GOST_256_A, 12);
    check_curve(&params::GOST_512_A, 13);
    check_curve(&params::GOST_512_C, 14);
    check_curve(&params::GOST_256_TEST, 15);
}
