//! A method's failure as the page sees it: a plugin error code and what broke. Its own module
//! because both the methods (`api`) and the slot (`slot`) answer it.

use crate::codes::ErrorCode;
use crate::device::{DeviceError, Missing};

/// A method's failure: the code the page sees and what broke (for the bridge's log; never
/// secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {what}", code.name(), code.code())]
pub struct PluginError {
    /// The code.
    pub code: ErrorCode,
    /// What broke.
    pub what: String,
}

impl PluginError {
    /// An error with a code.
    pub fn new(code: ErrorCode, what: impl Into<String>) -> Self {
        PluginError {
            code,
            what: what.into(),
        }
    }
    /// `BAD_PARAMS`.
    pub fn bad(what: impl Into<String>) -> Self {
        PluginError::new(ErrorCode::BadParams, what)
    }
    /// An ASN.1 failure.
    pub fn asn1(e: impl std::fmt::Display) -> Self {
        PluginError::new(ErrorCode::Asn1Error, e.to_string())
    }
}

impl From<DeviceError> for PluginError {
    fn from(e: DeviceError) -> Self {
        let code = match &e {
            DeviceError::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            DeviceError::PinLocked => ErrorCode::PinLocked,
            DeviceError::NotLoggedIn => ErrorCode::UserNotLoggedIn,
            // The real plugin reports the SafeTouch's time-out as a refusal too: the token
            // answers the same word (safetouch.md "Gating").
            DeviceError::Rejected | DeviceError::TimedOut => ErrorCode::FunctionRejected,
            DeviceError::Removed => ErrorCode::DeviceNotFound,
            DeviceError::NotFound(Missing::KeyPair) => ErrorCode::KeyNotFound,
            DeviceError::NotFound(Missing::DataObject) => ErrorCode::BfNotFound,
            DeviceError::NotFound(Missing::Certificate) => ErrorCode::CertificateNotFound,
            DeviceError::Unsupported(_) => ErrorCode::UnsupportedByToken,
            DeviceError::Failed(_) => ErrorCode::DeviceError,
        };
        PluginError::new(code, e.to_string())
    }
}

/// A method's answer.
pub type Result<T> = std::result::Result<T, PluginError>;
