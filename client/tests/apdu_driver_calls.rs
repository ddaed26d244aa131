//! The APDU driver's calls that the bank client's flow does not make but the PKCS#11 module
//! and the plugin bridge do, against the emulator's personalised token in process: the ATR and
//! the MF selected on attach, the PKCS#15 application told apart from a factory token, PIN
//! changes, unblocking and the counters' maximum and minimum length read from the PIN's FCP,
//! the token label, and what a bare in-process reader cannot do. PINs are the profile's factory
//! ones, which the personalised fixture keeps; the PIN limits are the fixture's.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use rutoken_client::driver::{ApduDriver, Driver, DriverError, PinCounter, PowerEvent};
use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, PinRole, PinStatus};
use rutoken_device::card::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

type Bare = ApduDriver<InProcess<Token>>;

/// The personalised fixture's PIN objects, as OpenSC's `pkcs15-init --store-pin` writes them
/// (`simulator/src/token/fixture/pkcs15.rs`, 05_storepin.log): the user PIN at least 4
/// characters with 5 tries, the SO (admin) PIN at least 8 with 10 tries.
const USER_MIN_LEN: u8 = 4;
const USER_TRIES: u8 = 5;
const ADMIN_MIN_LEN: u8 = 8;
const ADMIN_TRIES: u8 = 10;

fn token(fixture: Fixture) -> Token {
    Token::in_memory(fixture, 3, DeviceProfile::default().token.clone()).unwrap()
}

fn driver(fixture: Fixture) -> Bare {
    let profile = DeviceProfile::default();
    ApduDriver::new(Client::new(
        InProcess::new(token(fixture)),
        ClientConfig::from_profile(&profile),
    ))
}

fn tries(d: &mut Bare, role: PinRole) -> u8 {
    match d.pin_counter(role).unwrap() {
        PinCounter::Exact(PinStatus::TriesLeft(n)) => n,
        other => panic!("expected a count, got {other:?}"),
    }
}

#[test]
fn the_atr_is_the_tokens_and_attach_selects_the_mf() {
    let mut d = driver(Fixture::Personalised);
    // The same token, asked directly (the ATR depends only on the profile and seed).
    assert_eq!(d.atr().unwrap(), token(Fixture::Personalised).atr());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    d.client().set_observer(Some(Box::new(move |exchange| {
        seen.lock().unwrap().push(exchange.command.to_vec());
    })));
    d.attach().unwrap();
    // SELECT 3F00 (`rutoken-ecp-apdu.md` §4).
    assert_eq!(
        *log.lock().unwrap(),
        vec![vec![0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00, 0x00]]
    );
}

#[test]
fn a_factory_token_has_no_pkcs15_application() {
    assert!(driver(Fixture::Personalised).has_application().unwrap());
    assert!(!driver(Fixture::Factory).has_application().unwrap());
}

#[test]
fn pin_limits_come_from_the_pin_objects() {
    let mut d = driver(Fixture::Personalised);
    d.attach().unwrap();
    assert_eq!(d.max_tries(PinRole::User).unwrap(), Some(USER_TRIES));
    assert_eq!(d.max_tries(PinRole::Admin).unwrap(), Some(ADMIN_TRIES));
    assert_eq!(d.min_pin_len(PinRole::User).unwrap(), Some(USER_MIN_LEN));
    assert_eq!(d.min_pin_len(PinRole::Admin).unwrap(), Some(ADMIN_MIN_LEN));
}

#[test]
fn change_unblock_reset_and_set_pins() {
    let profile = DeviceProfile::default().token;
    let (user, admin) = (
        profile.factory_user_pin.as_str(),
        profile.factory_admin_pin.as_str(),
    );
    let mut d = driver(Fixture::Personalised);
    d.attach().unwrap();
    let max = USER_TRIES;

    // A changed PIN: the new one verifies, the old one is wrong.
    d.change_pin(PinRole::User, user, "11112222").unwrap();
    d.logout().unwrap();
    assert!(matches!(
        d.verify_pin(PinRole::User, user),
        Err(DriverError::PinIncorrect { .. })
    ));
    assert_eq!(tries(&mut d, PinRole::User), max - 1);

    // Unblocking with the admin PIN: the counter back to the maximum, the PIN kept.
    d.unblock_user_pin(admin, None).unwrap();
    d.logout().unwrap();
    assert_eq!(tries(&mut d, PinRole::User), max);
    d.verify_pin(PinRole::User, "11112222").unwrap();
    d.logout().unwrap();

    // RESET RETRY COUNTER under the admin PIN, then a new value without the old one.
    assert!(d.verify_pin(PinRole::User, "99998888").is_err());
    d.verify_pin(PinRole::Admin, admin).unwrap();
    d.reset_retry_counter(PinRole::User).unwrap();
    d.set_pin(PinRole::User, "33334444").unwrap();
    d.logout().unwrap();
    assert_eq!(tries(&mut d, PinRole::User), max);
    d.verify_pin(PinRole::User, "33334444").unwrap();
}

#[test]
fn the_token_label_is_written_and_read_back() {
    let user = DeviceProfile::default().token.factory_user_pin;
    let mut d = driver(Fixture::Personalised);
    d.attach().unwrap();
    d.verify_pin(PinRole::User, &user).unwrap();
    d.set_token_label("Bank token 7").unwrap();
    assert_eq!(d.token_label().unwrap().as_deref(), Some("Bank token 7"));
}

#[test]
fn the_secret_marker_is_up_only_during_a_secret_command() {
    let mut d = driver(Fixture::Personalised);
    let marker = d.secret_marker();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    d.client().set_observer(Some(Box::new(move |_| {
        log.lock().unwrap().push(marker.load(Ordering::SeqCst));
    })));
    let select_mf = [0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00];
    d.transmit(&select_mf, true, None).unwrap();
    d.transmit(&select_mf, false, None).unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![true, false]);
    assert!(!d.secret_marker().load(Ordering::SeqCst));
}

#[test]
fn a_bare_reader_has_no_power_switch_or_screen() {
    let mut d = driver(Fixture::Personalised);
    assert_eq!(d.take_screens(), None);
    assert!(matches!(
        d.power(PowerEvent::PowerCycle),
        Err(DriverError::CannotExpress { .. })
    ));
    // No APDU tells the free memory, and a bare reader cannot count it.
    assert!(matches!(
        d.free_memory(),
        Err(DriverError::CannotExpress { .. })
    ));
}
