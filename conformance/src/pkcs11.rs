//! `--target pkcs11 --module PATH [--slot N]` (crate feature `pkcs11`): the scenarios' bank-client
//! steps through any PKCS#11 module (Aktiv's rtpkcs11ecp with a real token, this project's
//! module or OpenSC's with the emulator), loaded with the `cryptoki` crate. A module carries no
//! APDUs, so this is not a [`crate::target::Target`]: [`driver`] is the runner's driver over
//! the module (each step as PKCS#11 calls), and the one runner executes the scenario through
//! it with the same reports and checks (CA, certificate bytes, signatures).
//! Presses, screens, power events and fresh tokens come from the emulator's control socket
//! (`--control`); steps a module cannot express (raw APDUs, a status word without a `CKR_`)
//! skip the scenario with the reason.

pub mod driver;
pub mod plan;
pub mod rv;
pub mod token;

pub use crate::suite::Pkcs11Options;

/// Opens the module once (C_Initialize, the slot, a session) and reads its mechanisms: a bad
/// path, a missing slot or a failing C_Initialize is the run's usage error.
pub fn probe(opts: &Pkcs11Options) -> Result<String, crate::Error> {
    // With the emulator, probe a start token (each scenario loads its own later): whatever an
    // earlier run left in the emulator (an erased token, say) is not what this run tests.
    if let Some(path) = &opts.control {
        Control::open(path)
            .and_then(|c| {
                c.request(rutoken_sim::control::Request::Load {
                    fixture: rutoken_sim::token::Fixture::Personalised,
                    seed: 0,
                })
            })
            .map_err(|source| crate::Error::Control {
                path: path.clone(),
                source,
            })?;
    }
    let token = token::Token::open(&opts.module, opts.slot)?;
    let info = token
        .info()
        .map_err(|e| token::open_error(&opts.module, token::ModuleProblem::Call(e)))?;
    let slot = token.slot.map_or(0, |s| s.id());
    Ok(format!(
        "slot {slot}: {} ({})",
        info.label().trim(),
        info.model().trim()
    ))
}

use crate::report::{FailedAt, Failure, Outcome, ScenarioReport};
use crate::runner::{Opened, not_run};
use crate::scenario::{FixtureName, Scenario};
use crate::session::{Journal, Session};
use crate::target::control::Control;

use rv::SafeTouchWords;

/// Opens one scenario's driver over the module, for the runner: a fresh start token first
/// when there is a control socket, then the module loaded and asked for its mechanisms. A
/// scenario with a step the module cannot express is skipped before the token is touched,
/// naming the step (`Err`: the report of a scenario that did not start).
pub fn open(
    scenario: &Scenario,
    opts: &Pkcs11Options,
    profile: &rutoken_sim::profile::DeviceProfile,
    seed: u64,
) -> Result<Opened<'static>, Box<ScenarioReport>> {
    let failed = |f: (String, String)| {
        Outcome::Failed(Failure {
            at: FailedAt::Connect,
            expected: f.0,
            actual: f.1,
            location: None,
        })
    };
    let words = SafeTouchWords {
        reject: profile.safetouch.reject_sw,
        timeout: profile.safetouch.timeout_sw,
    };
    let mode = plan::Mode {
        control: opts.control.is_some(),
        operator: opts.operator.is_some(),
        allow_destructive: opts.allow_destructive || opts.control.is_some(),
    };
    // What does not depend on the module is decided before the start token is loaded: a
    // scenario of raw APDUs on a factory token is skipped, not failed at "no token".
    if let Some(reason) = plan::skip_reason(scenario, mode, None, words) {
        return Err(Box::new(not_run(scenario, Outcome::Skipped { reason })));
    }
    let mut control = None;
    if let Some(path) = &opts.control {
        let loaded = Control::open(path).and_then(|mut c| {
            let fixture = match scenario.token.fixture {
                FixtureName::Factory => rutoken_sim::token::Fixture::Factory,
                FixtureName::Personalised => rutoken_sim::token::Fixture::Personalised,
            };
            c.request(rutoken_sim::control::Request::Load { fixture, seed })?;
            c.forget_events();
            Ok(c)
        });
        match loaded {
            Ok(c) => control = Some(c),
            Err(e) => {
                let why = (
                    "a fresh token through the control socket".into(),
                    e.to_string(),
                );
                return Err(Box::new(not_run(scenario, failed(why))));
            }
        }
    }
    let token = match token::Token::open(&opts.module, opts.slot) {
        Ok(t) => t,
        Err(e) => {
            let why = ("the module and its slot".into(), e.to_string());
            return Err(Box::new(not_run(scenario, failed(why))));
        }
    };
    let mechanisms = match token.mechanisms() {
        Ok(m) => m,
        Err(e) => {
            let why = ("the mechanism list".into(), e.to_string());
            return Err(Box::new(not_run(scenario, failed(why))));
        }
    };
    if let Some(reason) = plan::skip_reason(scenario, mode, Some(&mechanisms), words) {
        return Err(Box::new(not_run(scenario, Outcome::Skipped { reason })));
    }
    let journal = Journal::default();
    let screen_size = (profile.safetouch.rows, profile.safetouch.columns);
    let driver =
        driver::Pkcs11Driver::new(token, control, opts.operator, screen_size, journal.clone());
    Ok(Opened {
        session: Session::new(Box::new(driver), journal),
        fresh: opts.control.is_some(),
        fresh_tries: opts
            .control
            .as_ref()
            .and_then(|_| fresh_user_tries(scenario, profile, seed)),
        words: rutoken_client::ClientConfig::from_profile(profile).safetouch,
    })
}

/// The user PIN tries of the start token the control socket loaded: the same token built in
/// process (same fixture, same seed) asked with `VERIFY` without data.
fn fresh_user_tries(
    scenario: &Scenario,
    profile: &rutoken_sim::profile::DeviceProfile,
    seed: u64,
) -> Option<u8> {
    let target = crate::target::emulator::open(scenario.token.fixture, seed, profile).ok()?;
    let config = rutoken_client::ClientConfig::from_profile(profile);
    let mut client = rutoken_client::Client::new(target, config);
    match client.pin_status(rutoken_client::PinRole::User).ok()? {
        rutoken_client::PinStatus::TriesLeft(n) => Some(n),
        _ => None,
    }
}
