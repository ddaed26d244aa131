//! The token through the team's client crate (placeholder until it lands).

use crate::device::{Device, DeviceError};

/// Connects to the token in a PC/SC reader.
#[cfg(feature = "pcsc")]
pub fn open_pcsc(_reader: &str) -> Result<Box<dyn Device>, DeviceError> {
    Err(DeviceError::Failed("the client crate has not landed yet".into()))
}
