//! The driver seam over APDUs against the simulator's personalised token in a SafeTouch, in
//! process: every operation answers in the driver's terms, refusals carry the token's status
//! word, and what the reader cannot do answers `CannotExpress`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rutoken_apdu::StatusWord;
use rutoken_client::driver::{
    ApduDriver, Code, Driver, DriverError, Installed, Interrupt, KeySpec, PinCounter, PinRole,
    PinStatus, PowerEvent, Press, PressPlan, Reader, TokenKey,
};
use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, Transport, TransportError};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{self, EventKind, SafeTouch, ScriptedButtons};
use rutoken_sim::token::{Fixture, Token};

const USER_PIN: &str = "12345678";
const ADMIN_PIN: &str = "87654321";

/// The SafeTouch in process as a reader: presses through scripted buttons, screens from its
/// event log, pulls and insertions as power off and on.
struct Bench {
    card: InProcess<SafeTouch<Token>>,
    buttons: ScriptedButtons,
    seen: usize,
    present: bool,
}

impl Transport for Bench {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        self.card.transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.card.atr()
    }
}

impl Reader for Bench {
    fn arrange_press(&mut self, press: Press, _: &[String]) -> Result<(), TransportError> {
        self.buttons.push(match press {
            Press::Confirm => safetouch::Press::Confirm,
            Press::Reject => safetouch::Press::Reject,
            Press::Timeout => safetouch::Press::Timeout,
        });
        Ok(())
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        let events = self.card.card().events();
        let shown = events[self.seen..]
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Shown { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        self.seen = events.len();
        Some(shown)
    }
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        match event {
            PowerEvent::Pull => self.present = false,
            PowerEvent::Insert => self.present = true,
            _ => return Err(TransportError::Unsupported(event.action())),
        }
        Ok(())
    }
}

fn driver_with(profile: &DeviceProfile) -> ApduDriver<Bench> {
    let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
    let buttons = ScriptedButtons::new();
    let st = SafeTouch::new(token, profile.safetouch.clone(), Box::new(buttons.clone()));
    let bench = Bench {
        card: InProcess::new(st),
        buttons,
        seen: 0,
        present: true,
    };
    ApduDriver::new(Client::new(bench, ClientConfig::from_profile(profile)))
}

fn driver() -> ApduDriver<Bench> {
    driver_with(&DeviceProfile::default())
}

fn confirm() -> PressPlan {
    PressPlan {
        press: Press::Confirm,
        expected_screen: Vec::new(),
    }
}

fn spec(label: &str) -> KeySpec<'_> {
    let param_set = gost::ParamSet::from_name("256-A").unwrap();
    KeySpec {
        algorithm: gost::KeyAlgorithm::gost2012_for(param_set),
        param_set,
        label,
        exchange: false,
    }
}

#[test]
fn attach_serial_and_objects_come_in_driver_terms() {
    let mut d = driver();
    assert!(!d.atr().unwrap().is_empty());
    d.attach().unwrap();
    let serial = d.serial().unwrap();
    let bytes = serial.bytes.clone().unwrap();
    assert_eq!(bytes.len(), 8);
    assert!(
        serial
            .shown
            .contains(&rutoken_client::device_number(&bytes)),
        "{}",
        serial.shown
    );
    let objects = d.objects().unwrap();
    assert_eq!(objects.keys.len(), 1);
    assert_eq!(objects.certificates.len(), 1);
    // The fixture's pair and its certificate share one ID.
    assert_eq!(
        objects.keys[0].id.as_deref(),
        Some(objects.certificates[0].id.as_slice())
    );
}

#[test]
fn pin_answers_carry_the_status_word() {
    let mut d = driver();
    d.attach().unwrap();
    assert_eq!(
        d.pin_counter(PinRole::User).unwrap(),
        PinCounter::Exact(PinStatus::TriesLeft(5))
    );
    let wrong = d.verify_pin(PinRole::User, "00000000").unwrap_err();
    assert_eq!(
        wrong,
        DriverError::PinIncorrect {
            tries_left: Some(4),
            code: Code::Sw(StatusWord(0x63C4)),
        }
    );
    assert_eq!(wrong.to_string(), "wrong PIN, 4 tries left");
    assert!(!d.logged_in(PinRole::User).unwrap());
    d.verify_pin(PinRole::User, USER_PIN).unwrap();
    assert!(d.logged_in(PinRole::User).unwrap());
    d.logout().unwrap();
    assert!(!d.logged_in(PinRole::User).unwrap());
    // The admin unblocks the user PIN; it stays what it was.
    d.unblock_user_pin(ADMIN_PIN, None).unwrap();
    d.logout().unwrap();
    assert_eq!(
        d.pin_counter(PinRole::User).unwrap(),
        PinCounter::Exact(PinStatus::TriesLeft(5))
    );
    d.verify_pin(PinRole::User, USER_PIN).unwrap();
}

#[test]
fn a_generated_key_signs_on_the_token_and_over_a_host_digest() {
    let mut d = driver();
    d.attach().unwrap();
    // Not logged in: the token's 6982 comes through as its code.
    let refused = d.generate_key(spec("k")).unwrap_err();
    assert_eq!(refused.code(), Some(Code::Sw(StatusWord(0x6982))));
    d.verify_pin(PinRole::User, USER_PIN).unwrap();
    let key = d.generate_key(spec("k")).unwrap();
    assert!(d.key_present(&key).unwrap());
    let q = key.public_key.clone().unwrap();
    let vk = gost::VerifyingKey::from_le_bytes(key.param_set.unwrap(), &q).unwrap();
    let document = b"reissue document";
    let sig = d.sign_document(&key, document, Some(&confirm())).unwrap();
    let digest = gost::KeyAlgorithm::gost2012_for(key.param_set.unwrap())
        .digest()
        .digest(document);
    vk.verify_digest(&digest, &sig).unwrap();
    let screens = d.take_screens().unwrap();
    assert_eq!(screens.len(), 1, "{screens:?}");
    let sig = d.sign_digest(&key, &digest, Some(&confirm())).unwrap();
    vk.verify_digest(&digest, &sig).unwrap();
    // A signature that verifies is no accident: another digest does not.
    let other = gost::KeyAlgorithm::gost2012_for(key.param_set.unwrap())
        .digest()
        .digest(b"another");
    assert!(vk.verify_digest(&other, &sig).is_err());
    d.delete_key(&key).unwrap();
    assert!(!d.key_present(&key).unwrap());
    assert!(matches!(
        d.sign_document(&TokenKey::default(), b"x", None),
        Err(DriverError::NotFound { .. })
    ));
}

#[test]
fn safetouch_refusals_are_typed() {
    let mut profile = DeviceProfile::default();
    profile.safetouch.timeout_sw = 0x6FB2;
    let mut d = driver_with(&profile);
    d.attach().unwrap();
    d.verify_pin(PinRole::User, USER_PIN).unwrap();
    let current = d.objects().unwrap().keys.remove(0);
    let plan = |press| PressPlan {
        press,
        expected_screen: Vec::new(),
    };
    let rejected = d
        .sign_document(&current, b"x", Some(&plan(Press::Reject)))
        .unwrap_err();
    assert_eq!(
        rejected,
        DriverError::Rejected {
            code: Code::Sw(StatusWord(0x6FB1))
        }
    );
    assert!(rejected.refused_on_device());
    assert_eq!(
        d.sign_document(&current, b"x", Some(&plan(Press::Timeout))),
        Err(DriverError::TimedOut {
            code: Code::Sw(StatusWord(0x6FB2))
        })
    );
}

#[test]
fn certificates_install_read_delete_and_interrupt() {
    let mut d = driver();
    d.attach().unwrap();
    d.verify_pin(PinRole::User, USER_PIN).unwrap();
    let objects = d.objects().unwrap();
    let owner = objects.certificates[0].clone();
    let key = objects.keys[0].clone();
    let pulled = Interrupt {
        after_pieces: 1,
        by: PowerEvent::Pull,
    };
    assert_eq!(
        d.install_certificate(&key, &owner.der, "copy", Some(pulled))
            .unwrap(),
        Installed::Interrupted
    );
    // Out of the reader: every command answers Removed.
    assert_eq!(d.serial(), Err(DriverError::Removed));
    d.power(PowerEvent::Insert).unwrap();
    let read = d.read_certificate(&owner.id).unwrap();
    assert_eq!(read, rutoken_client::certificate::trim(&owner.der));
    d.delete_certificate(&owner.id).unwrap();
    assert_eq!(d.objects().unwrap().certificates.len(), 0);
    assert!(matches!(
        d.read_certificate(&owner.id),
        Err(DriverError::Missing {
            what: rutoken_client::Missing::Certificate | rutoken_client::Missing::CertificateFile
        })
    ));
    assert!(matches!(
        d.install_certificate(&key, &owner.der, "again", None),
        Ok(Installed::Listed { .. })
    ));
    assert_eq!(d.objects().unwrap().certificates.len(), 1);
}

#[test]
fn raw_commands_and_what_the_reader_cannot_do() {
    let mut d = driver();
    let r = d
        .transmit(&[0x00, 0xCA, 0x01, 0x81, 0x00], false, None)
        .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(r.data.len(), 8);
    let marker = d.secret_marker();
    d.transmit(&[0x00, 0x20, 0x00, 0x02], true, None).unwrap();
    assert!(!marker.load(std::sync::atomic::Ordering::SeqCst));
    let reset = d.power(PowerEvent::Reset).unwrap_err();
    assert_eq!(
        reset,
        DriverError::CannotExpress {
            what: "this target cannot reset the card".to_owned()
        }
    );
    // A bare in-process card has no buttons to arrange.
    let token = Token::in_memory(Fixture::Personalised, 3, Default::default()).unwrap();
    let mut bare = ApduDriver::new(Client::new(InProcess::new(token), ClientConfig::default()));
    assert!(matches!(
        bare.transmit(&[0x00, 0xCA, 0x01, 0x81, 0x00], false, Some(&confirm())),
        Err(DriverError::CannotExpress { .. })
    ));
    assert_eq!(bare.take_screens(), None);
}
