//! A token in software: the fixture owner's key and certificate and the second owner's, PIN
//! 12345678 (10 tries), administrator PIN 87654321, data objects in memory. Signs with the
//! keys it holds; knows nothing of the bridge.

use gost::{KeyAlgorithm, ParamSet, Rng, SigningKey};
use rutoken_plugin_bridge::device::{
    Certificate, DataFile, Device, DeviceError, KeyPair, Missing, Pin, PinState,
};

pub struct SoftToken {
    pub keys: Vec<(KeyPair, SigningKey)>,
    pub certs: Vec<Certificate>,
    pub files: Vec<DataFile>,
    pub verified: bool,
    pub tries: u8,
    pub pin: String,
    rng: Rng,
}

fn pair(id: Vec<u8>, label: &str, key: &SigningKey) -> KeyPair {
    let ps = key.param_set();
    let algorithm = KeyAlgorithm::gost2012_for(ps);
    KeyPair {
        id,
        label: label.to_owned(),
        algorithm,
        param_set: ps,
        spki_der: gost::spki::to_spki_der(&key.verifying_key(), algorithm),
    }
}

impl SoftToken {
    pub fn new() -> Self {
        let mut token = SoftToken {
            keys: Vec::new(),
            certs: Vec::new(),
            files: Vec::new(),
            verified: false,
            tries: 10,
            pin: "12345678".into(),
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
            let id = vec![0x45 + u8::try_from(n).unwrap_or(0); 20];
            let key = fixture.key.key;
            token.keys.push((pair(id.clone(), "owner", &key), key));
            token.certs.push(Certificate {
                id,
                label: "owner".into(),
                der: fixture.cert.to_der().to_vec(),
            });
        }
        token
    }
    fn key(&self, id: &[u8]) -> Result<&SigningKey, DeviceError> {
        if !self.verified {
            return Err(DeviceError::NotLoggedIn);
        }
        self.keys
            .iter()
            .find(|(k, _)| k.id == id)
            .map(|(_, s)| s)
            .ok_or(DeviceError::NotFound(Missing::KeyPair))
    }
}

impl Device for SoftToken {
    fn power_cycle(&mut self) {
        self.verified = false;
    }
    fn serial(&mut self) -> Result<Vec<u8>, DeviceError> {
        Ok(vec![0, 0, 0, 0, 0x2E, 0xEA, 0x3E, 0xD3])
    }
    fn has_safetouch(&self) -> bool {
        true
    }
    fn reader(&self) -> String {
        "soft".into()
    }
    fn login(&mut self, pin: &str) -> Result<(), DeviceError> {
        if self.tries == 0 {
            return Err(DeviceError::PinLocked);
        }
        if pin == self.pin {
            self.verified = true;
            self.tries = 10;
            Ok(())
        } else {
            self.tries -= 1;
            Err(if self.tries == 0 {
                DeviceError::PinLocked
            } else {
                DeviceError::PinIncorrect {
                    tries_left: self.tries,
                }
            })
        }
    }
    fn logout(&mut self) -> Result<(), DeviceError> {
        self.verified = false;
        Ok(())
    }
    fn pin_state(&mut self) -> Result<PinState, DeviceError> {
        // As the token: 9000 (no count) while verified.
        Ok(PinState {
            retries_left: (!self.verified).then_some(self.tries),
            locked: self.tries == 0,
        })
    }
    fn keys(&mut self) -> Result<Vec<KeyPair>, DeviceError> {
        Ok(self.keys.iter().map(|(k, _)| k.clone()).collect())
    }
    fn certificates(&mut self) -> Result<Vec<Certificate>, DeviceError> {
        Ok(self.certs.clone())
    }
    fn generate_key_pair(
        &mut self,
        _algorithm: KeyAlgorithm,
        param_set: ParamSet,
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, DeviceError> {
        let key = SigningKey::generate(param_set, &mut self.rng).expect("a software key pair");
        let id = id.map_or_else(
            || vec![u8::try_from(self.keys.len()).unwrap_or(0xFF); 20],
            <[u8]>::to_vec,
        );
        let p = pair(id, label, &key);
        self.keys.push((p.clone(), key));
        Ok(p)
    }
    fn set_key_label(&mut self, id: &[u8], label: &str) -> Result<(), DeviceError> {
        let (k, _) = self
            .keys
            .iter_mut()
            .find(|(k, _)| k.id == id)
            .ok_or(DeviceError::NotFound(Missing::KeyPair))?;
        k.label = label.to_owned();
        Ok(())
    }
    fn set_certificate_label(&mut self, der: &[u8], label: &str) -> Result<(), DeviceError> {
        let c = self
            .certs
            .iter_mut()
            .find(|c| c.der == der)
            .ok_or(DeviceError::NotFound(Missing::Certificate))?;
        c.label = label.to_owned();
        Ok(())
    }
    fn change_pin(&mut self, by: Pin, old: &str, new: &str) -> Result<(), DeviceError> {
        match by {
            Pin::User => self.login(old)?,
            Pin::Admin if old != "87654321" => {
                return Err(DeviceError::PinIncorrect { tries_left: 9 });
            }
            Pin::Admin => self.verified = false,
        }
        self.pin = new.to_owned();
        Ok(())
    }
    fn unblock_user_pin(&mut self, admin_pin: &str) -> Result<(), DeviceError> {
        if admin_pin != "87654321" {
            return Err(DeviceError::PinIncorrect { tries_left: 9 });
        }
        self.tries = 10;
        self.verified = false;
        Ok(())
    }
    fn format(&mut self, admin_pin: &str, new_user_pin: &str) -> Result<(), DeviceError> {
        self.unblock_user_pin(admin_pin)?;
        self.keys.clear();
        self.certs.clear();
        self.files.clear();
        self.pin = new_user_pin.to_owned();
        Ok(())
    }
    fn data_files(&mut self) -> Result<Vec<DataFile>, DeviceError> {
        Ok(self
            .files
            .iter()
            .map(|f| DataFile {
                value: if f.private && !self.verified {
                    None
                } else {
                    f.value.clone()
                },
                ..f.clone()
            })
            .collect())
    }
    fn create_data_file(&mut self, file: &DataFile) -> Result<(), DeviceError> {
        if !self.verified {
            return Err(DeviceError::NotLoggedIn);
        }
        self.files.push(file.clone());
        Ok(())
    }
    fn delete_data_file(&mut self, application: &str, label: &str) -> Result<(), DeviceError> {
        let before = self.files.len();
        self.files
            .retain(|f| !(f.application == application && f.label == label));
        if before == self.files.len() {
            return Err(DeviceError::NotFound(Missing::DataObject));
        }
        Ok(())
    }
    fn free_memory(&mut self) -> Result<u32, DeviceError> {
        Ok(60_000)
    }
    fn max_pin_tries(&self) -> u8 {
        10
    }
    fn sign_on_token(&mut self, key_id: &[u8], data: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let key = self.key(key_id)?;
        let digest = KeyAlgorithm::gost2012_for(key.param_set())
            .digest()
            .digest(data);
        let mut rng = Rng::from_seed(9);
        key.sign_digest(&digest, &mut rng)
            .map(|s| s.to_x509_bytes())
            .map_err(|e| DeviceError::Failed(e.to_string()))
    }
    fn open_key_transport(
        &mut self,
        key_id: &[u8],
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DeviceError> {
        let key = self.key(key_id)?;
        let algorithm = KeyAlgorithm::gost2012_for(key.param_set());
        let cek = transport
            .open(key, algorithm)
            .map_err(|e| DeviceError::Failed(e.to_string()))?;
        Ok(gost::gost28147::Cfb::apply(
            content.params,
            &cek,
            &content.iv,
            gost::gost28147::Direction::Decrypt,
            ciphertext,
        ))
    }
    fn sign_digest(&mut self, key_id: &[u8], digest: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let key = self.key(key_id)?;
        let mut rng = Rng::from_seed(9);
        key.sign_digest(digest, &mut rng)
            .map(|s| s.to_x509_bytes())
            .map_err(|e| DeviceError::Failed(e.to_string()))
    }
    fn import_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DeviceError> {
        let id = id.map_or_else(|| vec![9; 20], <[u8]>::to_vec);
        self.certs.push(Certificate {
            id: id.clone(),
            label: label.into(),
            der: der.to_vec(),
        });
        Ok(id)
    }
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DeviceError> {
        self.certs.retain(|c| c.id != id);
        Ok(())
    }
    fn delete_key_pair(&mut self, id: &[u8]) -> Result<(), DeviceError> {
        self.keys.retain(|(k, _)| k.id != id);
        Ok(())
    }
}
