//! VKO key agreement: VKO GOST R 34.10-2001 (RFC 4357 §5.2) and VKO GOST R 34.10-2012
//! (RFC 7836 §4.3.1, 256- and 512-bit output), as PKCS#11's `CKM_GOSTR3410_DERIVE` /
//! `CKM_GOSTR3410_12_DERIVE`, CMS key transport and OpenSSL's `pkeyutl -derive` compute it:
//!
//! KEK = H(LE(x_K) ‖ LE(y_K)) with K = (m/q · UKM · x mod q) · (y·P), UKM read little-endian,
//! H = GOST R 34.11-94 (CryptoPro parameters) for 2001, Streebog-256 or -512 for 2012.
//!
//! Constant time in our private key (the multiplication is `arith::var_base`'s); the shared
//! point and its encoding are zeroized, the KEK is returned in a zeroizing buffer.

use zeroize::{Zeroize, Zeroizing};

use crate::arith::registry::{CurveRef, curve};
use crate::encoding::{self, narrow, widen};
use crate::{DigestAlgorithm, Error, SigningKey, VerifyingKey};

/// Which VKO (the hash over the shared point).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vko {
    /// VKO GOST R 34.10-2001 (RFC 4357 §5.2): GOST R 34.11-94 with CryptoPro parameters,
    /// 32 bytes; 256-bit keys only.
    Gost2001,
    /// VKO_GOSTR3410_2012_256 (RFC 7836 §4.3.1): Streebog-256, 32 bytes.
    Gost2012_256,
    /// VKO_GOSTR3410_2012_512 (RFC 7836 §4.3.1): Streebog-512, 64 bytes.
    Gost2012_512,
}

impl Vko {
    /// The hash over the shared point.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Vko::Gost2001 => DigestAlgorithm::Gost94CryptoPro,
            Vko::Gost2012_256 => DigestAlgorithm::Streebog256,
            Vko::Gost2012_512 => DigestAlgorithm::Streebog512,
        }
    }

    /// The KEK length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Vko::Gost2012_512 => 64,
            _ => 32,
        }
    }
}

/// VKO of our key and the peer's public key with a UKM (little-endian, 1 to 32 or 64 bytes;
/// 8 in CMS and RFC 4357, 16 in R 1323565.1.020's KEG). The keys must be on the same parameter
/// set. A UKM of zero is [`Error::ZeroUkm`].
pub fn vko(
    algorithm: Vko,
    ours: &SigningKey,
    theirs: &VerifyingKey,
    ukm: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let param = ours.param_set();
    if theirs.param_set() != param {
        return Err(Error::ParamSetMismatch(
            "VKO: our key and the peer's are on different parameter sets",
        ));
    }
    let len = param.scalar_len();
    if algorithm == Vko::Gost2001 && len != 32 {
        return Err(Error::ParamSetMismatch(
            "VKO GOST R 34.10-2001 is defined for 256-bit keys",
        ));
    }
    if ukm.is_empty() || ukm.len() > len {
        return Err(Error::InvalidLength {
            what: "UKM",
            expected: 8,
            actual: ukm.len(),
        });
    }
    let ukm = encoding::limbs_from_le(ukm);
    let d = ours.secret_limbs();
    let (qx, qy) = theirs.xy_limbs();
    let (mut x, mut y) = match curve(param) {
        CurveRef::C4(c) => c
            .vko_point(&narrow(&d), &narrow(&ukm), &narrow(&qx), &narrow(&qy))
            .map(|(x, y)| (widen(&x), widen(&y)))?,
        CurveRef::C8(c) => c
            .vko_point(&narrow(&d), &narrow(&ukm), &narrow(&qx), &narrow(&qy))
            .map(|(x, y)| (widen(&x), widen(&y)))?,
    };
    let point = Zeroizing::new(encoding::point_to_le(&x, &y, len));
    x.zeroize();
    y.zeroize();
    Ok(Zeroizing::new(algorithm.digest().digest(&point)))
}
