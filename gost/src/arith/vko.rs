//! The point of VKO key agreement (RFC 7836 §4.3.1, RFC 4357 §5.2) on integers:
//! K = (m/q · UKM · x mod q) · (y·P), where y·P is the peer's public key Q and x our key.

use zeroize::Zeroize;

use super::curve_impl::Curve;
use super::limbs;
use super::point::Affine;
use crate::Error;

impl<const N: usize> Curve<N> {
    /// (cofactor · UKM · d mod q) · Q as affine integers (x, y), constant time in d. `qx, qy`
    /// must be a checked public key (on the curve, in the order-q subgroup); `ukm` is the UKM
    /// as an integer (reduced mod q here). A zero product (UKM ≡ 0 mod q) is
    /// [`Error::ZeroUkm`].
    pub(crate) fn vko_point(
        &self,
        d: &[u64; N],
        ukm: &[u64; N],
        qx: &[u64; N],
        qy: &[u64; N],
    ) -> Result<([u64; N], [u64; N]), Error> {
        let sc = &self.scalar;
        let mut u = sc.reduce_int(ukm);
        let mut d_m = sc.element(d);
        let mut ud = sc.mul(&u, &d_m);
        // m/q: 4 for 256-A and 512-C, 1 elsewhere (RFC 7836 §4.3.1; the gost engine's ladder
        // doubles twice at the end for those two sets, the same product).
        let mut k_m = sc.mul(&ud, &sc.element_u64(self.cofactor));
        let mut k = sc.to_int(&k_m);
        u.zeroize();
        d_m.zeroize();
        ud.zeroize();
        k_m.zeroize();
        // Whether k is zero depends on the public UKM only (d is in (0, q), q prime).
        if bool::from(limbs::is_zero(&k)) {
            return Err(Error::ZeroUkm);
        }
        let f = &self.arith.f;
        let point = Affine {
            x: f.element(qx),
            y: f.element(qy),
        };
        let product = self.arith.mul_var_base(&point, &k, limbs::bit_len(&self.q));
        k.zeroize();
        let shared = self
            .arith
            .to_affine(&self.arith.projective_to_jacobian(&product))
            .ok_or(Error::ZeroUkm)?;
        Ok((f.to_int(&shared.x), f.to_int(&shared.y)))
    }
}
