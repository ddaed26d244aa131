//! The flow's state across steps and the execution of each step.

pub(crate) mod host_hash;
pub(crate) mod reissue;

use std::collections::BTreeMap;
use std::fmt::Display;

use rutoken_client::driver::{
    Code, Driver, DriverError, KeySpec, PinCounter, PowerEvent, PressPlan, TokenKey,
};
use rutoken_client::{PinRole, PinStatus, device_number};

use crate::error::VarsError;
use crate::report::{Produced, StepKind};
use crate::scenario::step::{Algorithm, PinOutcome, Step};
use crate::scenario::vars;
use crate::session::Session;

use super::certificate;
use super::pki::{self, Ca, DocumentData};

/// A step or assertion that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// What the scenario expected.
    pub expected: String,
    /// What came.
    pub actual: String,
    /// The answer the token (or module) refused with, when one ended the step.
    pub code: Option<Code>,
    /// The driver cannot express the step (why): the scenario is skipped, not failed.
    pub cannot: Option<String>,
}

/// Shorthand for a failure.
pub fn fail(expected: impl Display, actual: impl Display) -> StepFailure {
    StepFailure {
        expected: expected.to_string(),
        actual: actual.to_string(),
        code: None,
        cannot: None,
    }
}

impl From<DriverError> for StepFailure {
    fn from(e: DriverError) -> Self {
        let code = e.code();
        let cannot = match &e {
            DriverError::CannotExpress { what } => Some(what.clone()),
            _ => None,
        };
        StepFailure {
            code,
            cannot,
            ..fail("the operation to complete", e)
        }
    }
}

/// A step's result.
pub type StepResult = Result<(), StepFailure>;

/// A key the scenario knows by name.
#[derive(Debug, Clone, Default)]
pub struct KeyState {
    /// `kk` of `…/6002/00kk` (the APDU driver's handle of the key).
    pub reference: Option<u8>,
    /// The PKCS#15 ID (`CKA_ID`), when the driver told it.
    pub id: Option<Vec<u8>>,
    /// Known for generated keys.
    pub algorithm: Option<Algorithm>,
    /// Known for generated keys.
    pub param_set: Option<String>,
    /// `LE(x) ‖ LE(y)`: from GENERATE KEY, or from the key's certificate.
    pub public_key: Option<Vec<u8>>,
    /// The client deleted it.
    pub deleted: bool,
}

impl KeyState {
    /// The key as the driver knows it.
    pub fn token_key(&self) -> TokenKey {
        let param_set = match (self.algorithm, self.param_set.as_deref()) {
            (Some(alg), Some(letter)) => param_set(alg, letter).ok(),
            _ => None,
        };
        TokenKey {
            reference: self.reference,
            id: self.id.clone(),
            label: None,
            public_label: None,
            algorithm: self
                .algorithm
                .zip(param_set)
                .map(|(alg, set)| key_algorithm(alg, set)),
            param_set,
            public_key: self.public_key.clone(),
        }
    }
}

/// Everything the steps share.
pub struct Flow<'c, 't> {
    /// The bank client.
    pub client: &'c mut Session<'t>,
    /// Scenario variables plus `serial`, `device_number`, `today`.
    pub vars: BTreeMap<String, String>,
    /// The scenario's date.
    pub today: time::Date,
    /// Keys by name.
    pub keys: BTreeMap<String, KeyState>,
    /// Subject and extended key usages per key, from `build_request`.
    pub request_specs: BTreeMap<String, (BTreeMap<String, String>, Vec<String>)>,
    /// The signed PKCS#10, DER.
    pub request: Option<Vec<u8>>,
    /// The reissue document and its signature (`s ‖ r` BE).
    pub document: Option<(Vec<u8>, Vec<u8>)>,
    /// The certificate being replaced (found at attach).
    pub current_certificate: Option<Vec<u8>>,
    /// What the CA issued.
    pub issued: Option<Vec<u8>>,
    /// The test CA.
    pub ca: Ca,
    /// Files for the artifacts.
    pub produced: Produced,
    /// How many screens the steps showed (assertions may show more).
    pub screens_in_steps: usize,
    /// The SafeTouch's refusal words (a module answers them as one `CKR_`).
    pub words: rutoken_client::SafeTouchWords,
    /// The user PIN's tries on the start token, when the runner loaded it and the driver
    /// cannot read a counter (PKCS#11 tells it as flags only).
    pub fresh_tries: Option<u8>,
}

impl Flow<'_, '_> {
    /// Expands `${var}`.
    pub fn expand(&self, text: &str) -> Result<String, StepFailure> {
        vars::expand(text, &self.vars).map_err(|e| match e {
            VarsError::Undefined(name) => {
                fail(format!("variable ${{{name}}} defined"), "undefined")
            }
            e => fail("scenario text to expand", e),
        })
    }

    /// A named key.
    pub fn key(&self, name: &str) -> Result<KeyState, StepFailure> {
        self.keys.get(name).cloned().ok_or_else(|| {
            fail(
                format!("a key named \"{name}\""),
                "no such key (generate it first)",
            )
        })
    }

    /// The bank client's driver.
    pub fn driver(&mut self) -> &mut dyn Driver {
        self.client.driver()
    }

    /// Runs one step; with `expect: {sw: ...}` the step must end with that status word.
    pub fn step(&mut self, step: &Step) -> StepResult {
        self.client.set_step(StepKind::Step, step.name());
        let result = self.run_step(step);
        match step.expected_sw() {
            None => result,
            Some(pattern) => {
                let pin = matches!(step, Step::UnblockPin(_));
                expect_sw(&self.expand(pattern)?, pin, self.words, result)
            }
        }
    }

    fn run_step(&mut self, step: &Step) -> StepResult {
        match step {
            Step::Attach => self.attach(),
            Step::ReadSerial(s) => {
                let serial = self.driver().serial()?;
                if let Some(bytes) = &serial.bytes {
                    self.remember_serial(bytes);
                }
                if let Some(expect) = &s.expect {
                    let expect = self.expand(expect)?;
                    let (dec, hex) = match &serial.bytes {
                        Some(b) => (device_number(b), hex::encode_upper(b)),
                        None => (String::new(), String::new()),
                    };
                    // The device number, the hex serial, or the serial as the driver shows it
                    // (a PKCS#11 module's `serialNumber`).
                    let same = (!dec.is_empty() && expect == dec)
                        || (!hex.is_empty() && expect.eq_ignore_ascii_case(&hex))
                        || expect == serial.shown;
                    if !same {
                        return Err(fail(format!("serial {expect}"), serial.shown));
                    }
                }
                Ok(())
            }
            Step::ListObjects(s) => {
                let o = self.driver().objects()?;
                check_count("keys", s.keys, o.keys.len())?;
                check_count("certificates", s.certificates, o.certificates.len())
            }
            Step::VerifyPin(v) => {
                let pin = self.expand(v.pin.expose())?;
                let which = role(v.which.reference());
                let answer = verify(self.driver(), which, &pin)?;
                self.check_pin(&v.expect, which, answer)
            }
            Step::UnblockPin(u) => {
                let admin = self.expand(u.admin_pin.expose())?;
                let user = self.vars.get("user_pin").cloned();
                match self.driver().unblock_user_pin(&admin, user.as_deref()) {
                    Ok(()) => Ok(()),
                    Err(e) => match pin_status(&e) {
                        // The admin PIN refused: the step's answer is its status.
                        Some(status) => Err(StepFailure {
                            code: e.code(),
                            ..fail("the admin PIN accepted", status)
                        }),
                        None => Err(e.into()),
                    },
                }
            }
            Step::Logout => Ok(self.driver().logout()?),
            Step::GenerateKey(g) => {
                let set = param_set(g.algorithm, &g.param_set)
                    .map_err(|e| fail("a GOST parameter set", e))?;
                let pair = self.driver().generate_key(KeySpec {
                    algorithm: key_algorithm(g.algorithm, set),
                    param_set: set,
                    label: &g.name,
                    exchange: false,
                })?;
                self.keys.insert(
                    g.name.clone(),
                    KeyState {
                        reference: pair.reference,
                        id: pair.id,
                        algorithm: Some(g.algorithm),
                        param_set: Some(g.param_set.clone()),
                        public_key: pair.public_key,
                        deleted: false,
                    },
                );
                Ok(())
            }
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
                if let Some(sig) = self.sign(&key, &document, &d.safetouch, &d.expect)? {
                    let sig = sig.to_x509_bytes();
                    self.document = Some((document, sig));
                }
                Ok(())
            }
            Step::Submit(s) => self.submit(s),
            Step::InstallCertificate(i) => self.install(i),
            Step::DeleteKey(k) => {
                let key = self.key(&k.key)?;
                self.driver().delete_key(&key.token_key())?;
                if let Some(state) = self.keys.get_mut(&k.key) {
                    state.deleted = true;
                }
                Ok(())
            }
            Step::PowerCycle => Ok(self.driver().power(PowerEvent::PowerCycle)?),
            Step::Reset => Ok(self.driver().power(PowerEvent::Reset)?),
            Step::Pull => Ok(self.driver().power(PowerEvent::Pull)?),
            Step::Insert => Ok(self.driver().power(PowerEvent::Insert)?),
            Step::Restart => Ok(self.driver().power(PowerEvent::Restart)?),
            Step::SignHash(h) => self.sign_hash(h),
            Step::Apdu(a) => {
                let text = self.expand(&a.command)?;
                let bytes = super::pattern::parse_hex(&text).map_err(|e| {
                    // A secret command carries a PIN (an operator's PIN is set after the loader
                    // checked the text): its text stays out of the report.
                    if a.secret {
                        fail("a hex command", "a secret command that is not hex")
                    } else {
                        fail("a hex command", e)
                    }
                })?;
                let r = match &a.safetouch {
                    None => self.driver().transmit(&bytes, a.secret, None)?,
                    Some(st) => {
                        let (screen, rows) = self.expand_screen(st)?;
                        let before = self.client.screens.len();
                        // An operator is shown the rows and lines too: their answer stands for
                        // the checks below.
                        let lines: Vec<String> = st
                            .lines
                            .iter()
                            .map(|l| self.expand(l))
                            .collect::<Result<_, _>>()?;
                        let plan = PressPlan {
                            press: crate::session::press(st.press),
                            expected_screen: [screen.clone(), rows.clone(), lines].concat(),
                        };
                        let r = self.driver().transmit(&bytes, a.secret, Some(&plan))?;
                        self.check_screens(before, &screen, &rows)?;
                        self.check_lines(before, st)?;
                        r
                    }
                };
                let sw = self.expand(&a.sw)?;
                if !super::pattern::sw_matches(&sw, r.sw)
                    .map_err(|e| fail("a valid sw pattern", e))?
                {
                    return Err(fail(format!("SW {sw}"), format!("SW {}", r.sw)));
                }
                if let Some(pattern) = &a.data {
                    let pattern = self.expand(pattern)?;
                    if !super::pattern::data_matches(&pattern, &r.data)
                        .map_err(|e| fail("a valid data pattern", e))?
                    {
                        return Err(fail(
                            format!("data {pattern}"),
                            format!("data {}", rutoken_apdu::hex::spaced(&r.data)),
                        ));
                    }
                }
                if let Some(signs) = &a.signs {
                    let key = self.key(&signs.key)?;
                    let (_, public) =
                        host_hash::verifier(&key, self.current_certificate.as_deref())?;
                    let digest = super::pattern::parse_hex(&self.expand(&signs.digest)?)
                        .map_err(|e| fail("a hex digest", e))?;
                    let signature = gost::Signature::from_token_bytes(&r.data)
                        .map_err(|e| fail("a signature in the answer", e))?;
                    public.verify_digest(&digest, &signature).map_err(|e| {
                        fail(
                            format!("a signature by key {} over the named digest", signs.key),
                            format!("one that does not verify: {e}"),
                        )
                    })?;
                }
                Ok(())
            }
        }
    }

    fn remember_serial(&mut self, serial: &[u8]) {
        self.vars
            .entry("serial".to_owned())
            .or_insert_with(|| hex::encode_upper(serial));
        self.vars
            .entry("device_number".to_owned())
            .or_insert_with(|| device_number(serial));
    }

    /// Reissue-flow.md step 1: select the MF, read the serial, list the certificates; the
    /// certificate being replaced is the one of the current key.
    fn attach(&mut self) -> StepResult {
        self.driver().attach()?;
        let serial = self.driver().serial()?;
        if let Some(bytes) = &serial.bytes {
            self.remember_serial(bytes);
        }
        let objects = self.driver().objects()?;
        let first = objects.certificates.first();
        let current = first.map(|c| c.der.clone());
        if let Some(cert) = first
            && let Some(state) = self.keys.get_mut("current")
        {
            state.public_key = certificate::parse(&cert.der).map(|c| c.public_key);
            // A driver that finds keys by ID (PKCS#11) finds the current one by its certificate's.
            state.id = Some(cert.id.clone());
            if let Some((algorithm, letter)) = certified_key_spec(&cert.der) {
                state.algorithm = Some(algorithm);
                state.param_set = Some(letter);
            }
        }
        self.current_certificate = current;
        Ok(())
    }
}

/// The algorithm and parameter-set letter of the key a certificate certifies, so that
/// `build_request`/`sign_request` can name `key: current` (a request for the key the current
/// certificate already certifies, which a CA must refuse as `key_not_renewed`). GOST 2012 only:
/// `sign_request` signs every request with the key's GOST R 34.10-2012 algorithm.
fn certified_key_spec(der: &[u8]) -> Option<(Algorithm, String)> {
    let info = certificate::parse(der)?;
    let (algorithm, key) = gost::spki::from_spki_der(&info.spki_der).ok()?;
    let algorithm = match algorithm {
        gost::KeyAlgorithm::Gost2012_256 => Algorithm::Gost2012_256,
        gost::KeyAlgorithm::Gost2012_512 => Algorithm::Gost2012_512,
        gost::KeyAlgorithm::Gost2001 => return None,
    };
    let (_, letter) = key.param_set().name().split_once('-')?;
    Some((algorithm, letter.to_owned()))
}

/// The gost parameter set for a scenario's algorithm and letter (`"256-A"` … `"512-C"`,
/// `"cryptopro-a"` … for 2001).
pub fn param_set(alg: Algorithm, letter: &str) -> Result<gost::ParamSet, gost::Error> {
    let bits = match alg {
        Algorithm::Gost2012_256 => "256",
        Algorithm::Gost2012_512 => "512",
        Algorithm::Gost2001 => "cryptopro",
    };
    gost::ParamSet::from_name(&format!("{bits}-{letter}"))
}

/// The `gost` key algorithm of a scenario's algorithm.
pub fn key_algorithm(alg: Algorithm, set: gost::ParamSet) -> gost::KeyAlgorithm {
    match alg {
        Algorithm::Gost2001 => gost::KeyAlgorithm::Gost2001,
        _ => gost::KeyAlgorithm::gost2012_for(set),
    }
}

/// The PIN role of a scenario's PIN reference (01 admin, otherwise the user).
pub fn role(reference: u8) -> PinRole {
    if reference == PinRole::Admin.reference() {
        PinRole::Admin
    } else {
        PinRole::User
    }
}

/// A PIN check's answer: the status when the driver tells it (`None`: a wrong PIN whose tries
/// left the driver does not tell), and the answer code of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinAnswer {
    /// The status.
    pub status: Option<PinStatus>,
    /// The refusal's code (`None`: accepted).
    pub code: Option<Code>,
}

impl std::fmt::Display for PinAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.status, self.code) {
            (Some(status), _) => write!(f, "{status}"),
            (None, Some(code)) => write!(f, "wrong ({})", super::code::name(code)),
            (None, None) => f.write_str("wrong"),
        }
    }
}

/// VERIFY (or `C_Login`), with the answer as a status: a wrong or blocked PIN is what a PIN
/// step checks, not an error.
pub fn verify(driver: &mut dyn Driver, role: PinRole, pin: &str) -> Result<PinAnswer, StepFailure> {
    match driver.verify_pin(role, pin) {
        Ok(()) => Ok(PinAnswer {
            status: Some(PinStatus::Verified),
            code: None,
        }),
        Err(e @ (DriverError::PinIncorrect { .. } | DriverError::PinBlocked { .. })) => {
            Ok(PinAnswer {
                status: pin_status(&e),
                code: e.code(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The PIN status a refusal stands for (a wrong PIN with its count, a blocked PIN).
fn pin_status(e: &DriverError) -> Option<PinStatus> {
    match e {
        DriverError::PinIncorrect {
            tries_left: Some(n),
            ..
        } => Some(PinStatus::TriesLeft(*n)),
        DriverError::PinBlocked { .. } => Some(PinStatus::Blocked),
        _ => None,
    }
}

/// The client's key pair for a key the scenario generated.
pub fn key_pair(key: &KeyState) -> Result<rutoken_client::KeyPair, StepFailure> {
    let (Some(alg), Some(set), Some(q)) = (
        key.algorithm,
        key.param_set.as_deref(),
        key.public_key.as_deref(),
    ) else {
        return Err(fail(
            "a key generated in this scenario",
            "a key without a known public key",
        ));
    };
    let param_set = param_set(alg, set).map_err(|e| fail("a parameter set", e))?;
    Ok(rutoken_client::KeyPair {
        reference: key.reference.unwrap_or_default(),
        id: rutoken_client::layout::pkcs15::object_id(q)
            .map_err(|e| fail("a public key", e))?
            .to_vec(),
        param_set,
        public_key: q.to_vec(),
    })
}

fn check_count(what: &str, expected: Option<usize>, actual: usize) -> StepResult {
    match expected {
        Some(n) if n != actual => Err(fail(format!("{n} {what}"), format!("{actual} {what}"))),
        _ => Ok(()),
    }
}

/// A step's result against the status word the scenario expects it to end with (`pin`: the
/// step sends a PIN).
fn expect_sw(
    pattern: &str,
    pin: bool,
    words: rutoken_client::SafeTouchWords,
    result: StepResult,
) -> StepResult {
    match result {
        Ok(()) if super::code::matches(pattern, pin, super::code::OK, words)? => Ok(()),
        Ok(()) => Err(fail(format!("SW {pattern}"), "SW 9000: the step completed")),
        Err(StepFailure {
            code: Some(code), ..
        }) if super::code::matches(pattern, pin, code, words)? => Ok(()),
        Err(StepFailure {
            code: Some(code),
            actual,
            ..
        }) => Err(fail(
            super::code::expected(pattern, pin, code, words),
            format!("{}: {actual}", super::code::name(code)),
        )),
        Err(other) => Err(other),
    }
}

impl Flow<'_, '_> {
    /// A PIN step's answer against the outcome it expects. A count the driver does not tell
    /// (PKCS#11) is read from the token's flags.
    fn check_pin(&mut self, expect: &PinOutcome, which: PinRole, answer: PinAnswer) -> StepResult {
        if let PinOutcome::Sw(pattern) = expect {
            let code = answer.code.unwrap_or(super::code::OK);
            return if super::code::matches(pattern, true, code, self.words)? {
                Ok(())
            } else {
                Err(fail(
                    super::code::expected(pattern, true, code, self.words),
                    format!("{} ({answer})", super::code::name(code)),
                ))
            };
        }
        let ok = match (expect, answer.status) {
            (PinOutcome::TriesLeft(n), None) => {
                // PKCS#11 tells the count only as COUNT_LOW and FINAL_TRY.
                return match self.driver().pin_counter(which)? {
                    PinCounter::Flags {
                        count_low,
                        final_try,
                        ..
                    } => flags_agree(*n, self.fresh_tries, (count_low, final_try, false)),
                    PinCounter::Exact(status) => Err(fail(expect, status)),
                };
            }
            (PinOutcome::Wrong | PinOutcome::Refused, None) => true,
            (PinOutcome::Ok, Some(PinStatus::Verified))
            | (PinOutcome::Wrong, Some(PinStatus::TriesLeft(_))) => true,
            (PinOutcome::TriesLeft(n), Some(PinStatus::TriesLeft(m))) => *n == m,
            (PinOutcome::Blocked | PinOutcome::Refused, Some(PinStatus::Blocked)) => true,
            (PinOutcome::Refused, Some(PinStatus::TriesLeft(_))) => true,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(fail(expect, answer))
        }
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

/// Whitespace runs to one space, so wrapped and paged screens compare with one-line text.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reissue document of a `sign_document` step (its fields expanded; the replaced serial
/// defaults to the current certificate's, the date to `${today}`) bound to the signed
/// request. Shared by the APDU and PKCS#11 runs.
pub(crate) fn reissue_document(
    d: &crate::scenario::step::DocumentFields,
    current_certificate: Option<&[u8]>,
    request: Option<&[u8]>,
    expand: &dyn Fn(&str) -> Result<String, StepFailure>,
    today: Option<&str>,
) -> Result<Vec<u8>, StepFailure> {
    let replaced_serial = match &d.replaced_serial {
        Some(s) => expand(s)?,
        None => current_certificate
            .and_then(certificate::parse)
            .map(|c| c.serial_hex)
            .unwrap_or_default(),
    };
    let date = match &d.date {
        Some(s) => expand(s)?,
        None => today.unwrap_or_default().to_owned(),
    };
    let fields = DocumentData {
        date,
        owner: expand(&d.owner)?,
        organisation: expand(&d.organisation)?,
        number: expand(&d.number)?,
        replaced_serial,
    };
    let request = request.ok_or_else(|| fail("a signed request (sign_request first)", "none"))?;
    pki::reissue_document(&fields, request).map_err(|e| fail("the reissue document", e))
}
