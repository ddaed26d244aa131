//! The ways to reach a token: the in-process emulator inside its SafeTouch (the default), or a
//! reader on PC/SC (`pcsc` feature). Both go through the team's client crate
//! (`rutoken-client`): every APDU the bridge causes is one the bank client would send.

use gost::{KeyAlgorithm, ParamSet, Signature};
use rutoken_client as client;
use rutoken_client::{Client, ClientConfig, ClientError, Installed, PinRole, PinStatus, Transport};
use rutoken_device::DeviceProfile;

use crate::BridgeError;

mod edit;
#[cfg(feature = "emulator")]
mod emulator;
mod envelope;
use crate::device::{Certificate, DataFile, Device, DeviceError, KeyPair, Missing, Pin, PinState};
use crate::server;

/// Where the token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// An in-memory emulator from a fixture.
    #[cfg(feature = "emulator")]
    Fixture(rutoken_sim::token::Fixture),
    /// The emulator on a token image (changes are saved).
    #[cfg(feature = "emulator")]
    Image(std::path::PathBuf),
    /// A token behind PC/SC, in the reader of this name.
    Reader(String),
}

/// Opens the token: an emulator in its SafeTouch (panel buttons), or a PC/SC reader.
pub fn open(
    source: &TokenSource,
    seed: u64,
    profile: &DeviceProfile,
) -> Result<server::Token, BridgeError> {
    let config = ClientConfig::from_profile(profile);
    match source {
        #[cfg(feature = "emulator")]
        TokenSource::Fixture(_) | TokenSource::Image(_) => {
            emulator::open(source, seed, profile, config)
        }
        TokenSource::Reader(name) => {
            let _ = seed;
            open_reader(name, config)
        }
    }
}

#[cfg(feature = "pcsc")]
fn open_reader(name: &str, config: ClientConfig) -> Result<server::Token, BridgeError> {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use crate::slot::Slot;

    // The factory user PIN's tries (the device profile's default): a real token's counter
    // after a successful VERIFY.
    let transport = rutoken_client::transport::pcsc::PcscTransport::open(name)
        .map_err(|e| BridgeError::Token(e.to_string()))?;
    let device = ClientDevice {
        client: Client::new(transport, config),
        reader: name.to_owned(),
        max_tries: 10,
        free_memory: Box::new(|_: &mut rutoken_client::transport::pcsc::PcscTransport| None),
        // A sim behind vpcd runs its own SafeTouch; a real one is a CCID reader we cannot tell
        // apart: assume one, as the bank's setup has.
        safetouch: true,
        // A failed reset shows on the next command as the card's absence.
        power_cycle: Box::new(|t: &mut rutoken_client::transport::pcsc::PcscTransport| {
            let _ = t.power_cycle();
        }),
    };
    Ok(server::Token {
        slot: Slot::new(Box::new(device), Arc::new(AtomicBool::new(true)), None),
        monitor: None,
        panel: None,
    })
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(_name: &str, _config: ClientConfig) -> Result<server::Token, BridgeError> {
    Err(BridgeError::Token(
        "--reader needs rutoken-lab built with the `pcsc` feature".to_owned(),
    ))
}

/// A [`Device`] over the client crate.
pub struct ClientDevice<T: Transport> {
    client: Client<T>,
    reader: String,
    safetouch: bool,
    max_tries: u8,
    power_cycle: Box<dyn FnMut(&mut T) + Send>,
    free_memory: FreeMemory<T>,
}

/// How a [`ClientDevice`] learns the token's free memory (`None`: it cannot).
type FreeMemory<T> = Box<dyn FnMut(&mut T) -> Option<u32> + Send>;

pub(crate) fn device_error(e: ClientError) -> DeviceError {
    match e {
        ClientError::PinIncorrect { tries_left } => DeviceError::PinIncorrect { tries_left },
        ClientError::PinBlocked => DeviceError::PinLocked,
        ClientError::NotLoggedIn { .. } => DeviceError::NotLoggedIn,
        ClientError::RejectedOnDevice { .. } | ClientError::RefusedOnDevice { .. } => {
            DeviceError::Rejected
        }
        ClientError::TimedOutOnDevice { .. } => DeviceError::TimedOut,
        ClientError::CardRemoved => DeviceError::Removed,
        ClientError::NotFound { what } => DeviceError::NotFound(match what {
            client::Missing::PrivateKey => Missing::KeyPair,
            client::Missing::DataObject => Missing::DataObject,
            // The rest are reported as a missing certificate, as before this was typed: the
            // directory files and the application are where certificates are looked up.
            client::Missing::Certificate
            | client::Missing::CertificateFile
            | client::Missing::InterruptedCertificate
            | client::Missing::DirectoryFile
            | client::Missing::Pkcs15Application => Missing::Certificate,
        }),
        other => DeviceError::Failed(other.to_string()),
    }
}

fn x509_signature(token_order: &[u8]) -> Result<Vec<u8>, DeviceError> {
    Signature::from_token_bytes(token_order)
        .map(|s| s.to_x509_bytes())
        .map_err(|e| DeviceError::Failed(format!("the token's signature: {e}")))
}

fn key_pair(
    id: Vec<u8>,
    label: String,
    param_set: ParamSet,
    public_le: &[u8],
) -> Result<KeyPair, DeviceError> {
    let algorithm = KeyAlgorithm::gost2012_for(param_set);
    let vk = gost::VerifyingKey::from_le_bytes(param_set, public_le)
        .map_err(|e| DeviceError::Failed(format!("the token's public key: {e}")))?;
    let spki_der = gost::spki::to_spki_der(&vk, algorithm);
    Ok(KeyPair {
        id,
        label,
        algorithm,
        param_set,
        spki_der,
    })
}

impl<T: Transport> ClientDevice<T> {
    /// The key reference (`kk`) of the key pair with this ID.
    fn reference(&mut self, id: &[u8]) -> Result<u8, DeviceError> {
        self.client
            .objects()
            .map_err(device_error)?
            .keys
            .into_iter()
            .find(|k| k.id.as_deref() == Some(id))
            .map(|k| k.reference)
            .ok_or(DeviceError::NotFound(Missing::KeyPair))
    }
}

impl<T: Transport> Device for ClientDevice<T> {
    fn power_cycle(&mut self) {
        (self.power_cycle)(self.client.transport());
    }
    fn serial(&mut self) -> Result<Vec<u8>, DeviceError> {
        self.client.serial().map_err(device_error)
    }
    fn has_safetouch(&self) -> bool {
        self.safetouch
    }
    fn reader(&self) -> String {
        self.reader.clone()
    }
    fn login(&mut self, pin: &str) -> Result<(), DeviceError> {
        self.client
            .verify_pin(PinRole::User, pin)
            .map_err(device_error)
    }
    fn logout(&mut self) -> Result<(), DeviceError> {
        self.client.logout().map_err(device_error)
    }
    fn pin_state(&mut self) -> Result<PinState, DeviceError> {
        Ok(
            match self
                .client
                .pin_status(PinRole::User)
                .map_err(device_error)?
            {
                PinStatus::Verified => PinState {
                    retries_left: None,
                    locked: false,
                },
                PinStatus::TriesLeft(n) => PinState {
                    retries_left: Some(n),
                    locked: n == 0,
                },
                PinStatus::Blocked => PinState {
                    retries_left: Some(0),
                    locked: true,
                },
            },
        )
    }
    fn keys(&mut self) -> Result<Vec<KeyPair>, DeviceError> {
        let objects = self.client.objects().map_err(device_error)?;
        objects
            .keys
            .into_iter()
            .filter_map(|k| match (k.id, k.param_set, k.public_key) {
                (Some(id), Some(ps), Some(public)) => {
                    Some(key_pair(id, k.label.unwrap_or_default(), ps, &public))
                }
                // A key with no PKCS#15 entry or public key: the plugin does not list it either.
                _ => None,
            })
            .collect()
    }
    fn certificates(&mut self) -> Result<Vec<Certificate>, DeviceError> {
        let objects = self.client.objects().map_err(device_error)?;
        Ok(objects
            .certificates
            .into_iter()
            .map(|c| Certificate {
                id: c.id,
                label: c.label,
                der: c.der,
            })
            .collect())
    }
    fn generate_key_pair(
        &mut self,
        algorithm: KeyAlgorithm,
        param_set: ParamSet,
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<KeyPair, DeviceError> {
        if KeyAlgorithm::gost2012_for(param_set) != algorithm {
            return Err(DeviceError::Unsupported(format!(
                "parameter set {} with {algorithm:?}",
                param_set.name()
            )));
        }
        let pair = self
            .client
            .generate_key_pair(param_set, label)
            .map_err(device_error)?;
        let id = match id {
            Some(id) if id != pair.id.as_slice() => {
                self.rewrite_key_entries(&pair.id, id, label)?;
                id.to_vec()
            }
            _ => pair.id,
        };
        key_pair(id, label.to_owned(), pair.param_set, &pair.public_key)
    }
    fn set_key_label(&mut self, id: &[u8], label: &str) -> Result<(), DeviceError> {
        self.rewrite_key_entries(id, id, label)
    }
    fn set_certificate_label(&mut self, der: &[u8], label: &str) -> Result<(), DeviceError> {
        self.relabel_certificate(der, label)
    }
    fn change_pin(&mut self, by: Pin, old: &str, new: &str) -> Result<(), DeviceError> {
        match by {
            Pin::User => self
                .client
                .change_pin(PinRole::User, old, new)
                .map_err(device_error),
            Pin::Admin => self.as_admin(old, |client| {
                client.reset_retry_counter(PinRole::User)?;
                client.set_pin(PinRole::User, new)
            }),
        }
    }
    fn unblock_user_pin(&mut self, admin_pin: &str) -> Result<(), DeviceError> {
        self.as_admin(admin_pin, |client| {
            client.reset_retry_counter(PinRole::User)
        })
    }
    fn format(&mut self, admin_pin: &str, new_user_pin: &str) -> Result<(), DeviceError> {
        self.as_admin(admin_pin, |client| edit::clear(client, new_user_pin))
    }
    fn data_files(&mut self) -> Result<Vec<DataFile>, DeviceError> {
        Ok(self
            .client
            .data_objects()
            .map_err(device_error)?
            .into_iter()
            .map(|d| DataFile {
                application: d.application,
                label: d.label,
                private: d.private,
                value: d.value,
            })
            .collect())
    }
    fn create_data_file(&mut self, file: &DataFile) -> Result<(), DeviceError> {
        self.client
            .create_data_object(
                &file.label,
                &file.application,
                None,
                file.value.as_deref().unwrap_or_default(),
                file.private,
            )
            .map(|_| ())
            .map_err(device_error)
    }
    fn delete_data_file(&mut self, application: &str, label: &str) -> Result<(), DeviceError> {
        let path = self
            .client
            .data_objects()
            .map_err(device_error)?
            .into_iter()
            .find(|d| d.application == application && d.label == label)
            .map(|d| d.path)
            .ok_or(DeviceError::NotFound(Missing::DataObject))?;
        self.client.delete_data_object(&path).map_err(device_error)
    }
    fn free_memory(&mut self) -> Result<u32, DeviceError> {
        (self.free_memory)(self.client.transport()).ok_or_else(|| {
            DeviceError::Unsupported("the free memory of a token behind PC/SC".to_owned())
        })
    }
    fn max_pin_tries(&self) -> u8 {
        self.max_tries
    }
    fn sign_on_token(&mut self, key_id: &[u8], data: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let kk = self.reference(key_id)?;
        let sig = self.client.sign_document(kk, data).map_err(device_error)?;
        x509_signature(&sig)
    }
    fn sign_digest(&mut self, key_id: &[u8], digest: &[u8]) -> Result<Vec<u8>, DeviceError> {
        let kk = self.reference(key_id)?;
        let sig = self.client.sign_digest(kk, digest).map_err(device_error)?;
        x509_signature(&sig)
    }
    fn import_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DeviceError> {
        match self
            .client
            .install_certificate(der, label, id, &mut |_, _| Ok(true))
            .map_err(device_error)?
        {
            Installed::Listed { id } => Ok(id),
            Installed::Interrupted => Err(DeviceError::Failed("the write was interrupted".into())),
        }
    }
    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DeviceError> {
        self.client.delete_certificate(id).map_err(device_error)
    }
    fn delete_key_pair(&mut self, id: &[u8]) -> Result<(), DeviceError> {
        let kk = self.reference(id)?;
        self.client.delete_key_pair(kk).map_err(device_error)
    }
    fn open_key_transport(
        &mut self,
        key_id: &[u8],
        transport: &gost::key_transport::KeyTransport,
        content: &gost::key_transport::ContentParams,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, DeviceError> {
        let kk = self.reference(key_id)?;
        envelope::open_on_token(&mut self.client, kk, transport, content, ciphertext)
    }
}

// The emulator is on in tests (the crate's dev-dependency on itself turns the feature on).
#[cfg(all(test, feature = "emulator"))]
mod tests {
    use super::*;
    use rutoken_sim::token::Fixture;

    /// `formatToken` on the emulated token (the real APDU backend, not the tests' soft device):
    /// every object gone, the new user PIN works.
    #[test]
    fn format_clears_the_emulated_token_and_sets_the_new_user_pin() {
        let profile = DeviceProfile::default();
        let token = open(&TokenSource::Fixture(Fixture::Personalised), 1, &profile).unwrap();
        token
            .slot
            .with_session(|s| {
                assert!(!s.device.keys()?.is_empty(), "the fixture has a key");
                s.device.format("87654321", "11112222")?;
                s.device.login("11112222")?;
                assert!(s.device.keys()?.is_empty());
                assert!(s.device.certificates()?.is_empty());
                assert!(s.device.data_files()?.is_empty());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}", e.what));
    }

    #[test]
    fn a_missing_object_maps_by_its_kind_not_its_words() {
        let not_found = |what| device_error(ClientError::NotFound { what });
        assert_eq!(
            not_found(client::Missing::PrivateKey),
            DeviceError::NotFound(Missing::KeyPair)
        );
        assert_eq!(
            not_found(client::Missing::DataObject),
            DeviceError::NotFound(Missing::DataObject)
        );
        for what in [
            client::Missing::Certificate,
            client::Missing::CertificateFile,
            client::Missing::InterruptedCertificate,
            client::Missing::DirectoryFile,
            client::Missing::Pkcs15Application,
        ] {
            assert_eq!(
                not_found(what),
                DeviceError::NotFound(Missing::Certificate),
                "{what}"
            );
        }
    }
}
