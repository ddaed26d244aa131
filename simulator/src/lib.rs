//! The virtual Rutoken ECP 2.0 ([`token`]), the virtual SafeTouch around it ([`safetouch`]), and
//! the vpcd transport ([`vpcd`]) that puts both in pcscd's reader list.
#![deny(clippy::cast_possible_truncation)]
#![forbid(unsafe_code)]

pub mod control;
pub mod safetouch;
pub mod token;
pub mod vpcd;

pub use card::Card;
/// The card interface and the device profile live below the host crates (`rutoken-device`), so
/// that the client, the PKCS#11 module and the plugin bridge do not link the emulator; they are
/// re-exported here under their old paths.
pub use rutoken_device::{card, profile};
