//! Implementation 2 of [`Driver`]: the bank client's operations as PKCS#11 calls through a
//! module ([`Token`]), with the SafeTouch pressed and read through the emulator's control
//! socket (or a person at a real token) while `C_Sign` blocks. What PKCS#11 has no call for
//! (a raw APDU, a warm reset, an ATR, a certificate written in pieces) answers
//! [`DriverError::CannotExpress`].

use std::time::Duration;

use cryptoki::object::{AttributeType, ObjectClass, ObjectHandle};
use rutoken_client::driver::{
    Code, Driver, DriverError, Installed, Interrupt, KeySpec, PinCounter, PinRole, PowerEvent,
    Press, PressPlan, Serial, TokenCertificate, TokenKey, TokenObjects,
};
use rutoken_cryptoki_gost::Attr;
use rutoken_cryptoki_gost::sys::*;
use rutoken_sim::control::Request;

use super::plan::{self, CKK_GOSTR3410_512};
use super::rv;
use super::token::{CallError, Token};
use crate::scenario::step::Algorithm;
use crate::session::{Journal, press_action};
use crate::target::TargetError;
use crate::target::control::Control;
use crate::target::operator;

/// How long a press waits for the SafeTouch screen (as the pcsc target).
const PRESS_WAIT: Duration = Duration::from_secs(30);

/// A module's failed call in the driver's terms.
fn call_error(e: CallError) -> DriverError {
    let Some(code) = e.rv else {
        return DriverError::Transport {
            reason: e.to_string(),
        };
    };
    match code {
        CKR_PIN_INCORRECT => DriverError::PinIncorrect {
            tries_left: None,
            code: Code::Module(code),
        },
        CKR_PIN_LOCKED => DriverError::PinBlocked {
            code: Code::Module(code),
        },
        CKR_USER_NOT_LOGGED_IN => DriverError::NotLoggedIn {
            operation: e.function.to_owned(),
            code: Code::Module(code),
        },
        // Reject and the time-out are both CKR_FUNCTION_REJECTED (docs/pkcs11.md).
        CKR_FUNCTION_REJECTED => DriverError::RejectedOrTimedOut {
            code: Code::Module(code),
        },
        _ => DriverError::Refused {
            operation: e.function.to_owned(),
            code: Code::Module(code),
            meaning: rv::name(code),
        },
    }
}

/// The private key of a pair is invisible without a login: the token's refusal in PKCS#11.
fn invisible(operation: &str) -> DriverError {
    DriverError::NotLoggedIn {
        operation: operation.to_owned(),
        code: Code::Module(CKR_USER_NOT_LOGGED_IN),
    }
}

/// The scenario algorithm of a key (`current`, whose algorithm the runner does not know: the
/// fixture's).
fn algorithm(key: &TokenKey) -> Algorithm {
    match key.algorithm {
        Some(gost::KeyAlgorithm::Gost2001) => Algorithm::Gost2001,
        Some(gost::KeyAlgorithm::Gost2012_512) => Algorithm::Gost2012_512,
        Some(gost::KeyAlgorithm::Gost2012_256) => Algorithm::Gost2012_256,
        None => plan::CURRENT,
    }
}

/// The module, and what reaches the token besides it.
pub struct Pkcs11Driver {
    /// The module, its slot and session.
    pub token: Token,
    control: Option<Control>,
    operator: Option<Duration>,
    screen_size: (usize, usize),
    observation: Option<std::thread::JoinHandle<Result<String, TargetError>>>,
    /// Screens read while the module was being closed (a power event), for the next
    /// [`Driver::take_screens`].
    pending: Vec<String>,
    journal: Journal,
}

impl Pkcs11Driver {
    /// The driver over an opened module; `control`: the emulator's control socket; `operator`:
    /// how long to wait for a person at a real token; `screen_size`: the SafeTouch's rows and
    /// columns (to draw the expected screen for the person).
    pub fn new(
        token: Token,
        control: Option<Control>,
        operator: Option<Duration>,
        screen_size: (usize, usize),
        journal: Journal,
    ) -> Self {
        // The calls of the start (loading the module, the mechanism list) are not the scenario's.
        token.log.borrow_mut().clear();
        Pkcs11Driver {
            token,
            control,
            operator,
            screen_size,
            observation: None,
            pending: Vec::new(),
            journal,
        }
    }

    /// Moves the module calls made since the last sync into the transcript, under its step.
    fn sync(&self) {
        let calls = std::mem::take(&mut *self.token.log.borrow_mut());
        let mut t = self.journal.transcript();
        let step = t.step.clone();
        t.exchanges
            .extend(
                calls
                    .into_iter()
                    .map(|(command, response)| crate::transcript::Exchange {
                        command: command.into(),
                        response: response.into(),
                        step: step.clone(),
                        kind: crate::transcript::ExchangeKind::Calls,
                    }),
            );
    }

    /// Runs a module call and notes it in the transcript.
    fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Token) -> Result<T, CallError>,
    ) -> Result<T, DriverError> {
        let result = f(&mut self.token);
        self.sync();
        result.map_err(call_error)
    }

    /// The object of a class with the key's `CKA_ID`.
    fn object(
        &mut self,
        key: &TokenKey,
        class: ObjectClass,
    ) -> Result<Option<ObjectHandle>, DriverError> {
        let id = key.id.clone().ok_or_else(|| DriverError::NotFound {
            what: "the key's CKA_ID (attach first)".to_owned(),
        })?;
        Ok(self.call(|t| t.find(class, Some(&id)))?.into_iter().next())
    }

    /// Arranges the press through the control socket (a thread presses once the screen waits,
    /// while `C_Sign` blocks), or tells the person (drawing the expected screen and asking on
    /// a thread whether the device shows it), and notes it at the call that comes next.
    fn arrange(&mut self, plan: &PressPlan) {
        let expected = &plan.expected_screen;
        if let Some(control) = &self.control {
            let request: fn(u64) -> Request = match plan.press {
                Press::Confirm => |id| Request::Confirm { id },
                Press::Reject => |id| Request::Reject { id },
                Press::Timeout => |id| Request::TimeOut { id },
            };
            control.press_when_waiting(request, PRESS_WAIT);
        } else if let Some(timeout) = self.operator {
            let instruction = operator::press_instruction(press_action(plan.press), expected);
            if expected.is_empty() {
                eprintln!("\n>>> {instruction}");
            } else {
                let (rows, columns) = self.screen_size;
                eprintln!(
                    "\n>>> The SafeTouch should now show:\n{}    Does it show the same? [y/n]",
                    operator::screen::draw(expected, rows, columns)
                );
                let expected = expected.clone();
                self.observation = Some(std::thread::spawn(move || {
                    let same = operator::stdin::yes_no(timeout)?;
                    eprintln!(">>> {instruction}");
                    Ok(operator::screen::observation(&expected, same))
                }));
            }
        }
        self.journal.note_press(press_action(plan.press));
    }

    /// `C_SignInit` + `C_Sign` with the key's private key object, the press arranged first.
    fn sign(
        &mut self,
        key: &TokenKey,
        mechanism: CK_MECHANISM_TYPE,
        data: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        let private = self
            .object(key, ObjectClass::PRIVATE_KEY)?
            .ok_or_else(|| invisible("C_Sign"))?;
        if let Some(plan) = press {
            self.arrange(plan);
        }
        let sig = self.call(|t| t.sign(mechanism, private, data))?;
        gost::Signature::from_x509_bytes(&sig).map_err(|e| DriverError::Failed {
            reason: format!("the module's signature s ‖ r: {e}"),
        })
    }

    /// A power or presence event done by a person (a real token).
    fn ask_presence(&mut self, event: PowerEvent) -> Result<(), DriverError> {
        let timeout = self.operator.ok_or_else(|| DriverError::CannotExpress {
            what: "needs the emulator's control socket (--control) or a person (--operator)"
                .to_owned(),
        })?;
        let instruction = match event {
            PowerEvent::Pull => "Pull the token out of the SafeTouch.",
            PowerEvent::Insert => "Insert the token into the SafeTouch again.",
            _ => {
                return Err(DriverError::CannotExpress {
                    what: "cutting the power needs the emulator's control socket (--control)"
                        .to_owned(),
                });
            }
        };
        self.token.close();
        operator::ask(instruction, timeout).map_err(|e| DriverError::Transport {
            reason: format!("the person did not act: {e}"),
        })?;
        if event != PowerEvent::Pull {
            self.reopen()?;
        }
        Ok(())
    }

    fn reopen(&mut self) -> Result<(), DriverError> {
        let result = self.token.reopen();
        // The calls of the reload are not the scenario's.
        self.token.log.borrow_mut().clear();
        result.map_err(|e| DriverError::Transport {
            reason: format!("the token back in its slot: {e}"),
        })
    }
}

impl Driver for Pkcs11Driver {
    fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
        Err(DriverError::CannotExpress {
            what: "a PKCS#11 module does not expose the token's ATR".to_owned(),
        })
    }

    /// Nothing to select: the module attached when it opened its session.
    fn attach(&mut self) -> Result<(), DriverError> {
        Ok(())
    }

    fn has_application(&mut self) -> Result<bool, DriverError> {
        Err(DriverError::CannotExpress {
            what: "a PKCS#11 module does not tell whether the token has a PKCS#15 application"
                .to_owned(),
        })
    }

    /// `C_GetTokenInfo`'s serial number.
    fn serial(&mut self) -> Result<Serial, DriverError> {
        let info = self.call(|t| t.info())?;
        let shown = info.serial_number().trim().to_owned();
        // A Rutoken's serial is 8 bytes; modules show it as the device number (10 decimal
        // digits, ours) or in hex (OpenSC, Aktiv's).
        let bytes = if shown.len() == 16 {
            hex::decode(&shown).ok()
        } else {
            shown.parse::<u64>().ok().map(|n| n.to_be_bytes().to_vec())
        };
        Ok(Serial { bytes, shown })
    }

    /// Public key objects (visible without a login) and certificates.
    fn objects(&mut self) -> Result<TokenObjects, DriverError> {
        let mut out = TokenObjects::default();
        for object in self.call(|t| t.find(ObjectClass::PUBLIC_KEY, None))? {
            let id = self.call(|t| t.bytes(object, AttributeType::Id))?;
            out.keys.push(TokenKey {
                id: Some(id),
                ..TokenKey::default()
            });
        }
        for object in self.call(|t| t.find(ObjectClass::CERTIFICATE, None))? {
            let der = self.call(|t| t.bytes(object, AttributeType::Value))?;
            let id = self.call(|t| t.bytes(object, AttributeType::Id))?;
            out.certificates.push(TokenCertificate {
                id,
                label: String::new(),
                der: rutoken_client::certificate::trim(&der).to_vec(),
            });
        }
        Ok(out)
    }

    /// `C_Logout` then `C_Login` (a fresh check of the PIN each time, as VERIFY is).
    fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError> {
        self.call(|t| t.login(role == PinRole::Admin, pin))
    }

    /// `C_GetTokenInfo`'s flags: PKCS#11 tells a counter only as COUNT_LOW, FINAL_TRY, LOCKED.
    fn pin_counter(&mut self, role: PinRole) -> Result<PinCounter, DriverError> {
        let info = self.call(|t| t.info())?;
        Ok(if role == PinRole::Admin {
            PinCounter::Flags {
                count_low: info.so_pin_count_low(),
                final_try: info.so_pin_final_try(),
                locked: info.so_pin_locked(),
            }
        } else {
            PinCounter::Flags {
                count_low: info.user_pin_count_low(),
                final_try: info.user_pin_final_try(),
                locked: info.user_pin_locked(),
            }
        })
    }

    /// `C_GetSessionInfo`: the session's state tells the user's login only.
    fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError> {
        if role == PinRole::Admin {
            return Err(DriverError::CannotExpress {
                what: "logged_in of the admin PIN: a PKCS#11 session tells the user's state only"
                    .to_owned(),
            });
        }
        self.call(|t| t.logged_in())
    }

    fn change_pin(&mut self, _: PinRole, _: &str, _: &str) -> Result<(), DriverError> {
        Err(DriverError::CannotExpress {
            what: "changing a PIN: this runner's PKCS#11 driver has no C_SetPIN call".to_owned(),
        })
    }

    /// `C_Login` as the SO, `C_InitPIN` with the user PIN again (RESET RETRY COUNTER keeps the
    /// PIN; C_InitPIN sets one), `C_Logout`.
    fn unblock_user_pin(
        &mut self,
        admin_pin: &str,
        user_pin: Option<&str>,
    ) -> Result<(), DriverError> {
        let user = user_pin.ok_or_else(|| DriverError::Failed {
            reason: "vars.user_pin (C_InitPIN sets it again) is undefined".to_owned(),
        })?;
        self.call(|t| t.login(true, admin_pin))?;
        let result = self.call(|t| t.init_pin(user));
        let _ = self.call(|t| t.logout());
        result
    }

    fn logout(&mut self) -> Result<(), DriverError> {
        self.call(|t| t.logout())
    }

    /// `C_GenerateKeyPair` with the GOST parameters, the label as `CKA_ID` (a module may give
    /// the pair its own, read back), the public key from `CKA_VALUE`.
    fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError> {
        let (alg, set) = (spec.algorithm, spec.param_set);
        // CKA_GOSTR3410_PARAMS: the CryptoPro OID for 2001 keys, the TC26 OID for 2012 ones;
        // CKA_GOSTR3411_PARAMS names the digest (2001: GOST R 34.11-94 CryptoPro, 2012:
        // Streebog), as OpenSC's pkcs11-tool sends them.
        let curve = match alg {
            gost::KeyAlgorithm::Gost2001 => set.cryptopro_oid().unwrap_or_else(|| set.oid()),
            _ => set.oid(),
        };
        let (digest, key_type) = match alg {
            gost::KeyAlgorithm::Gost2001 => (HASH_2001, CKK_GOSTR3410),
            gost::KeyAlgorithm::Gost2012_256 => (HASH_2012_256, CKK_GOSTR3410),
            gost::KeyAlgorithm::Gost2012_512 => (HASH_2012_512, CKK_GOSTR3410_512),
        };
        let id = spec.label.as_bytes().to_vec();
        let common = |class: CK_OBJECT_CLASS| {
            vec![
                Attr::ulong(CKA_CLASS, class),
                Attr::ulong(CKA_KEY_TYPE, key_type),
                Attr::bool(CKA_TOKEN, true),
                Attr::bytes(CKA_ID, &id),
                Attr::bytes(CKA_LABEL, spec.label.as_bytes()),
                Attr::bytes(CKA_GOSTR3410_PARAMS, &oid_der(&curve)),
                Attr::bytes(CKA_GOSTR3411_PARAMS, digest),
            ]
        };
        let mut public = common(CKO_PUBLIC_KEY);
        public.push(Attr::bool(CKA_VERIFY, true));
        let mut private = common(CKO_PRIVATE_KEY);
        private.extend([Attr::bool(CKA_PRIVATE, true), Attr::bool(CKA_SIGN, true)]);
        let mechanism = plan::keygen(algorithm(&TokenKey {
            algorithm: Some(alg),
            ..TokenKey::default()
        }));
        let (public_key, _) = self.call(|t| t.generate(mechanism, &public, &private))?;
        // The module may give the pair an ID of its own (ours and OpenSC's: from the public
        // key, as PKCS#15 does).
        let id = self.call(|t| t.raw_bytes(public_key, CKA_ID))?;
        let mut value = self.call(|t| t.raw_bytes(public_key, CKA_VALUE))?;
        // Some modules wrap the point in a DER OCTET STRING (04 40 …, 04 81 80 …).
        let len = 2 * set.scalar_len();
        if value.len() > len && value.first() == Some(&0x04) {
            value = value.split_off(value.len() - len);
        }
        if value.len() != len {
            return Err(DriverError::Failed {
                reason: format!(
                    "CKA_VALUE of {} bytes, a {len}-byte public key expected",
                    value.len()
                ),
            });
        }
        Ok(TokenKey {
            reference: None,
            id: Some(id),
            label: Some(spec.label.to_owned()),
            public_label: Some(spec.label.to_owned()),
            algorithm: Some(alg),
            param_set: Some(set),
            public_key: Some(value),
        })
    }

    /// The public key object: visible without a login, deleted with its pair.
    fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        Ok(self.object(key, ObjectClass::PUBLIC_KEY)?.is_some())
    }

    fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError> {
        let private = self.object(key, ObjectClass::PRIVATE_KEY)?;
        let public = self.object(key, ObjectClass::PUBLIC_KEY)?;
        let Some(private) = private else {
            return Err(match public {
                None => DriverError::NotFound {
                    what: "the key's objects (none with its CKA_ID)".to_owned(),
                },
                Some(_) => invisible("C_DestroyObject"),
            });
        };
        self.call(|t| t.destroy(private))?;
        // A module may delete the pair with its private key (the token's two RSFs go together).
        if public.is_some()
            && let Some(public) = self.object(key, ObjectClass::PUBLIC_KEY)?
        {
            self.call(|t| t.destroy(public))?;
        }
        Ok(())
    }

    fn sign_document(
        &mut self,
        key: &TokenKey,
        data: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        self.sign(key, plan::on_token(algorithm(key)), data, press)
    }

    fn sign_digest(
        &mut self,
        key: &TokenKey,
        digest: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        self.sign(key, plan::host(algorithm(key)), digest, press)
    }

    /// One `C_CreateObject` under the key's `CKA_ID`.
    fn install_certificate(
        &mut self,
        key: &TokenKey,
        der: &[u8],
        label: &str,
        interrupt: Option<Interrupt>,
    ) -> Result<Installed, DriverError> {
        if let Some(i) = interrupt {
            return Err(DriverError::CannotExpress {
                what: format!(
                    "interrupted after {} pieces: a module writes a certificate in one C_CreateObject, there are no pieces to interrupt between",
                    i.after_pieces
                ),
            });
        }
        let id = key.id.clone().ok_or_else(|| DriverError::NotFound {
            what: "the key's CKA_ID (attach first)".to_owned(),
        })?;
        let subject = rutoken_pki::Cert::parse(der)
            .ok()
            .and_then(|c| der::Encode::to_der(c.subject()).ok())
            .unwrap_or_default();
        self.call(|t| t.create_certificate(der, &id, label, &subject))?;
        Ok(Installed::Listed { id })
    }

    fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, DriverError> {
        let found = self.call(|t| t.find(ObjectClass::CERTIFICATE, Some(id)))?;
        let object = found
            .first()
            .copied()
            .ok_or_else(|| DriverError::NotFound {
                what: "a certificate with this ID".to_owned(),
            })?;
        let der = self.call(|t| t.bytes(object, AttributeType::Value))?;
        Ok(rutoken_client::certificate::trim(&der).to_vec())
    }

    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
        let found = self.call(|t| t.find(ObjectClass::CERTIFICATE, Some(id)))?;
        if found.is_empty() {
            return Err(DriverError::NotFound {
                what: "a certificate with this ID".to_owned(),
            });
        }
        for object in found {
            self.call(|t| t.destroy(object))?;
        }
        Ok(())
    }

    fn transmit(
        &mut self,
        _: &[u8],
        _: bool,
        _: Option<&PressPlan>,
    ) -> Result<rutoken_apdu::Response, DriverError> {
        Err(DriverError::CannotExpress {
            what: "a raw APDU has no PKCS#11 expression".to_owned(),
        })
    }

    /// A person's observation stands for the screen they were asked about; otherwise the
    /// control socket's screens; `None` when neither reads the screen.
    fn take_screens(&mut self) -> Option<Vec<String>> {
        let observed = match self.observation.take().map(std::thread::JoinHandle::join) {
            Some(Ok(Ok(text))) => Some(vec![text]),
            Some(Ok(Err(e))) => Some(vec![format!("operator observation: none ({e})")]),
            Some(Err(_)) => Some(vec![
                "operator observation: none (the question failed)".to_owned(),
            ]),
            None => None,
        };
        let new = observed.or_else(|| self.control.as_mut().and_then(Control::take_screens));
        if self.pending.is_empty() {
            return new;
        }
        let mut all = std::mem::take(&mut self.pending);
        all.extend(new.unwrap_or_default());
        Some(all)
    }

    /// Through the control socket: the module is finalised first and loaded again once the
    /// token is in, since a reset ends its sessions. Without one, a person pulls and inserts.
    fn power(&mut self, event: PowerEvent) -> Result<(), DriverError> {
        let request = match event {
            PowerEvent::Reset => {
                return Err(DriverError::CannotExpress {
                    what: "a warm reset has no PKCS#11 expression (C_Finalize and a new C_Initialize do not reset the card)".to_owned(),
                });
            }
            PowerEvent::PowerCycle => Request::PowerCycle,
            PowerEvent::Pull => Request::Pull,
            PowerEvent::Insert => Request::Insert,
            PowerEvent::Restart => Request::Restart,
        };
        let Some(control) = self.control.clone() else {
            return self.ask_presence(event);
        };
        if let Some(shown) = self.control.as_mut().and_then(Control::take_screens) {
            self.pending.extend(shown);
        }
        self.token.close();
        control
            .request(request)
            .map_err(|e| DriverError::Transport {
                reason: format!("the control socket did not act: {e}"),
            })?;
        if event == PowerEvent::Restart
            && let Some(c) = self.control.as_mut()
        {
            c.forget_events();
        }
        if event != PowerEvent::Pull {
            self.reopen()?;
        }
        Ok(())
    }
}

/// DER of an OID.
fn oid_der(oid: &const_oid::ObjectIdentifier) -> Vec<u8> {
    let body = oid.as_bytes();
    let mut der = vec![0x06, u8::try_from(body.len()).unwrap_or(0x7F)];
    der.extend_from_slice(body);
    der
}

/// `CKA_GOSTR3411_PARAMS`: id-GostR3411-94-CryptoProParamSet 1.2.643.2.2.30.1 (DER).
const HASH_2001: &[u8] = &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x1E, 0x01];

/// id-tc26-gost3411-12-256 1.2.643.7.1.1.2.2 (DER).
const HASH_2012_256: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];

/// id-tc26-gost3411-12-512 1.2.643.7.1.1.2.3 (DER).
const HASH_2012_512: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03];

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(rv: Option<CK_RV>) -> CallError {
        CallError {
            function: "C_Sign",
            rv,
            text: rv.map_or_else(|| "no module".to_owned(), rv::name),
        }
    }

    #[test]
    fn module_answers_become_driver_errors_with_their_code() {
        assert_eq!(
            call_error(failed(Some(CKR_PIN_INCORRECT))),
            DriverError::PinIncorrect {
                tries_left: None,
                code: Code::Module(CKR_PIN_INCORRECT),
            }
        );
        assert_eq!(
            call_error(failed(Some(CKR_PIN_LOCKED))).code(),
            Some(Code::Module(CKR_PIN_LOCKED))
        );
        // Reject and the time-out are one CKR_: either refusal.
        let refused = call_error(failed(Some(CKR_FUNCTION_REJECTED)));
        assert!(refused.refused_on_device(), "{refused:?}");
        assert!(matches!(
            call_error(failed(Some(CKR_USER_NOT_LOGGED_IN))),
            DriverError::NotLoggedIn { .. }
        ));
        let other = call_error(failed(Some(CKR_DEVICE_ERROR)));
        assert_eq!(
            other.to_string(),
            "C_Sign: the token answered 0x00000030 (CKR_DEVICE_ERROR)"
        );
        // No answer at all: the module could not be called.
        assert!(matches!(
            call_error(failed(None)),
            DriverError::Transport { .. }
        ));
    }

    #[test]
    fn a_key_without_an_algorithm_is_the_fixtures() {
        assert_eq!(algorithm(&TokenKey::default()), plan::CURRENT);
        let k = TokenKey {
            algorithm: Some(gost::KeyAlgorithm::Gost2001),
            ..TokenKey::default()
        };
        assert_eq!(algorithm(&k), Algorithm::Gost2001);
    }
}
