//! The module's PKCS#11 rules in process, over an in-memory token (software GOST keys): login
//! states, object visibility, templates, session objects, operations and their errors. No
//! PC/SC, no root: runs everywhere.
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::sync::{Arc, Mutex};

use cryptoki_sys::*;
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet, Rng, SigningKey};
use rutoken_client::driver::{
    Code, DataObject, Driver, DriverError, KeySpec, PairLabels, PinCounter, PinRole, PinStatus,
    PressPlan, Serial, StatusWord, TokenCertificate, TokenKey, TokenObjects,
};
use rutoken_pkcs11::attribute::Template;
use rutoken_pkcs11::device::Device;
use rutoken_pkcs11::error::Error;
use rutoken_pkcs11::error::ProfileWords;
use rutoken_pkcs11::module::Module;
use rutoken_pkcs11::object::Missing;
use rutoken_pkcs11::slot::{RUTOKEN_ECP_ATRS, ReaderState, Readers};
use rutoken_pkcs11::vendor::*;
use support::in_process::template as t;

#[derive(Default)]
struct Store {
    keys: Vec<(TokenKey, SigningKey)>,
    certificates: Vec<TokenCertificate>,
    data: Vec<DataObject>,
    login: Option<PinRole>,
    user_tries: u8,
    present: bool,
    /// The token's reader unplugged (gone from the reader list, not only its card).
    unplugged: bool,
    /// XORed into the serial's last byte: another token in the reader.
    other_serial: u8,
    /// How often the module listed the readers.
    listings: usize,
    /// A second reader, plugged in with a Rutoken in it.
    late_reader: bool,
}

/// A token in memory behind the client's driver seam: user PIN 12345678 (3 tries), SO PIN
/// 87654321.
#[derive(Clone)]
struct FakeToken(Arc<Mutex<Store>>);

impl FakeToken {
    fn signing_key<'s>(s: &'s Store, key: &TokenKey) -> Result<&'s SigningKey, DriverError> {
        s.keys
            .iter()
            .find(|(k, _)| k.reference == key.reference)
            .map(|(_, secret)| secret)
            .ok_or(DriverError::NotFound {
                what: "the key pair".into(),
            })
    }
}

impl Driver for FakeToken {
    fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
        Ok(RUTOKEN_ECP_ATRS[0].to_vec())
    }
    fn attach(&mut self) -> Result<(), DriverError> {
        Ok(())
    }
    fn has_application(&mut self) -> Result<bool, DriverError> {
        Ok(true)
    }
    fn serial(&mut self) -> Result<Serial, DriverError> {
        let tail = 0xD3 ^ self.0.lock().unwrap().other_serial;
        Ok(Serial {
            bytes: Some(vec![0, 0, 0, 0, 0x2E, 0xEA, 0x3E, tail]),
            shown: "0000000002EEA3ED3".into(),
        })
    }
    fn objects(&mut self) -> Result<TokenObjects, DriverError> {
        let s = self.0.lock().unwrap();
        if !s.present {
            return Err(DriverError::Removed);
        }
        Ok(TokenObjects {
            keys: s.keys.iter().map(|(k, _)| k.clone()).collect(),
            certificates: s.certificates.clone(),
        })
    }
    fn data_objects(&mut self) -> Result<Vec<DataObject>, DriverError> {
        let s = self.0.lock().unwrap();
        // A private data object's value is readable after the user's login only.
        Ok(s.data
            .iter()
            .map(|d| DataObject {
                value: d
                    .value
                    .clone()
                    .filter(|_| !d.private || s.login == Some(PinRole::User)),
                ..d.clone()
            })
            .collect())
    }
    fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError> {
        let mut s = self.0.lock().unwrap();
        let good = if role == PinRole::User {
            "12345678"
        } else {
            "87654321"
        };
        let blocked = DriverError::PinBlocked {
            code: Code::Sw(StatusWord::AUTH_BLOCKED),
        };
        let wrong = |tries: u8| DriverError::PinIncorrect {
            tries_left: Some(tries),
            code: Code::Sw(StatusWord(0x63C0 | u16::from(tries))),
        };
        if role == PinRole::User && s.user_tries == 0 {
            return Err(blocked);
        }
        if pin != good {
            if role == PinRole::User {
                s.user_tries -= 1;
                if s.user_tries == 0 {
                    return Err(blocked);
                }
                return Err(wrong(s.user_tries));
            }
            return Err(wrong(9));
        }
        if role == PinRole::User {
            s.user_tries = 3;
        }
        s.login = Some(role);
        Ok(())
    }
    fn pin_counter(&mut self, _role: PinRole) -> Result<PinCounter, DriverError> {
        let s = self.0.lock().unwrap();
        Ok(PinCounter::Exact(match s.user_tries {
            0 => PinStatus::Blocked,
            n => PinStatus::TriesLeft(n),
        }))
    }
    fn max_tries(&mut self, _role: PinRole) -> Result<Option<u8>, DriverError> {
        Ok(Some(3))
    }
    fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError> {
        Ok(self.0.lock().unwrap().login == Some(role))
    }
    fn change_pin(&mut self, _r: PinRole, _o: &str, _n: &str) -> Result<(), DriverError> {
        Ok(())
    }
    fn reset_retry_counter(&mut self, _role: PinRole) -> Result<(), DriverError> {
        self.0.lock().unwrap().user_tries = 3;
        Ok(())
    }
    fn set_pin(&mut self, _role: PinRole, _new: &str) -> Result<(), DriverError> {
        Ok(())
    }
    fn logout(&mut self) -> Result<(), DriverError> {
        self.0.lock().unwrap().login = None;
        Ok(())
    }
    fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError> {
        let mut s = self.0.lock().unwrap();
        let secret =
            SigningKey::generate(spec.param_set, &mut Rng::from_seed(s.keys.len() as u64 + 1))
                .expect("a software key pair");
        let n = u8::try_from(s.keys.len() + 1).expect("few keys in a test");
        let key = TokenKey {
            reference: Some(n),
            id: Some(vec![n]),
            label: Some(spec.label.to_owned()),
            public_label: Some(spec.label.to_owned()),
            algorithm: Some(spec.algorithm),
            param_set: Some(spec.param_set),
            public_key: Some(secret.verifying_key().to_le_bytes()),
        };
        s.keys.push((key.clone(), secret));
        Ok(key)
    }
    fn rename_key_halves(
        &mut self,
        key: &TokenKey,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), DriverError> {
        let mut s = self.0.lock().unwrap();
        let (k, _) = s
            .keys
            .iter_mut()
            .find(|(k, _)| k.reference == key.reference)
            .ok_or(DriverError::NotFound {
                what: "the key pair".into(),
            })?;
        (k.label, k.public_label, k.id) = (
            Some(labels.private.to_owned()),
            Some(labels.public.to_owned()),
            Some(id.to_vec()),
        );
        Ok(())
    }
    fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        let s = self.0.lock().unwrap();
        Ok(s.keys.iter().any(|(k, _)| k.reference == key.reference))
    }
    fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError> {
        self.0
            .lock()
            .unwrap()
            .keys
            .retain(|(k, _)| k.reference != key.reference);
        Ok(())
    }
    fn sign_digest(
        &mut self,
        key: &TokenKey,
        digest: &[u8],
        _press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        let s = self.0.lock().unwrap();
        if s.login != Some(PinRole::User) {
            return Err(DriverError::NotLoggedIn {
                operation: "PSO: COMPUTE DIGITAL SIGNATURE".into(),
                code: Code::Sw(StatusWord::SECURITY_NOT_SATISFIED),
            });
        }
        let secret = Self::signing_key(&s, key)?;
        Ok(secret.sign_digest(digest, &mut Rng::from_seed(7)).unwrap())
    }
    fn sign_document(
        &mut self,
        key: &TokenKey,
        data: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        if data == b"reject me" {
            return Err(DriverError::Rejected {
                code: Code::Sw(StatusWord(0x6FB1)),
            });
        }
        let algorithm = key.algorithm.expect("the module names the key's algorithm");
        let digest = algorithm.digest().digest(data);
        self.sign_digest(key, &digest, press)
    }
    fn install_certificate_as(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DriverError> {
        let c = TokenCertificate {
            id: id.unwrap_or(b"c").to_vec(),
            label: label.into(),
            der: der.to_vec(),
        };
        self.0.lock().unwrap().certificates.push(c.clone());
        Ok(c.id)
    }
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
        self.0.lock().unwrap().certificates.retain(|x| x.id != id);
        Ok(())
    }
    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DriverError> {
        let mut s = self.0.lock().unwrap();
        let stored = DataObject {
            path: vec![0x04, u8::try_from(s.data.len()).unwrap()],
            ..object.clone()
        };
        s.data.push(stored.clone());
        Ok(stored)
    }
    fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), DriverError> {
        let mut s = self.0.lock().unwrap();
        let d = s
            .data
            .iter_mut()
            .find(|d| d.path == object.path)
            .ok_or(DriverError::NotFound {
                what: "the data object".into(),
            })?;
        d.label = label.to_owned();
        Ok(())
    }
    fn delete_data_object(&mut self, path: &[u8]) -> Result<(), DriverError> {
        self.0.lock().unwrap().data.retain(|d| d.path != path);
        Ok(())
    }
}

struct FakeReaders(FakeToken);

impl Readers for FakeReaders {
    fn readers(&self) -> Result<Vec<ReaderState>, Error> {
        let (present, unplugged, late) = {
            let mut s = self.0.0.lock().unwrap();
            s.listings += 1;
            (s.present, s.unplugged, s.late_reader)
        };
        let token_reader = ReaderState {
            name: "Virtual PCD 00 00".into(),
            atr: present.then(|| RUTOKEN_ECP_ATRS[0].to_vec()),
        };
        let other = ReaderState {
            name: "Other reader".into(),
            atr: Some(vec![0x3B, 0x00]),
        };
        let mut readers = if unplugged {
            vec![other]
        } else {
            vec![token_reader, other]
        };
        if late {
            readers.push(ReaderState {
                name: "Late reader".into(),
                atr: Some(RUTOKEN_ECP_ATRS[1].to_vec()),
            });
        }
        Ok(readers)
    }
    fn open(&self, _reader: &str) -> Result<Device, Error> {
        Ok(Device::new(
            Box::new(self.0.clone()),
            ProfileWords::default(),
        ))
    }
}

fn module() -> (Module, FakeToken) {
    let token = FakeToken(Arc::new(Mutex::new(Store {
        user_tries: 3,
        present: true,
        ..Store::default()
    })));
    (Module::new(Box::new(FakeReaders(token.clone()))), token)
}

fn ul(v: CK_ULONG) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

const RW: CK_FLAGS = CKF_SERIAL_SESSION | CKF_RW_SESSION;

#[test]
fn slots_are_readers_and_only_rutokens_are_tokens() {
    let (m, _) = module();
    assert_eq!(m.slot_list(false).unwrap(), vec![0, 1]);
    assert_eq!(m.slot_list(true).unwrap(), vec![0]);
    assert_eq!(
        m.open_session(1, RW).unwrap_err().rv(),
        CKR_TOKEN_NOT_RECOGNIZED
    );
    assert_eq!(m.open_session(7, RW).unwrap_err().rv(), CKR_SLOT_ID_INVALID);
    assert_eq!(
        m.open_session(0, CKF_RW_SESSION).unwrap_err().rv(),
        CKR_SESSION_PARALLEL_NOT_SUPPORTED
    );
    let info = m.token_info(0).unwrap();
    assert_eq!(info.label, "Rutoken ECP 0787103443");
}

#[test]
fn logins_follow_the_pkcs11_state_rules() {
    let (m, _) = module();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let rw = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.login(rw, CKU_SO, b"87654321").unwrap_err().rv(),
        CKR_SESSION_READ_ONLY_EXISTS
    );
    assert_eq!(
        m.login(rw, CKU_USER, b"00000000").unwrap_err().rv(),
        CKR_PIN_INCORRECT
    );
    m.login(rw, CKU_USER, b"12345678").unwrap();
    assert_eq!(
        m.login(ro, CKU_USER, b"12345678").unwrap_err().rv(),
        CKR_USER_ALREADY_LOGGED_IN
    );
    assert_eq!(m.session_info(ro).unwrap().state, CKS_RO_USER_FUNCTIONS);
    assert_eq!(m.session_info(rw).unwrap().state, CKS_RW_USER_FUNCTIONS);
    m.logout(ro).unwrap();
    assert_eq!(m.logout(rw).unwrap_err().rv(), CKR_USER_NOT_LOGGED_IN);
    for _ in 0..2 {
        let _ = m.login(rw, CKU_USER, b"0");
    }
    let locked = m.login(rw, CKU_USER, b"00000000").unwrap_err().rv();
    assert!(
        locked == CKR_PIN_LOCKED || locked == CKR_PIN_INCORRECT,
        "{locked:#x}"
    );
    assert_eq!(
        m.login(rw, CKU_USER, b"12345678").unwrap_err().rv(),
        CKR_PIN_LOCKED
    );
    assert_eq!(
        m.login(rw, 77, b"1").unwrap_err().rv(),
        CKR_USER_TYPE_INVALID
    );
}

#[test]
fn keys_generate_sign_verify_and_stay_sensitive() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    let template = t(&[(
        CKA_GOSTR3410_PARAMS,
        vec![
            0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01,
        ],
    )]);
    assert_eq!(
        m.generate_key_pair(
            s,
            CKM_GOSTR3410_512_KEY_PAIR_GEN,
            &template,
            &Template::default()
        )
        .unwrap_err()
        .rv(),
        CKR_USER_NOT_LOGGED_IN
    );
    m.login(s, CKU_USER, b"12345678").unwrap();
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_512_KEY_PAIR_GEN,
            &template,
            &Template::default(),
        )
        .unwrap();
    let got = m
        .attributes(
            s,
            private,
            &[CKA_VALUE, CKA_KEY_TYPE, 0xFFFF_0001, CKA_SIGN],
        )
        .unwrap();
    assert_eq!(got[0], Err(Missing::Sensitive));
    assert_eq!(got[1], Ok(ul(CKK_GOSTR3410_512)));
    assert_eq!(got[2], Err(Missing::Invalid));
    assert_eq!(got[3], Ok(vec![1]));
    // Sign over a host digest: the length must fit the key.
    m.sign_init(s, CKM_GOSTR3410_512, &[], private).unwrap();
    assert_eq!(m.sign_len(s).unwrap(), 128);
    assert_eq!(
        m.sign(s, Some(&[0; 32])).unwrap_err().rv(),
        CKR_DATA_LEN_RANGE
    );
    assert_eq!(
        m.sign(s, Some(&[0; 64])).unwrap_err().rv(),
        CKR_OPERATION_NOT_INITIALIZED
    );
    assert_eq!(
        m.sign_init(s, CKM_GOSTR3410, &[], private)
            .unwrap_err()
            .rv(),
        CKR_KEY_TYPE_INCONSISTENT
    );
    // Hash on the token, multi-part, then verify on the host.
    m.sign_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_512, &[], private)
        .unwrap();
    m.sign_update(s, b"part one, ").unwrap();
    m.sign_update(s, b"part two").unwrap();
    let signature = m.sign(s, None).unwrap();
    m.verify_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_512, &[], public)
        .unwrap();
    m.verify(s, Some(b"part one, part two"), &signature)
        .unwrap();
    // The private half verifies as well (with its public key); the public half signs nothing.
    m.verify_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_512, &[], private)
        .unwrap();
    m.verify(s, Some(b"part one, part two"), &signature)
        .unwrap();
    assert_eq!(
        m.sign_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_512, &[], public)
            .unwrap_err()
            .rv(),
        CKR_KEY_TYPE_INCONSISTENT
    );
    m.verify_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_512, &[], public)
        .unwrap();
    assert_eq!(
        m.verify(s, Some(b"part one, part 2"), &signature)
            .unwrap_err()
            .rv(),
        CKR_SIGNATURE_INVALID
    );
    // A SafeTouch refusal is CKR_FUNCTION_REJECTED.
    m.sign_init(
        s,
        CKM_GOSTR3410_WITH_GOSTR3411_12_512,
        HASH_PARAMS_2012_512,
        private,
    )
    .unwrap();
    assert_eq!(
        m.sign(s, Some(b"reject me")).unwrap_err().rv(),
        CKR_FUNCTION_REJECTED
    );
    assert_eq!(
        m.sign_init(
            s,
            CKM_GOSTR3410_WITH_GOSTR3411_12_512,
            HASH_PARAMS_2012_256,
            private
        )
        .unwrap_err()
        .rv(),
        CKR_MECHANISM_PARAM_INVALID
    );
    // The private key hides after logout.
    m.logout(s).unwrap();
    assert_eq!(
        m.attributes(s, private, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    m.find_init(s, &t(&[(CKA_CLASS, ul(CKO_PRIVATE_KEY))]))
        .unwrap();
    assert!(m.find(s, 10).unwrap().is_empty());
    m.find_final(s).unwrap();
    m.find_init(s, &t(&[(CKA_CLASS, ul(CKO_PUBLIC_KEY))]))
        .unwrap();
    assert_eq!(m.find(s, 10).unwrap(), vec![public]);
}

#[test]
fn token_data_objects_are_stored_listed_and_destroyed() {
    let (m, token) = module();
    let rw = m.open_session(0, RW).unwrap();
    let object = |label: &[u8], private: u8| {
        t(&[
            (CKA_CLASS, ul(CKO_DATA)),
            (CKA_TOKEN, vec![1]),
            (CKA_PRIVATE, vec![private]),
            (CKA_LABEL, label.to_vec()),
            (CKA_APPLICATION, b"bank".to_vec()),
            // 1.2.643.100.1 as pkcs11-tool sends it: the OID's body without `06 len`.
            (CKA_OBJECT_ID, vec![0x2A, 0x85, 0x03, 0x64, 0x01]),
            (CKA_VALUE, label.iter().rev().copied().collect()),
        ])
    };
    // Writing the DODF needs the user PIN.
    assert_eq!(
        m.create_object(rw, &object(b"public", 0)).unwrap_err().rv(),
        CKR_USER_NOT_LOGGED_IN
    );
    m.login(rw, CKU_USER, b"12345678").unwrap();
    let public = m.create_object(rw, &object(b"public", 0)).unwrap();
    let private = m.create_object(rw, &object(b"secret", 1)).unwrap();
    assert_eq!(token.0.lock().unwrap().data.len(), 2);
    // A token data object is modifiable (its label): a template saying otherwise is refused.
    let modifiable = t(&[
        (CKA_CLASS, ul(CKO_DATA)),
        (CKA_TOKEN, vec![1]),
        (CKA_MODIFIABLE, vec![0]),
    ]);
    assert_eq!(
        m.create_object(rw, &modifiable).unwrap_err().rv(),
        CKR_TEMPLATE_INCONSISTENT
    );
    let data = t(&[(CKA_CLASS, ul(CKO_DATA))]);
    m.find_init(rw, &data).unwrap();
    let mut found = m.find(rw, 10).unwrap();
    found.sort_unstable();
    assert_eq!(found, vec![public, private]);
    m.find_final(rw).unwrap();
    assert_eq!(
        m.attributes(
            rw,
            private,
            &[CKA_VALUE, CKA_APPLICATION, CKA_TOKEN, CKA_OBJECT_ID]
        )
        .unwrap(),
        vec![
            Ok(b"terces".to_vec()),
            Ok(b"bank".to_vec()),
            Ok(vec![1]),
            // Given back as PKCS#11 says: DER.
            Ok(vec![0x06, 0x05, 0x2A, 0x85, 0x03, 0x64, 0x01]),
        ]
    );
    // Without the login, the private one is hidden; the public one is still there.
    m.logout(rw).unwrap();
    m.find_init(rw, &data).unwrap();
    assert_eq!(m.find(rw, 10).unwrap(), vec![public]);
    m.find_final(rw).unwrap();
    assert_eq!(
        m.attributes(rw, public, &[CKA_VALUE]).unwrap()[0],
        Ok(b"cilbup".to_vec())
    );
    assert_eq!(
        m.attributes(rw, private, &[CKA_VALUE]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    // Another session sees the token's object; destroying it removes it from the token.
    let other = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    m.find_init(other, &data).unwrap();
    assert_eq!(m.find(other, 10).unwrap(), vec![public]);
    m.find_final(other).unwrap();
    // After a new login the private object is found again (under a new handle: a private
    // object's handle ends with the logout).
    m.login(rw, CKU_USER, b"12345678").unwrap();
    m.find_init(rw, &t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_PRIVATE, vec![1])]))
        .unwrap();
    let again = m.find(rw, 10).unwrap();
    m.find_final(rw).unwrap();
    assert_eq!(again.len(), 1);
    m.destroy_object(rw, again[0]).unwrap();
    m.destroy_object(rw, public).unwrap();
    assert!(token.0.lock().unwrap().data.is_empty());
}

#[test]
fn session_objects_keep_their_rules() {
    let (m, _) = module();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let data = t(&[
        (CKA_CLASS, ul(CKO_DATA)),
        (CKA_LABEL, b"note".to_vec()),
        (CKA_VALUE, b"v".to_vec()),
    ]);
    let h = m.create_object(ro, &data).unwrap();
    assert_eq!(
        m.attributes(ro, h, &[CKA_VALUE]).unwrap()[0],
        Ok(b"v".to_vec())
    );
    m.set_attributes(ro, h, &t(&[(CKA_VALUE, b"w".to_vec())]))
        .unwrap();
    // The value changed, and nothing else did.
    assert_eq!(
        m.attributes(ro, h, &[CKA_VALUE, CKA_LABEL, CKA_CLASS])
            .unwrap(),
        vec![Ok(b"w".to_vec()), Ok(b"note".to_vec()), Ok(ul(CKO_DATA))]
    );
    assert_eq!(
        m.set_attributes(ro, h, &t(&[(CKA_CLASS, ul(CKO_CERTIFICATE))]))
            .unwrap_err()
            .rv(),
        CKR_ATTRIBUTE_READ_ONLY
    );
    assert_eq!(
        m.set_attributes(ro, h, &t(&[(CKA_SIGN, vec![1])]))
            .unwrap_err()
            .rv(),
        CKR_ATTRIBUTE_TYPE_INVALID
    );
    // A bool the size of a CK_ULONG is refused.
    let bad = t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_PRIVATE, ul(0))]);
    assert_eq!(
        m.create_object(ro, &bad).unwrap_err().rv(),
        CKR_ATTRIBUTE_VALUE_INVALID
    );
    // Not modifiable means not modifiable.
    let fixed = t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_MODIFIABLE, vec![0])]);
    let f = m.create_object(ro, &fixed).unwrap();
    assert_eq!(
        m.set_attributes(ro, f, &t(&[(CKA_LABEL, b"x".to_vec())]))
            .unwrap_err()
            .rv(),
        CKR_ACTION_PROHIBITED
    );
    // Token objects need a R/W session.
    let token = t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_TOKEN, vec![1])]);
    assert_eq!(
        m.create_object(ro, &token).unwrap_err().rv(),
        CKR_SESSION_READ_ONLY
    );
    // Two values for one attribute are inconsistent.
    let twice = t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_CLASS, ul(CKO_CERTIFICATE))]);
    assert_eq!(
        m.create_object(ro, &twice).unwrap_err().rv(),
        CKR_TEMPLATE_INCONSISTENT
    );
    // Closing the session destroys its objects.
    m.close_session(ro).unwrap();
    let again = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.attributes(again, h, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
}

#[test]
fn digests_match_streebog_and_a_pulled_token_ends_the_sessions() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.digest_init(s, CKM_GOSTR3411_12_256).unwrap();
    assert_eq!(m.digest_len(s).unwrap(), 32);
    m.digest_update(s, b"abc").unwrap();
    assert_eq!(
        m.digest(s, None).unwrap(),
        DigestAlgorithm::Streebog256.digest(b"abc")
    );
    assert_eq!(
        m.digest_init(s, CKM_GOSTR3410).unwrap_err().rv(),
        CKR_MECHANISM_INVALID
    );
    m.login(s, CKU_USER, b"12345678").unwrap();
    token.0.lock().unwrap().present = false;
    assert_eq!(
        m.find_init(s, &Template::default()).unwrap_err().rv(),
        CKR_DEVICE_REMOVED
    );
    assert_eq!(
        m.session_info(s).unwrap_err().rv(),
        CKR_SESSION_HANDLE_INVALID
    );
    assert_eq!(
        m.open_session(0, RW).unwrap_err().rv(),
        CKR_TOKEN_NOT_PRESENT
    );
    let _ = (KeyAlgorithm::Gost2012_256, ParamSet::Gost256A);
}

/// The PIN counter flags follow the token's own maximum (3 here), not a fixed 10.
#[test]
fn pin_count_flags_follow_the_token_maximum() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    let user = CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED;
    assert_eq!(m.token_info(0).unwrap().flags & user, 0, "a fresh counter");
    m.login(s, CKU_USER, b"00000000").unwrap_err();
    assert_eq!(
        m.token_info(0).unwrap().flags & user,
        CKF_USER_PIN_COUNT_LOW
    );
    m.login(s, CKU_USER, b"00000000").unwrap_err();
    assert_eq!(
        m.token_info(0).unwrap().flags & user,
        CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY
    );
    m.login(s, CKU_USER, b"12345678").unwrap();
    assert_eq!(
        m.token_info(0).unwrap().flags & user,
        0,
        "reset by a good PIN"
    );
}

/// `C_WaitForSlotEvent`: a pulled or inserted card is one event, reported once; without
/// `CKF_DONT_BLOCK` the call waits for the next one, and `C_Finalize` ends the wait.
#[test]
fn slot_events_follow_the_card() {
    let (m, token) = module();
    let no_event = |r: Result<CK_SLOT_ID, rutoken_pkcs11::Error>| r.unwrap_err().rv();
    assert_eq!(no_event(m.wait_for_slot_event(true)), CKR_NO_EVENT);
    token.0.lock().unwrap().present = false;
    assert_eq!(m.wait_for_slot_event(true).unwrap(), 0);
    assert_eq!(no_event(m.wait_for_slot_event(true)), CKR_NO_EVENT);

    let m = Arc::new(m);
    let waiter = {
        let m = Arc::clone(&m);
        std::thread::spawn(move || m.wait_for_slot_event(false))
    };
    let listings = token.0.lock().unwrap().listings;
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!waiter.is_finished(), "returned without an event");
    // Between two looks at the readers the wait sleeps (`Readers::wait`, half a second here):
    // a waiting application's thread must not spin on pcscd.
    let polled = token.0.lock().unwrap().listings - listings;
    assert!(polled <= 5, "{polled} reader listings in 300 ms");
    token.0.lock().unwrap().present = true;
    assert_eq!(waiter.join().unwrap().unwrap(), 0);

    let waiter = {
        let m = Arc::clone(&m);
        std::thread::spawn(move || m.wait_for_slot_event(false))
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    m.finalize();
    let start = std::time::Instant::now();
    assert_eq!(
        no_event(waiter.join().unwrap()),
        CKR_CRYPTOKI_NOT_INITIALIZED
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

/// `C_SetAttributeValue` on a token key: a new label and ID for both halves, the handles kept;
/// other attributes stay read-only; a read-only session or no login is refused.
#[test]
fn token_keys_take_a_new_label_and_id() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &Template::default(),
            &Template::default(),
        )
        .unwrap();
    let names = t(&[(CKA_LABEL, b"renamed".to_vec()), (CKA_ID, vec![0x0B])]);
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.set_attributes(ro, private, &names).unwrap_err().rv(),
        CKR_SESSION_READ_ONLY
    );
    assert_eq!(
        m.set_attributes(s, private, &t(&[(CKA_SIGN, vec![0])]))
            .unwrap_err()
            .rv(),
        CKR_ATTRIBUTE_READ_ONLY
    );
    m.set_attributes(s, private, &names).unwrap();
    // The label is the half's own (PrKDF and PuKDF entries); the ID moves both halves.
    for (half, label) in [(public, &b""[..]), (private, &b"renamed"[..])] {
        let got = m
            .attributes(s, half, &[CKA_LABEL, CKA_ID, CKA_MODIFIABLE])
            .unwrap();
        assert_eq!(got[0], Ok(label.to_vec()));
        assert_eq!(got[1], Ok(vec![0x0B]));
        assert_eq!(got[2], Ok(vec![1]));
    }
    m.set_attributes(s, public, &t(&[(CKA_LABEL, b"public half".to_vec())]))
        .unwrap();
    let got = m.attributes(s, public, &[CKA_LABEL]).unwrap();
    assert_eq!(got[0], Ok(b"public half".to_vec()));
    let got = m.attributes(s, private, &[CKA_LABEL]).unwrap();
    assert_eq!(got[0], Ok(b"renamed".to_vec()));
    m.find_init(s, &t(&[(CKA_ID, vec![0x0B])])).unwrap();
    let mut found = m.find(s, 10).unwrap();
    found.sort_unstable();
    let mut both = vec![public, private];
    both.sort_unstable();
    assert_eq!(found, both, "the same handles under the new ID");
}

/// `C_SetAttributeValue` on a token data object: a new label, the same handle; no CKA_ID (a
/// data object has none) and no new value.
#[test]
fn token_data_objects_take_a_new_label() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let object = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ul(CKO_DATA)),
                (CKA_TOKEN, vec![1]),
                (CKA_LABEL, b"old".to_vec()),
                (CKA_VALUE, b"value".to_vec()),
            ]),
        )
        .unwrap();
    for fixed in [(CKA_ID, vec![1]), (CKA_VALUE, b"other".to_vec())] {
        assert_eq!(
            m.set_attributes(s, object, &t(&[fixed])).unwrap_err().rv(),
            CKR_ATTRIBUTE_READ_ONLY
        );
    }
    m.set_attributes(s, object, &t(&[(CKA_LABEL, b"new".to_vec())]))
        .unwrap();
    assert_eq!(
        m.attributes(s, object, &[CKA_LABEL, CKA_VALUE]).unwrap(),
        vec![Ok(b"new".to_vec()), Ok(b"value".to_vec())]
    );
    assert_eq!(token.0.lock().unwrap().data[0].label, "new");
}

/// The vendor's key attributes (issue 23 item 2): accepted in key-generation templates, kept on
/// the token (a private data object the module does not list as one) and read back on both
/// halves, by another module too; unset ones read false; a destroyed key's attributes do not
/// pass to the next key at its reference; a value that is no CK_BBOOL, or two values, refused.
#[test]
fn vendor_key_attributes_are_kept_and_read_back() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let kinds = [
        CKA_VENDOR_KEY_PIN_ENTER,
        CKA_VENDOR_KEY_CONFIRM_OP,
        CKA_VENDOR_KEY_JOURNAL,
        CKA_VENDOR_CONFIRM_BY_TOUCH,
    ];
    let private_template = t(&[
        (CKA_VENDOR_KEY_CONFIRM_OP, vec![1]),
        (CKA_VENDOR_KEY_JOURNAL, vec![1]),
        (CKA_VENDOR_KEY_PIN_ENTER, vec![0]),
    ]);
    let public_template = t(&[(CKA_VENDOR_KEY_JOURNAL, vec![1])]);
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &public_template,
            &private_template,
        )
        .unwrap();
    let want = vec![Ok(vec![0]), Ok(vec![1]), Ok(vec![1]), Ok(vec![0])];
    for half in [public, private] {
        assert_eq!(m.attributes(s, half, &kinds).unwrap(), want);
    }

    // Kept on the token: a second module finds the key by them.
    let other = Module::new(Box::new(FakeReaders(token.clone())));
    let s2 = other.open_session(0, RW).unwrap();
    other.login(s2, CKU_USER, b"12345678").unwrap();
    other
        .find_init(
            s2,
            &t(&[
                (CKA_CLASS, ul(CKO_PRIVATE_KEY)),
                (CKA_VENDOR_KEY_CONFIRM_OP, vec![1]),
            ]),
        )
        .unwrap();
    let found = other.find(s2, 10).unwrap();
    other.find_final(s2).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(other.attributes(s2, found[0], &kinds).unwrap(), want);
    other
        .find_init(s2, &t(&[(CKA_CLASS, ul(CKO_DATA))]))
        .unwrap();
    assert!(other.find(s2, 10).unwrap().is_empty(), "no data object");
    {
        let store = token.0.lock().unwrap();
        assert_eq!(store.data.len(), 1, "one on the token");
        // Labelled with the key's reference in two hex digits (docs/assumptions.md).
        let reference = store.keys[0].0.reference.unwrap();
        assert_eq!(store.data[0].label, format!("{reference:02X}"));
    }

    // A new key at the same reference starts with none.
    m.destroy_object(s, private).unwrap();
    assert!(token.0.lock().unwrap().data.is_empty());
    let (_, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &Template::default(),
            &Template::default(),
        )
        .unwrap();
    assert_eq!(
        m.attributes(s, private, &kinds).unwrap(),
        vec![Ok(vec![0]); 4]
    );
    // None set: nothing written to the token for them.
    assert!(token.0.lock().unwrap().data.is_empty());

    for (public_template, private_template, rv) in [
        (
            Template::default(),
            t(&[(CKA_VENDOR_CONFIRM_BY_TOUCH, vec![1, 0])]),
            CKR_ATTRIBUTE_VALUE_INVALID,
        ),
        (
            t(&[(CKA_VENDOR_KEY_JOURNAL, vec![1])]),
            t(&[(CKA_VENDOR_KEY_JOURNAL, vec![0])]),
            CKR_TEMPLATE_INCONSISTENT,
        ),
    ] {
        let e = m
            .generate_key_pair(
                s,
                CKM_GOSTR3410_KEY_PAIR_GEN,
                &public_template,
                &private_template,
            )
            .unwrap_err();
        assert_eq!(e.rv(), rv);
    }
}

/// TC26 paramSetA of GOST R 34.10-2012 256 (1.2.643.7.1.2.1.1.1) as DER.
const PARAMS_256_A: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01,
];

/// `CKA_GOSTR3410_PARAMS` is a DER OBJECT IDENTIFIER (PKCS#11 v2.40 §2.57.4): one whose length
/// byte does not match its body is no DER and is refused, even when the body alone would be a
/// valid OID; the same OID with its right length generates.
#[test]
fn a_params_oid_whose_length_byte_lies_is_refused() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let mut lying = PARAMS_256_A.to_vec();
    lying[1] = 0x08;
    let template = |params: &[u8]| t(&[(CKA_GOSTR3410_PARAMS, params.to_vec())]);
    assert_eq!(
        m.generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &template(&lying),
            &Template::default()
        )
        .unwrap_err()
        .rv(),
        CKR_ATTRIBUTE_VALUE_INVALID
    );
    m.generate_key_pair(
        s,
        CKM_GOSTR3410_KEY_PAIR_GEN,
        &template(&PARAMS_256_A),
        &Template::default(),
    )
    .unwrap();
}

/// An attribute given in both templates of `C_GenerateKeyPair` with the same value is
/// consistent (only differing values are `CKR_TEMPLATE_INCONSISTENT`): the pair gets that
/// `CKA_ID` and key type.
#[test]
fn the_same_id_and_key_type_in_both_templates_are_consistent() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let both = t(&[
        (CKA_ID, vec![0x42, 0x43]),
        (CKA_KEY_TYPE, ul(CKK_GOSTR3410)),
        (CKA_GOSTR3410_PARAMS, PARAMS_256_A.to_vec()),
    ]);
    let (public, private) = m
        .generate_key_pair(s, CKM_GOSTR3410_KEY_PAIR_GEN, &both, &both)
        .unwrap();
    for half in [public, private] {
        assert_eq!(
            m.attributes(s, half, &[CKA_ID, CKA_KEY_TYPE]).unwrap(),
            vec![Ok(vec![0x42, 0x43]), Ok(ul(CKK_GOSTR3410))]
        );
    }
    for (kind, a, b) in [
        (CKA_ID, vec![1], vec![2]),
        (CKA_KEY_TYPE, ul(CKK_GOSTR3410), ul(CKK_GOSTR3410_512)),
    ] {
        assert_eq!(
            m.generate_key_pair(
                s,
                CKM_GOSTR3410_KEY_PAIR_GEN,
                &t(&[(kind, a)]),
                &t(&[(kind, b)])
            )
            .unwrap_err()
            .rv(),
            CKR_TEMPLATE_INCONSISTENT,
            "{kind:#x}"
        );
    }
}

/// PIN lengths at `C_Login`: `ulMinPinLen`..=`ulMaxPinLen` of `CK_TOKEN_INFO` reach the token
/// (a wrong PIN of exactly 32 bytes or of 1 byte is the token's `CKR_PIN_INCORRECT`); an empty
/// PIN or one longer than 32 bytes is `CKR_PIN_LEN_RANGE` without asking the token. Tried as
/// the SO, whose wrong tries the fake token does not count.
#[test]
fn login_pin_lengths_up_to_32_bytes_reach_the_token() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    for (pin, rv) in [
        (vec![b'9'; 32], CKR_PIN_INCORRECT),
        (vec![b'9'; 1], CKR_PIN_INCORRECT),
        (vec![b'9'; 33], CKR_PIN_LEN_RANGE),
        (Vec::new(), CKR_PIN_LEN_RANGE),
    ] {
        assert_eq!(
            m.login(s, CKU_SO, &pin).unwrap_err().rv(),
            rv,
            "{} bytes",
            pin.len()
        );
    }
    assert_eq!(token.0.lock().unwrap().login, None);
    m.login(s, CKU_SO, b"87654321").unwrap();
    assert_eq!(m.session_info(s).unwrap().state, CKS_RW_SO_FUNCTIONS);
}

/// `CK_TOKEN_INFO.ulSessionCount` and `ulRwSessionCount` count the token's sessions.
#[test]
fn token_info_counts_the_sessions_and_the_read_write_ones() {
    let (m, _) = module();
    let info = m.token_info(0).unwrap();
    assert_eq!((info.sessions, info.rw_sessions), (0, 0));
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let _rw1 = m.open_session(0, RW).unwrap();
    let _rw2 = m.open_session(0, RW).unwrap();
    let info = m.token_info(0).unwrap();
    assert_eq!((info.sessions, info.rw_sessions), (3, 2));
    m.close_session(ro).unwrap();
    let info = m.token_info(0).unwrap();
    assert_eq!((info.sessions, info.rw_sessions), (2, 2));
}

/// A reader that disappears from the reader list takes its token with it: the slot stays (slot
/// IDs never change) without `CKF_TOKEN_PRESENT`, its sessions end, `C_GetSlotList(TRUE)` no
/// longer lists it, and `C_WaitForSlotEvent` reports the slot once. Listing the slots while the reader is there keeps the sessions.
#[test]
fn an_unplugged_reader_ends_its_sessions_and_a_listing_does_not() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    assert_eq!(m.slot_list(true).unwrap(), vec![0]);
    assert_ne!(m.slot_info(0).unwrap().flags & CKF_TOKEN_PRESENT, 0);
    assert_eq!(m.session_info(s).unwrap().state, CKS_RW_USER_FUNCTIONS);
    token.0.lock().unwrap().unplugged = true;
    assert_eq!(m.slot_list(false).unwrap(), vec![0, 1]);
    // The card went with its reader: one slot event.
    assert_eq!(m.wait_for_slot_event(true).unwrap(), 0);
    assert_eq!(m.wait_for_slot_event(true).unwrap_err().rv(), CKR_NO_EVENT);
    assert!(m.slot_list(true).unwrap().is_empty());
    let info = m.slot_info(0).unwrap();
    assert_eq!(info.flags & CKF_TOKEN_PRESENT, 0);
    assert_eq!(info.description, "Virtual PCD 00 00");
    assert_eq!(
        m.session_info(s).unwrap_err().rv(),
        CKR_SESSION_HANDLE_INVALID
    );
    // Plugged in again: a token again, a new session starts logged out.
    token.0.lock().unwrap().unplugged = false;
    assert_eq!(m.slot_list(true).unwrap(), vec![0]);
    let again = m.open_session(0, RW).unwrap();
    assert_eq!(m.session_info(again).unwrap().state, CKS_RW_PUBLIC_SESSION);
}

/// A pulled token takes its object handles along (PKCS#11 v2.40 §5.6: its sessions end, and the
/// handles they saw with them): when the same token comes back, the old handles of its token
/// object and of a session object are invalid before any search, and a search hands out new
/// ones.
#[test]
fn a_pulled_token_s_handles_stay_invalid_when_it_comes_back() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let data = |token_object: u8, label: &[u8]| {
        t(&[
            (CKA_CLASS, ul(CKO_DATA)),
            (CKA_TOKEN, vec![token_object]),
            (CKA_PRIVATE, vec![0]),
            (CKA_LABEL, label.to_vec()),
            (CKA_VALUE, b"v".to_vec()),
        ])
    };
    let kept = m.create_object(s, &data(1, b"kept")).unwrap();
    let session_object = m.create_object(s, &data(0, b"session")).unwrap();
    token.0.lock().unwrap().present = false;
    assert!(m.slot_list(true).unwrap().is_empty());
    token.0.lock().unwrap().present = true;
    assert_eq!(m.slot_list(true).unwrap(), vec![0]);
    let again = m.open_session(0, RW).unwrap();
    let invalid = |h| m.attributes(again, h, &[CKA_LABEL]).unwrap_err().rv();
    assert_eq!(invalid(kept), CKR_OBJECT_HANDLE_INVALID);
    assert_eq!(invalid(session_object), CKR_OBJECT_HANDLE_INVALID);
    m.find_init(again, &t(&[(CKA_CLASS, ul(CKO_DATA))]))
        .unwrap();
    let found = m.find(again, 10).unwrap();
    m.find_final(again).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0] != kept && found[0] != session_object, "{found:?}");
    assert_eq!(
        m.attributes(again, found[0], &[CKA_LABEL]).unwrap(),
        vec![Ok(b"kept".to_vec())]
    );
    assert_eq!(invalid(kept), CKR_OBJECT_HANDLE_INVALID);
}

/// A key pair whose two templates give different labels keeps both on the token: another
/// module reading the token sees the public half under its own label.
#[test]
fn the_public_half_keeps_its_own_label_on_the_token() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    m.generate_key_pair(
        s,
        CKM_GOSTR3410_KEY_PAIR_GEN,
        &t(&[(CKA_LABEL, b"public half".to_vec())]),
        &t(&[(CKA_LABEL, b"private half".to_vec())]),
    )
    .unwrap();
    let other = Module::new(Box::new(FakeReaders(token.clone())));
    let s2 = other.open_session(0, RW).unwrap();
    other.login(s2, CKU_USER, b"12345678").unwrap();
    for (class, label) in [
        (CKO_PUBLIC_KEY, &b"public half"[..]),
        (CKO_PRIVATE_KEY, &b"private half"[..]),
    ] {
        other.find_init(s2, &t(&[(CKA_CLASS, ul(class))])).unwrap();
        let found = other.find(s2, 10).unwrap();
        other.find_final(s2).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            other.attributes(s2, found[0], &[CKA_LABEL]).unwrap(),
            vec![Ok(label.to_vec())]
        );
    }
}

/// Each key pair keeps its own vendor attributes: making a second pair (and clearing what a
/// deleted key of its reference left) leaves the first pair's stored flags alone.
#[test]
fn a_second_key_pair_leaves_the_first_one_s_vendor_attributes() {
    let (m, token) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    for id in [1u8, 2] {
        m.generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &t(&[(CKA_ID, vec![id])]),
            &t(&[(CKA_VENDOR_KEY_CONFIRM_OP, vec![1])]),
        )
        .unwrap();
    }
    assert_eq!(token.0.lock().unwrap().data.len(), 2, "one object per pair");
    let other = Module::new(Box::new(FakeReaders(token.clone())));
    let s2 = other.open_session(0, RW).unwrap();
    other.login(s2, CKU_USER, b"12345678").unwrap();
    for id in [1u8, 2] {
        other
            .find_init(
                s2,
                &t(&[(CKA_CLASS, ul(CKO_PRIVATE_KEY)), (CKA_ID, vec![id])]),
            )
            .unwrap();
        let found = other.find(s2, 10).unwrap();
        other.find_final(s2).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            other
                .attributes(s2, found[0], &[CKA_VENDOR_KEY_CONFIRM_OP])
                .unwrap(),
            vec![Ok(vec![1])],
            "pair {id}"
        );
    }
}

/// A reader plugged in after `C_Initialize` with a Rutoken already in it is a new slot and an
/// insertion: `C_WaitForSlotEvent` reports it once.
#[test]
fn a_reader_plugged_in_with_a_token_is_an_event() {
    let (m, token) = module();
    assert_eq!(m.slot_list(false).unwrap(), vec![0, 1]);
    assert_eq!(m.wait_for_slot_event(true).unwrap_err().rv(), CKR_NO_EVENT);
    token.0.lock().unwrap().late_reader = true;
    assert_eq!(m.wait_for_slot_event(true).unwrap(), 2);
    assert_eq!(m.wait_for_slot_event(true).unwrap_err().rv(), CKR_NO_EVENT);
    assert_eq!(m.slot_list(true).unwrap(), vec![0, 2]);
}

/// Two tokens (here two readers onto one fake token): listing one token's objects leaves the
/// other's handles as they were.
#[test]
fn one_token_s_listing_keeps_the_other_token_s_handles() {
    let (m, token) = module();
    token.0.lock().unwrap().late_reader = true;
    assert_eq!(m.slot_list(true).unwrap(), vec![0, 2]);
    let first = m.open_session(0, RW).unwrap();
    m.login(first, CKU_USER, b"12345678").unwrap();
    let data = t(&[
        (CKA_CLASS, ul(CKO_DATA)),
        (CKA_TOKEN, vec![1]),
        (CKA_PRIVATE, vec![0]),
        (CKA_LABEL, b"shared".to_vec()),
        (CKA_VALUE, b"v".to_vec()),
    ]);
    m.create_object(first, &data).unwrap();
    let second = m.open_session(2, RW).unwrap();
    let find = |s| {
        m.find_init(s, &t(&[(CKA_CLASS, ul(CKO_DATA))])).unwrap();
        let found = m.find(s, 10).unwrap();
        m.find_final(s).unwrap();
        found
    };
    let on_second = find(second);
    assert_eq!(on_second.len(), 1);
    find(first);
    assert_eq!(find(second), on_second, "the same handle");
    assert_eq!(
        m.attributes(second, on_second[0], &[CKA_LABEL]).unwrap(),
        vec![Ok(b"shared".to_vec())]
    );
}

/// A token with a single reader: listing the slots (and asking for slot information) again and
/// again changes nothing for the sessions open on it.
#[test]
fn listing_the_slots_keeps_the_sessions() {
    let token = rutoken_sim::token::Token::in_memory(
        rutoken_sim::token::Fixture::Personalised,
        7,
        rutoken_sim::token::TokenProfile::default(),
    )
    .unwrap();
    let slot = rutoken_sim::control::TokenSlot::new(token);
    let m = support::in_process::module(&slot);
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, support::in_process::USER_PIN).unwrap();
    for _ in 0..2 {
        assert_eq!(m.slot_list(true).unwrap(), vec![0]);
        assert_eq!(
            m.slot_info(0).unwrap().flags & CKF_TOKEN_PRESENT,
            CKF_TOKEN_PRESENT
        );
    }
    assert_eq!(m.session_info(s).unwrap().state, CKS_RW_USER_FUNCTIONS);
    assert_eq!(m.token_info(0).unwrap().sessions, 1);
}

/// Session states (PKCS#11 v2.40 §5.6): with the SO logged in no read-only session opens
/// (`CKR_SESSION_READ_WRITE_SO_EXISTS`); a second user type's login is
/// `CKR_USER_ANOTHER_ALREADY_LOGGED_IN`; `C_GetSessionInfo` gives the slot and the flags.
#[test]
fn session_states_and_flags_follow_the_login() {
    let (m, _) = module();
    let rw = m.open_session(0, RW).unwrap();
    let info = m.session_info(rw).unwrap();
    assert_eq!(
        (info.slot, info.state, info.flags),
        (
            0,
            CKS_RW_PUBLIC_SESSION,
            CKF_SERIAL_SESSION | CKF_RW_SESSION
        )
    );
    m.login(rw, CKU_SO, b"87654321").unwrap();
    assert_eq!(m.session_info(rw).unwrap().state, CKS_RW_SO_FUNCTIONS);
    assert_eq!(
        m.open_session(0, CKF_SERIAL_SESSION).unwrap_err().rv(),
        CKR_SESSION_READ_WRITE_SO_EXISTS
    );
    assert_eq!(
        m.login(rw, CKU_USER, b"12345678").unwrap_err().rv(),
        CKR_USER_ANOTHER_ALREADY_LOGGED_IN
    );
    assert_eq!(
        m.login(rw, CKU_SO, b"87654321").unwrap_err().rv(),
        CKR_USER_ALREADY_LOGGED_IN
    );
    m.logout(rw).unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let info = m.session_info(ro).unwrap();
    assert_eq!(
        (info.state, info.flags),
        (CKS_RO_PUBLIC_SESSION, CKF_SERIAL_SESSION)
    );
    m.login(ro, CKU_USER, b"12345678").unwrap();
    assert_eq!(
        m.login(rw, CKU_SO, b"87654321").unwrap_err().rv(),
        CKR_USER_ANOTHER_ALREADY_LOGGED_IN
    );
}

/// Closing a session destroys its session objects only (PKCS#11 v2.40 §5.6); the others, seen
/// by every session, stay; the last session's close logs the token out; `C_CloseAllSessions`
/// closes the slot's sessions and knows no other slot.
#[test]
fn closing_sessions_ends_their_objects_and_the_last_the_login() {
    let (m, token) = module();
    let a = m.open_session(0, RW).unwrap();
    let b = m.open_session(0, RW).unwrap();
    let object = |s, label: &[u8]| {
        m.create_object(
            s,
            &t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_LABEL, label.to_vec())]),
        )
        .unwrap()
    };
    let of_a = object(a, b"a");
    let of_b = object(b, b"b");
    assert_eq!(
        m.attributes(b, of_a, &[CKA_LABEL]).unwrap()[0],
        Ok(b"a".to_vec())
    );
    m.login(a, CKU_USER, b"12345678").unwrap();
    m.close_session(a).unwrap();
    assert_eq!(
        m.attributes(b, of_a, &[CKA_LABEL]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    assert_eq!(
        m.attributes(b, of_b, &[CKA_LABEL]).unwrap()[0],
        Ok(b"b".to_vec())
    );
    assert_eq!(m.session_info(b).unwrap().state, CKS_RW_USER_FUNCTIONS);
    assert_eq!(token.0.lock().unwrap().login, Some(PinRole::User));
    assert_eq!(
        m.close_session(a).unwrap_err().rv(),
        CKR_SESSION_HANDLE_INVALID
    );
    let c = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.close_all_sessions(7).unwrap_err().rv(),
        CKR_SLOT_ID_INVALID
    );
    m.close_all_sessions(1).unwrap();
    assert_eq!(m.session_info(c).unwrap().state, CKS_RO_USER_FUNCTIONS);
    m.close_all_sessions(0).unwrap();
    for s in [b, c] {
        assert_eq!(
            m.session_info(s).unwrap_err().rv(),
            CKR_SESSION_HANDLE_INVALID
        );
    }
    assert_eq!(
        token.0.lock().unwrap().login,
        None,
        "logged out on the token"
    );
    let d = m.open_session(0, RW).unwrap();
    assert_eq!(m.session_info(d).unwrap().state, CKS_RW_PUBLIC_SESSION);
}

/// `C_FindObjects` hands out the matches in pieces of at most `ulMaxObjectCount`, each once,
/// then none; without `C_FindObjectsInit`, or after the final, `CKR_OPERATION_NOT_INITIALIZED`;
/// a second init while one runs `CKR_OPERATION_ACTIVE`.
#[test]
fn find_hands_out_the_matches_in_pieces() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.find(s, 5).unwrap_err().rv(),
        CKR_OPERATION_NOT_INITIALIZED
    );
    let mut made: Vec<_> = (0..3u8)
        .map(|i| {
            m.create_object(s, &t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_VALUE, vec![i])]))
                .unwrap()
        })
        .collect();
    m.find_init(s, &t(&[(CKA_CLASS, ul(CKO_DATA))])).unwrap();
    assert_eq!(
        m.find_init(s, &Template::default()).unwrap_err().rv(),
        CKR_OPERATION_ACTIVE
    );
    let mut seen = m.find(s, 2).unwrap();
    assert_eq!(seen.len(), 2);
    let rest = m.find(s, 2).unwrap();
    assert_eq!(rest.len(), 1);
    seen.extend(rest);
    assert!(m.find(s, 2).unwrap().is_empty());
    seen.sort_unstable();
    made.sort_unstable();
    assert_eq!(seen, made);
    m.find_final(s).unwrap();
    assert_eq!(
        m.find_final(s).unwrap_err().rv(),
        CKR_OPERATION_NOT_INITIALIZED
    );
    // A value picks its object.
    m.find_init(s, &t(&[(CKA_VALUE, vec![1])])).unwrap();
    assert_eq!(m.find(s, 5).unwrap(), vec![made[1]]);
}

/// `C_GetObjectSize` counts the label, ID, value and subject bytes of an object.
#[test]
fn object_size_counts_the_object_s_bytes() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    let o = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ul(CKO_DATA)),
                (CKA_LABEL, b"four".to_vec()),
                (CKA_VALUE, vec![0; 10]),
            ]),
        )
        .unwrap();
    assert_eq!(m.object_size(s, o).unwrap(), 14);
}

/// `C_GenerateRandom` gives as many bytes as asked, fresh each time; a closed session's handle
/// is refused.
#[test]
fn random_bytes_are_as_many_as_asked_and_fresh() {
    let (m, _) = module();
    let s = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let a = m.random(s, 32).unwrap();
    let b = m.random(s, 32).unwrap();
    assert_eq!((a.len(), b.len()), (32, 32));
    assert_ne!(a, b);
    assert_ne!(a, vec![0; 32]);
    m.close_session(s).unwrap();
    assert_eq!(m.random(s, 8).unwrap_err().rv(), CKR_SESSION_HANDLE_INVALID);
}

/// `C_GetSlotInfo`'s flags (PKCS#11 v2.40 §3.2): removable hardware slots, the Rutoken's with
/// `CKF_TOKEN_PRESENT`, the other reader's without; the mechanisms of the token: the GOST key
/// pair generation listed with `CKF_GENERATE_KEY_PAIR`, an unknown one `CKR_MECHANISM_INVALID`.
#[test]
fn slot_flags_and_mechanisms_are_the_token_s() {
    let (m, _) = module();
    m.slot_list(false).unwrap();
    let token = m.slot_info(0).unwrap();
    assert_eq!(
        token.flags,
        CKF_REMOVABLE_DEVICE | CKF_HW_SLOT | CKF_TOKEN_PRESENT
    );
    let other = m.slot_info(1).unwrap();
    assert_eq!(other.flags, CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
    assert_eq!(other.description, "Other reader");
    assert_eq!(m.slot_info(9).unwrap_err().rv(), CKR_SLOT_ID_INVALID);
    let list = m.mechanism_list(0).unwrap();
    assert!(list.contains(&CKM_GOSTR3410_KEY_PAIR_GEN));
    assert!(list.contains(&CKM_GOSTR3410_WITH_GOSTR3411_12_256));
    let info = m.mechanism_info(0, CKM_GOSTR3410_KEY_PAIR_GEN).unwrap();
    assert_ne!(info.flags & CKF_GENERATE_KEY_PAIR, 0);
    assert_eq!(
        m.mechanism_info(0, CKM_RSA_PKCS).unwrap_err().rv(),
        CKR_MECHANISM_INVALID
    );
    assert_eq!(
        m.mechanism_list(1).unwrap_err().rv(),
        CKR_TOKEN_NOT_RECOGNIZED
    );
}

/// `C_CreateObject`'s template checks (PKCS#11 v2.40 §4.6, §5.7): no class is
/// `CKR_TEMPLATE_INCOMPLETE`, an unknown one `CKR_ATTRIBUTE_VALUE_INVALID`; a certificate
/// needs `CKA_CERTIFICATE_TYPE` X.509 and a DER `CKA_VALUE`, is never private; a token object
/// needs a read-write session, a private one the user's login.
#[test]
fn create_object_checks_the_template() {
    let (m, _) = module();
    let rw = m.open_session(0, RW).unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let cert = || {
        vec![
            (CKA_CLASS, ul(CKO_CERTIFICATE)),
            (CKA_CERTIFICATE_TYPE, ul(CKC_X_509)),
            (
                CKA_VALUE,
                rutoken_pki::fixtures::ca().unwrap().cert.to_der().to_vec(),
            ),
        ]
    };
    let with = |base: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
                change: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]| {
        let mut attrs: Vec<_> = base
            .into_iter()
            .filter(|(k, _)| !change.iter().any(|(c, _)| c == k))
            .collect();
        attrs.extend(change.iter().filter(|(_, v)| v != &[0xFF]).cloned());
        t(&attrs)
    };
    let gone = vec![0xFF];
    let cases = [
        (
            "no class",
            t(&[(CKA_LABEL, b"x".to_vec())]),
            rw,
            CKR_TEMPLATE_INCOMPLETE,
        ),
        (
            "unknown class",
            t(&[(CKA_CLASS, ul(CKO_HW_FEATURE))]),
            rw,
            CKR_ATTRIBUTE_VALUE_INVALID,
        ),
        (
            "no certificate type",
            with(cert(), &[(CKA_CERTIFICATE_TYPE, gone.clone())]),
            rw,
            CKR_TEMPLATE_INCOMPLETE,
        ),
        (
            "WTLS certificate",
            with(cert(), &[(CKA_CERTIFICATE_TYPE, ul(CKC_WTLS))]),
            rw,
            CKR_ATTRIBUTE_VALUE_INVALID,
        ),
        (
            "no value",
            with(cert(), &[(CKA_VALUE, gone.clone())]),
            rw,
            CKR_TEMPLATE_INCOMPLETE,
        ),
        (
            "no DER",
            with(cert(), &[(CKA_VALUE, b"not DER".to_vec())]),
            rw,
            CKR_ATTRIBUTE_VALUE_INVALID,
        ),
        (
            "token certificate, RO",
            with(cert(), &[(CKA_TOKEN, vec![1])]),
            ro,
            CKR_SESSION_READ_ONLY,
        ),
        (
            "token certificate, no login",
            with(cert(), &[(CKA_TOKEN, vec![1])]),
            rw,
            CKR_USER_NOT_LOGGED_IN,
        ),
        (
            "private data, no login",
            t(&[(CKA_CLASS, ul(CKO_DATA)), (CKA_PRIVATE, vec![1])]),
            ro,
            CKR_USER_NOT_LOGGED_IN,
        ),
    ];
    for (what, template, s, rv) in cases {
        assert_eq!(
            m.create_object(s, &template).unwrap_err().rv(),
            rv,
            "{what}"
        );
    }
    m.login(rw, CKU_USER, b"12345678").unwrap();
    assert_eq!(
        m.create_object(rw, &with(cert(), &[(CKA_PRIVATE, vec![1])]))
            .unwrap_err()
            .rv(),
        CKR_TEMPLATE_INCONSISTENT,
        "a private certificate"
    );
    // A session certificate from a read-only session is fine, its value kept.
    let c = m.create_object(ro, &with(cert(), &[])).unwrap();
    assert_eq!(
        m.attributes(ro, c, &[CKA_CLASS, CKA_TOKEN, CKA_PRIVATE])
            .unwrap(),
        vec![Ok(ul(CKO_CERTIFICATE)), Ok(vec![0]), Ok(vec![0])]
    );
}

/// `C_DestroyObject` of a token object needs a read-write session (`CKR_SESSION_READ_ONLY`,
/// the object kept); a session object goes from a read-only one too.
#[test]
fn destroying_a_token_object_needs_a_read_write_session() {
    let (m, token) = module();
    let rw = m.open_session(0, RW).unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    m.login(rw, CKU_USER, b"12345678").unwrap();
    let stored = m
        .create_object(
            rw,
            &t(&[
                (CKA_CLASS, ul(CKO_DATA)),
                (CKA_TOKEN, vec![1]),
                (CKA_VALUE, b"v".to_vec()),
            ]),
        )
        .unwrap();
    assert_eq!(
        m.destroy_object(ro, stored).unwrap_err().rv(),
        CKR_SESSION_READ_ONLY
    );
    assert_eq!(token.0.lock().unwrap().data.len(), 1);
    let session = m
        .create_object(ro, &t(&[(CKA_CLASS, ul(CKO_DATA))]))
        .unwrap();
    m.destroy_object(ro, session).unwrap();
    assert_eq!(
        m.attributes(ro, session, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    m.destroy_object(rw, stored).unwrap();
    assert!(token.0.lock().unwrap().data.is_empty());
}

/// Signing needs the user's login (verifying does not: the public key); one operation at a
/// time (`CKR_OPERATION_ACTIVE`); a one-part `C_Sign` after `C_SignUpdate` is
/// `CKR_OPERATION_ACTIVE`; a host-digest mechanism has no multi-part
/// (`CKR_FUNCTION_NOT_SUPPORTED`); a signature of the wrong length is
/// `CKR_SIGNATURE_LEN_RANGE`, a public key for signing `CKR_KEY_TYPE_INCONSISTENT`.
#[test]
fn signing_operations_keep_their_rules() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &Template::default(),
            &Template::default(),
        )
        .unwrap();
    let mech = CKM_GOSTR3410_WITH_GOSTR3411_12_256;
    assert_eq!(
        m.sign_init(s, mech, &[], public).unwrap_err().rv(),
        CKR_KEY_TYPE_INCONSISTENT
    );
    m.sign_init(s, mech, &[], private).unwrap();
    assert_eq!(
        m.sign_init(s, mech, &[], private).unwrap_err().rv(),
        CKR_OPERATION_ACTIVE
    );
    m.sign_update(s, b"part").unwrap();
    assert_eq!(
        m.sign(s, Some(b"whole")).unwrap_err().rv(),
        CKR_OPERATION_ACTIVE
    );
    m.sign_init(s, mech, &[], private).unwrap();
    assert_eq!(m.sign_len(s).unwrap(), 64);
    let signature = m.sign(s, Some(b"document")).unwrap();
    // The host-digest mechanism takes the digest in one part.
    m.sign_init(s, CKM_GOSTR3410, &[], private).unwrap();
    assert_eq!(
        m.sign_update(s, &[0; 32]).unwrap_err().rv(),
        CKR_FUNCTION_NOT_SUPPORTED
    );
    m.logout(s).unwrap();
    assert_eq!(
        m.sign_init(s, mech, &[], public).unwrap_err().rv(),
        CKR_USER_NOT_LOGGED_IN
    );
    // Verification without a login, with the public key.
    m.verify_init(s, mech, &[], public).unwrap();
    assert_eq!(
        m.verify(s, Some(b"document"), &signature[..63])
            .unwrap_err()
            .rv(),
        CKR_SIGNATURE_LEN_RANGE
    );
    m.verify_init(s, mech, &[], public).unwrap();
    m.verify_update(s, b"docu").unwrap();
    m.verify_update(s, b"ment").unwrap();
    m.verify(s, None, &signature).unwrap();
    m.verify_init(s, CKM_GOSTR3410, &[], public).unwrap();
    assert_eq!(
        m.verify(s, Some(&[0; 31]), &signature).unwrap_err().rv(),
        CKR_DATA_LEN_RANGE
    );
}

/// Which attributes a session object may carry (PKCS#11 v2.40 §4.4-§4.6): the storage ones for
/// all, `CKA_APPLICATION` for data only, `CKA_SUBJECT` for certificates only
/// (`CKR_ATTRIBUTE_TYPE_INVALID` otherwise); CK_BBOOL and CK_ULONG attributes of their size only
/// (`CKR_ATTRIBUTE_VALUE_INVALID`). On a token data object, `CKA_OBJECT_ID` given as DER reads
/// back as DER (the bare body OpenSC sends too: `token_data_objects_are_stored_…`); what is
/// neither is refused.
#[test]
fn session_attributes_follow_the_class_and_their_sizes() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    let der = rutoken_pki::fixtures::ca().unwrap().cert.to_der().to_vec();
    let cert = |extra: (CK_ATTRIBUTE_TYPE, Vec<u8>)| {
        t(&[
            (CKA_CLASS, ul(CKO_CERTIFICATE)),
            (CKA_CERTIFICATE_TYPE, ul(CKC_X_509)),
            (CKA_VALUE, der.clone()),
            extra,
        ])
    };
    let data = |extra: (CK_ATTRIBUTE_TYPE, Vec<u8>)| t(&[(CKA_CLASS, ul(CKO_DATA)), extra]);
    let refused = |template: Template| m.create_object(s, &template).unwrap_err().rv();
    assert_eq!(
        refused(cert((CKA_APPLICATION, b"app".to_vec()))),
        CKR_ATTRIBUTE_TYPE_INVALID
    );
    assert_eq!(
        refused(data((CKA_SUBJECT, b"subject".to_vec()))),
        CKR_ATTRIBUTE_TYPE_INVALID
    );
    assert_eq!(
        refused(data((CKA_SIGN, vec![1]))),
        CKR_ATTRIBUTE_TYPE_INVALID
    );
    assert_eq!(
        refused(cert((CKA_TRUSTED, ul(1)))),
        CKR_ATTRIBUTE_VALUE_INVALID
    );
    assert_eq!(
        refused(cert((CKA_CERTIFICATE_CATEGORY, vec![2]))),
        CKR_ATTRIBUTE_VALUE_INVALID
    );
    let c = m
        .create_object(s, &cert((CKA_SUBJECT, b"subject".to_vec())))
        .unwrap();
    let c2 = m
        .create_object(s, &cert((CKA_CERTIFICATE_CATEGORY, ul(2))))
        .unwrap();
    assert_eq!(
        m.attributes(s, c2, &[CKA_CERTIFICATE_CATEGORY]).unwrap()[0],
        Ok(ul(2))
    );
    assert_eq!(
        m.attributes(s, c, &[CKA_SUBJECT, CKA_TRUSTED]).unwrap(),
        vec![Ok(b"subject".to_vec()), Ok(vec![0])]
    );
    let d = m
        .create_object(s, &data((CKA_APPLICATION, b"app".to_vec())))
        .unwrap();
    assert_eq!(
        m.attributes(s, d, &[CKA_APPLICATION, CKA_OBJECT_ID])
            .unwrap(),
        vec![Ok(b"app".to_vec()), Ok(Vec::new())]
    );
    m.login(s, CKU_USER, b"12345678").unwrap();
    let token_data = |oid: Vec<u8>| {
        t(&[
            (CKA_CLASS, ul(CKO_DATA)),
            (CKA_TOKEN, vec![1]),
            (CKA_OBJECT_ID, oid),
        ])
    };
    assert_eq!(refused(token_data(vec![0x80])), CKR_ATTRIBUTE_VALUE_INVALID);
    let oid_der = vec![0x06, 0x05, 0x2A, 0x85, 0x03, 0x64, 0x01];
    let d = m.create_object(s, &token_data(oid_der.clone())).unwrap();
    assert_eq!(
        m.attributes(s, d, &[CKA_OBJECT_ID]).unwrap()[0],
        Ok(oid_der)
    );
}

/// `C_GenerateKeyPair`'s templates may name their classes, each its own (public key, private
/// key); a class swapped, or `CKA_TOKEN` false (keys live in the token's files), is
/// `CKR_TEMPLATE_INCONSISTENT`.
#[test]
fn key_pair_templates_may_name_their_own_classes_only() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let class = |c| t(&[(CKA_CLASS, ul(c)), (CKA_TOKEN, vec![1])]);
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &class(CKO_PUBLIC_KEY),
            &class(CKO_PRIVATE_KEY),
        )
        .unwrap();
    assert_eq!(
        m.attributes(s, public, &[CKA_CLASS]).unwrap()[0],
        Ok(ul(CKO_PUBLIC_KEY))
    );
    assert_eq!(
        m.attributes(s, private, &[CKA_CLASS]).unwrap()[0],
        Ok(ul(CKO_PRIVATE_KEY))
    );
    for (public, private) in [
        (class(CKO_PRIVATE_KEY), class(CKO_PRIVATE_KEY)),
        (class(CKO_PUBLIC_KEY), class(CKO_PUBLIC_KEY)),
        (t(&[(CKA_TOKEN, vec![0])]), Template::default()),
        (Template::default(), t(&[(CKA_TOKEN, vec![0])])),
    ] {
        assert_eq!(
            m.generate_key_pair(s, CKM_GOSTR3410_KEY_PAIR_GEN, &public, &private)
                .unwrap_err()
                .rv(),
            CKR_TEMPLATE_INCONSISTENT
        );
    }
}

/// A card pulled and another put in the same reader is another token: `C_GetTokenInfo` reads
/// the new one's serial (the device number), not the old connection's.
#[test]
fn another_card_in_the_reader_is_another_token() {
    let (m, token) = module();
    let first = m.token_info(0).unwrap().serial;
    assert_eq!(first, "0787103443");
    token.0.lock().unwrap().present = false;
    assert!(m.slot_list(true).unwrap().is_empty());
    {
        let mut s = token.0.lock().unwrap();
        s.other_serial = 0x01;
        s.present = true;
    }
    assert_eq!(m.slot_list(true).unwrap(), vec![0]);
    // 0x2EEA3ED2: one less than the first token's number.
    assert_eq!(m.token_info(0).unwrap().serial, "0787103442");
}

/// `C_GenerateKeyPair` with a mechanism that generates no key pair (a signature mechanism, a
/// secret-key generation) is `CKR_MECHANISM_INVALID`, whatever the session and login.
#[test]
fn only_key_pair_mechanisms_generate_key_pairs() {
    let (m, _) = module();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let rw = m.open_session(0, RW).unwrap();
    for s in [ro, rw] {
        for mechanism in [
            CKM_GOSTR3410,
            CKM_GOST28147_KEY_GEN,
            CKM_RSA_PKCS_KEY_PAIR_GEN,
        ] {
            assert_eq!(
                m.generate_key_pair(s, mechanism, &Template::default(), &Template::default())
                    .unwrap_err()
                    .rv(),
                CKR_MECHANISM_INVALID,
                "{mechanism:#x}"
            );
        }
    }
    assert_eq!(
        m.generate_key_pair(
            ro,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &Template::default(),
            &Template::default()
        )
        .unwrap_err()
        .rv(),
        CKR_SESSION_READ_ONLY
    );
}

/// Without `CKA_GOSTR3411_PARAMS`, a CryptoPro parameter set (RFC 4357 §10.5) means a GOST
/// R 34.10-2001 key, hashed with GOST R 34.11-94 (1.2.643.2.2.30.1), and a TC26 one a 2012 key
/// with Streebog-256 (as OpenSC's pkcs11-tool sends them); given, they decide.
#[test]
fn the_hash_parameters_tell_2001_from_2012_on_cryptopro_curves() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let cryptopro_a = vec![0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01];
    let gost94 = vec![0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x1E, 0x01];
    let streebog256 = vec![0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];
    for (params, hash, want) in [
        (cryptopro_a.clone(), None, gost94.clone()),
        (cryptopro_a.clone(), Some(gost94.clone()), gost94.clone()),
        (cryptopro_a, Some(streebog256.clone()), streebog256.clone()),
        (PARAMS_256_A.to_vec(), None, streebog256.clone()),
    ] {
        let mut attrs = vec![(CKA_GOSTR3410_PARAMS, params)];
        if let Some(h) = hash {
            attrs.push((CKA_GOSTR3411_PARAMS, h));
        }
        let (public, _) = m
            .generate_key_pair(
                s,
                CKM_GOSTR3410_KEY_PAIR_GEN,
                &t(&attrs),
                &Template::default(),
            )
            .unwrap();
        assert_eq!(
            m.attributes(s, public, &[CKA_GOSTR3411_PARAMS]).unwrap()[0],
            Ok(want)
        );
    }
    // GOST R 34.11-94 with a TC26 curve is no key the token makes.
    assert_eq!(
        m.generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &t(&[
                (CKA_GOSTR3410_PARAMS, PARAMS_256_A.to_vec()),
                (CKA_GOSTR3411_PARAMS, gost94),
            ]),
            &Template::default()
        )
        .unwrap_err()
        .rv(),
        CKR_TEMPLATE_INCONSISTENT
    );
}

/// `C_Logout` ends a running signature (the private key is no longer usable: after a new login
/// `C_Sign` is `CKR_OPERATION_NOT_INITIALIZED`); a verification, with the public key, goes on.
#[test]
fn a_logout_ends_a_signature_but_not_a_verification() {
    let (m, _) = module();
    let s = m.open_session(0, RW).unwrap();
    let v = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    let (public, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &Template::default(),
            &Template::default(),
        )
        .unwrap();
    let mech = CKM_GOSTR3410_WITH_GOSTR3411_12_256;
    m.sign_init(s, mech, &[], private).unwrap();
    let signature = m.sign(s, Some(b"document")).unwrap();
    m.sign_init(s, mech, &[], private).unwrap();
    m.verify_init(v, mech, &[], public).unwrap();
    m.logout(s).unwrap();
    m.login(s, CKU_USER, b"12345678").unwrap();
    assert_eq!(
        m.sign(s, Some(b"document")).unwrap_err().rv(),
        CKR_OPERATION_NOT_INITIALIZED
    );
    m.verify(v, Some(b"document"), &signature).unwrap();
}
