//! `CKR_` codes: their names for reports, and the token status words a scenario expects
//! translated into the `CKR_` a module answers for them.

use cryptoki::error::{Error as CkError, RvError};
use rutoken_apdu::StatusWord;
use rutoken_cryptoki_gost::sys::*;

use crate::error::PatternError;
use crate::runner::pattern::sw_matches;

/// The `CKR_` of a cryptoki error (`None`: not the module's answer, e.g. a loading error).
pub fn of(e: &CkError) -> Option<CK_RV> {
    let CkError::Pkcs11(rv, _) = e else {
        return None;
    };
    Some(match rv {
        RvError::PinIncorrect => CKR_PIN_INCORRECT,
        RvError::PinLocked => CKR_PIN_LOCKED,
        RvError::PinLenRange => CKR_PIN_LEN_RANGE,
        RvError::PinInvalid => CKR_PIN_INVALID,
        RvError::UserNotLoggedIn => CKR_USER_NOT_LOGGED_IN,
        RvError::UserAlreadyLoggedIn => CKR_USER_ALREADY_LOGGED_IN,
        RvError::UserAnotherAlreadyLoggedIn => CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
        RvError::UserPinNotInitialized => CKR_USER_PIN_NOT_INITIALIZED,
        RvError::FunctionRejected => CKR_FUNCTION_REJECTED,
        RvError::FunctionNotSupported => CKR_FUNCTION_NOT_SUPPORTED,
        RvError::DeviceRemoved => CKR_DEVICE_REMOVED,
        RvError::DeviceError => CKR_DEVICE_ERROR,
        RvError::DeviceMemory => CKR_DEVICE_MEMORY,
        RvError::TokenNotPresent => CKR_TOKEN_NOT_PRESENT,
        RvError::TokenNotRecognized => CKR_TOKEN_NOT_RECOGNIZED,
        RvError::SessionHandleInvalid => CKR_SESSION_HANDLE_INVALID,
        RvError::SessionClosed => CKR_SESSION_CLOSED,
        RvError::SessionReadOnly => CKR_SESSION_READ_ONLY,
        RvError::ObjectHandleInvalid => CKR_OBJECT_HANDLE_INVALID,
        RvError::KeyHandleInvalid => CKR_KEY_HANDLE_INVALID,
        RvError::DataLenRange => CKR_DATA_LEN_RANGE,
        RvError::AttributeValueInvalid => CKR_ATTRIBUTE_VALUE_INVALID,
        RvError::TemplateIncomplete => CKR_TEMPLATE_INCOMPLETE,
        RvError::TemplateInconsistent => CKR_TEMPLATE_INCONSISTENT,
        RvError::ActionProhibited => CKR_ACTION_PROHIBITED,
        RvError::SlotIdInvalid => CKR_SLOT_ID_INVALID,
        RvError::CryptokiNotInitialized => CKR_CRYPTOKI_NOT_INITIALIZED,
        _ => CKR_GENERAL_ERROR,
    })
}

/// `CKR_PIN_INCORRECT`, or the code in hex.
pub fn name(rv: CK_RV) -> String {
    let known = [
        (CKR_OK, "CKR_OK"),
        (CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"),
        (CKR_PIN_LOCKED, "CKR_PIN_LOCKED"),
        (CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"),
        (CKR_PIN_INVALID, "CKR_PIN_INVALID"),
        (CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"),
        (CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"),
        (
            CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
            "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
        ),
        (CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"),
        (CKR_FUNCTION_REJECTED, "CKR_FUNCTION_REJECTED"),
        (CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED"),
        (CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"),
        (CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"),
        (CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"),
        (CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"),
        (CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"),
        (CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"),
        (CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"),
        (CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"),
        (CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"),
        (CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY"),
        (CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"),
        (CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"),
        (CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"),
        (CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"),
        (CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE"),
        (CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"),
        (CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"),
        (CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"),
        (CKR_ACTION_PROHIBITED, "CKR_ACTION_PROHIBITED"),
        (CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"),
    ];
    known
        .iter()
        .find(|(code, _)| *code == rv)
        .map_or_else(|| format!("CKR 0x{rv:08X}"), |(_, n)| (*n).to_owned())
}

/// The SafeTouch's own status words (Reject, time-out) of the device profile: a module answers
/// them with `CKR_FUNCTION_REJECTED` (docs/pkcs11.md).
#[derive(Debug, Clone, Copy)]
pub struct SafeTouchWords {
    /// `safetouch.reject_sw`.
    pub reject: u16,
    /// `safetouch.timeout_sw`.
    pub timeout: u16,
}

/// The `CKR_` codes a module answers for a token status word matching `pattern` (`x` any
/// nibble); empty: no status word the pattern matches has a natural `CKR_`. `pin`: the step
/// sends a PIN (`6700`, a wrong length, is then `CKR_PIN_LEN_RANGE`).
pub fn for_sw(pattern: &str, pin: bool, words: SafeTouchWords) -> Result<Vec<CK_RV>, PatternError> {
    let mut table: Vec<(u16, CK_RV)> = vec![
        (0x9000, CKR_OK),
        (0x6982, CKR_USER_NOT_LOGGED_IN),
        (0x63C0, CKR_PIN_LOCKED),
        (0x6983, CKR_PIN_LOCKED),
        (words.reject, CKR_FUNCTION_REJECTED),
        (words.timeout, CKR_FUNCTION_REJECTED),
        (
            0x6700,
            if pin {
                CKR_PIN_LEN_RANGE
            } else {
                CKR_DATA_LEN_RANGE
            },
        ),
    ];
    table.extend((0x63C1..=0x63CF).map(|sw| (sw, CKR_PIN_INCORRECT)));
    let mut codes = Vec::new();
    for (sw, rv) in table {
        if sw_matches(pattern, StatusWord(sw))? && !codes.contains(&rv) {
            codes.push(rv);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: SafeTouchWords = SafeTouchWords {
        reject: 0x6FB1,
        timeout: 0x6FB2,
    };

    #[test]
    fn common_status_words_have_their_ckr() {
        let codes = |p: &str, pin: bool| for_sw(p, pin, WORDS).unwrap();
        assert_eq!(codes("6982", false), vec![CKR_USER_NOT_LOGGED_IN]);
        assert_eq!(codes("63Cx", true), vec![CKR_PIN_LOCKED, CKR_PIN_INCORRECT]);
        assert_eq!(codes("63C2", true), vec![CKR_PIN_INCORRECT]);
        assert_eq!(codes("6983", true), vec![CKR_PIN_LOCKED]);
        assert_eq!(codes("6FB1", false), vec![CKR_FUNCTION_REJECTED]);
        assert_eq!(codes("6700", true), vec![CKR_PIN_LEN_RANGE]);
        assert_eq!(codes("6700", false), vec![CKR_DATA_LEN_RANGE]);
        assert_eq!(codes("9000", false), vec![CKR_OK]);
        // A status word no CKR_ stands for: the step cannot be checked through a module.
        assert!(codes("6A86", false).is_empty());
        assert_eq!(
            for_sw("69", false, WORDS),
            Err(PatternError::StatusWord("69".into()))
        );
    }

    #[test]
    fn names_are_the_headers_and_hex_otherwise() {
        assert_eq!(name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
        assert_eq!(name(0x8000_0001), "CKR 0x80000001");
    }
}
