//! The module's calls on a token through the client crate's one seam
//! ([`rutoken_client::Driver`]): PKCS#11's byte PINs and object records in, the driver's
//! answers out as the module's objects, its errors as [`Error`] (read with the device
//! profile's status words) and its signatures in PKCS#11's `s ‖ r` order. The objects are the
//! client's PKCS#15 objects (PrKDF, PuKDF, CDF, DODF under `3F00/5000`), the ones OpenSC lists.

use rutoken_client::driver::{ApduDriver, DataObject as TokenData, Reader};
use rutoken_client::driver::{KeySpec as DriverKeySpec, PairLabels, TokenKey};
use rutoken_client::{Client, ClientConfig, Driver, DriverError, PinRole, Transport};

use cryptoki_sys::CKR_PIN_LEN_RANGE;

use crate::device::{
    Certificate, DataObject, Device, Format, KeyPair, KeySpec, Listing, PinState, Role,
};
use crate::error::{Error, ProfileWords, with_profile_words};
use crate::vendor_key::VendorKeyFlags;

impl Device {
    /// A token behind a driver; `words` read its refusals.
    pub fn new(driver: Box<dyn Driver + Send>, words: ProfileWords) -> Self {
        Device {
            driver,
            words,
            name: None,
        }
    }

    /// Attaches to the token (power, SELECT MF) over the client's APDUs with the device
    /// profile's configuration.
    pub fn attach<T: Transport + Reader + Send + 'static>(
        transport: T,
        config: ClientConfig,
        words: ProfileWords,
    ) -> Result<Self, Error> {
        let mut driver = ApduDriver::new(Client::new(transport, config));
        driver
            .atr()
            .map_err(|e| Error::Device(with_profile_words(e, &words)))?;
        Ok(Device::new(Box::new(driver), words))
    }

    /// A driver error read with the device profile's status words.
    pub(crate) fn err(&self, e: DriverError) -> Error {
        Error::Device(with_profile_words(e, &self.words))
    }

    /// The token's GOST 28147-89 and VKO calls (`crate::symmetric`), when it does them; their
    /// errors need no profile words (no SafeTouch, no PIN in them).
    pub fn symmetric(&mut self) -> Option<&mut (dyn Driver + Send)> {
        if self.driver.has_symmetric() {
            Some(self.driver.as_mut())
        } else {
            None
        }
    }

    /// The token serial (8 bytes on a Rutoken ECP).
    pub fn serial(&mut self) -> Result<Vec<u8>, Error> {
        let serial = self.driver.serial().map_err(|e| self.err(e))?;
        serial
            .bytes
            .ok_or_else(|| failed("the token tells no serial number"))
    }

    /// The PKCS#15 objects. A key with no PKCS#15 entry, public key or known algorithm is not
    /// a PKCS#11 object (a half-created pair, or one the bank's plugin made without PKCS#15);
    /// a private data object read without the user's login has no value and is not listed (a
    /// listing is re-read at login and logout).
    pub fn listing(&mut self) -> Result<Listing, Error> {
        let objects = self.driver.objects().map_err(|e| self.err(e))?;
        let mut listing = Listing::default();
        for key in objects.keys {
            let (Some(id), Some(public), Some(reference)) =
                (key.id.clone(), key.public_key.clone(), key.reference)
            else {
                continue;
            };
            // A key whose algorithm cannot be told is skipped, as one that does not parse.
            let Some((algorithm, param)) = self.driver.key_spec(&key).ok().flatten() else {
                continue;
            };
            listing.keys.push(KeyPair {
                id,
                public_label: key
                    .public_label
                    .or_else(|| key.label.clone())
                    .unwrap_or_default(),
                label: key.label.unwrap_or_default(),
                reference,
                spec: KeySpec { algorithm, param },
                public,
                vendor: VendorKeyFlags::default(),
                vendor_object: None,
            });
        }
        listing.certificates = objects.certificates;
        let data = self.driver.data_objects().map_err(|e| self.err(e))?;
        listing.data = data
            .into_iter()
            .filter_map(|d| {
                Some(DataObject {
                    value: d.value?,
                    label: d.label,
                    application: d.application,
                    oid: d.oid.unwrap_or_default(),
                    private: d.private,
                    path: d.path,
                })
            })
            .collect();
        Ok(listing)
    }

    /// VERIFY.
    pub fn login(&mut self, r: Role, pin: &[u8]) -> Result<(), Error> {
        let pin = pin_text(pin)?;
        self.driver
            .verify_pin(role(r), pin)
            .map_err(|e| self.err(e))
    }

    /// Resets the access rights.
    pub fn logout(&mut self) -> Result<(), Error> {
        self.driver.logout().map_err(|e| self.err(e))
    }

    /// A PIN's counter.
    pub fn pin_state(&mut self, r: Role) -> Result<PinState, Error> {
        let counter = self.driver.pin_counter(role(r)).map_err(|e| self.err(e))?;
        Ok(PinState {
            tries_left: counter.tries_left(),
            blocked: counter.blocked(),
        })
    }

    /// The most tries a PIN has (what its counter is reset to), when the token tells it.
    pub fn max_tries(&mut self, r: Role) -> Result<Option<u8>, Error> {
        self.driver.max_tries(role(r)).map_err(|e| self.err(e))
    }

    /// CHANGE REFERENCE DATA of the role logged in.
    pub fn change_pin(&mut self, r: Role, old: &[u8], new: &[u8]) -> Result<(), Error> {
        let (old, new) = (pin_text(old)?, pin_text(new)?);
        self.driver
            .change_pin(role(r), old, new)
            .map_err(|e| self.err(e))
    }

    /// Unblocks and sets the user PIN (the SO logged in).
    pub fn init_user_pin(&mut self, new: &[u8]) -> Result<(), Error> {
        let new = pin_text(new)?;
        self.driver
            .reset_retry_counter(PinRole::User)
            .map_err(|e| self.err(e))?;
        self.driver
            .set_pin(PinRole::User, new)
            .map_err(|e| self.err(e))
    }

    /// RESET RETRY COUNTER of the user PIN, its value kept (the SO logged in).
    pub fn unblock_user_pin(&mut self) -> Result<(), Error> {
        self.driver
            .reset_retry_counter(PinRole::User)
            .map_err(|e| self.err(e))
    }

    /// The token's label (the PKCS#15 TokenInfo's), when it has one.
    pub fn token_label(&mut self) -> Result<Option<String>, Error> {
        if let Some(name) = &self.name {
            return Ok(name.clone());
        }
        let name = self.driver.token_label().map_err(|e| self.err(e))?;
        self.name = Some(name.clone());
        Ok(name)
    }

    /// Writes the token's label (the user logged in).
    pub fn set_token_label(&mut self, label: &str) -> Result<(), Error> {
        // Whatever the outcome, the name is read again next time.
        self.name = None;
        self.driver.set_token_label(label).map_err(|e| self.err(e))
    }

    /// The shortest PIN the token takes for `role`, when it tells.
    pub fn min_pin_len(&mut self, r: Role) -> Result<Option<u8>, Error> {
        self.driver.min_pin_len(role(r)).map_err(|e| self.err(e))
    }

    /// Formats the token under the administrator's PIN (the client seam's
    /// [`rutoken_client::driver::Format`]). Ends logged out.
    pub fn format(&mut self, format: &Format<'_>) -> Result<(), Error> {
        let format = rutoken_client::driver::Format {
            admin: pin_text(format.admin)?,
            new_admin: format.new_admin.map(pin_text).transpose()?,
            user: pin_text(format.user)?,
            label: format.label,
        };
        self.name = None;
        self.driver.format(&format).map_err(|e| self.err(e))
    }

    /// Generates a key pair on the token and files it in PKCS#15 (ID = SHA-1 of the public key
    /// unless `id` is given: then its entries are written again under that ID).
    pub fn generate_key_pair(
        &mut self,
        spec: KeySpec,
        labels: PairLabels<'_>,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, Error> {
        let key = self
            .driver
            .generate_key(DriverKeySpec {
                algorithm: spec.algorithm,
                param_set: spec.param,
                label: labels.private,
                // CKA_DERIVE in the template is not asked of the token (every GOST key on it
                // does VKO); the PrKDF usage stays `sign`.
                exchange: false,
            })
            .map_err(|e| self.err(e))?;
        let (Some(reference), Some(own_id), Some(public)) =
            (key.reference, key.id.clone(), key.public_key.clone())
        else {
            return Err(failed(
                "the token did not tell the new key's reference, ID and public key",
            ));
        };
        // The driver files both halves under the private label and the SHA-1 ID: filed again
        // when the caller gave its own ID or the public half another label.
        let id = id.unwrap_or(own_id.as_slice()).to_vec();
        if id != own_id || labels.public != labels.private {
            self.driver
                .rename_key_halves(&key, labels, &id)
                .map_err(|e| self.err(e))?;
        }
        Ok(KeyPair {
            id,
            label: labels.private.to_owned(),
            public_label: labels.public.to_owned(),
            reference,
            spec,
            public,
            vendor: VendorKeyFlags::default(),
            vendor_object: None,
        })
    }

    /// Signs a host digest (wire order); returns `s ‖ r` big-endian (PKCS#11 v2.40 §2.57.5).
    pub fn sign_digest(&mut self, key: &KeyPair, digest: &[u8]) -> Result<Vec<u8>, Error> {
        let signature = self
            .driver
            .sign_digest(&token_key(key), digest, None)
            .map_err(|e| self.err(e))?;
        Ok(signature.to_x509_bytes())
    }

    /// Hashes `data` on the token and signs it (the SafeTouch shows it); returns `s ‖ r`.
    pub fn sign_document(&mut self, key: &KeyPair, data: &[u8]) -> Result<Vec<u8>, Error> {
        let signature = self
            .driver
            .sign_document(&token_key(key), data, None)
            .map_err(|e| self.err(e))?;
        Ok(signature.to_x509_bytes())
    }

    /// Writes a certificate and its CDF entry: under the caller's `CKA_ID` (PKCS#11 keeps
    /// it), else the ID of its key pair (SHA-1 of the public key).
    pub fn install_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Certificate, Error> {
        let id = match self.driver.install_certificate_as(der, label, id) {
            Ok(id) => id,
            // A certificate of another algorithm (a CA's RSA certificate) with no CKA_ID: the
            // SHA-1 of its public key too (the RFC 5280 §4.2.1.2 key identifier, as OpenSC).
            Err(DriverError::BadObject { .. }) if id.is_none() => {
                let id = foreign_certificate_id(der)?;
                self.driver
                    .install_certificate_as(der, label, Some(&id))
                    .map_err(|e| self.err(e))?
            }
            Err(e) => return Err(self.err(e)),
        };
        Ok(Certificate {
            id,
            label: label.to_owned(),
            der: der.to_vec(),
        })
    }

    /// Gives a key pair (both PKCS#15 entries) a new label and ID.
    pub fn rename_key_pair(
        &mut self,
        key: &KeyPair,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), Error> {
        self.driver
            .rename_key_halves(&token_key(key), labels, id)
            .map_err(|e| self.err(e))
    }

    /// Gives a certificate (its CDF entry) a new label and ID.
    pub fn rename_certificate(
        &mut self,
        certificate: &Certificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), Error> {
        self.driver
            .rename_certificate(certificate, label, id)
            .map_err(|e| self.err(e))
    }

    /// Gives a data object (its DODF entry) a new label.
    pub fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), Error> {
        self.driver
            .rename_data_object(&token_data(object), label)
            .map_err(|e| self.err(e))
    }

    /// Deletes a certificate.
    pub fn delete_certificate(&mut self, certificate: &Certificate) -> Result<(), Error> {
        self.driver
            .delete_certificate(&certificate.id)
            .map_err(|e| self.err(e))
    }

    /// Deletes a key pair (both RSFs and their directory entries).
    pub fn delete_key_pair(&mut self, key: &KeyPair) -> Result<(), Error> {
        self.driver
            .delete_key(&token_key(key))
            .map_err(|e| self.err(e))
    }

    /// Stores a data object (`object.path` is ignored); returns it as stored.
    pub fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, Error> {
        let stored = self
            .driver
            .create_data_object(&token_data(object))
            .map_err(|e| self.err(e))?;
        Ok(DataObject {
            path: stored.path,
            ..object.clone()
        })
    }

    /// Deletes a data object.
    pub fn delete_data_object(&mut self, object: &DataObject) -> Result<(), Error> {
        self.driver
            .delete_data_object(&object.path)
            .map_err(|e| self.err(e))
    }
}

/// The seam's record of a key pair the module lists.
fn token_key(key: &KeyPair) -> TokenKey {
    TokenKey {
        reference: Some(key.reference),
        id: Some(key.id.clone()),
        label: Some(key.label.clone()),
        public_label: Some(key.public_label.clone()),
        algorithm: Some(key.spec.algorithm),
        param_set: Some(key.spec.param),
        public_key: Some(key.public.clone()),
    }
}

/// The seam's record of a data object (an empty `CKA_OBJECT_ID` is none).
fn token_data(object: &DataObject) -> TokenData {
    TokenData {
        label: object.label.clone(),
        application: object.application.clone(),
        oid: (!object.oid.is_empty()).then(|| object.oid.clone()),
        private: object.private,
        path: object.path.clone(),
        value: Some(object.value.clone()),
    }
}

/// SHA-1 of the subjectPublicKey bits of any X.509 certificate.
fn foreign_certificate_id(der: &[u8]) -> Result<Vec<u8>, Error> {
    use der::Decode;
    use sha1::Digest;
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| DriverError::BadObject {
        reason: format!("the certificate: {e}"),
    })?;
    let bits = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    Ok(sha1::Sha1::digest(bits).to_vec())
}

fn role(role: Role) -> PinRole {
    match role {
        Role::User => PinRole::User,
        Role::SecurityOfficer => PinRole::Admin,
    }
}

/// A PIN as the client takes it (the token's PINs are text).
fn pin_text(pin: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(pin).map_err(|_| Error::Rv(CKR_PIN_LEN_RANGE))
}

/// An answer the module cannot use.
fn failed(reason: &str) -> Error {
    Error::Device(DriverError::Failed {
        reason: reason.to_owned(),
    })
}

/// Connects to the token in a PC/SC reader.
#[cfg(feature = "pcsc")]
pub fn open_pcsc(reader: &str, settings: &crate::settings::Settings) -> Result<Device, Error> {
    let words = settings.words;
    let transport = rutoken_client::transport::pcsc::PcscTransport::open(reader)
        .map_err(|e| Error::Device(e.into()))?;
    Device::attach(transport, settings.config.clone(), words)
}
