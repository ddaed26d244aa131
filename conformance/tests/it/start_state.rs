//! A target that cannot put a fresh token in (a real token): a scenario runs only when the token
//! in the reader matches its start state, otherwise it is skipped with the reason.

use std::collections::BTreeSet;

use rutoken_conformance::client::{ClientConfig, Transport, TransportError};
use rutoken_conformance::report::Outcome;
use rutoken_conformance::scenario::step::PressAction;
use rutoken_conformance::scenario::{Capability, FixtureName, load};
use rutoken_conformance::target::{Target, TargetError, emulator};
use rutoken_sim::profile::DeviceProfile;

use crate::support::scenarios_dir;

/// The emulator without `fresh_token`: what a real token in a reader can do.
struct NoFreshToken(Box<dyn Target>);

impl Transport for NoFreshToken {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.0.atr()
    }
}

impl Target for NoFreshToken {
    fn name(&self) -> String {
        "no-fresh-token".to_owned()
    }
    fn capabilities(&self) -> BTreeSet<Capability> {
        let mut caps = self.0.capabilities();
        caps.remove(&Capability::FreshToken);
        caps
    }
    fn connect(&mut self) -> Result<Vec<u8>, TargetError> {
        self.0.connect()
    }
    fn arrange_press(&mut self, press: PressAction, screen: &[String]) -> Result<(), TargetError> {
        self.0.arrange_press(press, screen)
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        self.0.take_screens()
    }
    fn power_cycle(&mut self) -> Result<(), TargetError> {
        self.0.power_cycle()
    }
    fn reset(&mut self) -> Result<(), TargetError> {
        self.0.reset()
    }
    fn pull(&mut self) -> Result<(), TargetError> {
        self.0.pull()
    }
    fn insert(&mut self) -> Result<(), TargetError> {
        self.0.insert()
    }
    fn restart(&mut self) -> Result<(), TargetError> {
        self.0.restart()
    }
}

const SEED: u64 = 5;

fn token(fixture: FixtureName) -> NoFreshToken {
    NoFreshToken(emulator::open(fixture, SEED, &DeviceProfile::default()).unwrap())
}

/// Runs `pin-wrong-once` (a personalised token with 3 user PIN tries left) on `target`.
fn pin_wrong_once(target: &mut NoFreshToken) -> Outcome {
    let scenario = load::load_file(&scenarios_dir().join("pin-wrong-once.yaml")).unwrap();
    assert_eq!(scenario.token.user_pin_tries_left, Some(3));
    let config = ClientConfig::from_profile(&DeviceProfile::default());
    rutoken_conformance::runner::run(&scenario, target, &config, SEED).outcome
}

#[test]
fn a_matching_token_runs_the_scenario() {
    let outcome = pin_wrong_once(&mut token(FixtureName::Personalised));
    assert_eq!(outcome, Outcome::Passed);
}

#[test]
fn too_few_pin_tries_is_a_skip_with_the_reason() {
    let mut target = token(FixtureName::Personalised);
    target.connect().unwrap();
    // Wrong user PINs until 2 tries are left: fewer than the scenario starts from.
    let wrong = [
        0x00, 0x20, 0x00, 0x02, 0x08, b'0', b'0', b'0', b'0', b'0', b'0', b'0', b'0',
    ];
    while target.transmit(&wrong).unwrap() != [0x63, 0xC2] {}
    match pin_wrong_once(&mut target) {
        Outcome::Skipped { reason } => {
            assert!(reason.contains("3 user PIN tries left"), "{reason}");
            assert!(reason.contains("fresh token"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn another_fixture_is_a_skip_with_the_reason() {
    match pin_wrong_once(&mut token(FixtureName::Factory)) {
        Outcome::Skipped { reason } => assert!(reason.contains("personalised"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
