//! A token in software behind the client crate's driver seam: the fixture owner's key and
//! certificate and the second owner's, PIN 12345678 (10 tries), administrator PIN 87654321,
//! data objects in memory. Signs with the keys it holds; knows nothing of the bridge.

use gost::{KeyAlgorithm, Rng, Signature, SigningKey};
use rutoken_client::driver::{
    Code, DataObject, Format, KeySpec, PinCounter, PinRole, PinStatus, PowerEvent, PressPlan,
    Serial, StatusWord, TokenCertificate, TokenKey, TokenObjects, cannot,
};
use rutoken_client::{Driver, DriverError, Missing};

pub struct SoftToken {
    pub keys: Vec<(TokenKey, SigningKey)>,
    pub certs: Vec<TokenCertificate>,
    pub files: Vec<DataObject>,
    pub verified: bool,
    pub admin: bool,
    pub tries: u8,
    pub pin: String,
    /// The next data object's file number (never reused, so a path names one object).
    next_file: u8,
    rng: Rng,
}

/// The administrator's PIN.
const ADMIN_PIN: &str = "87654321";

fn pair(reference: u8, id: Vec<u8>, label: &str, key: &SigningKey) -> TokenKey {
    let ps = key.param_set();
    TokenKey {
        reference: Some(reference),
        id: Some(id),
        label: Some(label.to_owned()),
        public_label: Some(label.to_owned()),
        algorithm: Some(KeyAlgorithm::gost2012_for(ps)),
        param_set: Some(ps),
        public_key: Some(key.verifying_key().to_le_bytes()),
    }
}

fn missing(what: Missing) -> DriverError {
    DriverError::Missing { what }
}

fn wrong_pin(tries: u8) -> DriverError {
    DriverError::PinIncorrect {
        tries_left: Some(tries),
        code: Code::Sw(StatusWord(0x63C0 | u16::from(tries))),
    }
}

/// What the bridge never asks of this token.
fn unused(what: &str) -> DriverError {
    cannot(&format!("{what} (not in the software token)"))
}

impl SoftToken {
    pub fn new() -> Self {
        let mut token = SoftToken {
            keys: Vec::new(),
            certs: Vec::new(),
            files: Vec::new(),
            verified: false,
            admin: false,
            tries: 10,
            pin: "12345678".into(),
            next_file: 0,
            rng: Rng::from_seed(7),
        };
        for (n, fixture) in [
            rutoken_pki::fixtures::owner_current(),
            rutoken_pki::fixtures::second_owner(),
        ]
        .into_iter()
        .enumerate()
        {
            let fixture = fixture.expect("fixture");
            let n = u8::try_from(n).unwrap_or(0);
            let id = vec![0x45 + n; 20];
            let key = fixture.key.key;
            token
                .keys
                .push((pair(n + 1, id.clone(), "owner", &key), key));
            token.certs.push(TokenCertificate {
                id,
                label: "owner".into(),
                der: fixture.cert.to_der().to_vec(),
            });
        }
        token
    }
    fn key(&self, wanted: &TokenKey) -> Result<&SigningKey, DriverError> {
        if !self.verified {
            return Err(DriverError::NotLoggedIn {
                operation: "PSO".into(),
                code: Code::Sw(StatusWord::SECURITY_NOT_SATISFIED),
            });
        }
        self.keys
            .iter()
            .find(|(k, _)| k.reference == wanted.reference)
            .map(|(_, s)| s)
            .ok_or(missing(Missing::PrivateKey))
    }
    fn sign(&self, key: &TokenKey, digest: &[u8]) -> Result<Signature, DriverError> {
        let key = self.key(key)?;
        let mut rng = Rng::from_seed(9);
        key.sign_digest(digest, &mut rng)
            .map_err(|e| DriverError::Failed {
                reason: e.to_string(),
            })
    }
}

impl Driver for SoftToken {
    fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
        Err(unused("tell an ATR"))
    }
    fn attach(&mut self) -> Result<(), DriverError> {
        Ok(())
    }
    fn has_application(&mut self) -> Result<bool, DriverError> {
        Ok(true)
    }
    fn serial(&mut self) -> Result<Serial, DriverError> {
        Ok(Serial {
            bytes: Some(vec![0, 0, 0, 0, 0x2E, 0xEA, 0x3E, 0xD3]),
            shown: "soft".into(),
        })
    }
    fn objects(&mut self) -> Result<TokenObjects, DriverError> {
        Ok(TokenObjects {
            keys: self.keys.iter().map(|(k, _)| k.clone()).collect(),
            certificates: self.certs.clone(),
        })
    }
    fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError> {
        if role == PinRole::Admin {
            if pin != ADMIN_PIN {
                return Err(wrong_pin(9));
            }
            self.admin = true;
            return Ok(());
        }
        if self.tries == 0 {
            return Err(DriverError::PinBlocked {
                code: Code::Sw(StatusWord::AUTH_BLOCKED),
            });
        }
        if pin == self.pin {
            self.verified = true;
            self.tries = 10;
            Ok(())
        } else {
            self.tries -= 1;
            Err(if self.tries == 0 {
                DriverError::PinBlocked {
                    code: Code::Sw(StatusWord::AUTH_BLOCKED),
                }
            } else {
                wrong_pin(self.tries)
            })
        }
    }
    fn pin_counter(&mut self, _role: PinRole) -> Result<PinCounter, DriverError> {
        // As the token: 9000 (no count) while verified.
        Ok(PinCounter::Exact(if self.verified {
            PinStatus::Verified
        } else if self.tries == 0 {
            PinStatus::Blocked
        } else {
            PinStatus::TriesLeft(self.tries)
        }))
    }
    fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError> {
        Ok(match role {
            PinRole::User => self.verified,
            PinRole::Admin => self.admin,
        })
    }
    fn change_pin(&mut self, role: PinRole, old: &str, new: &str) -> Result<(), DriverError> {
        self.verify_pin(role, old)?;
        if role == PinRole::User {
            self.pin = new.to_owned();
        }
        Ok(())
    }
    fn reset_retry_counter(&mut self, role: PinRole) -> Result<(), DriverError> {
        if !self.admin || role != PinRole::User {
            return Err(unused("reset a counter without the administrator"));
        }
        self.tries = 10;
        self.verified = false;
        Ok(())
    }
    fn set_pin(&mut self, role: PinRole, new: &str) -> Result<(), DriverError> {
        if !self.admin || role != PinRole::User {
            return Err(unused("set a PIN without the administrator"));
        }
        self.pin = new.to_owned();
        Ok(())
    }
    fn logout(&mut self) -> Result<(), DriverError> {
        self.verified = false;
        self.admin = false;
        Ok(())
    }
    fn format(&mut self, format: &Format<'_>) -> Result<(), DriverError> {
        if format.admin != ADMIN_PIN {
            return Err(wrong_pin(9));
        }
        self.keys.clear();
        self.certs.clear();
        self.files.clear();
        self.pin = format.user.to_owned();
        self.tries = 10;
        self.verified = false;
        self.admin = false;
        Ok(())
    }
    fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError> {
        let key = SigningKey::generate(spec.param_set, &mut self.rng).expect("a software key pair");
        let n = u8::try_from(self.keys.len()).unwrap_or(0xFF);
        let p = pair(n.wrapping_add(1), vec![n; 20], spec.label, &key);
        self.keys.push((p.clone(), key));
        Ok(p)
    }
    fn rename_key(&mut self, key: &TokenKey, label: &str, id: &[u8]) -> Result<(), DriverError> {
        let (k, _) = self
            .keys
            .iter_mut()
            .find(|(k, _)| k.reference == key.reference)
            .ok_or(missing(Missing::PrivateKey))?;
        (k.label, k.id) = (Some(label.to_owned()), Some(id.to_vec()));
        Ok(())
    }
    fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        Ok(self.keys.iter().any(|(k, _)| k.reference == key.reference))
    }
    fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError> {
        self.keys.retain(|(k, _)| k.reference != key.reference);
        Ok(())
    }
    fn sign_document(
        &mut self,
        key: &TokenKey,
        data: &[u8],
        _press: Option<&PressPlan>,
    ) -> Result<Signature, DriverError> {
        let ps = self.key(key)?.param_set();
        let digest = KeyAlgorithm::gost2012_for(ps).digest().digest(data);
        self.sign(key, &digest)
    }
    fn sign_digest(
        &mut self,
        key: &TokenKey,
        digest: &[u8],
        _press: Option<&PressPlan>,
    ) -> Result<Signature, DriverError> {
        self.sign(key, digest)
    }
    fn install_certificate_as(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DriverError> {
        let id = id.map_or_else(|| vec![9; 20], <[u8]>::to_vec);
        self.certs.push(TokenCertificate {
            id: id.clone(),
            label: label.into(),
            der: der.to_vec(),
        });
        Ok(id)
    }
    fn rename_certificate(
        &mut self,
        certificate: &TokenCertificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DriverError> {
        let c = self
            .certs
            .iter_mut()
            .find(|c| c.der == certificate.der)
            .ok_or(missing(Missing::Certificate))?;
        (c.label, c.id) = (label.to_owned(), id.to_vec());
        Ok(())
    }
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
        self.certs.retain(|c| c.id != id);
        Ok(())
    }
    fn data_objects(&mut self) -> Result<Vec<DataObject>, DriverError> {
        Ok(self
            .files
            .iter()
            .map(|f| DataObject {
                value: if f.private && !self.verified {
                    None
                } else {
                    f.value.clone()
                },
                ..f.clone()
            })
            .collect())
    }
    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DriverError> {
        if !self.verified {
            return Err(DriverError::NotLoggedIn {
                operation: "CREATE FILE".into(),
                code: Code::Sw(StatusWord::SECURITY_NOT_SATISFIED),
            });
        }
        let stored = DataObject {
            path: vec![0x04, self.next_file],
            ..object.clone()
        };
        self.next_file = self.next_file.wrapping_add(1);
        self.files.push(stored.clone());
        Ok(stored)
    }
    fn delete_data_object(&mut self, path: &[u8]) -> Result<(), DriverError> {
        let before = self.files.len();
        self.files.retain(|f| f.path != path);
        if before == self.files.len() {
            return Err(missing(Missing::DataObject));
        }
        Ok(())
    }
    fn free_memory(&mut self) -> Result<u32, DriverError> {
        Ok(60_000)
    }
    /// Opened in software with the key it holds.
    fn open_key_transport(
        &mut self,
        key: &TokenKey,
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DriverError> {
        let key = self.key(key)?;
        let algorithm = KeyAlgorithm::gost2012_for(key.param_set());
        let cek = transport
            .open(key, algorithm)
            .map_err(|e| DriverError::Failed {
                reason: e.to_string(),
            })?;
        Ok(gost::gost28147::Cfb::apply(
            content.params,
            &cek,
            &content.iv,
            gost::gost28147::Direction::Decrypt,
            ciphertext,
        ))
    }
    /// VKO in software with the key it holds; a point off the curve or a zero UKM is the
    /// token's 6A80.
    fn derive_vko_value(
        &mut self,
        key: &TokenKey,
        vko: gost::Vko,
        peer: &[u8],
        ukm: &[u8],
    ) -> Result<zeroize::Zeroizing<[u8; 32]>, DriverError> {
        let key = self.key(key)?;
        let refused = || DriverError::Refused {
            operation: "VKO".into(),
            code: Code::Sw(StatusWord::WRONG_DATA),
            meaning: StatusWord::WRONG_DATA.meaning().into(),
        };
        let theirs =
            gost::VerifyingKey::from_le_bytes(key.param_set(), peer).map_err(|_| refused())?;
        let kek = gost::vko(vko, key, &theirs, ukm).map_err(|_| refused())?;
        let mut out = zeroize::Zeroizing::new([0u8; 32]);
        out.copy_from_slice(kek.get(..32).ok_or_else(refused)?);
        Ok(out)
    }
    /// A pull and an insert: no access rights after.
    fn power(&mut self, event: PowerEvent) -> Result<(), DriverError> {
        match event {
            PowerEvent::PowerCycle => {
                self.verified = false;
                self.admin = false;
                Ok(())
            }
            other => Err(unused(other.action())),
        }
    }
}
