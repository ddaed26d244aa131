//! The crate's one error type and the maps to `CK_RV`: every [`DeviceError`] and every status
//! word of the token has its `CKR_`.

use cryptoki_sys::*;

use crate::device::DeviceError;

/// Why a PKCS#11 call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The token refused or failed.
    #[error("{0}")]
    Device(#[from] DeviceError),
    /// A PKCS#11 rule the call broke (the `CKR_` says which).
    #[error("PKCS#11 error {0:#010x}")]
    Rv(CK_RV),
}

impl Error {
    /// The return value the caller gets.
    pub fn rv(&self) -> CK_RV {
        match self {
            Error::Rv(rv) => *rv,
            Error::Device(e) => device_rv(e),
        }
    }
}

/// Shorthand for `Err(Error::Rv(rv))`.
pub fn fail<T>(rv: CK_RV) -> Result<T, Error> {
    Err(Error::Rv(rv))
}

/// The `CKR_` of a device error. SafeTouch Reject and time-out are `CKR_FUNCTION_REJECTED`
/// (PKCS#11 v2.40 §5.1: "the signature request is rejected by the user").
pub fn device_rv(e: &DeviceError) -> CK_RV {
    match e {
        DeviceError::PinIncorrect { .. } => CKR_PIN_INCORRECT,
        DeviceError::PinLocked => CKR_PIN_LOCKED,
        DeviceError::NotLoggedIn => CKR_USER_NOT_LOGGED_IN,
        DeviceError::OtherRoleLoggedIn => CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        DeviceError::Rejected | DeviceError::TimedOut => CKR_FUNCTION_REJECTED,
        DeviceError::Removed => CKR_DEVICE_REMOVED,
        DeviceError::NotPresent => CKR_TOKEN_NOT_PRESENT,
        DeviceError::NoRoom => CKR_DEVICE_MEMORY,
        DeviceError::NotFound => CKR_OBJECT_HANDLE_INVALID,
        DeviceError::PinLength => CKR_PIN_LEN_RANGE,
        DeviceError::BadObject => CKR_ATTRIBUTE_VALUE_INVALID,
        DeviceError::Status { sw, .. } => status_rv(*sw),
        DeviceError::Failed(_) => CKR_DEVICE_ERROR,
    }
}

/// The status words the device profile makes configurable (`safetouch.reject_sw`,
/// `safetouch.timeout_sw`, `token.other_role_logged_in_sw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileWords {
    /// SafeTouch Reject.
    pub reject: u16,
    /// SafeTouch time-out.
    pub timeout: u16,
    /// VERIFY while the other role is logged in.
    pub other_role_logged_in: Option<u16>,
}

impl Default for ProfileWords {
    /// The defaults of `profiles/rutoken-ecp2-safetouch.yaml`.
    fn default() -> Self {
        ProfileWords {
            reject: 0x6FB1,
            timeout: 0x6FB1,
            other_role_logged_in: Some(0x6F86),
        }
    }
}

/// A status word as a device error, for answers the client crate does not type itself.
/// Sources: ISO 7816-4 §5.6 and `rutoken-ecp-apdu.md` (the token's words); the profile's words
/// first, since a profile may reuse a standard one.
pub fn status_error(operation: &str, sw: u16, words: &ProfileWords) -> DeviceError {
    if sw == words.reject {
        return DeviceError::Rejected;
    }
    if sw == words.timeout {
        return DeviceError::TimedOut;
    }
    if Some(sw) == words.other_role_logged_in {
        return DeviceError::OtherRoleLoggedIn;
    }
    match sw {
        0x63C0 => DeviceError::PinLocked,
        0x63C1..=0x63CF => DeviceError::PinIncorrect {
            tries_left: (sw & 0x0F) as u8,
        },
        0x6983 => DeviceError::PinLocked,
        0x6982 => DeviceError::NotLoggedIn,
        0x6A82 | 0x6A88 => DeviceError::NotFound,
        0x6A84 => DeviceError::NoRoom,
        _ => DeviceError::Status {
            operation: operation.to_owned(),
            sw,
        },
    }
}

/// The `CKR_` of a status word no [`DeviceError`] variant names.
pub fn status_rv(sw: u16) -> CK_RV {
    match sw {
        0x63C0 | 0x6983 => CKR_PIN_LOCKED,
        0x63C1..=0x63CF | 0x6300 => CKR_PIN_INCORRECT,
        0x6982 => CKR_USER_NOT_LOGGED_IN,
        // Wrong length or data of a PIN command.
        0x6700 => CKR_DATA_LEN_RANGE,
        // Referenced data (a key, a file) missing or gone.
        0x6A82 | 0x6A88 => CKR_OBJECT_HANDLE_INVALID,
        // Not enough memory in the file system.
        0x6A84 | 0x6581 => CKR_DEVICE_MEMORY,
        // Conditions of use not satisfied (e.g. a key not usable for this operation).
        0x6985 => CKR_KEY_FUNCTION_NOT_PERMITTED,
        // Data or parameters the token refuses.
        0x6A80 => CKR_DATA_INVALID,
        // Authentication method blocked, file invalidated.
        0x6984 => CKR_TOKEN_NOT_RECOGNIZED,
        _ => CKR_DEVICE_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_status_words() {
        let w = ProfileWords::default();
        let rv = |sw| device_rv(&status_error("op", sw, &w));
        assert_eq!(rv(0x63C9), CKR_PIN_INCORRECT);
        assert_eq!(rv(0x63C1), CKR_PIN_INCORRECT);
        assert_eq!(rv(0x63C0), CKR_PIN_LOCKED);
        assert_eq!(rv(0x6983), CKR_PIN_LOCKED);
        assert_eq!(rv(0x6982), CKR_USER_NOT_LOGGED_IN);
        assert_eq!(rv(0x6FB1), CKR_FUNCTION_REJECTED);
        assert_eq!(rv(0x6F86), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
        assert_eq!(rv(0x6A84), CKR_DEVICE_MEMORY);
        assert_eq!(rv(0x6F00), CKR_DEVICE_ERROR);
        assert_eq!(device_rv(&DeviceError::Removed), CKR_DEVICE_REMOVED);
        assert_eq!(device_rv(&DeviceError::NotPresent), CKR_TOKEN_NOT_PRESENT);
    }

    #[test]
    fn profile_words_win_over_standard_ones() {
        let w = ProfileWords {
            reject: 0x6985,
            timeout: 0x6986,
            other_role_logged_in: None,
        };
        assert_eq!(status_error("sign", 0x6985, &w), DeviceError::Rejected);
        assert_eq!(status_error("sign", 0x6986, &w), DeviceError::TimedOut);
        assert_eq!(
            device_rv(&status_error("verify", 0x6F86, &w)),
            CKR_DEVICE_ERROR
        );
    }
}
