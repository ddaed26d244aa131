//! Modular inversion of **public** values by the binary extended Euclidean algorithm
//! (Menezes et al., Handbook of Applied Cryptography, Alg. 14.61 variant for odd moduli).
//! Variable time: used only for e^-1 mod q in verification (e comes from public data).
//! Secret values are inverted by Fermat in `field`.

use super::limbs;

/// a^-1 mod m for odd m and `0 < a < m` with gcd(a, m) = 1 (m prime here); `None` otherwise.
pub(crate) fn invert_vartime<const N: usize>(a: &[u64; N], m: &[u64; N]) -> Option<[u64; N]> {
    let mut one = [0u64; N];
    one[0] = 1;
    if bool::from(limbs::is_zero(a)) || !limbs::lt_vartime(a, m) || m[0] & 1 == 0 {
        return None;
    }
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (one, [0u64; N]);
    while u != one && v != one {
        while u[0] & 1 == 0 {
            shr1(&mut u, 0);
            halve_mod(&mut x1, m);
        }
        while v[0] & 1 == 0 {
            shr1(&mut v, 0);
            halve_mod(&mut x2, m);
        }
        if !limbs::lt_vartime(&u, &v) {
            u = limbs::sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        } else {
            v = limbs::sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        }
        if bool::from(limbs::is_zero(&u)) || bool::from(limbs::is_zero(&v)) {
            return None; // not coprime
        }
    }
    Some(if u == one { x1 } else { x2 })
}

/// Shifts right by one, shifting `top` (0 or 1) into the most significant bit.
fn shr1<const N: usize>(a: &mut [u64; N], top: u64) {
    for i in 0..N {
        let next = if i + 1 < N { a[i + 1] } else { top };
        a[i] = (a[i] >> 1) | (next << 63);
    }
}

/// x / 2 mod m (m odd): x/2 if x is even, else (x + m)/2 with the carry kept.
fn halve_mod<const N: usize>(x: &mut [u64; N], m: &[u64; N]) {
    if x[0] & 1 == 0 {
        shr1(x, 0);
    } else {
        let (sum, carry) = limbs::add(x, m);
        *x = sum;
        shr1(x, carry);
    }
}

/// a - b mod m for a, b < m.
fn sub_mod<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N]) -> [u64; N] {
    let (d, borrow) = limbs::sub(a, b);
    if borrow == 1 { limbs::add(&d, m).0 } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::field::{Field, Reduction};
    use crate::arith::limbs::hex;

    #[test]
    fn matches_fermat() {
        let q: [u64; 4] = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893");
        let f = Field::new(q, Reduction::Montgomery);
        for a in [
            [1u64, 0, 0, 0],
            [2, 0, 0, 0],
            [u64::MAX, 5, 7, 1 << 62],
            limbs::sub_small(q, 1),
        ] {
            let fermat = f.to_int(&f.invert(&f.element(&a)));
            assert_eq!(invert_vartime(&a, &q), Some(fermat));
        }
        assert_eq!(invert_vartime(&[0u64; 4], &q), None);
        assert_eq!(invert_vartime(&q, &q), None);
    }
}
