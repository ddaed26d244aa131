//! The token through the team's client crate (`rutoken-client`): the [`Device`] the module
//! uses for every real or emulated Rutoken. The objects are the client's PKCS#15 objects
//! (PrKDF, PuKDF, CDF under `3F00/5000`), the ones OpenSC lists too.

use gost::{KeyAlgorithm, KeySize, ParamSet, Signature};
use rutoken_client::layout;
use rutoken_client::layout::pkcs15;
use rutoken_client::{Client, ClientConfig, ClientError, Installed, PinRole, PinStatus, Transport};

use crate::device::{
    Certificate, DataObject, Device, DeviceError, Format, KeyPair, KeySpec, Listing, PairLabels,
    PinState, Role,
};
use crate::error::{ProfileWords, status_error};
use crate::vendor_key::VendorKeyFlags;

mod symmetric;
mod token_admin;

/// The DF of the PIN RSFs, below the MF (`docs/assumptions.md`: `3F00/1000/1000/6005/00rr`,
/// the PIN reference `rr`).
const PIN_DF: [u16; 3] = [0x1000, 0x1000, 0x6005];

/// A token behind a client-crate transport.
pub struct ClientDevice<T: Transport> {
    client: Client<T>,
    words: ProfileWords,
}

impl<T: Transport> ClientDevice<T> {
    /// Attaches to the token (power, SELECT MF) with the device profile's configuration.
    pub fn attach(
        transport: T,
        config: ClientConfig,
        words: ProfileWords,
    ) -> Result<Self, DeviceError> {
        let mut client = Client::new(transport, config);
        let words_copy = words;
        client.attach().map_err(|e| device_error(e, &words_copy))?;
        Ok(ClientDevice { client, words })
    }

    fn err(&self, e: ClientError) -> DeviceError {
        device_error(e, &self.words)
    }

    /// The algorithm of a listed key: its parameter set gives 2012 keys; a key whose
    /// attribute-85 code the profile names `gost2001-*` is a 2001 key.
    fn spec_of(&mut self, reference: u8, param: Option<ParamSet>) -> Option<KeySpec> {
        if let Some(param) = param {
            let algorithm = match param.size() {
                KeySize::Bits256 => KeyAlgorithm::Gost2012_256,
                KeySize::Bits512 => KeyAlgorithm::Gost2012_512,
            };
            return Some(KeySpec { algorithm, param });
        }
        let fcp = self
            .client
            .select_path(&layout::private_key_path(reference))
            .ok()??;
        let code = *fcp.proprietary.get(1)?;
        let name = self
            .client
            .config()
            .key_codes
            .iter()
            .find(|(_, c)| **c == code)
            .map(|(n, _)| n.clone())?;
        let set = name.strip_prefix("gost2001-")?;
        let param = ParamSet::from_name(&format!("cryptopro-{set}")).ok()?;
        Some(KeySpec {
            algorithm: KeyAlgorithm::Gost2001,
            param,
        })
    }
}

impl<T: Transport> ClientDevice<T> {
    /// The client's certificate installation, uninterrupted; the ID it filed the certificate
    /// under.
    fn install(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, ClientError> {
        match self
            .client
            .install_certificate(der, label, id, &mut |_, _| Ok(true))?
        {
            Installed::Listed { id } => Ok(id),
            Installed::Interrupted => Err(ClientError::NotFound {
                what: rutoken_client::Missing::InterruptedCertificate,
            }),
        }
    }
}

impl<T: Transport> ClientDevice<T> {
    /// Files a key pair the client just generated (under the SHA-1 of its public key) under the
    /// caller's `CKA_ID` instead: its PrKDF and PuKDF entries are written again with that iD,
    /// the rest as pkcs15-init writes them (the client's own entry encoders). A token without
    /// PKCS#15 directories has no entries to change.
    fn refile_key_pair(
        &mut self,
        kk: u8,
        old_id: &[u8],
        spec: KeySpec,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), ClientError> {
        let private_path = layout::private_key_path(kk);
        let private = self
            .client
            .remove_from_directory(pkcs15::ODF_PRIVATE_KEYS, &|e| {
                e.key_reference == Some(kk) || layout::path_from_bytes(&e.path) == private_path
            })?;
        if private.is_empty() {
            return Ok(());
        }
        let public = self
            .client
            .remove_from_directory(pkcs15::ODF_PUBLIC_KEYS, &|e| e.id == old_id)?;
        for entry in public {
            let encoded = pkcs15::public_key_entry(
                labels.public,
                id,
                &entry.path,
                spec.algorithm,
                spec.param,
            )
            .map_err(ClientError::Encoding)?;
            self.client
                .append_to_directory(pkcs15::ODF_PUBLIC_KEYS, &encoded)?;
        }
        let encoded = pkcs15::private_key_entry(
            labels.private,
            id,
            kk,
            &layout::absolute_path_bytes(&private_path),
            spec.algorithm,
            spec.param,
        )
        .map_err(ClientError::Encoding)?;
        self.client
            .append_to_directory(pkcs15::ODF_PRIVATE_KEYS, &encoded)
    }
}

/// The client's error as the module's (one place for the whole mapping; status words the
/// client does not type go through [`status_error`]).
pub fn device_error(e: ClientError, words: &ProfileWords) -> DeviceError {
    match e {
        ClientError::CardRemoved => DeviceError::Removed,
        ClientError::PinIncorrect { tries_left } => DeviceError::PinIncorrect { tries_left },
        ClientError::PinBlocked => DeviceError::PinLocked,
        ClientError::NotLoggedIn { .. } => DeviceError::NotLoggedIn,
        ClientError::RejectedOnDevice { .. } | ClientError::RefusedOnDevice { .. } => {
            DeviceError::Rejected
        }
        ClientError::TimedOutOnDevice { .. } => DeviceError::TimedOut,
        ClientError::UnexpectedStatus { operation, sw } => status_error(operation, sw.0, words),
        ClientError::NoFreeKeySlot { .. }
        | ClientError::NoFreeFile { .. }
        | ClientError::DirectoryFull { .. } => DeviceError::NoRoom,
        ClientError::NotFound { .. } => DeviceError::NotFound,
        ClientError::BadCertificate { .. } | ClientError::NotAnOid => DeviceError::BadObject,
        other => DeviceError::Failed(other.to_string()),
    }
}

/// SHA-1 of the subjectPublicKey bits of any X.509 certificate.
fn foreign_certificate_id(der: &[u8]) -> Result<Vec<u8>, DeviceError> {
    use der::Decode;
    use sha1::Digest;
    let cert = x509_cert::Certificate::from_der(der).map_err(|_| DeviceError::BadObject)?;
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
fn pin_text(pin: &[u8]) -> Result<&str, DeviceError> {
    std::str::from_utf8(pin).map_err(|_| DeviceError::PinLength)
}

/// The token's `r_le ‖ s_le` as PKCS#11's `s ‖ r` (big-endian, v2.40 §2.57.5).
fn pkcs11_signature(token: &[u8]) -> Result<Vec<u8>, DeviceError> {
    Signature::from_token_bytes(token)
        .map(|s| s.to_x509_bytes())
        .map_err(|e| DeviceError::Failed(format!("the token's signature: {e}")))
}

impl<T: Transport> Device for ClientDevice<T> {
    fn serial(&mut self) -> Result<Vec<u8>, DeviceError> {
        self.client.serial().map_err(|e| self.err(e))
    }

    fn listing(&mut self) -> Result<Listing, DeviceError> {
        let objects = self.client.objects().map_err(|e| self.err(e))?;
        let mut listing = Listing::default();
        for key in objects.keys {
            // A key with no PKCS#15 entry or public key is not a PKCS#11 object (a
            // half-created pair, or one the bank's plugin made without PKCS#15).
            let (Some(id), Some(public)) = (key.id, key.public_key) else {
                continue;
            };
            let Some(spec) = self.spec_of(key.reference, key.param_set) else {
                continue;
            };
            listing.keys.push(KeyPair {
                id,
                public_label: key
                    .public_label
                    .or_else(|| key.label.clone())
                    .unwrap_or_default(),
                label: key.label.unwrap_or_default(),
                reference: key.reference,
                spec,
                public,
                vendor: VendorKeyFlags::default(),
                vendor_object: None,
            });
        }
        listing.certificates = objects
            .certificates
            .into_iter()
            .map(|c| Certificate {
                id: c.id,
                label: c.label,
                der: c.der,
            })
            .collect();
        // A private object read without the user's login has no value: not listed (a
        // listing is re-read at login and logout).
        let data = self.client.data_objects().map_err(|e| self.err(e))?;
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

    fn login(&mut self, r: Role, pin: &[u8]) -> Result<(), DeviceError> {
        let pin = pin_text(pin)?;
        self.client
            .verify_pin(role(r), pin)
            .map_err(|e| self.err(e))
    }

    fn logout(&mut self) -> Result<(), DeviceError> {
        self.client.logout().map_err(|e| self.err(e))
    }

    fn pin_state(&mut self, r: Role) -> Result<PinState, DeviceError> {
        match self.client.pin_status(role(r)).map_err(|e| self.err(e))? {
            PinStatus::Verified => Ok(PinState {
                tries_left: None,
                blocked: false,
            }),
            PinStatus::TriesLeft(n) => Ok(PinState {
                tries_left: Some(n),
                blocked: n == 0,
            }),
            PinStatus::Blocked => Ok(PinState {
                tries_left: Some(0),
                blocked: true,
            }),
        }
    }

    fn max_tries(&mut self, r: Role) -> Result<Option<u8>, DeviceError> {
        let [a, b, c] = PIN_DF;
        let path = [a, b, c, u16::from(role(r).reference())];
        let fcp = self.client.select_path(&path).map_err(|e| self.err(e))?;
        // Attribute 85 of a PIN RSF: `01, minLen, 01, (max << 4 | left), 00, 00`
        // (rutoken-ecp-apdu.md §3, as OpenSC's pkcs15-rtecp.c writes it).
        Ok(fcp
            .and_then(|f| f.proprietary.get(3).map(|t| t >> 4))
            .filter(|max| *max > 0))
    }

    fn change_pin(&mut self, r: Role, old: &[u8], new: &[u8]) -> Result<(), DeviceError> {
        let (old, new) = (pin_text(old)?, pin_text(new)?);
        self.client
            .change_pin(role(r), old, new)
            .map_err(|e| self.err(e))
    }

    fn token_label(&mut self) -> Result<Option<String>, DeviceError> {
        self.read_label()
    }

    fn set_token_label(&mut self, label: &str) -> Result<(), DeviceError> {
        self.write_label(label)
    }

    fn min_pin_len(&mut self, r: Role) -> Result<Option<u8>, DeviceError> {
        self.pin_min_len(role(r))
    }

    fn unblock_user_pin(&mut self) -> Result<(), DeviceError> {
        self.client
            .reset_retry_counter(PinRole::User)
            .map_err(|e| self.err(e))
    }

    fn format(&mut self, format: &Format<'_>) -> Result<(), DeviceError> {
        self.run_format(format)
    }

    fn init_user_pin(&mut self, new: &[u8]) -> Result<(), DeviceError> {
        let new = pin_text(new)?;
        self.client
            .reset_retry_counter(PinRole::User)
            .map_err(|e| self.err(e))?;
        self.client
            .set_pin(PinRole::User, new)
            .map_err(|e| self.err(e))
    }

    fn generate_key_pair(
        &mut self,
        spec: KeySpec,
        labels: PairLabels<'_>,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, DeviceError> {
        let pair = self
            .client
            .generate_key_pair_of(spec.algorithm, spec.param, labels.private)
            .map_err(|e| self.err(e))?;
        // The client files both halves under the private label and the SHA-1 ID: filed again
        // when the caller gave its own ID or the public half another label.
        let id = id.unwrap_or(pair.id.as_slice()).to_vec();
        if id != pair.id || labels.public != labels.private {
            self.refile_key_pair(pair.reference, &pair.id, spec, labels, &id)
                .map_err(|e| self.err(e))?;
        }
        Ok(KeyPair {
            id,
            label: labels.private.to_owned(),
            public_label: labels.public.to_owned(),
            reference: pair.reference,
            spec,
            public: pair.public_key,
            vendor: VendorKeyFlags::default(),
            vendor_object: None,
        })
    }

    fn sign_digest(&mut self, key: &KeyPair, digest: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let raw = self
            .client
            .sign_digest(key.reference, digest)
            .map_err(|e| self.err(e))?;
        pkcs11_signature(&raw)
    }

    fn sign_document(&mut self, key: &KeyPair, data: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let raw = self
            .client
            .sign_document(key.reference, data)
            .map_err(|e| self.err(e))?;
        pkcs11_signature(&raw)
    }

    fn install_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Certificate, DeviceError> {
        // The caller's CKA_ID (PKCS#11 keeps it), else the client's own: the ID of its key
        // pair (SHA-1 of the public key).
        let id = match self.install(der, label, id) {
            Ok(id) => id,
            // A certificate of another algorithm (a CA's RSA certificate) with no CKA_ID: the
            // SHA-1 of its public key too (the RFC 5280 §4.2.1.2 key identifier, as OpenSC).
            Err(ClientError::BadCertificate { .. }) if id.is_none() => {
                let id = foreign_certificate_id(der)?;
                self.install(der, label, Some(&id))
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

    fn rename_key_pair(
        &mut self,
        key: &KeyPair,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), DeviceError> {
        self.refile_key_pair(key.reference, &key.id, key.spec, labels, id)
            .map_err(|e| self.err(e))
    }

    fn rename_certificate(
        &mut self,
        certificate: &Certificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DeviceError> {
        // The CDF entry of this certificate: its iD and label (the listing's identity).
        let removed = self
            .client
            .remove_from_directory(pkcs15::ODF_CERTIFICATES, &|e| {
                e.id == certificate.id && e.label == certificate.label
            })
            .map_err(|e| self.err(e))?;
        if removed.is_empty() {
            return Err(DeviceError::NotFound);
        }
        for entry in removed {
            let encoded = pkcs15::certificate_entry(label, id, &entry.path)
                .map_err(|e| self.err(ClientError::Encoding(e)))?;
            self.client
                .append_to_directory(pkcs15::ODF_CERTIFICATES, &encoded)
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), DeviceError> {
        let removed = self
            .client
            .remove_from_directory(pkcs15::ODF_DATA_OBJECTS, &|e| {
                e.tag == pkcs15::DATA_OBJECT_TAG && e.path == object.path
            })
            .map_err(|e| self.err(e))?;
        if removed.is_empty() {
            return Err(DeviceError::NotFound);
        }
        let oid = (!object.oid.is_empty()).then_some(object.oid.as_slice());
        let encoded = pkcs15::data_object_entry(
            label,
            &object.application,
            oid,
            &object.path,
            object.private,
        )
        .map_err(|e| self.err(ClientError::Encoding(e)))?;
        self.client
            .append_to_directory(pkcs15::ODF_DATA_OBJECTS, &encoded)
            .map_err(|e| self.err(e))
    }

    fn delete_certificate(&mut self, certificate: &Certificate) -> Result<(), DeviceError> {
        self.client
            .delete_certificate(&certificate.id)
            .map_err(|e| self.err(e))
    }

    fn delete_key_pair(&mut self, key: &KeyPair) -> Result<(), DeviceError> {
        self.client
            .delete_key_pair(key.reference)
            .map_err(|e| self.err(e))
    }

    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DeviceError> {
        let oid = (!object.oid.is_empty()).then_some(object.oid.as_slice());
        let stored = self
            .client
            .create_data_object(
                &object.label,
                &object.application,
                oid,
                &object.value,
                object.private,
            )
            .map_err(|e| self.err(e))?;
        Ok(DataObject {
            path: stored.path,
            ..object.clone()
        })
    }

    fn symmetric(&mut self) -> Option<&mut dyn crate::symmetric::SymmetricDevice> {
        Some(self)
    }

    fn delete_data_object(&mut self, object: &DataObject) -> Result<(), DeviceError> {
        self.client
            .delete_data_object(&object.path)
            .map_err(|e| self.err(e))
    }
}

/// Connects to the token in a PC/SC reader.
#[cfg(feature = "pcsc")]
pub fn open_pcsc(
    reader: &str,
    settings: &crate::settings::Settings,
) -> Result<Box<dyn Device>, DeviceError> {
    let words = settings.words;
    let transport = rutoken_client::transport::pcsc::PcscTransport::open(reader)
        .map_err(|e| device_error(ClientError::from(e), &words))?;
    Ok(Box::new(ClientDevice::attach(
        transport,
        settings.config.clone(),
        words,
    )?))
}
