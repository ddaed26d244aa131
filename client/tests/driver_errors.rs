//! The driver's error in a caller's terms: the answer code shown with and without its kind (a
//! report compares `value()` with a scenario's expected word), which refusals were the
//! SafeTouch's, and a client error's status word carried over.

use rutoken_apdu::StatusWord;
use rutoken_client::ClientError;
use rutoken_client::driver::{Code, DriverError};

#[test]
fn codes_read_with_and_without_their_kind() {
    let sw = Code::Sw(StatusWord(0x6A82));
    assert_eq!(sw.value(), "6A82");
    assert_eq!(sw.to_string(), "SW 6A82");
    // CKR_PIN_INCORRECT 0xA0 (PKCS#11 v2.40 §11.1).
    let rv = Code::Module(0xA0);
    assert_eq!(rv.value(), "0x000000A0");
    assert_eq!(rv.to_string(), "CK_RV 0x000000A0");
}

#[test]
fn only_the_safetouch_s_answers_are_refusals_on_the_device() {
    let code = Code::Sw(StatusWord(0x6985));
    assert!(DriverError::Rejected { code }.refused_on_device());
    assert!(DriverError::TimedOut { code }.refused_on_device());
    assert!(DriverError::RejectedOrTimedOut { code }.refused_on_device());
    assert!(!DriverError::Removed.refused_on_device());
    assert!(!DriverError::PinBlocked { code }.refused_on_device());
    assert!(
        !DriverError::from(ClientError::UnexpectedStatus {
            operation: "MSE SET",
            sw: StatusWord(0x6985),
        })
        .refused_on_device()
    );
}

#[test]
fn a_wrong_pin_keeps_its_status_word() {
    let e = DriverError::from(ClientError::PinIncorrect { tries_left: 3 });
    assert_eq!(
        e,
        DriverError::PinIncorrect {
            tries_left: Some(3),
            code: Code::Sw(StatusWord(0x63C3)),
        }
    );
    assert_eq!(e.code(), Some(Code::Sw(StatusWord(0x63C3))));
}
