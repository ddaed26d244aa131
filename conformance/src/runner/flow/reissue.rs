//! The reissue operations of the flow: on-token signing behind the SafeTouch (screens 1 and
//! 2), the CA submission, and the certificate installation.

use crate::scenario::step::{
    CaName, InstallOutcome, InterruptBy, SafeTouchStep, SignOutcome, Submit, SubmitMode,
    SubmitOutcome, Tamper,
};
use crate::target::operator;
use rutoken_client::driver::{DriverError, Installed, Interrupt, PowerEvent, PressPlan};
use rutoken_pki::ext::RequestedExtensions;

use super::StepFailure;
use super::host_hash::verifier;
use super::{Flow, KeyState, StepResult, fail, normalise};
use crate::runner::certificate;
use crate::runner::pki::{self, Ca, CaChoice, Submitted};

impl Flow<'_, '_> {
    /// Signs with the on-token hash behind the SafeTouch; checks the screen and the outcome.
    /// Returns the signature when one was expected and came.
    pub(super) fn sign(
        &mut self,
        key: &KeyState,
        data: &[u8],
        st: &SafeTouchStep,
        expect: &SignOutcome,
    ) -> Result<Option<gost::Signature>, StepFailure> {
        let (screen, rows) = self.expand_screen(st)?;
        let before = self.client.screens.len();
        // An operator is shown the rows too: their answer stands for both checks below.
        let plan = PressPlan {
            press: crate::session::press(st.press),
            expected_screen: [screen.clone(), rows.clone()].concat(),
        };
        let result = self
            .driver()
            .sign_document(&key.token_key(), data, Some(&plan));
        self.check_screens(before, &screen, &rows)?;
        self.check_lines(before, st)?;
        refusal_outcome(result, expect)
    }

    /// A SafeTouch expectation with its variables expanded: texts and rows.
    pub(super) fn expand_screen(
        &self,
        st: &SafeTouchStep,
    ) -> Result<(Vec<String>, Vec<String>), StepFailure> {
        let expand = |list: &[String]| -> Result<Vec<String>, StepFailure> {
            list.iter().map(|s| self.expand(s)).collect()
        };
        Ok((expand(&st.screen)?, expand(&st.rows)?))
    }

    /// `safetouch.lines`: some screen shown since `before` has these lines, consecutively and
    /// exactly (whitespace at the ends of a line ignored).
    pub(super) fn check_lines(&mut self, before: usize, st: &SafeTouchStep) -> StepResult {
        if st.lines.is_empty() {
            return Ok(());
        }
        let want: Vec<String> = st
            .lines
            .iter()
            .map(|l| self.expand(l).map(|l| l.trim().to_owned()))
            .collect::<Result<_, _>>()?;
        if self.client.screens.len() <= before && self.client.collect_screens().is_none() {
            // The target cannot read its screen: the operator was shown the expectation.
            return Ok(());
        }
        let raw = self.client.screens.get(before..).unwrap_or_default();
        if !raw.is_empty() && raw.iter().all(|s| operator::screen::is_confirmation(s)) {
            return Ok(());
        }
        lines_shown(raw, &want)
    }

    pub(super) fn check_screens(
        &mut self,
        before: usize,
        expected: &[String],
        rows: &[String],
    ) -> StepResult {
        if self.client.collect_screens().is_none() && self.client.screens.len() == before {
            // The target cannot read its screen: the operator was shown the expectation.
            return Ok(());
        }
        let shown: Vec<String> = self.client.screens[before..]
            .iter()
            .map(|s| normalise(s))
            .collect();
        for text in expected {
            if !shown.iter().any(|s| s.contains(&normalise(text))) {
                let actual = if shown.is_empty() {
                    "no screen".to_owned()
                } else {
                    shown.join(" / ")
                };
                return Err(fail(format!("the SafeTouch to show «{text}»"), actual));
            }
        }
        let raw = &self.client.screens[before..];
        if !raw.is_empty() && raw.iter().all(|s| operator::screen::is_confirmation(s)) {
            // A person compared the device with the expected texts and rows and said yes.
            return Ok(());
        }
        for row in rows {
            if !raw.iter().any(|s| shows_row(s, row)) {
                let actual = if raw.is_empty() {
                    "no screen".to_owned()
                } else {
                    raw.iter()
                        .map(|s| s.lines().collect::<Vec<_>>().join(" | "))
                        .collect::<Vec<_>>()
                        .join(" / ")
                };
                return Err(fail(
                    format!("the SafeTouch to show the row «{row}»"),
                    actual,
                ));
            }
        }
        Ok(())
    }

    pub(super) fn sign_request(
        &mut self,
        key_name: &str,
        signed_by: Option<&str>,
        st: &SafeTouchStep,
        expect: &SignOutcome,
    ) -> StepResult {
        let key = self.key(key_name)?;
        let (overrides, ekus) = self.request_specs.get(key_name).cloned().ok_or_else(|| {
            fail(
                format!("build_request for key \"{key_name}\" first"),
                "no request",
            )
        })?;
        let subject = pki::subject(self.current_certificate.as_deref(), &overrides)
            .map_err(|e| fail("a request subject", e))?;
        let extensions = requested_extensions(&ekus)?;
        if key.algorithm.is_none() || key.public_key.is_none() {
            return Err(fail(
                "a key generated in this scenario",
                "a key without a known public key",
            ));
        }
        let (algorithm, public) = verifier(&key, None)?;
        let info = rutoken_pki::RequestInfo::new(subject, &public, algorithm, &extensions)
            .map_err(|e| fail("the request to be built", e))?;
        let tbs = info
            .to_be_signed()
            .map_err(|e| fail("the request to be built", e))?;
        // `signed_by`: another key signs the request that still certifies `key`.
        let signer = match signed_by {
            Some(other) => self.key(other)?,
            None => key.clone(),
        };
        if let Some(sig) = self.sign(&signer, &tbs, st, expect)? {
            let der = info
                .sign_with(|_| Ok::<_, std::convert::Infallible>(sig.to_x509_bytes()))
                .map_err(|e| fail("the request to be signed", e))?
                .to_der()
                .to_vec();
            self.produced.request_pem = Some(certificate::pem("CERTIFICATE REQUEST", &der));
            self.request = Some(der);
        } else if key_name != "current" {
            // The plugin removes the key pair it generated for a request that was not signed
            // (reissue-flow.md, branches: reject on screen 1); never the current key, which a
            // request for the current key (`key: current`) signs.
            self.driver().delete_key(&key.token_key())?;
            if let Some(state) = self.keys.get_mut(key_name) {
                state.deleted = true;
            }
        }
        Ok(())
    }

    pub(super) fn submit(&mut self, submit: &Submit) -> StepResult {
        let parts = Submission {
            request: self.request.as_deref(),
            document: self.document.as_ref(),
            current_certificate: self.current_certificate.as_deref(),
            today: self.today,
        };
        let issued = submit_to(&mut self.ca, &parts, submit)?;
        self.produced.ca_pem = self.ca.last_pem.clone();
        if let Some(cert) = issued {
            self.produced.certificate_pem = Some(certificate::pem("CERTIFICATE", &cert));
            self.issued = Some(cert);
        }
        Ok(())
    }

    pub(super) fn install(&mut self, i: &crate::scenario::step::InstallCertificate) -> StepResult {
        let key = self.key(&i.key)?;
        let der = match i.certificate.as_str() {
            "issued" => self.issued.clone(),
            "current" => self.current_certificate.clone(),
            other => return Err(fail("certificate: issued or current", other)),
        }
        .ok_or_else(|| fail(format!("a certificate \"{}\"", i.certificate), "none"))?;
        let info =
            certificate::parse(&der).ok_or_else(|| fail("a certificate", "unparsable DER"))?;
        // The client refuses a certificate that is not for the key, before writing anything.
        if key.public_key.as_deref() != Some(info.public_key.as_slice()) {
            return match &i.expect {
                InstallOutcome::Refused => Ok(()),
                e => Err(fail(
                    e.to_string(),
                    "refused: the certificate's public key is not the key's",
                )),
            };
        }
        let label = info.subject_cn.clone().unwrap_or_default();
        let interrupt = i.interrupt.map(|int| Interrupt {
            after_pieces: int.after_pieces,
            by: match int.by {
                InterruptBy::Pull => PowerEvent::Pull,
                InterruptBy::PowerCycle => PowerEvent::PowerCycle,
            },
        });
        let written = self
            .driver()
            .install_certificate(&key.token_key(), &der, &label, interrupt);
        match (written, &i.expect) {
            (Ok(Installed::Listed { .. }), InstallOutcome::Installed | InstallOutcome::Sw(_)) => {
                Ok(())
            }
            (Err(err), InstallOutcome::Sw(_)) => Err(err.into()),
            (Ok(Installed::Interrupted), InstallOutcome::Interrupted) => Ok(()),
            // Pulled between the certificate and the index: also an interruption.
            (
                Err(DriverError::Transport { .. } | DriverError::Removed),
                InstallOutcome::Interrupted,
            ) if interrupt.is_some() => Ok(()),
            (Ok(done), e) => Err(fail(
                e.to_string(),
                match done {
                    Installed::Listed { .. } => "installed",
                    Installed::Interrupted => "interrupted",
                },
            )),
            (Err(err), e) => Err(fail(e.to_string(), err)),
        }
    }
}

/// What the bank passes to the CA: the signed request, the signed reissue document (`s ‖ r`
/// BE), the certificate being replaced, the date.
pub struct Submission<'a> {
    /// The signed PKCS#10, DER.
    pub request: Option<&'a [u8]>,
    /// The reissue document and its signature.
    pub document: Option<&'a (Vec<u8>, Vec<u8>)>,
    /// The certificate being replaced.
    pub current_certificate: Option<&'a [u8]>,
    /// The scenario's date.
    pub today: time::Date,
}

/// Step 4 of the flow against the test CA: `Some(certificate)` when it issued one as the
/// scenario expected, `None` when it refused as expected. Shared by every target's flow.
pub fn submit_to(
    ca: &mut Ca,
    parts: &Submission<'_>,
    submit: &Submit,
) -> Result<Option<Vec<u8>>, StepFailure> {
    let (mode, tamper, expect) = (submit.mode, submit.tamper, &submit.expect);
    let which = match submit.ca {
        CaName::Test => CaChoice::Test,
        CaName::Foreign => CaChoice::Foreign,
    };
    let mut request = parts
        .request
        .map(<[u8]>::to_vec)
        .ok_or_else(|| fail("a signed request", "none"))?;
    if tamper == Some(Tamper::RequestSignature)
        && let Some(last) = request.last_mut()
    {
        *last ^= 0x01;
    }
    let answer = match mode {
        SubmitMode::Reissue => {
            let (doc, sig) = parts
                .document
                .ok_or_else(|| fail("a signed reissue document", "none"))?;
            let current = parts
                .current_certificate
                .ok_or_else(|| fail("a current certificate", "none on the token"))?;
            ca.reissue(which, &request, doc, sig, current, parts.today)
        }
        SubmitMode::New => ca.issue_new(which, &request, parts.current_certificate, parts.today),
    }
    .map_err(|e| fail("the CA to answer", e))?;
    match (answer, expect) {
        (Submitted::Issued(cert), SubmitOutcome::Issued) => Ok(Some(cert)),
        (Submitted::Refused(r, _), SubmitOutcome::Refused(want)) if &r == want => Ok(None),
        (Submitted::Refused(r, why), e) => {
            Err(fail(e.to_string(), format!("refused: {r} ({why})")))
        }
        (Submitted::Issued(_), e) => Err(fail(e.to_string(), "issued")),
    }
}

/// A signing result against the outcome the scenario expects: `Some` when it expected and got a
/// result, `None` when it expected and got the SafeTouch's refusal.
pub(crate) fn refusal_outcome<T>(
    result: Result<T, DriverError>,
    expect: &SignOutcome,
) -> Result<Option<T>, StepFailure> {
    match (result, expect) {
        (Ok(value), SignOutcome::Signed | SignOutcome::Sw(_)) => Ok(Some(value)),
        (Err(err), SignOutcome::Sw(_)) => Err(err.into()),
        (
            Err(DriverError::Rejected { .. } | DriverError::RejectedOrTimedOut { .. }),
            SignOutcome::Rejected,
        )
        | (
            Err(DriverError::TimedOut { .. } | DriverError::RejectedOrTimedOut { .. }),
            SignOutcome::TimedOut,
        ) => Ok(None),
        (Ok(_), e) => Err(fail(e.to_string(), "a signature")),
        (Err(err), e) if err.refused_on_device() => Err(fail(e.to_string(), err)),
        (Err(err), _) => Err(err.into()),
    }
}

/// Whether `screen` shows `row` as whole consecutive display lines (a wrapped row is its lines
/// joined by single spaces): `Владелец: Иванов` does not match a row `Владелец: Иванов Иван`.
pub(crate) fn shows_row(screen: &str, row: &str) -> bool {
    let want = normalise(row);
    let lines: Vec<String> = screen.lines().map(normalise).collect();
    (0..lines.len()).any(|start| {
        let mut joined = String::new();
        lines.iter().skip(start).any(|line| {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(line);
            joined == want
        })
    })
}

/// `safetouch.lines` against the screens shown: some screen has the wanted lines consecutively
/// and exactly (whitespace at the ends of a line ignored). Shared by the APDU and PKCS#11 runs.
pub(crate) fn lines_shown(raw: &[String], want: &[String]) -> StepResult {
    let found = raw.iter().any(|s| {
        let lines: Vec<&str> = s.lines().map(str::trim).collect();
        lines
            .windows(want.len())
            .any(|w| w.iter().zip(want).all(|(a, b)| *a == b.as_str()))
    });
    if found {
        return Ok(());
    }
    let actual = raw
        .iter()
        .map(|s| s.lines().collect::<Vec<_>>().join(" | "))
        .collect::<Vec<_>>()
        .join(" / ");
    Err(fail(
        format!("the SafeTouch to show the lines «{}»", want.join(" | ")),
        if actual.is_empty() {
            "no screen".to_owned()
        } else {
            actual
        },
    ))
}

/// The request's extensions: the bank's, with `extended_key_usage` of build_request (names or
/// dotted OIDs) replacing its default purposes when given. Shared by the APDU and PKCS#11 runs.
pub(crate) fn requested_extensions(ekus: &[String]) -> Result<RequestedExtensions, StepFailure> {
    let mut extensions = RequestedExtensions::bank_default();
    if !ekus.is_empty() {
        extensions.ext_key_usage = ekus
            .iter()
            .map(|e| {
                rutoken_pki::ext::key_purpose(e)
                    .ok_or_else(|| fail("an extended key usage (name or dotted OID)", e))
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(extensions)
}
