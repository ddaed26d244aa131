//! The assertions after the steps, through the module.

use cryptoki::object::{AttributeType, ObjectClass};
use rutoken_cryptoki_gost::sys::CKR_USER_NOT_LOGGED_IN;

use crate::runner::certificate;
use crate::runner::checks::{PROBE_TEXT, check_stored_certificate, expand_certificate};
use crate::runner::flow::fail;
use crate::runner::flow::host_hash::verifier;
use crate::scenario::Assertion;
use crate::scenario::step::{PinKind, PressAction, SafeTouchStep, SignOutcome};

use super::flow::{Halt, P11Flow, P11Result, flags_agree};

impl P11Flow<'_> {
    /// Every certificate on the token (DER, trimmed).
    fn certificates(&self) -> P11Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for object in self.token.find(ObjectClass::CERTIFICATE, None)? {
            let der = self.token.bytes(object, AttributeType::Value)?;
            out.push(rutoken_client::certificate::trim(&der).to_vec());
        }
        Ok(out)
    }

    /// `certificate.paired`: the certificate object for public key `q` has the key's `CKA_ID`.
    fn paired_by_id(&self, name: &str, key_id: &[u8], q: &[u8]) -> P11Result {
        for object in self.token.find(ObjectClass::CERTIFICATE, None)? {
            let der = self.token.bytes(object, AttributeType::Value)?;
            let der = rutoken_client::certificate::trim(&der);
            if certificate::parse(der).is_some_and(|i| i.public_key == q) {
                let id = self.token.bytes(object, AttributeType::Id)?;
                if id == key_id {
                    return Ok(());
                }
                return Err(fail(
                    format!(
                        "the certificate's CKA_ID the key {name}'s, {}",
                        hex::encode_upper(key_id)
                    ),
                    format!("CKA_ID {}", hex::encode_upper(&id)),
                )
                .into());
            }
        }
        Err(fail(format!("a certificate for key {name} on the token"), "none").into())
    }

    /// Runs one assertion.
    pub fn check(&mut self, assertion: &Assertion) -> P11Result {
        self.step = format!("assert {}", assertion.name());
        match assertion {
            Assertion::Objects(o) => {
                let keys = self.token.find(ObjectClass::PUBLIC_KEY, None)?.len();
                let certificates = self.token.find(ObjectClass::CERTIFICATE, None)?.len();
                if let Some(n) = o.keys.filter(|&n| n != keys) {
                    return Err(
                        fail(format!("{n} keys"), format!("{keys} public key objects")).into(),
                    );
                }
                if let Some(n) = o.certificates.filter(|&n| n != certificates) {
                    return Err(fail(
                        format!("{n} certificates"),
                        format!("{certificates} certificates"),
                    )
                    .into());
                }
                Ok(())
            }
            Assertion::KeyPresent(k) | Assertion::KeyAbsent(k) => {
                let key = self.key(&k.key)?;
                // The public key object: visible without a login, deleted with its pair.
                let present = self.object(&key, ObjectClass::PUBLIC_KEY)?.is_some();
                let want = matches!(assertion, Assertion::KeyPresent(_));
                if present == want {
                    Ok(())
                } else {
                    Err(fail(
                        format!("key {} {}", k.key, if want { "present" } else { "absent" }),
                        if present { "present" } else { "absent" },
                    )
                    .into())
                }
            }
            Assertion::Certificate(c) => {
                let key = self.key(&c.key)?;
                let q = key
                    .state
                    .public_key
                    .clone()
                    .ok_or_else(|| fail("the key's public key", "unknown"))?;
                let stored = self
                    .certificates()?
                    .into_iter()
                    .find(|d| certificate::parse(d).is_some_and(|i| i.public_key == q))
                    .ok_or_else(|| {
                        fail(
                            format!("a certificate for key {} on the token", c.key),
                            "none",
                        )
                    })?;
                if c.paired == Some(true) {
                    self.paired_by_id(&c.key, &key.id, &q)?;
                }
                let found = certificate::parse(&stored)
                    .ok_or_else(|| fail("a certificate", "unparsable DER"))?;
                let wanted = expand_certificate(c, &|t| self.expand(t))?;
                let issued = self.issued.as_deref();
                Ok(check_stored_certificate(
                    c,
                    &wanted,
                    &found,
                    &stored,
                    issued,
                    &mut self.ca,
                )?)
            }
            Assertion::PinTriesLeft(p) => {
                self.token.logout()?;
                let info = self.token.info()?;
                let flags = if p.which == PinKind::Admin {
                    (
                        info.so_pin_count_low(),
                        info.so_pin_final_try(),
                        info.so_pin_locked(),
                    )
                } else {
                    (
                        info.user_pin_count_low(),
                        info.user_pin_final_try(),
                        info.user_pin_locked(),
                    )
                };
                // PKCS#11 tells a counter only as COUNT_LOW, FINAL_TRY and LOCKED.
                let max = if p.which == PinKind::Admin {
                    None
                } else {
                    self.fresh_tries
                };
                Ok(flags_agree(p.expect, max, flags)?)
            }
            Assertion::KeySigns(k) => self.key_signs(&k.key, &k.certificate),
            Assertion::Screens(sc) => {
                let shown: Vec<String> = self.screens
                    [..self.screens_in_steps.min(self.screens.len())]
                    .iter()
                    .map(|s| crate::runner::flow::normalise(s))
                    .collect();
                if let Some(n) = sc.count.filter(|&n| n != shown.len()) {
                    return Err(fail(
                        format!("{n} screens shown"),
                        format!("{}: {}", shown.len(), shown.join(" / ")),
                    )
                    .into());
                }
                for text in &sc.contains {
                    let text = self.expand(text)?;
                    if !shown
                        .iter()
                        .any(|s| s.contains(&crate::runner::flow::normalise(&text)))
                    {
                        return Err(
                            fail(format!("a screen showing «{text}»"), shown.join(" / ")).into(),
                        );
                    }
                }
                for text in &sc.lacks {
                    let text = self.expand(text)?;
                    let text = crate::runner::flow::normalise(&text);
                    if let Some(s) = shown.iter().find(|s| s.contains(&text)) {
                        return Err(fail(format!("no screen showing «{text}»"), s).into());
                    }
                }
                if !sc.pages.is_empty() {
                    let pages = sc
                        .pages
                        .iter()
                        .map(|page| page.iter().map(|l| self.expand(l)).collect())
                        .collect::<Result<Vec<Vec<String>>, _>>()?;
                    let raw = &self.screens[..self.screens_in_steps.min(self.screens.len())];
                    crate::runner::checks::pages_shown(raw, &pages)?;
                }
                Ok(())
            }
            // `plan::skip_reason` skips such a scenario before it starts.
            Assertion::Atr(_) => Err(Halt::Skip(
                "assert atr: a PKCS#11 module does not expose the token's ATR".to_owned(),
            )),
            Assertion::LoggedIn(l) => {
                if l.which == PinKind::Admin {
                    return Err(Halt::Skip(
                        "logged_in of the admin PIN: a PKCS#11 session tells the user's state only"
                            .to_owned(),
                    ));
                }
                let logged_in = self.token.logged_in()?;
                if logged_in == l.expect {
                    Ok(())
                } else {
                    Err(fail(
                        if l.expect {
                            "the PIN verified"
                        } else {
                            "the PIN not verified"
                        },
                        if logged_in {
                            "the session is logged in"
                        } else {
                            "the session is not logged in"
                        },
                    )
                    .into())
                }
            }
            Assertion::Ca(c) => {
                if let Some(n) = c.requests.filter(|&n| n != self.ca.requests) {
                    return Err(fail(format!("{n} requests at the CA"), self.ca.requests).into());
                }
                if let Some(n) = c.issued.filter(|&n| n != self.ca.issued) {
                    return Err(fail(format!("{n} certificates issued"), self.ca.issued).into());
                }
                Ok(())
            }
        }
    }

    /// Logs in with `${user_pin}`, signs [`PROBE_TEXT`] hashed on the token (Confirm) and
    /// verifies the signature under the chosen certificate.
    fn key_signs(&mut self, name: &str, which: &str) -> P11Result {
        let key = self.key(name)?;
        let der = match which {
            "current" => self.current_certificate.clone(),
            "issued" => self.issued.clone(),
            _ => {
                let q = key
                    .state
                    .public_key
                    .clone()
                    .ok_or_else(|| fail("the key's public key", "unknown"))?;
                self.certificates()?
                    .into_iter()
                    .find(|d| certificate::parse(d).is_some_and(|i| i.public_key == q))
            }
        }
        .ok_or_else(|| fail(format!("a {which} certificate for key {name}"), "none"))?;
        let pin = self
            .vars
            .get("user_pin")
            .cloned()
            .ok_or_else(|| fail("vars.user_pin", "undefined"))?;
        self.token.login(false, &pin)?;
        let st = SafeTouchStep {
            screen: Vec::new(),
            rows: Vec::new(),
            lines: Vec::new(),
            press: PressAction::Confirm,
        };
        let sig = match self.sign_probe(&key, &st)? {
            Some(sig) => sig,
            None => {
                return Err(Halt::Fail(
                    fail("a signature", "none"),
                    Some(CKR_USER_NOT_LOGGED_IN),
                ));
            }
        };
        let (algorithm, vk) = verifier(&Default::default(), Some(&der))?;
        let digest = algorithm.digest().digest(PROBE_TEXT.as_bytes());
        let signature =
            gost::Signature::from_x509_bytes(&sig).map_err(|e| fail("a signature s ‖ r", e))?;
        vk.verify_digest(&digest, &signature).map_err(|e| {
            fail(
                format!("the signature to verify under {which} certificate"),
                e,
            )
            .into()
        })
    }

    fn sign_probe(
        &mut self,
        key: &super::flow::P11Key,
        st: &SafeTouchStep,
    ) -> P11Result<Option<Vec<u8>>> {
        self.sign_on_token(key, PROBE_TEXT.as_bytes(), st, &SignOutcome::Signed)
    }
}
