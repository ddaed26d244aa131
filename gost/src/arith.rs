//! Constant-time big-number, field, point and scalar-multiplication arithmetic.
//!
//! Everything here works on little-endian `u64` limbs (`[u64; N]`, N = 4 or 8). Byte strings
//! are turned into limbs only by [`crate::encoding`].

pub(crate) mod complete;
pub(crate) mod curve_impl;
pub(crate) mod double_mul;
pub(crate) mod edwards;
#[cfg(target_arch = "x86_64")]
pub(crate) mod edwards_x86;
pub(crate) mod field;
pub(crate) mod fixed_base;
pub(crate) mod inverse;
pub(crate) mod key_tables;
pub(crate) mod limbs;
pub(crate) mod point;
pub(crate) mod registry;
pub(crate) mod var_base;
pub(crate) mod vko;
