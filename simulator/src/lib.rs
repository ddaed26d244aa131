//! The virtual Rutoken ECP 2.0 ([`token`]), the virtual SafeTouch around it ([`safetouch`]), and
//! the vpcd transport ([`vpcd`]) that puts both in pcscd's reader list.
#![deny(clippy::cast_possible_truncation)]
#![forbid(unsafe_code)]

pub mod card;
pub mod control;
pub mod profile;
pub mod safetouch;
pub mod token;
pub mod vpcd;

pub use card::Card;
