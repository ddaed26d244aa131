//! A method's failure as the page sees it: a plugin error code and what broke. Its own module
//! because both the methods (`api`) and the slot (`slot`) answer it.

use crate::codes::ErrorCode;
use rutoken_client::{DriverError, Missing};

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

/// The driver seam's error as the page's code: the front-end's one mapping.
impl From<DriverError> for PluginError {
    fn from(e: DriverError) -> Self {
        let code = match &e {
            DriverError::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            DriverError::PinBlocked { .. } => ErrorCode::PinLocked,
            DriverError::NotLoggedIn { .. } => ErrorCode::UserNotLoggedIn,
            // The real plugin reports the SafeTouch's time-out as a refusal too: the token
            // answers the same word (safetouch.md "Gating").
            DriverError::Rejected { .. }
            | DriverError::TimedOut { .. }
            | DriverError::RejectedOrTimedOut { .. } => ErrorCode::FunctionRejected,
            DriverError::Removed => ErrorCode::DeviceNotFound,
            // A missing object by its kind, not its words.
            DriverError::Missing {
                what: Missing::PrivateKey,
            } => ErrorCode::KeyNotFound,
            DriverError::Missing {
                what: Missing::DataObject,
            } => ErrorCode::BfNotFound,
            // The rest are reported as a missing certificate, as before they were typed: the
            // directory files and the application are where certificates are looked up.
            DriverError::Missing { .. } | DriverError::NotFound { .. } => {
                ErrorCode::CertificateNotFound
            }
            DriverError::CannotExpress { .. } => ErrorCode::UnsupportedByToken,
            _ => ErrorCode::DeviceError,
        };
        PluginError::new(code, e.to_string())
    }
}

/// A method's answer.
pub type Result<T> = std::result::Result<T, PluginError>;
