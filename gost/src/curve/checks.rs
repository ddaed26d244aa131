//! Checks of the constants in `params`: each base point lies on its curve and has order q, and
//! the Weierstrass forms of the twisted Edwards sets follow from (e, d, u, v) as RFC 7836 App. A
//! (and GOST R 34.10-2012 §5.2) prescribe: s = (e - d)/4, t = (e + d)/6, a = s^2 - 3t^2,
//! b = 2t^3 - t·s^2, x = s(1 + v)/(1 - v) + t, y = s(1 + v)/((1 - v)·u).

use super::params::{self, CurveConsts, EdwardsConsts};
use crate::arith::curve_impl::Curve;
use crate::arith::double_mul;
use crate::arith::field::{Field, Reduction};

fn check_base_point<const N: usize>(c: &CurveConsts<N>) {
    let curve = Curve::new(c, None);
    assert!(
        curve.arith.is_on_curve(&curve.base),
        "base point not on the curve"
    );
    let q_p = double_mul::mul_vartime(&curve.arith, &curve.base, &c.q);
    assert!(bool::from(curve.arith.is_identity(&q_p)), "q·P is not O");
    let a_int = curve.arith.f.to_int(&curve.arith.a);
    let minus_3 = curve
        .arith
        .f
        .to_int(&curve.arith.f.neg(&curve.arith.f.element(&{
            let mut three = [0u64; N];
            three[0] = 3;
            three
        })));
    assert_eq!(c.a_is_minus_3, a_int == minus_3);
    assert_eq!(
        c.reduction == Reduction::PseudoMersenne,
        c.p[1..].iter().all(|&l| l == u64::MAX)
    );
}

#[test]
fn base_points_have_order_q() {
    for c in [
        &params::GOST_256_TEST,
        &params::GOST_256_A,
        &params::GOST_256_B,
        &params::GOST_256_C,
        &params::GOST_256_D,
    ] {
        check_base_point(c);
    }
    for c in [
        &params::GOST_512_TEST,
        &params::GOST_512_A,
        &params::GOST_512_B,
        &params::GOST_512_C,
    ] {
        check_base_point(c);
    }
}

fn check_edwards<const N: usize>(w: &CurveConsts<N>, ed: &EdwardsConsts<N>) {
    let f = Field::new(w.p, Reduction::Montgomery);
    let (e, d, u, v) = (
        f.element(&ed.e),
        f.element(&ed.d),
        f.element(&ed.u),
        f.element(&ed.v),
    );
    let one = f.one();
    let s = f.mul(&f.sub(&e, &d), &f.invert(&f.element_u64(4)));
    let t = f.mul(&f.add(&e, &d), &f.invert(&f.element_u64(6)));
    let s2 = f.square(&s);
    let t2 = f.square(&t);
    let a = f.sub(&s2, &f.mul(&f.element_u64(3), &t2));
    let b = f.sub(&f.mul(&f.element_u64(2), &f.mul(&t2, &t)), &f.mul(&t, &s2));
    let s_1v = f.mul(&s, &f.add(&one, &v));
    let inv_1mv = f.invert(&f.sub(&one, &v));
    let x = f.add(&f.mul(&s_1v, &inv_1mv), &t);
    let y = f.mul(&s_1v, &f.invert(&f.mul(&f.sub(&one, &v), &u)));
    assert_eq!(f.to_int(&a), w.a, "a");
    assert_eq!(f.to_int(&b), w.b, "b");
    assert_eq!(f.to_int(&x), w.x, "x");
    assert_eq!(f.to_int(&y), w.y, "y");
    // (u, v) is on the Edwards curve e·u^2 + v^2 = 1 + d·u^2·v^2.
    let u2 = f.square(&u);
    let v2 = f.square(&v);
    assert_eq!(
        f.add(&f.mul(&e, &u2), &v2),
        f.add(&one, &f.mul(&d, &f.mul(&u2, &v2)))
    );
}

#[test]
fn edwards_sets_map_to_their_weierstrass_form() {
    check_edwards(&params::GOST_256_A, &params::GOST_256_A_EDWARDS);
    check_edwards(&params::GOST_512_C, &params::GOST_512_C_EDWARDS);
}

fn check_edwards_base<const N: usize>(w: &CurveConsts<N>, ed: &EdwardsConsts<N>) {
    let curve = Curve::new(w, None);
    let edwards = crate::arith::edwards::Edwards::new(
        &curve.arith.f,
        &ed.d,
        &curve.base,
        crate::arith::limbs::bit_len(&curve.q),
    )
    .unwrap();
    assert_eq!(
        edwards.base_uv(),
        (ed.u, ed.v),
        "base point maps to RFC 7836's (u, v)"
    );
    // The Edwards and Weierstrass computations agree on k·P.
    let k: [u64; N] =
        core::array::from_fn(|i| 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1) >> 3);
    let plain = Curve::new(w, None);
    assert_eq!(edwards.mul_base(&k), plain.mul_base(&k).ok());
}

#[test]
fn edwards_arithmetic_matches_weierstrass() {
    check_edwards_base(&params::GOST_256_A, &params::GOST_256_A_EDWARDS);
    check_edwards_base(&params::GOST_512_C, &params::GOST_512_C_EDWARDS);
}
