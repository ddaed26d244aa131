//! A PKCS#11 v2.40 module for Rutoken ECP tokens with the TC26 extensions for GOST R
//! 34.10-2012 / 34.11-2012: `librutoken_pkcs11.so`, entry point `C_GetFunctionList`.
//!
//! Slots are PC/SC readers; a slot holds a token when its card has a Rutoken ECP ATR (the
//! emulator `rutoken-lab sim` behind vpcd, or a real token). Objects are the token's PKCS#15
//! objects, read and written through the team's client crate, so OpenSC and this module see
//! the same keys and certificates. See `docs/pkcs11.md`.
//!
//! Layers: `ffi` and `extended` (the C ABI and the vendor's extended one, `C_EX_…`: the only
//! unsafe code) → `module` (every function in safe Rust) → `device::Device` (the narrow
//! boundary to a token) → `backend` (the client crate).

pub mod attribute;
pub mod device;
pub mod error;
pub mod extended;
mod ffi;
pub mod mechanism;
pub mod module;
pub mod object;
pub mod settings;
pub mod slot;
pub mod symmetric;
pub mod vendor;
pub mod vendor_key;

pub mod backend;
#[cfg(feature = "pcsc")]
mod pcsc_readers;

pub use error::Error;
#[doc(hidden)]
pub use ffi::initialize_with;

/// The readers the module's slots come from, with the device profile's settings.
fn readers() -> Result<Box<dyn slot::Readers>, String> {
    let settings = settings::Settings::from_env()?;
    #[cfg(feature = "pcsc")]
    {
        Ok(Box::new(pcsc_readers::PcscReaders::new(settings)))
    }
    #[cfg(not(feature = "pcsc"))]
    {
        let _ = settings;
        Ok(Box::new(NoReaders))
    }
}

/// Without PC/SC: no readers.
#[cfg(not(feature = "pcsc"))]
struct NoReaders;

#[cfg(not(feature = "pcsc"))]
impl slot::Readers for NoReaders {
    fn readers(&self) -> Result<Vec<slot::ReaderState>, error::Error> {
        Ok(Vec::new())
    }
    fn open(&self, _reader: &str) -> Result<device::Device, error::Error> {
        Err(error::Error::Device(rutoken_client::DriverError::NoToken))
    }
}
