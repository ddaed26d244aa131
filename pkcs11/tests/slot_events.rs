//! `C_WaitForSlotEvent` through pcscd (issue 23 item 2): the emulated token pulled from vpcd's
//! reader is an event `CKF_DONT_BLOCK` reports once; a blocking wait returns when the token is
//! inserted again. The module reaches the private pcscd only inside its mount namespace: the
//! outer test starts the lab and runs the inner one (this binary again, an ignored test) there;
//! the inner test pulls and inserts through the emulator's control socket. Skipped (with the
//! reason printed) when not root or when pcscd, vpcd, OpenSC or OpenSSL's gost engine are
//! missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;
use support::lab::{CONTROL_ENV, MODULE_ENV};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};

use lab::Lab;

#[test]
fn a_pull_and_an_insert_are_slot_events() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    let text = lab.run_inside("inside_the_namespace", 120);
    eprintln!("{text}");
}

/// One request to the control socket, which must answer `ok`.
fn control(socket: &Path, request: &str) {
    let reply = testkit::control::Control::new(socket).request(request);
    assert_eq!(
        reply["ok"],
        serde_json::Value::Bool(true),
        "{request}: {reply}"
    );
}

/// Run by the outer test inside pcscd's namespace.
#[test]
#[ignore = "run by a_pull_and_an_insert_are_slot_events inside pcscd's namespace"]
fn inside_the_namespace() {
    let socket = PathBuf::from(std::env::var_os(CONTROL_ENV).expect("run by the outer test"));
    let module = PathBuf::from(std::env::var_os(MODULE_ENV).unwrap());
    let pkcs11 = Pkcs11::new(&module).unwrap();
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    // What C_Initialize found is no event.
    assert_eq!(pkcs11.get_slot_event().unwrap(), None);

    control(&socket, r#"{"cmd":"pull"}"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    let pulled = loop {
        if let Some(s) = pkcs11.get_slot_event().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no event for the pull");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(pulled, slot);
    assert!(pkcs11.get_slots_with_token().unwrap().is_empty());
    assert_eq!(
        pkcs11.get_slot_event().unwrap(),
        None,
        "one pull, one event"
    );

    // A blocking wait returns when the token is back.
    let waiter = {
        let pkcs11 = pkcs11.clone();
        std::thread::spawn(move || pkcs11.wait_for_slot_event())
    };
    std::thread::sleep(Duration::from_millis(500));
    assert!(!waiter.is_finished(), "the wait returned without an event");
    let inserted_at = Instant::now();
    control(&socket, r#"{"cmd":"insert"}"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !waiter.is_finished() {
        assert!(Instant::now() < deadline, "the wait did not see the insert");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(waiter.join().unwrap().unwrap(), slot);
    eprintln!("insert seen after {:?}", inserted_at.elapsed());
    let deadline = Instant::now() + Duration::from_secs(10);
    while pkcs11.get_slots_with_token().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the token did not come back");
        std::thread::sleep(Duration::from_millis(50));
    }
}
