//! One scenario through a PKCS#11 module: the bank client's steps as PKCS#11 calls, the
//! SafeTouch pressed and read through the control socket while `C_Sign` blocks.

use std::collections::BTreeMap;
use std::time::Duration;

use cryptoki::object::{AttributeType, ObjectClass};
use rutoken_client::device_number;
use rutoken_cryptoki_gost::sys::*;
use rutoken_sim::control::Request;

use crate::report::{PressRecord, Produced, ShownScreen};
use crate::runner::certificate;
use crate::runner::flow::reissue::{Submission, submit_to};
use crate::runner::flow::reissue_document;
use crate::runner::flow::{KeyState, StepFailure, fail};
use crate::runner::pki::Ca;
use crate::scenario::step::{Algorithm, PinKind, PinOutcome, Step};
use crate::scenario::vars;
use crate::target::control::Control;
use crate::target::operator;

mod keys;
mod sign;

use super::plan;
use super::rv::{self, SafeTouchWords};
use super::token::{CallError, Token};

/// How long a press waits for the SafeTouch screen (as the pcsc target).
const PRESS_WAIT: Duration = Duration::from_secs(30);

/// How a step ended when it did not pass.
#[derive(Debug)]
pub enum Halt {
    /// It did not hold; the module's `CKR_` when a call ended it.
    Fail(StepFailure, Option<CK_RV>),
    /// It cannot be expressed through this module.
    Skip(String),
}

impl From<StepFailure> for Halt {
    fn from(f: StepFailure) -> Self {
        Halt::Fail(f, None)
    }
}

impl From<CallError> for Halt {
    fn from(e: CallError) -> Self {
        Halt::Fail(fail("the operation to complete", &e), e.rv)
    }
}

/// A step's or assertion's result.
pub type P11Result<T = ()> = Result<T, Halt>;

/// A key the scenario knows: the runner's state plus its `CKA_ID`.
#[derive(Debug, Clone, Default)]
pub struct P11Key {
    /// Algorithm, parameter set, public key (`LE(x) ‖ LE(y)`), deleted.
    pub state: KeyState,
    /// `CKA_ID` of the pair (and of its certificate).
    pub id: Vec<u8>,
}

/// Everything the steps share.
pub struct P11Flow<'a> {
    /// The module.
    pub token: &'a mut Token,
    /// The emulator's control socket.
    pub control: Option<Control>,
    /// The SafeTouch's refusal words.
    pub words: SafeTouchWords,
    /// Scenario variables plus `serial`, `device_number`, `today`.
    pub vars: BTreeMap<String, String>,
    /// The scenario's date.
    pub today: time::Date,
    /// Keys by name.
    pub keys: BTreeMap<String, P11Key>,
    /// Subject overrides per key, from `build_request`.
    pub request_specs: BTreeMap<String, (BTreeMap<String, String>, Vec<String>)>,
    /// The signed PKCS#10.
    pub request: Option<Vec<u8>>,
    /// The reissue document and its signature (`s ‖ r` BE).
    pub document: Option<(Vec<u8>, Vec<u8>)>,
    /// The certificate being replaced.
    pub current_certificate: Option<Vec<u8>>,
    /// What the CA issued.
    pub issued: Option<Vec<u8>>,
    /// The test CA.
    pub ca: Ca,
    /// Files for the artifacts.
    pub produced: Produced,
    /// Screens read, as text.
    pub screens: Vec<String>,
    /// The same for the reports.
    pub shown: Vec<ShownScreen>,
    /// Presses arranged.
    pub presses: Vec<PressRecord>,
    /// Screens the steps showed (assertions may show more).
    pub screens_in_steps: usize,
    /// The step under way (for screens and presses in the reports).
    pub step: String,
    /// The user PIN's tries on the start token (known when the runner loaded it).
    pub fresh_tries: Option<u8>,
    /// A person at a real token (`--operator`): how long to wait for them.
    pub operator: Option<Duration>,
    /// The person's answer to the screen question of the press under way.
    pub observation: Option<std::thread::JoinHandle<Result<String, crate::target::TargetError>>>,
    /// The SafeTouch's rows and columns (device profile), to draw the expected screen.
    pub screen_size: (usize, usize),
}

impl P11Flow<'_> {
    /// Expands `${var}`.
    pub fn expand(&self, text: &str) -> Result<String, StepFailure> {
        vars::expand(text, &self.vars)
            .map_err(|name| fail(format!("variable ${{{name}}} defined"), "undefined"))
    }

    /// A named key.
    pub fn key(&self, name: &str) -> Result<P11Key, StepFailure> {
        self.keys.get(name).cloned().ok_or_else(|| {
            fail(
                format!("a key named {name:?}"),
                "no such key (generate it first)",
            )
        })
    }

    /// The algorithm of a key (`current`: the fixture's).
    fn algorithm(key: &P11Key) -> Algorithm {
        key.state.algorithm.unwrap_or(plan::CURRENT)
    }

    /// The key object of a class with the key's `CKA_ID`.
    pub fn object(
        &self,
        key: &P11Key,
        class: ObjectClass,
    ) -> P11Result<Option<cryptoki::object::ObjectHandle>> {
        Ok(self.token.find(class, Some(&key.id))?.into_iter().next())
    }

    /// Runs one step; with `expect: {sw: ...}` the step must end with that status word's
    /// `CKR_`.
    pub fn step(&mut self, step: &Step) -> P11Result {
        self.step = step.name().to_owned();
        let result = self.run_step(step);
        let Some(pattern) = step.expected_sw() else {
            return result;
        };
        let pattern = self.expand(pattern)?;
        let pin = matches!(step, Step::UnblockPin(_));
        let codes = rv::for_sw(&pattern, pin, self.words).map_err(|e| fail("a valid sw", e))?;
        expect_codes(&pattern, &codes, result)
    }

    fn run_step(&mut self, step: &Step) -> P11Result {
        match step {
            Step::Attach => self.attach(),
            Step::ReadSerial(s) => {
                let serial = self.serial()?;
                if let Some(expect) = &s.expect {
                    let expect = self.expand(expect)?;
                    let number = self.vars.get("device_number").cloned().unwrap_or_default();
                    let hex = self.vars.get("serial").cloned().unwrap_or_default();
                    if expect != number && !expect.eq_ignore_ascii_case(&hex) && expect != serial {
                        return Err(fail(
                            format!("serial {expect}"),
                            format!("{serial} (C_GetTokenInfo serialNumber)"),
                        )
                        .into());
                    }
                }
                Ok(())
            }
            Step::ListObjects(s) => {
                let keys = self.token.find(ObjectClass::PUBLIC_KEY, None)?.len();
                let certificates = self.token.find(ObjectClass::CERTIFICATE, None)?.len();
                count("keys (public key objects)", s.keys, keys)?;
                count("certificates", s.certificates, certificates)
            }
            Step::VerifyPin(v) => {
                let pin = self.expand(v.pin.expose())?;
                let result = self.token.login(v.which == PinKind::Admin, &pin);
                self.check_login(&v.expect, v.which, result)
            }
            Step::UnblockPin(u) => {
                let admin = self.expand(u.admin_pin.expose())?;
                let user =
                    self.vars.get("user_pin").cloned().ok_or_else(|| {
                        fail("vars.user_pin (C_InitPIN sets it again)", "undefined")
                    })?;
                self.token.login(true, &admin)?;
                // RESET RETRY COUNTER keeps the PIN; C_InitPIN sets one: the same PIN again.
                let result = self.token.init_pin(&user);
                let _ = self.token.logout();
                Ok(result?)
            }
            Step::Logout => Ok(self.token.logout()?),
            Step::GenerateKey(g) => self.generate(&g.name, g.algorithm, &g.param_set),
            Step::BuildRequest(b) => {
                self.key(&b.key)?;
                let mut subject = BTreeMap::new();
                for (k, v) in &b.subject {
                    subject.insert(k.clone(), self.expand(v)?);
                }
                self.request_specs
                    .insert(b.key.clone(), (subject, b.extended_key_usage.clone()));
                Ok(())
            }
            Step::SignRequest(s) => {
                self.sign_request(&s.key, s.signed_by.as_deref(), &s.safetouch, &s.expect)
            }
            Step::SignDocument(d) => {
                let document = reissue_document(
                    &d.document,
                    self.current_certificate.as_deref(),
                    self.request.as_deref(),
                    &|t| self.expand(t),
                    self.vars.get("today").map(String::as_str),
                )?;
                let key = self.key(&d.key)?;
                if let Some(sig) = self.sign_on_token(&key, &document, &d.safetouch, &d.expect)? {
                    self.document = Some((document, sig));
                }
                Ok(())
            }
            Step::Submit(s) => {
                let parts = Submission {
                    request: self.request.as_deref(),
                    document: self.document.as_ref(),
                    current_certificate: self.current_certificate.as_deref(),
                    today: self.today,
                };
                let issued = submit_to(&mut self.ca, &parts, s)?;
                self.produced.ca_pem = self.ca.last_pem.clone();
                if let Some(cert) = issued {
                    self.produced.certificate_pem = Some(certificate::pem("CERTIFICATE", &cert));
                    self.issued = Some(cert);
                }
                Ok(())
            }
            Step::InstallCertificate(i) => self.install(i),
            Step::DeleteKey(k) => {
                let key = self.key(&k.key)?;
                self.delete(&key)?;
                if let Some(state) = self.keys.get_mut(&k.key) {
                    state.state.deleted = true;
                }
                Ok(())
            }
            Step::PowerCycle => self.power(Request::PowerCycle, true),
            Step::Reset => Err(Halt::Skip(
                "a warm reset has no PKCS#11 expression".to_owned(),
            )),
            Step::Pull => self.power(Request::Pull, false),
            Step::Insert => self.power(Request::Insert, true),
            Step::Restart => self.power(Request::Restart, true),
            Step::SignHash(h) => self.sign_hash(h),
            Step::Apdu(_) => Err(Halt::Skip(
                "a raw APDU has no PKCS#11 expression".to_owned(),
            )),
        }
    }

    /// `C_GetTokenInfo`'s serial number; remembers `serial` and `device_number`.
    fn serial(&mut self) -> P11Result<String> {
        let info = self.token.info()?;
        let serial = info.serial_number().trim().to_owned();
        // A Rutoken's serial is 8 bytes; modules show it as the device number (10 decimal
        // digits, ours) or in hex (OpenSC, Aktiv's).
        let bytes = if serial.len() == 16 {
            hex::decode(&serial).ok()
        } else {
            serial.parse::<u64>().ok().map(|n| n.to_be_bytes().to_vec())
        };
        if let Some(bytes) = bytes {
            self.vars
                .entry("serial".to_owned())
                .or_insert_with(|| hex::encode_upper(&bytes));
            self.vars
                .entry("device_number".to_owned())
                .or_insert_with(|| device_number(&bytes));
        }
        Ok(serial)
    }

    /// The token's serial and certificates; the first certificate is the one being replaced,
    /// its `CKA_ID` the current key's.
    fn attach(&mut self) -> P11Result {
        self.serial()?;
        let certs = self.token.find(ObjectClass::CERTIFICATE, None)?;
        let Some(first) = certs.first().copied() else {
            return Ok(());
        };
        let der = self.token.bytes(first, AttributeType::Value)?;
        let der = rutoken_client::certificate::trim(&der).to_vec();
        let id = self.token.bytes(first, AttributeType::Id)?;
        let public_key = certificate::parse(&der).map(|c| c.public_key);
        self.keys.insert(
            "current".to_owned(),
            P11Key {
                state: KeyState {
                    public_key,
                    ..Default::default()
                },
                id,
            },
        );
        self.current_certificate = Some(der);
        Ok(())
    }

    fn check_login(
        &mut self,
        expect: &PinOutcome,
        which: PinKind,
        result: Result<(), CallError>,
    ) -> P11Result {
        let code = match &result {
            Ok(()) => CKR_OK,
            Err(CallError { rv: Some(code), .. }) => *code,
            // No answer from the module at all: not a PIN outcome.
            Err(e) => return Err(e.clone().into()),
        };
        let ok = match expect {
            PinOutcome::Ok => code == CKR_OK,
            PinOutcome::Wrong => code == CKR_PIN_INCORRECT,
            PinOutcome::Blocked => code == CKR_PIN_LOCKED,
            PinOutcome::Refused => code == CKR_PIN_INCORRECT || code == CKR_PIN_LOCKED,
            PinOutcome::TriesLeft(n) => {
                if code != CKR_PIN_INCORRECT {
                    false
                } else {
                    // PKCS#11 tells the count only as COUNT_LOW and FINAL_TRY.
                    let info = self.token.info()?;
                    let (low, last) = if which == PinKind::Admin {
                        (info.so_pin_count_low(), info.so_pin_final_try())
                    } else {
                        (info.user_pin_count_low(), info.user_pin_final_try())
                    };
                    return flags_agree(*n, self.fresh_tries, (low, last, false))
                        .map_err(Halt::from);
                }
            }
            PinOutcome::Sw(pattern) => {
                let codes = rv::for_sw(pattern, true, self.words)
                    .map_err(|e| fail("a valid sw pattern", e))?;
                return expect_codes(pattern, &codes, result.map_err(Halt::from));
            }
        };
        if ok {
            Ok(())
        } else {
            Err(fail(expect, rv::name(code)).into())
        }
    }

    /// A power or presence event through the control socket; the module is finalised first
    /// and (`back`) loaded again once the token is in, since a reset ends its sessions.
    fn power(&mut self, request: Request, back: bool) -> P11Result {
        let Some(control) = self.control.clone() else {
            return self.ask_presence(request, back);
        };
        self.collect_screens();
        self.token.close();
        control
            .request(request)
            .map_err(|e| fail("the control socket to act", e))?;
        if matches!(request, Request::Restart)
            && let Some(c) = self.control.as_mut()
        {
            c.forget_events();
        }
        if back {
            self.token
                .reopen()
                .map_err(|e| fail("the token back in its slot", e))?;
        }
        Ok(())
    }

    /// A pull or an insertion done by a person (a real token).
    fn ask_presence(&mut self, request: Request, back: bool) -> P11Result {
        let timeout = self.operator.ok_or_else(|| {
            Halt::Skip(
                "needs the emulator's control socket (--control) or a person (--operator)".into(),
            )
        })?;
        let instruction = match request {
            Request::Pull => "Pull the token out of the SafeTouch.",
            Request::Insert => "Insert the token into the SafeTouch again.",
            _ => {
                return Err(Halt::Skip(
                    "cutting the power needs the emulator's control socket (--control)".into(),
                ));
            }
        };
        self.token.close();
        operator::ask(instruction, timeout).map_err(|e| fail("the person to act", e))?;
        if back {
            self.token
                .reopen()
                .map_err(|e| fail("the token back in its slot", e))?;
        }
        Ok(())
    }

    /// Brings a fresh token to `tries` user PIN tries left with wrong PINs (the counter of the
    /// start token the runner loaded is known).
    pub fn spend_tries(&mut self, tries: u8) -> P11Result {
        let fresh = self.fresh_tries.ok_or_else(|| {
            Halt::Skip("PKCS#11 cannot read a PIN counter, so only a fresh token (--control) has a known one".to_owned())
        })?;
        let wrong = self
            .vars
            .get("wrong_pin")
            .cloned()
            .unwrap_or_else(|| crate::runner::DEFAULT_WRONG_PIN.to_owned());
        for left in (tries..fresh).rev() {
            match self.token.login(false, &wrong) {
                Err(e) if e.rv == Some(CKR_PIN_INCORRECT) && left > 0 => {}
                Err(e) if e.rv == Some(CKR_PIN_LOCKED) && left == 0 => {}
                Err(e) => return Err(e.into()),
                Ok(()) => {
                    return Err(fail("the wrong PIN refused", "it was accepted").into());
                }
            }
        }
        let _ = self.token.logout();
        Ok(())
    }
}

fn count(what: &str, expected: Option<usize>, actual: usize) -> P11Result {
    match expected {
        Some(n) if n != actual => {
            Err(fail(format!("{n} {what}"), format!("{actual} {what}")).into())
        }
        _ => Ok(()),
    }
}

/// What `CKF_*_PIN_COUNT_LOW`, `FINAL_TRY` and `LOCKED` must say for `n` tries left of `max`
/// (COUNT_LOW: fewer than the maximum, when the maximum is known).
pub fn flags_agree(
    n: u8,
    max: Option<u8>,
    (low, last, locked): (bool, bool, bool),
) -> Result<(), StepFailure> {
    let want = (max.is_some_and(|m| n < m) && n > 0, n == 1, n == 0);
    let got = (low, last, locked);
    if (want.0 && !low) || want.1 != last || want.2 != locked {
        let flags = |(l, f, k): (bool, bool, bool)| {
            let mut s = Vec::new();
            if l {
                s.push("COUNT_LOW");
            }
            if f {
                s.push("FINAL_TRY");
            }
            if k {
                s.push("LOCKED");
            }
            if s.is_empty() {
                "no PIN flag".to_owned()
            } else {
                s.join(" ")
            }
        };
        return Err(fail(
            format!("{n} tries left: token flags {}", flags(want)),
            format!("token flags {}", flags(got)),
        ));
    }
    Ok(())
}

/// A step's result against the `CKR_` codes its expected status word stands for.
fn expect_codes(pattern: &str, codes: &[CK_RV], result: P11Result) -> P11Result {
    let names = || {
        codes
            .iter()
            .map(|c| rv::name(*c))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match result {
        Ok(()) if codes.contains(&CKR_OK) => Ok(()),
        Ok(()) => Err(fail(
            format!("SW {pattern} ({})", names()),
            "CKR_OK: the step completed",
        )
        .into()),
        Err(Halt::Fail(_, Some(code))) if codes.contains(&code) => Ok(()),
        Err(Halt::Fail(f, Some(code))) => Err(fail(
            format!("SW {pattern} ({})", names()),
            format!("{}: {}", rv::name(code), f.actual),
        )
        .into()),
        Err(other) => Err(other),
    }
}
