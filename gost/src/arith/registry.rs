//! The nine parameter sets' [`Curve`]s, each built once on first use.

use std::sync::OnceLock;

use super::curve_impl::Curve;
use crate::ParamSet;
use crate::curve::params;

/// A parameter set's curve, by limb count.
pub(crate) enum CurveRef {
    /// 256-bit sets.
    C4(&'static Curve<4>),
    /// 512-bit sets.
    C8(&'static Curve<8>),
}

macro_rules! lazy_curve {
    ($name:ident, $n:literal, $consts:expr) => {
        lazy_curve!($name, $n, $consts, None);
    };
    ($name:ident, $n:literal, $consts:expr, $edwards_d:expr) => {
        fn $name() -> &'static Curve<$n> {
            static CELL: OnceLock<Curve<$n>> = OnceLock::new();
            CELL.get_or_init(|| Curve::new(&$consts, $edwards_d))
        }
    };
}

lazy_curve!(gost_256_test, 4, params::GOST_256_TEST);
// RFC 7836 gives both twisted Edwards sets with e = 1: they compute in Edwards form.
lazy_curve!(
    gost_256_a,
    4,
    params::GOST_256_A,
    Some(params::GOST_256_A_EDWARDS.d)
);
lazy_curve!(gost_256_b, 4, params::GOST_256_B);
lazy_curve!(gost_256_c, 4, params::GOST_256_C);
lazy_curve!(gost_256_d, 4, params::GOST_256_D);
lazy_curve!(gost_512_test, 8, params::GOST_512_TEST);
lazy_curve!(gost_512_a, 8, params::GOST_512_A);
lazy_curve!(gost_512_b, 8, params::GOST_512_B);
lazy_curve!(
    gost_512_c,
    8,
    params::GOST_512_C,
    Some(params::GOST_512_C_EDWARDS.d)
);

/// The curve of a parameter set.
pub(crate) fn curve(param: ParamSet) -> CurveRef {
    match param {
        ParamSet::Gost256Test => CurveRef::C4(gost_256_test()),
        ParamSet::Gost256A => CurveRef::C4(gost_256_a()),
        ParamSet::Gost256B => CurveRef::C4(gost_256_b()),
        ParamSet::Gost256C => CurveRef::C4(gost_256_c()),
        ParamSet::Gost256D => CurveRef::C4(gost_256_d()),
        ParamSet::Gost512Test => CurveRef::C8(gost_512_test()),
        ParamSet::Gost512A => CurveRef::C8(gost_512_a()),
        ParamSet::Gost512B => CurveRef::C8(gost_512_b()),
        ParamSet::Gost512C => CurveRef::C8(gost_512_c()),
    }
}
