//! [`Device`]'s calls in the plugin's terms, each through the driver seam: keys found by their
//! ID, signatures in X.509 order (`s ‖ r`, big-endian), work under the administrator's PIN,
//! data objects as the plugin's binary files.

use gost::{KeyAlgorithm, ParamSet};
use rutoken_client::driver::{DataObject, Format, KeySpec, PowerEvent, TokenKey};
use rutoken_client::{Driver, DriverError, Missing, PinRole};

use crate::device::{Certificate, DataFile, Device, KeyPair, Pin, PinState};

/// An object of this kind is not on the token.
fn missing(what: Missing) -> DriverError {
    DriverError::Missing { what }
}

fn key_pair(
    id: Vec<u8>,
    label: String,
    param_set: ParamSet,
    public_le: &[u8],
) -> Result<KeyPair, DriverError> {
    let algorithm = KeyAlgorithm::gost2012_for(param_set);
    let vk = gost::VerifyingKey::from_le_bytes(param_set, public_le).map_err(|e| {
        DriverError::Failed {
            reason: format!("the token's public key: {e}"),
        }
    })?;
    let spki_der = gost::spki::to_spki_der(&vk, algorithm);
    Ok(KeyPair {
        id,
        label,
        algorithm,
        param_set,
        spki_der,
    })
}

impl Device {
    /// A token behind `driver`, in the reader `reader`; `safetouch`: it can show documents;
    /// `max_tries`: the user PIN's tries after a reset.
    pub fn new(
        driver: Box<dyn Driver + Send>,
        reader: &str,
        safetouch: bool,
        max_tries: u8,
    ) -> Self {
        Device {
            driver,
            reader: reader.to_owned(),
            safetouch,
            max_tries,
        }
    }

    /// The listed key pair with this ID.
    fn key(&mut self, id: &[u8]) -> Result<TokenKey, DriverError> {
        self.driver
            .objects()?
            .keys
            .into_iter()
            .find(|k| k.id.as_deref() == Some(id))
            .ok_or(missing(Missing::PrivateKey))
    }

    /// Runs `op` under the administrator's PIN: the user's login is dropped first (the token
    /// allows one role at a time) and the administrator's after.
    fn as_admin(
        &mut self,
        admin_pin: &str,
        op: impl FnOnce(&mut dyn Driver) -> Result<(), DriverError>,
    ) -> Result<(), DriverError> {
        self.driver.logout()?;
        self.driver.verify_pin(PinRole::Admin, admin_pin)?;
        let result = op(self.driver.as_mut());
        let _ = self.driver.logout();
        result
    }

    /// Powers the token off and on (it was pulled and inserted): no access rights after. A
    /// failed reset shows on the next command as the card's absence.
    pub fn power_cycle(&mut self) {
        let _ = self.driver.power(PowerEvent::PowerCycle);
    }
    /// The token serial (`GET DATA 01 81`).
    pub fn serial(&mut self) -> Result<Vec<u8>, DriverError> {
        self.driver
            .serial()?
            .bytes
            .ok_or_else(|| DriverError::Failed {
                reason: "the token tells no serial number".into(),
            })
    }
    /// Whether the token sits in a SafeTouch (it can show documents).
    pub fn has_safetouch(&self) -> bool {
        self.safetouch
    }
    /// The reader's name.
    pub fn reader(&self) -> String {
        self.reader.clone()
    }
    /// VERIFY the user PIN.
    pub fn login(&mut self, pin: &str) -> Result<(), DriverError> {
        self.driver.verify_pin(PinRole::User, pin)
    }
    /// Drops the access rights.
    pub fn logout(&mut self) -> Result<(), DriverError> {
        self.driver.logout()
    }
    /// The user PIN's tries left.
    pub fn pin_state(&mut self) -> Result<PinState, DriverError> {
        let counter = self.driver.pin_counter(PinRole::User)?;
        Ok(PinState {
            retries_left: counter.tries_left(),
            locked: counter.blocked(),
        })
    }
    /// Key pairs on the token (a key with no PKCS#15 entry or public key is not listed,
    /// as the plugin does not list it either).
    pub fn keys(&mut self) -> Result<Vec<KeyPair>, DriverError> {
        let objects = self.driver.objects()?;
        objects
            .keys
            .into_iter()
            .filter_map(|k| match (k.id, k.param_set, k.public_key) {
                (Some(id), Some(ps), Some(public)) => {
                    Some(key_pair(id, k.label.unwrap_or_default(), ps, &public))
                }
                _ => None,
            })
            .collect()
    }
    /// Certificates on the token.
    pub fn certificates(&mut self) -> Result<Vec<Certificate>, DriverError> {
        Ok(self.driver.objects()?.certificates)
    }
    /// Generates a key pair under `id` (or the ID OpenSC would give it); returns it.
    pub fn generate_key_pair(
        &mut self,
        algorithm: KeyAlgorithm,
        param_set: ParamSet,
        label: &str,
        id: Option<&[u8]>,
        exchange: bool,
    ) -> Result<KeyPair, DriverError> {
        if KeyAlgorithm::gost2012_for(param_set) != algorithm {
            return Err(DriverError::CannotExpress {
                what: format!("parameter set {} with {algorithm:?}", param_set.name()),
            });
        }
        let key = self.driver.generate_key(KeySpec {
            algorithm,
            param_set,
            label,
            exchange,
        })?;
        let (Some(own_id), Some(public)) = (key.id.clone(), key.public_key.clone()) else {
            return Err(DriverError::Failed {
                reason: "the token did not tell the new key's ID and public key".into(),
            });
        };
        let id = match id {
            Some(id) if id != own_id.as_slice() => {
                self.driver.rename_key(&key, label, id)?;
                id.to_vec()
            }
            _ => own_id,
        };
        key_pair(id, label.to_owned(), param_set, &public)
    }
    /// True when the key pair with this ID was made for key agreement too; a token that cannot
    /// tell (no such mark on it) answers false, a signing key.
    pub fn key_exchange(&mut self, id: &[u8]) -> Result<bool, DriverError> {
        let key = self.key(id)?;
        match self.driver.key_exchange(&key) {
            Err(DriverError::CannotExpress { .. }) => Ok(false),
            other => other,
        }
    }
    /// Renames a key pair (its PrKDF and PuKDF entries).
    pub fn set_key_label(&mut self, id: &[u8], label: &str) -> Result<(), DriverError> {
        let key = self.key(id)?;
        self.driver.rename_key(&key, label, id)
    }
    /// Renames the certificate with this DER (its CDF entry).
    pub fn set_certificate_label(&mut self, der: &[u8], label: &str) -> Result<(), DriverError> {
        let listed: Certificate = self
            .driver
            .objects()?
            .certificates
            .into_iter()
            .find(|c| c.der == der)
            .ok_or(missing(Missing::Certificate))?;
        let id = listed.id.clone();
        self.driver.rename_certificate(&listed, label, &id)
    }
    /// Sets the user PIN to `new`; `old` is the PIN of `by` (the user's own, or the
    /// administrator's setting it).
    pub fn change_pin(&mut self, by: Pin, old: &str, new: &str) -> Result<(), DriverError> {
        match by {
            Pin::User => self.driver.change_pin(PinRole::User, old, new),
            Pin::Admin => self.as_admin(old, |d| {
                d.reset_retry_counter(PinRole::User)?;
                d.set_pin(PinRole::User, new)
            }),
        }
    }
    /// Unblocks the user PIN with the administrator's PIN (tries back to the maximum).
    pub fn unblock_user_pin(&mut self, admin_pin: &str) -> Result<(), DriverError> {
        self.as_admin(admin_pin, |d| d.reset_retry_counter(PinRole::User))
    }
    /// Formats the token: with the administrator's PIN, deletes every key pair, certificate and
    /// data object, sets the user PIN to `new_user_pin` (tries back to the maximum) and, when
    /// given, the token's label (the PKCS#15 TokenInfo's).
    pub fn format(
        &mut self,
        admin_pin: &str,
        new_user_pin: &str,
        label: Option<&str>,
    ) -> Result<(), DriverError> {
        self.driver.format(&Format {
            admin: admin_pin,
            new_admin: None,
            user: new_user_pin,
            label,
        })
    }
    /// The token's label (the PKCS#15 TokenInfo's), when it has one.
    pub fn token_label(&mut self) -> Result<Option<String>, DriverError> {
        self.driver.token_label()
    }
    /// The data objects.
    pub fn data_files(&mut self) -> Result<Vec<DataFile>, DriverError> {
        Ok(self
            .driver
            .data_objects()?
            .into_iter()
            .map(|d| DataFile {
                application: d.application,
                label: d.label,
                private: d.private,
                value: d.value,
            })
            .collect())
    }
    /// Stores a data object.
    pub fn create_data_file(&mut self, file: &DataFile) -> Result<(), DriverError> {
        self.driver
            .create_data_object(&DataObject {
                label: file.label.clone(),
                application: file.application.clone(),
                oid: None,
                private: file.private,
                path: Vec::new(),
                value: Some(file.value.clone().unwrap_or_default()),
            })
            .map(|_| ())
    }
    /// Deletes the data object of this application and label.
    pub fn delete_data_file(&mut self, application: &str, label: &str) -> Result<(), DriverError> {
        let path = self
            .driver
            .data_objects()?
            .into_iter()
            .find(|d| d.application == application && d.label == label)
            .map(|d| d.path)
            .ok_or(missing(Missing::DataObject))?;
        self.driver.delete_data_object(&path)
    }
    /// Bytes left for files on the token.
    pub fn free_memory(&mut self) -> Result<u32, DriverError> {
        self.driver.free_memory()
    }
    /// The user PIN's tries after a reset (the token's maximum).
    pub fn max_pin_tries(&self) -> u8 {
        self.max_tries
    }
    /// Signs `data` hashed on the token (the SafeTouch sees it); the signature as in X.509.
    pub fn sign_on_token(&mut self, key_id: &[u8], data: &[u8]) -> Result<Vec<u8>, DriverError> {
        let key = self.key(key_id)?;
        let signature = self.driver.sign_document(&key, data, None)?;
        Ok(signature.to_x509_bytes())
    }
    /// Signs a digest computed by the host; X.509 order.
    pub fn sign_digest(&mut self, key_id: &[u8], digest: &[u8]) -> Result<Vec<u8>, DriverError> {
        let key = self.key(key_id)?;
        let signature = self.driver.sign_digest(&key, digest, None)?;
        Ok(signature.to_x509_bytes())
    }
    /// Writes a certificate (DER) with a label under `id`, or the ID of its key pair.
    pub fn import_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DriverError> {
        self.driver.install_certificate_as(der, label, id)
    }
    /// Deletes the certificate with this ID.
    pub fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
        self.driver.delete_certificate(id)
    }
    /// Deletes the key pair with this ID.
    pub fn delete_key_pair(&mut self, id: &[u8]) -> Result<(), DriverError> {
        let key = self.key(id)?;
        self.driver.delete_key(&key)
    }
    /// Opens a CMS key transport with key pair `key_id` and decrypts the content with the key
    /// it carries (`crate::envelope`); a token without GOST 28147-89 answers `Unsupported`.
    pub fn open_key_transport(
        &mut self,
        key_id: &[u8],
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DriverError> {
        let key = self.key(key_id)?;
        self.driver
            .open_key_transport(&key, transport, content, ciphertext)
    }

    /// VKO (2012-256, RFC 7836 §4.3.1) of key pair `key_id` with the peer's public key
    /// (`LE(x) ‖ LE(y)`) and `ukm`: the 32-byte key, returned by the token (`derive`).
    pub fn derive_key(
        &mut self,
        key_id: &[u8],
        peer: &[u8],
        ukm: &[u8],
    ) -> Result<zeroize::Zeroizing<[u8; 32]>, DriverError> {
        let key = self.key(key_id)?;
        self.driver
            .derive_vko_value(&key, gost::Vko::Gost2012_256, peer, ukm)
    }
}
