//! Signing through the module behind the SafeTouch: the press arranged (control socket or a
//! person) while `C_Sign` blocks, the screens read and checked, the outcome against `expect`.

use cryptoki::object::ObjectClass;
use rutoken_cryptoki_gost::sys::*;
use rutoken_sim::control::Request;

use crate::report::{PressRecord, ShownScreen};
use crate::runner::certificate;
use crate::runner::flow::host_hash::{check_signature, verifier};
use crate::runner::flow::reissue::{lines_shown, requested_extensions, shows_row};
use crate::runner::flow::{StepFailure, fail, normalise};
use crate::runner::pki;
use crate::scenario::step::{PressAction, SafeTouchStep, SignOutcome};
use crate::target::control::Control;
use crate::target::operator;

use super::super::{plan, rv};
use super::{Halt, P11Flow, P11Key, P11Result, PRESS_WAIT};

impl P11Flow<'_> {
    /// Arranges the press through the control socket (a thread presses once the screen waits,
    /// while `C_Sign` blocks), or tells the person (drawing the expected screen and asking on a
    /// thread whether the device shows it, answered while `C_Sign` waits), and notes it.
    pub(super) fn arrange(&mut self, press: PressAction, expected: &[String]) {
        if let Some(control) = &self.control {
            let request: fn(u64) -> Request = match press {
                PressAction::Confirm => |id| Request::Confirm { id },
                PressAction::Reject => |id| Request::Reject { id },
                PressAction::Timeout => |id| Request::TimeOut { id },
            };
            control.press_when_waiting(request, PRESS_WAIT);
        } else if let Some(timeout) = self.operator {
            let instruction = operator::press_instruction(press, expected);
            if expected.is_empty() {
                eprintln!("\n>>> {instruction}");
            } else {
                let (rows, columns) = self.screen_size;
                eprintln!(
                    "\n>>> The SafeTouch should now show:\n{}    Does it show the same? [y/n]",
                    operator::screen::draw(expected, rows, columns)
                );
                let expected = expected.to_vec();
                self.observation = Some(std::thread::spawn(move || {
                    let same = operator::stdin::yes_no(timeout)?;
                    eprintln!(">>> {instruction}");
                    Ok(operator::screen::observation(&expected, same))
                }));
            }
        }
        // The press answers the next call: the C_Sign.
        self.presses.push(PressRecord {
            press,
            exchange: Some(self.token.log.borrow().len()),
            step: self.step.clone(),
        });
    }

    /// The screens shown since the last call (a person's observations stand for them).
    pub fn collect_screens(&mut self) -> usize {
        let before = self.screens.len();
        let observed = match self.observation.take().map(std::thread::JoinHandle::join) {
            Some(Ok(Ok(text))) => Some(vec![text]),
            Some(Ok(Err(e))) => Some(vec![format!("operator observation: none ({e})")]),
            Some(Err(_)) => Some(vec![
                "operator observation: none (the question failed)".to_owned(),
            ]),
            None => None,
        };
        let new = match observed {
            Some(o) => Some(o),
            None => self.control.as_mut().and_then(Control::take_screens),
        };
        if let Some(new) = new {
            for text in new {
                self.shown.push(ShownScreen {
                    text: text.clone(),
                    exchange: self.token.log.borrow().len().checked_sub(1),
                    step: self.step.clone(),
                });
                self.screens.push(text);
            }
        }
        before
    }

    pub(super) fn expand_all(&self, texts: &[String]) -> Result<Vec<String>, StepFailure> {
        texts.iter().map(|s| self.expand(s)).collect()
    }

    pub(super) fn check_screens(&mut self, before: usize, st: &SafeTouchStep) -> P11Result {
        let expected = self.expand_all(&st.screen)?;
        let rows = self.expand_all(&st.rows)?;
        let raw = &self.screens[before.min(self.screens.len())..];
        if self.control.is_none() && raw.is_empty() {
            // Nobody reads this screen (a person was told the expectation with the press).
            return Ok(());
        }
        let shown: Vec<String> = raw.iter().map(|s| normalise(s)).collect();
        for text in &expected {
            if !shown.iter().any(|s| s.contains(&normalise(text))) {
                return Err(fail(
                    format!("the SafeTouch to show «{text}»"),
                    if shown.is_empty() {
                        "no screen".to_owned()
                    } else {
                        shown.join(" / ")
                    },
                )
                .into());
            }
        }
        if raw.iter().all(|s| operator::screen::is_confirmation(s)) {
            // A person compared the device with the expected texts and rows and said yes.
            return Ok(());
        }
        for row in &rows {
            if !raw.iter().any(|s| shows_row(s, row)) {
                return Err(fail(
                    format!("the SafeTouch to show the row «{row}»"),
                    shown.join(" / "),
                )
                .into());
            }
        }
        if !st.lines.is_empty() {
            let want: Vec<String> = st
                .lines
                .iter()
                .map(|l| self.expand(l).map(|l| l.trim().to_owned()))
                .collect::<Result<_, _>>()?;
            lines_shown(raw, &want)?;
        }
        Ok(())
    }

    /// `C_Sign` with the on-token hash behind the SafeTouch; checks screen and outcome.
    /// Returns the signature (`s ‖ r` BE) when one was expected and came.
    pub(crate) fn sign_on_token(
        &mut self,
        key: &P11Key,
        data: &[u8],
        st: &SafeTouchStep,
        expect: &SignOutcome,
    ) -> P11Result<Option<Vec<u8>>> {
        let private = self.object(key, ObjectClass::PRIVATE_KEY)?.ok_or_else(|| {
            Halt::Fail(
                fail("the private key object", "none found (not logged in?)"),
                Some(CKR_USER_NOT_LOGGED_IN),
            )
        });
        let private = match private {
            Ok(p) => p,
            Err(halt) => return sign_outcome(Err(halt), expect),
        };
        self.collect_screens();
        let before = self.screens.len();
        let expected = [self.expand_all(&st.screen)?, self.expand_all(&st.rows)?].concat();
        self.arrange(st.press, &expected);
        let result = self
            .token
            .sign(plan::on_token(Self::algorithm(key)), private, data);
        self.collect_screens();
        self.check_screens(before, st)?;
        sign_outcome(result.map_err(Halt::from), expect)
    }

    pub(super) fn sign_request(
        &mut self,
        name: &str,
        signed_by: Option<&str>,
        st: &SafeTouchStep,
        expect: &SignOutcome,
    ) -> P11Result {
        let key = self.key(name)?;
        let (overrides, ekus) = self.request_specs.get(name).cloned().ok_or_else(|| {
            fail(
                format!("build_request for key {name:?} first"),
                "no request",
            )
        })?;
        let subject = pki::subject(self.current_certificate.as_deref(), &overrides)
            .map_err(|e| fail("a request subject", e))?;
        let extensions = requested_extensions(&ekus)?;
        // `key: current`: the key of the current certificate, read from it.
        let (algorithm, public) = verifier(&key.state, self.current_certificate.as_deref())?;
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
        let signed = self.sign_on_token(&signer, &tbs, st, expect)?;
        if let Some(sig) = signed {
            let der = info
                .sign_with(|_| Ok::<_, String>(sig.clone()))
                .map_err(|e| fail("the request to be signed", e))?
                .to_der()
                .to_vec();
            self.produced.request_pem = Some(certificate::pem("CERTIFICATE REQUEST", &der));
            self.request = Some(der);
        } else if name != "current" {
            // The plugin removes the key pair it generated for a request that was not signed
            // (reissue-flow.md, branches: reject on screen 1); never the current key.
            self.delete(&key)?;
            if let Some(state) = self.keys.get_mut(name) {
                state.state.deleted = true;
            }
        }
        Ok(())
    }

    pub(super) fn sign_hash(&mut self, h: &crate::scenario::step::SignHash) -> P11Result {
        let key = self.key(&h.key)?;
        let text = self.expand(&h.text)?;
        let (algorithm, public) = verifier(&key.state, self.current_certificate.as_deref())?;
        let digest = algorithm.digest().digest(text.as_bytes());
        let private = match self.object(&key, ObjectClass::PRIVATE_KEY)? {
            Some(p) => p,
            None => {
                return sign_outcome(
                    Err(Halt::Fail(
                        fail("the private key object", "invisible: not logged in"),
                        Some(CKR_USER_NOT_LOGGED_IN),
                    )),
                    &h.expect,
                )
                .map(|_| ());
            }
        };
        self.arrange(h.press, &[]);
        let result = self
            .token
            .sign(plan::host(Self::algorithm(&key)), private, &digest);
        self.collect_screens();
        let Some(sig) = sign_outcome(result.map_err(Halt::from), &h.expect)? else {
            return Ok(());
        };
        let signature =
            gost::Signature::from_x509_bytes(&sig).map_err(|e| fail("a signature s ‖ r", e))?;
        Ok(check_signature(&h.expect, &public, &digest, &signature)?)
    }
}

/// A signing result against the outcome the scenario expects (`Some`: a signature expected
/// and come; `None`: a refusal expected and come). Reject and the time-out are both
/// `CKR_FUNCTION_REJECTED` (docs/pkcs11.md).
fn sign_outcome(result: P11Result<Vec<u8>>, expect: &SignOutcome) -> P11Result<Option<Vec<u8>>> {
    match (result, expect) {
        (Ok(sig), SignOutcome::Signed | SignOutcome::Sw(_)) => Ok(Some(sig)),
        (
            Err(Halt::Fail(_, Some(CKR_FUNCTION_REJECTED))),
            SignOutcome::Rejected | SignOutcome::TimedOut,
        ) => Ok(None),
        (Ok(_), e) => Err(fail(e.to_string(), "a signature").into()),
        (Err(Halt::Fail(f, Some(code))), e @ (SignOutcome::Rejected | SignOutcome::TimedOut)) => {
            Err(fail(e.to_string(), format!("{}: {}", rv::name(code), f.actual)).into())
        }
        (Err(other), _) => Err(other),
    }
}
