//! The kernel's field arithmetic against the scalar pseudo-Mersenne field on random and edge
//! elements (the whole loop is compared with the scalar one in `edwards/tests.rs`). On a CPU
//! without the features each test prints `skipped: ...` instead of passing silently.
#![allow(clippy::unwrap_used)]

use super::{Coords, Kernel, detect_cpu, from_radix52, serves, to_radix52};
use crate::Rng;
use crate::arith::field::{Field, PmField, Reduction};

/// The kernel, or `None` after printing why the test cannot run here.
fn kernel(test: &str) -> Option<Kernel> {
    let kernel = detect_cpu();
    if kernel.is_none() {
        println!("skipped: {test}: this CPU lacks AVX-512 F/VL/IFMA");
    }
    kernel
}

/// 2^512 - 569 (tc26-512-C).
fn p() -> [u64; 8] {
    let mut p = [u64::MAX; 8];
    p[0] = 569u64.wrapping_neg();
    p
}

/// Elements at the edges of the representation: 0, 1, p - 1, p and 2^512 - 1 (both above p,
/// allowed below 2^512), a single top bit, every limb of 52 bits full.
fn edges() -> Vec<[u64; 8]> {
    let p = p();
    let mut p_minus_1 = p;
    p_minus_1[0] -= 1;
    let mut top = [0u64; 8];
    top[7] = 1 << 63;
    let full52 = from_radix52(&[(1 << 52) - 1; 10]);
    vec![
        [0; 8],
        [1, 0, 0, 0, 0, 0, 0, 0],
        p_minus_1,
        p,
        [u64::MAX; 8],
        top,
        full52,
    ]
}

fn check(kernel: Kernel, f: &PmField<8>, a: &Coords, b: &Coords) {
    let [prod, sq, sum, diff] = kernel.field_ops(a, b);
    for lane in 0..4 {
        let (x, y) = (&a[lane], &b[lane]);
        let want = [f.mul(x, y), f.square(x), f.add(x, y), f.sub(x, y)];
        for (name, got, want) in [
            ("a·b", prod[lane], want[0]),
            ("a^2", sq[lane], want[1]),
            ("a + b", sum[lane], want[2]),
            ("a - b", diff[lane], want[3]),
        ] {
            assert_eq!(
                f.to_int(&got),
                f.to_int(&want),
                "{name}, a = {x:x?}, b = {y:x?}"
            );
        }
    }
}

#[test]
fn field_matches_the_scalar_field() {
    let Some(kernel) = kernel("field_matches_the_scalar_field") else {
        return;
    };
    let f = PmField::new(&Field::new(p(), Reduction::PseudoMersenne)).unwrap();
    let edges = edges();
    // Every pair of edge elements, a == b included (a - a is the subtraction's bias alone).
    for x in &edges {
        for chunk in edges.chunks(4) {
            let mut a = [*x; 4];
            let mut b = [*x; 4];
            for (i, y) in chunk.iter().enumerate() {
                a[i] = *y;
                b[(i + 1) % 4] = *y;
            }
            check(kernel, &f, &a, &b);
        }
    }
    let mut rng = Rng::from_seed(0x1F4A);
    for _ in 0..2000 {
        let mut e = || core::array::from_fn(|_| core::array::from_fn(|_| rng.next_u64()));
        let (a, b): (Coords, Coords) = (e(), e());
        check(kernel, &f, &a, &b);
    }
}

#[test]
fn radix_conversions_round_trip() {
    let mut rng = Rng::from_seed(52);
    for _ in 0..1000 {
        let x: [u64; 8] = core::array::from_fn(|_| rng.next_u64());
        assert!(to_radix52(&x).iter().all(|&l| l < 1 << 52));
        assert_eq!(to_radix52(&x)[9] >> 44, 0, "limb 9 holds 44 bits");
        assert_eq!(from_radix52(&to_radix52(&x)), x);
    }
    // 2^512 (limb 9 = 2^44) comes back as 569, 2^520 - 1 as 2^8·569 - 1 + ... below 2^512.
    let mut two_512 = [0u64; 10];
    two_512[9] = 1 << 44;
    assert_eq!(from_radix52(&two_512), [569, 0, 0, 0, 0, 0, 0, 0]);
    let f = Field::new(p(), Reduction::PseudoMersenne);
    let all = from_radix52(&[(1 << 52) - 1; 10]);
    // 2^520 - 1 = 2^8·569 - 1 (mod p).
    assert_eq!(f.to_int(&all), [569 * 256 - 1, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn serves_only_2_512_minus_569() {
    assert!(serves(&p()));
    let mut other = p();
    other[0] -= 2;
    assert!(!serves(&other));
    assert!(!serves(&p()[..4]));
    let mut other = p();
    other[5] = 0;
    assert!(!serves(&other));
}
