//! A secret raw APDU whose text does not parse: the report says so without the text (it holds
//! a PIN, and an operator's PIN replaces the scenario's after the loader checked the file).

use rutoken_conformance::client::ClientConfig;
use rutoken_conformance::report::Outcome;
use rutoken_conformance::scenario::{FixtureName, load};
use rutoken_conformance::target::emulator;
use rutoken_sim::profile::DeviceProfile;

const SEED: u64 = 7;

#[test]
fn a_secret_command_that_is_not_hex_is_reported_without_its_text() {
    let text = "name: secret-apdu\nvars: {user_pin: \"3132333435363738\"}\nsteps:\n  - attach\n  \
                - apdu: {command: \"00 20 00 02 08 ${user_pin}\", sw: \"9000\", secret: true}\n";
    let mut scenario =
        load::parse(std::path::Path::new("secret-apdu.yaml"), text).expect("a valid scenario");
    // What `--user-pin` does after loading (operator::pins::apply): a PIN typed as text.
    scenario
        .vars
        .0
        .insert("user_pin".to_owned(), "pin-zq42".to_owned());
    let profile = DeviceProfile::default();
    let mut target = emulator::open(FixtureName::Personalised, SEED, &profile).unwrap();
    let config = ClientConfig::from_profile(&profile);
    let report = rutoken_conformance::runner::run(&scenario, target.as_mut(), &config, SEED);
    let Outcome::Failed(failure) = &report.outcome else {
        panic!("{:?}", report.outcome);
    };
    assert_eq!(failure.expected, "a hex command");
    assert_eq!(failure.actual, "a secret command that is not hex");
    let everything = format!("{report:?}");
    assert!(!everything.contains("zq42"), "{everything}");
}
