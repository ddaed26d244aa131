//! The crate's one error type and the maps to `CK_RV`: every error of the client's driver seam
//! ([`DriverError`]) and every status word of the token has its `CKR_`.

use cryptoki_sys::*;
use rutoken_client::DriverError;
use rutoken_client::driver::{Code, StatusWord};

/// Why a PKCS#11 call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The token refused or failed.
    #[error("{0}")]
    Device(#[from] DriverError),
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

/// The `CKR_` of a driver error: the module's one mapping. SafeTouch Reject and time-out are
/// `CKR_FUNCTION_REJECTED` (PKCS#11 v2.40 §5.1: "the signature request is rejected by the
/// user").
pub fn device_rv(e: &DriverError) -> CK_RV {
    match e {
        DriverError::PinIncorrect { .. } => CKR_PIN_INCORRECT,
        DriverError::PinBlocked { .. } => CKR_PIN_LOCKED,
        DriverError::NotLoggedIn { .. } => CKR_USER_NOT_LOGGED_IN,
        DriverError::OtherRoleVerified { .. } => CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        DriverError::Rejected { .. }
        | DriverError::TimedOut { .. }
        | DriverError::RejectedOrTimedOut { .. } => CKR_FUNCTION_REJECTED,
        DriverError::Removed => CKR_DEVICE_REMOVED,
        DriverError::NoToken => CKR_TOKEN_NOT_PRESENT,
        DriverError::NoRoom { .. } => CKR_DEVICE_MEMORY,
        DriverError::NotFound { .. } | DriverError::Missing { .. } => CKR_OBJECT_HANDLE_INVALID,
        DriverError::BadObject { .. } => CKR_ATTRIBUTE_VALUE_INVALID,
        DriverError::Refused {
            code: Code::Sw(sw), ..
        } => status_rv(sw.0),
        DriverError::Refused {
            code: Code::Module(rv),
            ..
        } => *rv,
        _ => CKR_DEVICE_ERROR,
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

/// A refusal the client did not type, read with the device profile's words first (a profile may
/// reuse a standard word), then ISO 7816-4 §5.6 and `rutoken-ecp-apdu.md` (the token's words).
/// Other errors pass unchanged.
pub fn with_profile_words(e: DriverError, words: &ProfileWords) -> DriverError {
    let DriverError::Refused {
        operation,
        code: Code::Sw(sw),
        meaning,
    } = e
    else {
        return e;
    };
    let code = Code::Sw(sw);
    if sw.0 == words.reject {
        return DriverError::Rejected { code };
    }
    if sw.0 == words.timeout {
        return DriverError::TimedOut { code };
    }
    if Some(sw.0) == words.other_role_logged_in {
        return DriverError::OtherRoleVerified { code };
    }
    match sw.0 {
        0x63C0 | 0x6983 => DriverError::PinBlocked { code },
        0x63C1..=0x63CF => DriverError::PinIncorrect {
            tries_left: Some((sw.0 & 0x0F) as u8),
            code,
        },
        0x6982 => DriverError::NotLoggedIn { operation, code },
        0x6A82 | 0x6A88 => DriverError::NotFound {
            what: format!("what {operation} names"),
        },
        0x6A84 => DriverError::NoRoom {
            reason: format!("{operation}: the token has no room left"),
        },
        _ => DriverError::Refused {
            operation,
            code,
            meaning,
        },
    }
}

/// A status word as [`with_profile_words`] reads it (for tests and callers that hold a word).
pub fn status_error(operation: &str, sw: u16, words: &ProfileWords) -> DriverError {
    let sw = StatusWord(sw);
    with_profile_words(
        DriverError::Refused {
            operation: operation.to_owned(),
            code: Code::Sw(sw),
            meaning: sw.meaning().to_owned(),
        },
        words,
    )
}

/// The `CKR_` of a status word no [`DriverError`] variant names.
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
        assert_eq!(device_rv(&DriverError::Removed), CKR_DEVICE_REMOVED);
        assert_eq!(device_rv(&DriverError::NoToken), CKR_TOKEN_NOT_PRESENT);
    }

    #[test]
    fn profile_words_win_over_standard_ones() {
        let w = ProfileWords {
            reject: 0x6985,
            timeout: 0x6986,
            other_role_logged_in: None,
        };
        assert!(matches!(
            status_error("sign", 0x6985, &w),
            DriverError::Rejected { .. }
        ));
        assert!(matches!(
            status_error("sign", 0x6986, &w),
            DriverError::TimedOut { .. }
        ));
        assert_eq!(
            device_rv(&status_error("verify", 0x6F86, &w)),
            CKR_DEVICE_ERROR
        );
    }

    /// Each status word the token answers (ISO 7816-4 §5.6, `rutoken-ecp-apdu.md`) as the
    /// nearest `CKR_`: a blocked PIN or authentication method, a wrong PIN (with or without a
    /// counter), a missing login, a wrong length, missing data, no room, conditions of use,
    /// wrong data, an invalidated file; anything else a device error.
    #[test]
    fn every_status_word_reads_as_its_nearest_ckr() {
        for (sw, rv) in [
            (0x63C0, CKR_PIN_LOCKED),
            (0x6983, CKR_PIN_LOCKED),
            (0x63C5, CKR_PIN_INCORRECT),
            (0x63CF, CKR_PIN_INCORRECT),
            (0x6300, CKR_PIN_INCORRECT),
            (0x6982, CKR_USER_NOT_LOGGED_IN),
            (0x6700, CKR_DATA_LEN_RANGE),
            (0x6A82, CKR_OBJECT_HANDLE_INVALID),
            (0x6A88, CKR_OBJECT_HANDLE_INVALID),
            (0x6A84, CKR_DEVICE_MEMORY),
            (0x6581, CKR_DEVICE_MEMORY),
            (0x6985, CKR_KEY_FUNCTION_NOT_PERMITTED),
            (0x6A80, CKR_DATA_INVALID),
            (0x6984, CKR_TOKEN_NOT_RECOGNIZED),
            (0x6D00, CKR_DEVICE_ERROR),
        ] {
            assert_eq!(status_rv(sw), rv, "{sw:04X}");
            // The same through the driver's refusal, read with the default profile's words.
            let e = status_error("op", sw, &ProfileWords::default());
            assert_eq!(device_rv(&e), rv, "{sw:04X} as {e:?}");
        }
    }

    /// The typed driver errors: what they are as `CKR_`; a wrong PIN's tries are the status
    /// word's low nibble; a `CKR_` the module itself chose passes unchanged.
    #[test]
    fn typed_driver_errors_read_as_their_ckr() {
        let words = ProfileWords::default();
        match status_error("VERIFY", 0x63C2, &words) {
            DriverError::PinIncorrect { tries_left, .. } => assert_eq!(tries_left, Some(2)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            status_error("SELECT", 0x6A82, &words),
            DriverError::NotFound { .. }
        ));
        assert!(matches!(
            status_error("CREATE FILE", 0x6A84, &words),
            DriverError::NoRoom { .. }
        ));
        let bad = DriverError::BadObject { reason: "x".into() };
        assert_eq!(device_rv(&bad), CKR_ATTRIBUTE_VALUE_INVALID);
        let chosen = DriverError::Refused {
            operation: "op".into(),
            code: Code::Module(CKR_MECHANISM_INVALID),
            meaning: String::new(),
        };
        assert_eq!(device_rv(&chosen), CKR_MECHANISM_INVALID);
        assert_eq!(Error::Device(chosen).rv(), CKR_MECHANISM_INVALID);
        assert_eq!(Error::Rv(CKR_SLOT_ID_INVALID).rv(), CKR_SLOT_ID_INVALID);
    }
}
