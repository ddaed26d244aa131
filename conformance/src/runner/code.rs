//! A scenario's expected status word against the answer that ended a step: a token's status
//! word compares directly; a PKCS#11 module's `CK_RV` through the codes the status word stands
//! for (`pkcs11::rv::for_sw`, feature `pkcs11`).

use rutoken_apdu::StatusWord;
use rutoken_client::SafeTouchWords;
use rutoken_client::driver::Code;

use super::flow::{StepFailure, fail};

/// Whether `code` answers the status word pattern (`x` any nibble). `pin`: the step sends a
/// PIN (a module answers some words differently then).
pub fn matches(
    pattern: &str,
    pin: bool,
    code: Code,
    words: SafeTouchWords,
) -> Result<bool, StepFailure> {
    match code {
        Code::Sw(sw) => {
            super::pattern::sw_matches(pattern, sw).map_err(|e| fail("a valid sw pattern", e))
        }
        Code::Module(rv) => module_matches(pattern, pin, rv, words),
    }
}

/// The pattern as the scenario wrote it, with the `CKR_` codes it stands for when the answer
/// came from a module.
pub fn expected(pattern: &str, pin: bool, code: Code, words: SafeTouchWords) -> String {
    match code {
        Code::Sw(_) => format!("SW {pattern}"),
        Code::Module(_) => match module_names(pattern, pin, words) {
            Some(names) => format!("SW {pattern} ({names})"),
            None => format!("SW {pattern}"),
        },
    }
}

/// The answer in words: `SW 6982`, or the `CKR_` name.
pub fn name(code: Code) -> String {
    match code {
        Code::Sw(sw) => format!("SW {sw}"),
        Code::Module(rv) => module_name(rv),
    }
}

/// The word a completed step answered.
pub const OK: Code = Code::Sw(StatusWord::OK);

#[cfg(feature = "pkcs11")]
fn rv_words(words: SafeTouchWords) -> crate::pkcs11::rv::SafeTouchWords {
    crate::pkcs11::rv::SafeTouchWords {
        reject: words.reject.0,
        timeout: words.timeout.0,
    }
}

#[cfg(feature = "pkcs11")]
fn module_matches(
    pattern: &str,
    pin: bool,
    rv: u64,
    words: SafeTouchWords,
) -> Result<bool, StepFailure> {
    let codes = crate::pkcs11::rv::for_sw(pattern, pin, rv_words(words))
        .map_err(|e| fail("a valid sw", e))?;
    Ok(codes.contains(&rv))
}

#[cfg(feature = "pkcs11")]
fn module_names(pattern: &str, pin: bool, words: SafeTouchWords) -> Option<String> {
    let codes = crate::pkcs11::rv::for_sw(pattern, pin, rv_words(words)).ok()?;
    Some(
        codes
            .iter()
            .map(|c| crate::pkcs11::rv::name(*c))
            .collect::<Vec<_>>()
            .join(" or "),
    )
}

#[cfg(feature = "pkcs11")]
fn module_name(rv: u64) -> String {
    crate::pkcs11::rv::name(rv)
}

/// Without the `pkcs11` feature no driver answers a `CK_RV`.
#[cfg(not(feature = "pkcs11"))]
fn module_matches(_: &str, _: bool, _: u64, _: SafeTouchWords) -> Result<bool, StepFailure> {
    Ok(false)
}

#[cfg(not(feature = "pkcs11"))]
fn module_names(_: &str, _: bool, _: SafeTouchWords) -> Option<String> {
    None
}

#[cfg(not(feature = "pkcs11"))]
fn module_name(rv: u64) -> String {
    format!("CK_RV 0x{rv:08X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default profile's words: one for Reject and the time-out.
    const WORDS: SafeTouchWords = SafeTouchWords {
        reject: StatusWord(0x6FB1),
        timeout: StatusWord(0x6FB1),
    };

    #[test]
    fn a_status_word_compares_with_the_pattern() {
        let sw = Code::Sw(StatusWord(0x6982));
        assert!(matches("6982", false, sw, WORDS).unwrap());
        assert!(matches("69xx", false, sw, WORDS).unwrap());
        assert!(!matches("6A82", false, sw, WORDS).unwrap());
        assert!(matches("9000", false, OK, WORDS).unwrap());
        assert_eq!(expected("6982", false, sw, WORDS), "SW 6982");
        assert_eq!(name(sw), "SW 6982");
    }

    #[cfg(feature = "pkcs11")]
    #[test]
    fn a_module_code_compares_through_the_codes_the_word_stands_for() {
        use rutoken_cryptoki_gost::sys::{CKR_FUNCTION_REJECTED, CKR_USER_NOT_LOGGED_IN};
        let not_logged_in = Code::Module(CKR_USER_NOT_LOGGED_IN);
        assert!(matches("6982", false, not_logged_in, WORDS).unwrap());
        assert!(!matches("6A82", false, not_logged_in, WORDS).unwrap());
        // The SafeTouch's refusal word is the module's CKR_FUNCTION_REJECTED.
        let rejected = Code::Module(CKR_FUNCTION_REJECTED);
        assert!(matches("6FB1", false, rejected, WORDS).unwrap());
        assert!(!matches("6982", false, rejected, WORDS).unwrap());
        assert_eq!(name(not_logged_in), "CKR_USER_NOT_LOGGED_IN");
        assert_eq!(
            expected("6982", false, not_logged_in, WORDS),
            "SW 6982 (CKR_USER_NOT_LOGGED_IN)"
        );
    }
}
