//! The AVX-512 IFMA loop of a 512-C verification against the scalar loop, point for point.
#![allow(clippy::unwrap_used)]

use super::{Edwards, edwards_x86};
use crate::Rng;
use crate::arith::curve_impl::Curve;
use crate::arith::limbs;
use crate::curve::params::{GOST_512_C, GOST_512_C_EDWARDS};

#[test]
fn ifma_loop_matches_the_scalar_loop() {
    let Some(kernel) = edwards_x86::detect_cpu() else {
        println!("skipped: ifma_loop_matches_the_scalar_loop: this CPU lacks AVX-512 F/VL/IFMA");
        return;
    };
    let curve = Curve::new(&GOST_512_C, None);
    let ed = Edwards::new(
        &curve.arith.f,
        &GOST_512_C_EDWARDS.d,
        &curve.base,
        limbs::bit_len(&curve.q),
    )
    .unwrap();
    let q = curve.q;
    let (q_minus_1, _) = limbs::sub(&q, &[1, 0, 0, 0, 0, 0, 0, 0]);
    let mut rng = Rng::from_seed(512);
    let random = |rng: &mut Rng| -> [u64; 8] {
        let mut k: [u64; 8] = core::array::from_fn(|_| rng.next_u64());
        k[7] >>= 2;
        k
    };
    // Edge scalars: 0 (no digits), 1, q - 1 (the key's table at its sign flip), and pairs that
    // cancel (z1·G + z2·G with z1 + z2 = q: the neutral element, which neither loop may turn
    // into anything else).
    let mut cases: Vec<([u64; 8], [u64; 8], [u64; 8])> = vec![
        ([0; 8], [1, 0, 0, 0, 0, 0, 0, 0], [0; 8]),
        (
            [1, 0, 0, 0, 0, 0, 0, 0],
            [1, 0, 0, 0, 0, 0, 0, 0],
            [1, 0, 0, 0, 0, 0, 0, 0],
        ),
        (q_minus_1, [1, 0, 0, 0, 0, 0, 0, 0], q_minus_1),
    ];
    let z = random(&mut rng);
    cases.push((z, [1, 0, 0, 0, 0, 0, 0, 0], limbs::sub(&q, &z).0));
    for _ in 0..40 {
        cases.push((random(&mut rng), random(&mut rng), random(&mut rng)));
    }
    for (z1, k, z2) in cases {
        let q_w = curve.mul_base(&k).unwrap();
        let q_ext = ed.edwards_from_weierstrass_projective(&q_w).unwrap();
        let scalar = ed.double_mul_scalar(&z1, &q_ext, &z2).unwrap();
        let vector = ed.double_mul_x86(kernel, &z1, &q_ext, &z2).unwrap();
        let f = &ed.f;
        // Same projective point: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1, and T·Z = X·Y on the result.
        for (a, b) in [(scalar.x, vector.x), (scalar.y, vector.y)] {
            assert_eq!(
                f.to_int(&f.mul(&a, &vector.z)),
                f.to_int(&f.mul(&b, &scalar.z)),
                "z1 = {z1:x?}, k = {k:x?}, z2 = {z2:x?}"
            );
        }
        assert_eq!(
            f.to_int(&f.mul(&vector.t, &vector.z)),
            f.to_int(&f.mul(&vector.x, &vector.y))
        );
        assert_eq!(ed.to_weierstrass(&scalar), ed.to_weierstrass(&vector));
    }
}
