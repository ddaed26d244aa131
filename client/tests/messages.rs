//! The words a person reads for a PIN's state: the wrong-PIN error and a PIN status (a
//! front-end shows both as they are), with "try" for one and "tries" otherwise.

use rutoken_client::{ClientError, PinStatus};

#[test]
fn the_wrong_pin_message_counts_tries() {
    let message = |n| ClientError::PinIncorrect { tries_left: n }.to_string();
    assert_eq!(message(1), "wrong PIN, 1 try left");
    assert_eq!(message(2), "wrong PIN, 2 tries left");
    assert_eq!(message(0), "wrong PIN, 0 tries left");
}

#[test]
fn a_pin_status_reads_as_its_status_word() {
    assert_eq!(PinStatus::Verified.to_string(), "9000 (verified)");
    assert_eq!(PinStatus::TriesLeft(1).to_string(), "63C1 (1 try left)");
    assert_eq!(PinStatus::TriesLeft(10).to_string(), "63CA (10 tries left)");
    assert_eq!(PinStatus::Blocked.to_string(), "6983 (blocked)");
}
