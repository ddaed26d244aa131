//! `--target pkcs11 --module PATH [--slot N]` (crate feature `pkcs11`): the scenarios' bank-client
//! steps through any PKCS#11 module (Aktiv's rtpkcs11ecp with a real token, this project's
//! module or OpenSC's with the emulator), loaded with the `cryptoki` crate. A module carries no
//! APDUs, so this is not a [`crate::target::Target`]: [`flow`] maps each step onto PKCS#11
//! calls and the runner's reports and checks (CA, certificate bytes, signatures) stay the same.
//! Presses, screens, power events and fresh tokens come from the emulator's control socket
//! (`--control`); steps a module cannot express (raw APDUs, a status word without a `CKR_`)
//! skip the scenario with the reason.

pub mod checks;
pub mod flow;
pub mod plan;
pub mod rv;
pub mod token;

pub use crate::suite::Pkcs11Options;

/// Opens the module once (C_Initialize, the slot, a session) and reads its mechanisms: a bad
/// path, a missing slot or a failing C_Initialize is the run's usage error.
pub fn probe(opts: &Pkcs11Options) -> Result<String, String> {
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
            .map_err(|e| format!("--control {}: {e}", path.display()))?;
    }
    let token = token::Token::open(&opts.module, opts.slot)?;
    let info = token
        .info()
        .map_err(|e| token::open_error(&opts.module, &e.to_string()))?;
    let slot = token.slot.map_or(0, |s| s.id());
    Ok(format!(
        "slot {slot}: {} ({})",
        info.label().trim(),
        info.model().trim()
    ))
}

use std::time::Instant;

use crate::report::{Failure, Outcome, Produced, ScenarioReport, StepKind, StepRecord};
use crate::runner::pki::Ca;
use crate::scenario::{FixtureName, Scenario};
use crate::target::control::Control;
use crate::transcript::{Exchange, Transcript};

use flow::{Halt, P11Flow, P11Result};
use rv::SafeTouchWords;

/// Runs one scenario through the module: a fresh start token first when there is a control
/// socket, then the module loaded and asked for its mechanisms, the steps, the assertions.
pub fn run(
    scenario: &Scenario,
    opts: &Pkcs11Options,
    profile: &rutoken_sim::profile::DeviceProfile,
    seed: u64,
) -> ScenarioReport {
    let started = Instant::now();
    let mut report = ScenarioReport {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        description: scenario.description.clone(),
        tags: scenario.tags.clone(),
        outcome: Outcome::Passed,
        duration: Default::default(),
        steps: Vec::new(),
        transcript: Default::default(),
        screens: Vec::new(),
        presses: Vec::new(),
        produced: Produced::default(),
    };
    let failed = |at: &str, f: (String, String)| {
        Outcome::Failed(Failure {
            at: at.to_owned(),
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
        report.outcome = Outcome::Skipped { reason };
        return report;
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
                report.outcome = failed(
                    "connect",
                    (
                        "a fresh token through the control socket".into(),
                        e.to_string(),
                    ),
                );
                return report;
            }
        }
    }
    let mut token = match token::Token::open(&opts.module, opts.slot) {
        Ok(t) => t,
        Err(e) => {
            report.outcome = failed("connect", ("the module and its slot".into(), e));
            return report;
        }
    };
    let mechanisms = match token.mechanisms() {
        Ok(m) => m,
        Err(e) => {
            report.outcome = failed("connect", ("the mechanism list".into(), e.to_string()));
            return report;
        }
    };
    if let Some(reason) = plan::skip_reason(scenario, mode, Some(&mechanisms), words) {
        report.outcome = Outcome::Skipped { reason };
        return report;
    }
    let today = match time::Date::parse(
        &scenario.token.date,
        &time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) => d,
        Err(e) => {
            report.outcome = failed("setup", ("token.date YYYY-MM-DD".into(), e.to_string()));
            return report;
        }
    };
    let ca = match Ca::new(seed) {
        Ok(ca) => ca,
        Err(e) => {
            report.outcome = failed("setup", ("the test CA".into(), e));
            return report;
        }
    };
    let mut vars = scenario.vars.0.clone();
    vars.insert(
        "today".to_owned(),
        format!(
            "{:02}.{:02}.{}",
            today.day(),
            u8::from(today.month()),
            today.year()
        ),
    );
    let mut flow = P11Flow {
        token: &mut token,
        control,
        words,
        vars,
        today,
        keys: Default::default(),
        request_specs: Default::default(),
        request: None,
        document: None,
        current_certificate: None,
        issued: None,
        ca,
        produced: Produced::default(),
        screens: Vec::new(),
        shown: Vec::new(),
        presses: Vec::new(),
        screens_in_steps: 0,
        step: String::new(),
        operator: opts.operator,
        observation: None,
        screen_size: (profile.safetouch.rows, profile.safetouch.columns),
        fresh_tries: opts
            .control
            .as_ref()
            .and_then(|_| fresh_user_tries(scenario, profile, seed)),
    };
    let mut records = Vec::new();
    let mut at = String::new();
    let mut transcript = Transcript::default();
    // The calls of the start (loading the module, the mechanism list) are not the scenario's.
    flow.token.log.borrow_mut().clear();
    let result = parts(
        scenario,
        &mut flow,
        started,
        &mut records,
        &mut at,
        &mut transcript,
    );
    flow.collect_screens();
    report.outcome = match result {
        Ok(()) => Outcome::Passed,
        Err(Halt::Skip(reason)) => Outcome::Skipped {
            reason: format!("{at}: {reason}"),
        },
        Err(Halt::Fail(f, _)) => failed(&at, (f.expected, f.actual)),
    };
    report.produced = std::mem::take(&mut flow.produced);
    report.screens = std::mem::take(&mut flow.shown);
    report.presses = std::mem::take(&mut flow.presses);
    report.steps = records;
    report.transcript = transcript;
    report.duration = started.elapsed();
    report
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

/// Runs the setup, the steps and the assertions, each timed; the module's calls are the
/// report's transcript, each under its step's name.
fn parts(
    scenario: &Scenario,
    flow: &mut P11Flow<'_>,
    started: Instant,
    records: &mut Vec<StepRecord>,
    at: &mut String,
    transcript: &mut Transcript,
) -> P11Result {
    let mut time = |kind: StepKind,
                    index: usize,
                    name: &str,
                    flow: &mut P11Flow<'_>,
                    body: &dyn Fn(&mut P11Flow<'_>) -> P11Result|
     -> P11Result {
        let first = flow.token.log.borrow().len();
        let record = StepRecord {
            kind,
            index,
            name: name.to_owned(),
            start: started.elapsed(),
            duration: Default::default(),
            first_exchange: first,
            exchanges: 0,
            passed: false,
        };
        *at = record.label();
        let result = body(flow);
        let log = flow.token.log.borrow();
        transcript
            .exchanges
            .extend(log.iter().skip(first).map(|(call, answer)| Exchange {
                command: call.clone(),
                response: answer.clone(),
                step: name.to_owned(),
            }));
        records.push(StepRecord {
            duration: started.elapsed().saturating_sub(record.start),
            exchanges: log.len().saturating_sub(first),
            passed: result.is_ok(),
            ..record
        });
        result
    };
    if let Some(tries) = scenario.token.user_pin_tries_left {
        time(
            StepKind::Setup,
            0,
            "token.user_pin_tries_left",
            flow,
            &|f| f.spend_tries(tries),
        )?;
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        time(StepKind::Step, i + 1, step.name(), flow, &|f| f.step(step))?;
    }
    flow.screens_in_steps = flow.screens.len();
    for (i, assertion) in scenario.assertions.iter().enumerate() {
        time(StepKind::Assert, i + 1, assertion.name(), flow, &|f| {
            f.check(assertion)
        })?;
    }
    Ok(())
}
