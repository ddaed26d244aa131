//! One scenario on one target: capabilities, start state, steps, assertions, report.

pub mod certificate;
pub mod checks;
pub mod code;
pub mod flow;
pub mod pattern;
pub mod pki;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use rutoken_client::driver::{DriverError, PinCounter};
use rutoken_client::{ClientConfig, PinRole, PinStatus};

use crate::report::{FailedAt, Failure, Outcome, Produced, ScenarioReport, StepKind, StepRecord};
use crate::scenario::{Capability, FixtureName, Scenario};
use crate::session::Session;
use crate::target::Target;
use crate::transcript::Transcript;

use flow::{Flow, KeyState, StepFailure, fail};

/// The wrong PIN spent to bring a token to `user_pin_tries_left` (unless `vars.wrong_pin`).
pub const DEFAULT_WRONG_PIN: &str = "00000000";

/// The reason a scenario is skipped on this target, if any.
pub fn skip_reason(scenario: &Scenario, target: &dyn Target) -> Option<String> {
    if !target.destructive_allowed()
        && let Some(why) = crate::target::operator::destructive::reason(scenario)
    {
        return Some(format!(
            "destructive on a real token: {why}; run it with --allow-destructive"
        ));
    }
    let caps = target.capabilities();
    let missing: Vec<&str> = scenario
        .needs
        .iter()
        .filter(|n| !caps.contains(n))
        .map(|n| n.name())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "needs {}: the {} target cannot do it",
            missing.join(", "),
            target.name()
        )
    })
}

/// Runs a scenario. A panic inside a dependency is caught and reported as a failure of the
/// step it happened in, so one broken scenario never ends the run.
pub fn run(
    scenario: &Scenario,
    target: &mut dyn Target,
    config: &ClientConfig,
    seed: u64,
) -> ScenarioReport {
    let started = Instant::now();
    if let Some(reason) = skip_reason(scenario, target) {
        return not_run(scenario, Outcome::Skipped { reason });
    }
    let fresh = target.capabilities().contains(&Capability::FreshToken);
    let connected = target
        .connect()
        .map(|_| ())
        .map_err(|e| fail("the target to connect", e));
    let opened = Opened {
        session: Session::over_target(target, config),
        fresh,
        fresh_tries: None,
        words: config.safetouch,
    };
    run_opened(scenario, opened, connected, seed, started)
}

/// A scenario's bank client, opened on its target: what the one executor runs it through.
pub struct Opened<'t> {
    /// The driver and what it records.
    pub session: Session<'t>,
    /// The target put the scenario's start token in (no start-state check needed).
    pub fresh: bool,
    /// The user PIN's tries on that start token, for a driver that cannot read a counter.
    pub fresh_tries: Option<u8>,
    /// The device profile's SafeTouch refusal words.
    pub words: rutoken_client::SafeTouchWords,
}

/// The report of a scenario that did not run (skipped before its start, or its target not
/// opened).
pub fn not_run(scenario: &Scenario, outcome: Outcome) -> ScenarioReport {
    ScenarioReport {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        description: scenario.description.clone(),
        tags: scenario.tags.clone(),
        outcome,
        duration: Default::default(),
        steps: Vec::new(),
        transcript: Transcript::default(),
        screens: Vec::new(),
        presses: Vec::new(),
        produced: Produced::default(),
    }
}

/// Runs a scenario through an opened driver, timing every part; `connected`: whether the
/// target came up. A step the driver cannot express skips the scenario, naming the step.
pub fn run_opened(
    scenario: &Scenario,
    opened: Opened<'_>,
    connected: Result<(), StepFailure>,
    seed: u64,
    started: Instant,
) -> ScenarioReport {
    let Opened {
        session: mut client,
        fresh,
        fresh_tries,
        words,
    } = opened;
    let mut report = not_run(scenario, Outcome::Passed);
    let mut at = FailedAt::Connect;
    let mut clock = StepClock {
        started,
        records: Vec::new(),
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        let start = Start {
            connected,
            fresh,
            fresh_tries,
            words,
        };
        execute(scenario, &mut client, seed, start, &mut at, &mut clock)
    }));
    let (outcome, produced) = match result {
        Ok((Ok(None), produced)) => (Outcome::Passed, produced),
        Ok((Ok(Some(reason)), produced)) => (Outcome::Skipped { reason }, produced),
        // The driver has no call for the step: a skip naming it.
        Ok((
            Err(StepFailure {
                cannot: Some(why), ..
            }),
            produced,
        )) => (
            Outcome::Skipped {
                reason: format!("{at}: {why}"),
            },
            produced,
        ),
        Ok((Err(f), produced)) => (
            Outcome::Failed(Failure {
                at: at.clone(),
                expected: f.expected,
                actual: f.actual,
                location: None,
            }),
            produced,
        ),
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_owned());
            (
                Outcome::Failed(Failure {
                    at: at.clone(),
                    expected: "no panic".to_owned(),
                    actual: format!("panicked: {text}"),
                    location: None,
                }),
                Produced::default(),
            )
        }
    };
    report.outcome = outcome;
    report.produced = produced;
    report.transcript = client.take_transcript();
    report.screens = std::mem::take(&mut client.shown);
    report.presses = client.take_presses();
    report.steps = clock.records;
    report.duration = started.elapsed();
    report
}

/// How the scenario's token came up.
struct Start {
    connected: Result<(), StepFailure>,
    fresh: bool,
    fresh_tries: Option<u8>,
    words: rutoken_client::SafeTouchWords,
}

/// Runs the scenario; `Ok(Some(reason))`: skipped, the token is not its start token.
fn execute(
    scenario: &Scenario,
    client: &mut Session<'_>,
    seed: u64,
    start: Start,
    at: &mut FailedAt,
    clock: &mut StepClock,
) -> (Result<Option<String>, StepFailure>, Produced) {
    let today = match time::Date::parse(
        &scenario.token.date,
        &time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) => d,
        Err(e) => return (Err(fail("token.date YYYY-MM-DD", e)), Produced::default()),
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
    let ca = pki::Ca::new(seed);
    if let Err(e) = start.connected {
        return (Err(e), Produced::default());
    }
    let mut flow = Flow {
        client,
        vars,
        today,
        keys: BTreeMap::from([(
            "current".to_owned(),
            KeyState {
                reference: Some(scenario.token.current_key),
                ..Default::default()
            },
        )]),
        request_specs: BTreeMap::new(),
        request: None,
        document: None,
        current_certificate: None,
        issued: None,
        ca,
        produced: Produced::default(),
        screens_in_steps: 0,
        words: start.words,
        fresh_tries: start.fresh_tries,
    };
    let result = steps(scenario, &mut flow, start.fresh, at, clock);
    (result, std::mem::take(&mut flow.produced))
}

/// Times each setup phase, step and assertion and notes the exchanges it sent.
struct StepClock {
    started: Instant,
    records: Vec<StepRecord>,
}

impl StepClock {
    /// Runs `body` as one timed part of the scenario; `at` names it for a failure report.
    fn time<T>(
        &mut self,
        flow: &mut Flow<'_, '_>,
        at: &mut FailedAt,
        (kind, index, name): (StepKind, usize, &str),
        body: impl FnOnce(&mut Flow<'_, '_>) -> Result<T, StepFailure>,
    ) -> Result<T, StepFailure> {
        let record = StepRecord {
            kind,
            index,
            name: name.to_owned(),
            start: self.started.elapsed(),
            duration: Default::default(),
            first_exchange: flow.client.exchanges(),
            exchanges: 0,
            passed: false,
        };
        *at = record.place();
        let result = body(flow);
        self.records.push(StepRecord {
            duration: self.started.elapsed().saturating_sub(record.start),
            exchanges: flow.client.exchanges() - record.first_exchange,
            passed: result.is_ok(),
            ..record
        });
        result
    }
}

fn steps(
    scenario: &Scenario,
    flow: &mut Flow<'_, '_>,
    fresh: bool,
    at: &mut FailedAt,
    clock: &mut StepClock,
) -> Result<Option<String>, StepFailure> {
    if !fresh {
        let part = (StepKind::Setup, 0, "token");
        if let Some(reason) = clock.time(flow, at, part, |f| start_mismatch(scenario, f))? {
            return Ok(Some(reason));
        }
    }
    if let Some(target_tries) = scenario.token.user_pin_tries_left {
        let part = (StepKind::Setup, 0, "token.user_pin_tries_left");
        clock.time(flow, at, part, |f| spend_tries(f, target_tries))?;
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        let part = (StepKind::Step, i + 1, step.name());
        clock.time(flow, at, part, |f| f.step(step))?;
    }
    flow.screens_in_steps = flow.client.screens.len();
    for (i, assertion) in scenario.assertions.iter().enumerate() {
        let part = (StepKind::Assert, i + 1, assertion.name());
        clock.time(flow, at, part, |f| f.check(assertion))?;
    }
    Ok(None)
}

/// On a target that cannot put a fresh token in (a real token), why the token in the reader
/// cannot be brought to the scenario's start state, if it cannot: the scenario is then skipped
/// with this reason instead of failing. Checks the fixture (the PKCS#15 application DF `3F00/5000`,
/// OpenSC's rtecp layout, is there on a personalised token only), the key pairs and
/// certificates it holds, and that the user PIN has at least the tries the scenario starts from
/// (tries can be spent, not restored).
fn start_mismatch(
    scenario: &Scenario,
    flow: &mut Flow<'_, '_>,
) -> Result<Option<String>, StepFailure> {
    const NO_FRESH: &str = "this target cannot put a fresh token in (fresh_token: the emulator, or pcsc with --control)";
    flow.client.set_step(StepKind::Setup, "setup");
    let personalised = match flow.client.driver().has_application() {
        Ok(p) => p,
        // A driver that cannot tell (a PKCS#11 module) runs the scenario on the token it has.
        Err(DriverError::CannotExpress { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (wanted, found) = match (scenario.token.fixture, personalised) {
        (FixtureName::Personalised, false) => ("personalised", "has no PKCS#15 application"),
        (FixtureName::Factory, true) => ("factory", "has a PKCS#15 application"),
        _ => ("", ""),
    };
    if !wanted.is_empty() {
        return Ok(Some(format!(
            "starts from a {wanted} token, the token in the reader {found}; {NO_FRESH}"
        )));
    }
    if scenario.token.fixture == FixtureName::Personalised {
        // The counts the scenario's steps and assertions start from (a factory token has no
        // PKCS#15 application to list: the check above covers it).
        let want = crate::target::operator::start::fixture_objects(scenario.token.fixture)
            .map_err(|e| fail("the fixture's objects listed", e))?;
        let objects = flow.client.driver().objects()?;
        let found = crate::target::operator::start::ObjectCount {
            keys: objects.keys.len(),
            certificates: objects.certificates.len(),
        };
        if found != want {
            return Ok(Some(format!(
                "starts from a personalised token with {want}, the token in the reader has \
                 {found}; {NO_FRESH}"
            )));
        }
    }
    if let Some(tries) = scenario.token.user_pin_tries_left {
        flow.client.driver().logout()?;
        match flow.client.driver().pin_counter(PinRole::User)? {
            PinCounter::Exact(PinStatus::TriesLeft(n)) if n >= tries => {}
            PinCounter::Exact(PinStatus::Blocked) if tries == 0 => {}
            PinCounter::Exact(status) => {
                return Ok(Some(format!(
                    "starts with {tries} user PIN tries left, the token answers {status}; {NO_FRESH}"
                )));
            }
            PinCounter::Flags { .. } => {
                return Ok(Some(format!(
                    "starts with {tries} user PIN tries left: this driver cannot read a PIN counter; {NO_FRESH}"
                )));
            }
        }
    }
    Ok(None)
}

/// Spends wrong user PINs until `tries` are left (the start state of PIN scenarios), then
/// resets the access rights.
fn spend_tries(flow: &mut Flow<'_, '_>, tries: u8) -> Result<(), StepFailure> {
    flow.client.set_step(StepKind::Setup, "setup");
    let wrong = flow
        .vars
        .get("wrong_pin")
        .cloned()
        .unwrap_or_else(|| DEFAULT_WRONG_PIN.to_owned());
    flow.client.driver().logout()?;
    let PinCounter::Exact(mut status) = flow.client.driver().pin_counter(PinRole::User)? else {
        return spend_uncounted(flow, tries, &wrong);
    };
    for _ in 0..16 {
        match status {
            PinStatus::TriesLeft(n) if n > tries => {
                status = match flow.client.driver().verify_pin(PinRole::User, &wrong) {
                    Ok(()) => PinStatus::Verified,
                    Err(DriverError::PinIncorrect {
                        tries_left: Some(tries_left),
                        ..
                    }) => PinStatus::TriesLeft(tries_left),
                    Err(DriverError::PinBlocked { .. }) => PinStatus::Blocked,
                    Err(e) => return Err(e.into()),
                }
            }
            PinStatus::TriesLeft(n) if n == tries => return Ok(()),
            PinStatus::Blocked if tries == 0 => return Ok(()),
            s => return Err(fail(format!("{tries} tries left reachable"), s)),
        }
    }
    Err(fail(format!("{tries} tries left"), status))
}

/// [`spend_tries`] for a driver that tells a counter as flags only: from the start token's
/// known count, one wrong PIN per try to spend.
fn spend_uncounted(flow: &mut Flow<'_, '_>, tries: u8, wrong: &str) -> Result<(), StepFailure> {
    let fresh = flow.fresh_tries.ok_or_else(|| StepFailure {
        cannot: Some(
            "PKCS#11 cannot read a PIN counter, so only a fresh token (--control) has a known one"
                .to_owned(),
        ),
        ..fail("a known PIN counter", "none")
    })?;
    for left in (tries..fresh).rev() {
        match flow.client.driver().verify_pin(PinRole::User, wrong) {
            Err(DriverError::PinIncorrect { .. }) if left > 0 => {}
            Err(DriverError::PinBlocked { .. }) if left == 0 => {}
            Err(e) => return Err(e.into()),
            Ok(()) => return Err(fail("the wrong PIN refused", "it was accepted")),
        }
    }
    let _ = flow.client.driver().logout();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rutoken_client::Client;
    use rutoken_client::driver::{
        ApduDriver, Driver, Installed, Interrupt, KeySpec, PowerEvent, PressPlan, Serial, TokenKey,
        TokenObjects,
    };
    use rutoken_client::transport::InProcess;
    use rutoken_sim::token::{Fixture, Token};

    use crate::session::Journal;

    /// The APDU driver, except that it has no call for a warm reset (as a PKCS#11 module).
    struct NoReset(ApduDriver<InProcess<Token>>);

    impl Driver for NoReset {
        fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
            self.0.atr()
        }
        fn attach(&mut self) -> Result<(), DriverError> {
            self.0.attach()
        }
        fn has_application(&mut self) -> Result<bool, DriverError> {
            self.0.has_application()
        }
        fn serial(&mut self) -> Result<Serial, DriverError> {
            self.0.serial()
        }
        fn objects(&mut self) -> Result<TokenObjects, DriverError> {
            self.0.objects()
        }
        fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError> {
            self.0.verify_pin(role, pin)
        }
        fn pin_counter(&mut self, role: PinRole) -> Result<PinCounter, DriverError> {
            self.0.pin_counter(role)
        }
        fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError> {
            self.0.logged_in(role)
        }
        fn change_pin(&mut self, role: PinRole, old: &str, new: &str) -> Result<(), DriverError> {
            self.0.change_pin(role, old, new)
        }
        fn unblock_user_pin(&mut self, admin: &str, user: Option<&str>) -> Result<(), DriverError> {
            self.0.unblock_user_pin(admin, user)
        }
        fn logout(&mut self) -> Result<(), DriverError> {
            self.0.logout()
        }
        fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError> {
            self.0.generate_key(spec)
        }
        fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
            self.0.key_present(key)
        }
        fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError> {
            self.0.delete_key(key)
        }
        fn sign_document(
            &mut self,
            key: &TokenKey,
            data: &[u8],
            press: Option<&PressPlan>,
        ) -> Result<gost::Signature, DriverError> {
            self.0.sign_document(key, data, press)
        }
        fn sign_digest(
            &mut self,
            key: &TokenKey,
            digest: &[u8],
            press: Option<&PressPlan>,
        ) -> Result<gost::Signature, DriverError> {
            self.0.sign_digest(key, digest, press)
        }
        fn install_certificate(
            &mut self,
            key: &TokenKey,
            der: &[u8],
            label: &str,
            interrupt: Option<Interrupt>,
        ) -> Result<Installed, DriverError> {
            self.0.install_certificate(key, der, label, interrupt)
        }
        fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, DriverError> {
            self.0.read_certificate(id)
        }
        fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
            self.0.delete_certificate(id)
        }
        fn transmit(
            &mut self,
            command: &[u8],
            secret: bool,
            press: Option<&PressPlan>,
        ) -> Result<rutoken_apdu::Response, DriverError> {
            self.0.transmit(command, secret, press)
        }
        fn take_screens(&mut self) -> Option<Vec<String>> {
            self.0.take_screens()
        }
        fn power(&mut self, event: PowerEvent) -> Result<(), DriverError> {
            match event {
                PowerEvent::Reset => Err(DriverError::CannotExpress {
                    what: "a warm reset has no expression here".to_owned(),
                }),
                other => self.0.power(other),
            }
        }
    }

    fn opened() -> Opened<'static> {
        let token = Token::in_memory(Fixture::Personalised, 1, Default::default()).unwrap();
        let config = ClientConfig::default();
        let driver = ApduDriver::new(Client::new(InProcess::new(token), config.clone()));
        Opened {
            session: Session::new(Box::new(NoReset(driver)), Journal::default()),
            fresh: true,
            fresh_tries: None,
            words: config.safetouch,
        }
    }

    fn scenario(steps: &str) -> Scenario {
        let text =
            format!("name: t\ntoken: {{fixture: personalised, date: 2020-02-04}}\nsteps:\n{steps}");
        crate::scenario::load::parse(std::path::Path::new("t.yaml"), &text).unwrap()
    }

    #[test]
    fn a_step_the_driver_cannot_express_is_a_skip_naming_it() {
        let s = scenario("  - attach\n  - read_serial: {}\n  - reset\n  - logout\n");
        let report = run_opened(&s, opened(), Ok(()), 1, Instant::now());
        assert_eq!(
            report.outcome,
            Outcome::Skipped {
                reason: "step 3 (reset): a warm reset has no expression here".to_owned()
            }
        );
        // The steps before it ran, timed; the one after it did not.
        let names: Vec<&str> = report.steps.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["attach", "read_serial", "reset"]);
        assert!(report.steps[0].passed && !report.steps[2].passed);
    }

    #[test]
    fn without_the_step_the_same_driver_passes() {
        let s = scenario("  - attach\n  - read_serial: {}\n  - logout\n");
        let report = run_opened(&s, opened(), Ok(()), 1, Instant::now());
        assert_eq!(report.outcome, Outcome::Passed);
    }
}
