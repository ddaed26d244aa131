//! Unit tests of the field arithmetic (and an ignored timing helper).

use super::*;
use crate::arith::limbs::hex;

fn check_field<const N: usize>(p: [u64; N], kind: Reduction) {
    let f = Field::new(p, kind);
    let g = Field::new(p, Reduction::Montgomery);
    let mut x = [0u64; N];
    let mut limb = 0x0123_4567_89AB_CDEFu64;
    for v in x.iter_mut() {
        *v = limb;
        limb = limb.rotate_left(7);
    }
    let x = f.reduce_int(&x);
    let y = f.element_u64(12345);
    // x * y computed both ways agrees; x * x^-1 = 1; squaring equals multiplying.
    let xy = f.to_int(&f.mul(&x, &y));
    let xy2 = g.to_int(&g.mul(&g.element(&f.to_int(&x)), &g.element(&f.to_int(&y))));
    assert_eq!(xy, xy2);
    assert_eq!(f.to_int(&f.mul(&x, &f.invert(&x))), f.to_int(&f.one()));
    assert_eq!(f.to_int(&f.square(&x)), f.to_int(&f.mul(&x, &x)));
    let minus_one = f.neg(&f.one());
    assert_eq!(f.to_int(&f.square(&minus_one)), f.to_int(&f.one()));
    assert_eq!(f.to_int(&f.add(&minus_one, &f.one())), [0; N]);
}

#[test]
fn pseudo_mersenne_matches_montgomery() {
    check_field::<4>(
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97"),
        Reduction::PseudoMersenne,
    );
    check_field::<8>(
        hex(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
        ),
        Reduction::PseudoMersenne,
    );
    check_field::<4>(
        hex("9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B"),
        Reduction::Montgomery,
    );
}

/// The lazy pseudo-Mersenne representation: values between p and 2^(64N) (the same residues
/// as 0 .. c) go through every operation and come out right, and compare equal to their
/// reduced forms.
#[test]
fn pseudo_mersenne_unreduced_values() {
    let p: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97");
    let f = Field::new(p, Reduction::PseudoMersenne);
    let g = Field::new(p, Reduction::Montgomery);
    let unreduced = [p, limbs::add(&p, &[5, 0, 0, 0]).0, [u64::MAX; 4]];
    let reduced = [[0u64; 4], [5, 0, 0, 0], [616, 0, 0, 0]];
    let others = [
        [0u64; 4],
        [1, 0, 0, 0],
        limbs::sub_small(p, 1),
        [u64::MAX, 7, 0, 1 << 62],
    ];
    for (u, r) in unreduced.iter().zip(&reduced) {
        assert_eq!(f.to_int(u), *r);
        assert!(bool::from(f.ct_eq(u, r)));
        assert_eq!(bool::from(f.is_zero(u)), *r == [0; 4]);
        for o in &others {
            let (gr, go) = (g.element(r), g.element(o));
            assert_eq!(f.to_int(&f.add(u, o)), g.to_int(&g.add(&gr, &go)));
            assert_eq!(f.to_int(&f.add(o, u)), g.to_int(&g.add(&go, &gr)));
            assert_eq!(f.to_int(&f.sub(u, o)), g.to_int(&g.sub(&gr, &go)));
            assert_eq!(f.to_int(&f.sub(o, u)), g.to_int(&g.sub(&go, &gr)));
            assert_eq!(f.to_int(&f.mul(u, o)), g.to_int(&g.mul(&gr, &go)));
            assert_eq!(f.to_int(&f.add(u, u)), g.to_int(&g.add(&gr, &gr)));
            assert_eq!(f.to_int(&f.square(u)), g.to_int(&g.square(&gr)));
        }
    }
    // Sums and differences that carry or borrow twice.
    let top = [u64::MAX; 4];
    let small = [3u64, 0, 0, 0];
    let (gt, gs) = (g.element(&[616, 0, 0, 0]), g.element(&small));
    assert_eq!(f.to_int(&f.add(&top, &top)), g.to_int(&g.add(&gt, &gt)));
    assert_eq!(f.to_int(&f.sub(&small, &top)), g.to_int(&g.sub(&gs, &gt)));
    assert_eq!(f.to_int(&f.mul(&top, &top)), g.to_int(&g.mul(&gt, &gt)));
}

/// The sparse Montgomery reduction (p = p_0 + p_top·2^(64(N-1))) agrees with the dense one.
fn check_sparse<const N: usize>(p: [u64; N]) {
    let sparse = Field::new(p, Reduction::Montgomery);
    assert!(sparse.sparse);
    let mut dense = sparse.clone();
    dense.sparse = false;
    let pm1 = limbs::sub_small(p, 1);
    let mut x = [0u64; N];
    let mut limb = 0x0F1E_2D3C_4B5A_6978u64;
    for v in x.iter_mut() {
        *v = limb;
        limb = limb.rotate_left(11) ^ 0x9E37_79B9_7F4A_7C15;
    }
    let x = sparse.reduce_int(&x);
    for a in [x, pm1, sparse.one(), sparse.element_u64(2)] {
        for b in [x, pm1, sparse.element(&pm1), sparse.zero()] {
            assert_eq!(sparse.mul(&a, &b), dense.mul(&a, &b));
            assert_eq!(sparse.square(&a), dense.square(&a));
        }
        assert_eq!(sparse.to_int(&a), dense.to_int(&a));
        assert_eq!(sparse.invert(&a), dense.invert(&a));
    }
}

#[test]
fn sparse_montgomery_matches_dense() {
    // tc26-256-C and tc26-512-B, whose p are 2^255 + 3225 and 2^511 + 111.
    check_sparse(crate::curve::params::GOST_256_C.p);
    check_sparse(crate::curve::params::GOST_512_B.p);
    let dense = Field::new(
        hex::<4>("9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B"),
        Reduction::Montgomery,
    );
    assert!(!dense.sparse);
}

#[test]
fn pseudo_mersenne_edge_values() {
    let p: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97");
    let f = Field::new(p, Reduction::PseudoMersenne);
    let g = Field::new(p, Reduction::Montgomery);
    let pm1 = limbs::sub_small(p, 1);
    for v in [
        pm1,
        limbs::sub_small(p, 2),
        [u64::MAX, 0, 0, 0],
        [0, 0, 0, 1 << 63],
    ] {
        let a = f.element(&v);
        let b = g.element(&v);
        assert_eq!(f.to_int(&f.square(&a)), g.to_int(&g.square(&b)));
        assert_eq!(
            f.to_int(&f.mul(&a, &f.element(&pm1))),
            g.to_int(&g.mul(&b, &g.element(&pm1)))
        );
    }
}

/// `PmField` (the Edwards sets' dispatch-free operations) computes what `Field` computes, on
/// edge values (0, 1, p - 1, values in [p, 2^(64N)), all-ones limbs) and pseudo-random ones,
/// and refuses a Montgomery field.
fn check_pm_field<const N: usize>(p: [u64; N]) {
    let f = Field::new(p, Reduction::PseudoMersenne);
    let pm = PmField::new(&f).expect("a pseudo-Mersenne field");
    assert!(PmField::new(&Field::new(p, Reduction::Montgomery)).is_none());
    let mut values = vec![
        [0u64; N],
        f.one(),
        limbs::sub_small(p, 1),
        p,
        [u64::MAX; N],
        limbs::add(&p, &f.one()).0,
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..8 {
        let mut v = [0u64; N];
        for limb in v.iter_mut() {
            // xorshift64: reproducible, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *limb = state;
        }
        values.push(v);
    }
    for a in &values {
        assert_eq!(f.to_int(&pm.square(a)), f.to_int(&f.square(a)));
        assert_eq!(f.to_int(&pm.neg(a)), f.to_int(&f.neg(a)));
        assert_eq!(f.to_int(&pm.double(a)), f.to_int(&f.double(a)));
        for b in &values {
            assert_eq!(f.to_int(&pm.mul(a, b)), f.to_int(&f.mul(a, b)));
            assert_eq!(f.to_int(&pm.add(a, b)), f.to_int(&f.add(a, b)));
            assert_eq!(f.to_int(&pm.sub(a, b)), f.to_int(&f.sub(a, b)));
        }
    }
    // And against the Montgomery field, which shares no reduction code with it.
    let g = Field::new(p, Reduction::Montgomery);
    let (x, y) = (values[8], values[9]);
    let (gx, gy) = (g.element(&f.to_int(&x)), g.element(&f.to_int(&y)));
    assert_eq!(f.to_int(&pm.mul(&x, &y)), g.to_int(&g.mul(&gx, &gy)));
    assert_eq!(f.to_int(&pm.sub(&x, &y)), g.to_int(&g.sub(&gx, &gy)));
}

#[test]
fn pm_field_matches_field() {
    check_pm_field(crate::curve::params::GOST_256_A.p);
    check_pm_field(crate::curve::params::GOST_512_C.p);
}

mod timing {
    use super::super::*;
    use crate::arith::limbs::hex;

    fn time<const N: usize>(name: &str, p: [u64; N], kind: Reduction) {
        let f = Field::new(p, kind);
        let mut x = f.element_u64(3);
        let y = f.element_u64(5);
        let n = 1_000_000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            x = f.mul(&x, &y);
        }
        let mul = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for _ in 0..n {
            x = f.square(&x);
        }
        let sq = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for _ in 0..n {
            x = f.add(&x, &y);
        }
        let add = t.elapsed().as_nanos() as f64 / n as f64;
        eprintln!(
            "{name}: mul {mul:.1} ns, sqr {sq:.1} ns, add {add:.1} ns ({:?})",
            x[0] & 1
        );
    }

    #[test]
    #[ignore = "timing only: cargo test --release -p gost --lib timing -- --ignored --nocapture"]
    fn field_op_timing() {
        let p4: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97");
        let p8 = crate::curve::params::GOST_512_A.p;
        time("pm4", p4, Reduction::PseudoMersenne);
        time("mont4", p4, Reduction::Montgomery);
        time("pm8", p8, Reduction::PseudoMersenne);
        time("mont8", p8, Reduction::Montgomery);
    }
}
