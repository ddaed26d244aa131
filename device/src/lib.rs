//! What host code needs to know of the device, without the emulator: the [`card::Card`]
//! interface a reader drives, the token's ATRs, the SafeTouch's screen, buttons and event log
//! ([`safetouch`]), and the device profile
//! (`profiles/rutoken-ecp2-safetouch.yaml`) with every guess about the real token and SafeTouch.
//!
//! The emulator (`rutoken-sim`) implements `Card` and reads the profile; the client, the PKCS#11
//! module and the plugin bridge read the profile through this crate, so none of them links the
//! emulator (its tokio runtime, vpcd transport, control socket and RSA).
#![deny(clippy::cast_possible_truncation)]
#![forbid(unsafe_code)]

pub mod card;
pub mod profile;
pub mod safetouch;

pub use card::Card;
pub use profile::DeviceProfile;
