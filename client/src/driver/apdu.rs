//! Implementation 1 of [`Driver`]: the bank client's APDUs ([`Client`]) over a transport that
//! is also a [`Reader`]. Keys are found by their reference (`kk`), signatures come as the
//! token's `r_le ‖ s_le` and leave as [`gost::Signature`].

mod entries;
mod token_admin;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gost::gost28147::KeyWrap;
use gost::{CipherParams, Vko};
use rutoken_apdu::Response;
use zeroize::Zeroizing;

use super::{
    CipherMode, DataObject, Driver, DriverError, Format, Installed, Interrupt, KeySpec, PairLabels,
    PinCounter, PinRole, PinStatus, PowerEvent, PressPlan, Reader, SecretKey, Serial,
    TokenCertificate, TokenKey, TokenObjects,
};
use crate::error::{ClientError, Missing};
use crate::transport::Transport;
use crate::{Client, device_number};

/// The DF of the PIN RSFs, below the MF (`docs/assumptions.md`: `3F00/1000/1000/6005/00rr`,
/// the PIN reference `rr`).
const PIN_DF: [u16; 3] = [0x1000, 0x1000, 0x6005];

/// The APDU driver: a [`Client`] on a transport with reader actions.
pub struct ApduDriver<T: Transport + Reader> {
    client: Client<T>,
    secret: Arc<AtomicBool>,
}

impl<T: Transport + Reader> ApduDriver<T> {
    /// The driver over a client.
    pub fn new(client: Client<T>) -> Self {
        ApduDriver {
            client,
            secret: Arc::default(),
        }
    }

    /// The client (for what only APDUs can do: selecting a path, reading a file).
    pub fn client(&mut self) -> &mut Client<T> {
        &mut self.client
    }

    /// The client back.
    pub fn into_client(self) -> Client<T> {
        self.client
    }

    /// Set while a [`Driver::transmit`] with `secret` is under way: an exchange observer reads
    /// it to mask that command's data.
    pub fn secret_marker(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.secret)
    }

    /// The key's reference: over APDUs a key is `…/6002/00kk`.
    fn reference(key: &TokenKey) -> Result<u8, DriverError> {
        key.reference.ok_or_else(|| DriverError::NotFound {
            what: "the key's reference (kk)".to_owned(),
        })
    }

    fn arrange(&mut self, press: Option<&PressPlan>) -> Result<(), DriverError> {
        if let Some(p) = press {
            self.client
                .transport()
                .arrange_press(p.press, &p.expected_screen)?;
        }
        Ok(())
    }
}

/// The token's `r_le ‖ s_le` as a signature.
fn signature(bytes: &[u8]) -> Result<gost::Signature, DriverError> {
    gost::Signature::from_token_bytes(bytes).map_err(|e| ClientError::BadSignature(e).into())
}

impl<T: Transport + Reader> Driver for ApduDriver<T> {
    /// Powers the token, then selects the MF as the plugin's attach does.
    fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
        Ok(self.client.attach()?)
    }

    fn attach(&mut self) -> Result<(), DriverError> {
        self.client.select_mf()?;
        Ok(())
    }

    /// SELECT of `3F00/5000`.
    fn has_application(&mut self) -> Result<bool, DriverError> {
        Ok(self
            .client
            .select_path(&[crate::layout::PKCS15_APP])?
            .is_some())
    }

    fn serial(&mut self) -> Result<Serial, DriverError> {
        let bytes = self.client.serial()?;
        Ok(Serial {
            shown: format!(
                "{} (hex {})",
                device_number(&bytes),
                bytes.iter().map(|b| format!("{b:02X}")).collect::<String>()
            ),
            bytes: Some(bytes),
        })
    }

    fn objects(&mut self) -> Result<TokenObjects, DriverError> {
        let o = self.client.objects()?;
        Ok(TokenObjects {
            keys: o
                .keys
                .into_iter()
                .map(|k| TokenKey {
                    reference: Some(k.reference),
                    id: k.id,
                    label: k.label,
                    public_label: k.public_label,
                    algorithm: None,
                    param_set: k.param_set,
                    public_key: k.public_key,
                })
                .collect(),
            certificates: o
                .certificates
                .into_iter()
                .map(|c| TokenCertificate {
                    id: c.id,
                    label: c.label,
                    der: c.der,
                })
                .collect(),
        })
    }

    fn verify_pin(&mut self, role: PinRole, pin: &str) -> Result<(), DriverError> {
        Ok(self.client.verify_pin(role, pin)?)
    }

    fn pin_counter(&mut self, role: PinRole) -> Result<PinCounter, DriverError> {
        Ok(PinCounter::Exact(self.client.pin_status(role)?))
    }

    fn logged_in(&mut self, role: PinRole) -> Result<bool, DriverError> {
        Ok(self.client.pin_status(role)? == PinStatus::Verified)
    }

    fn change_pin(&mut self, role: PinRole, old: &str, new: &str) -> Result<(), DriverError> {
        Ok(self.client.change_pin(role, old, new)?)
    }

    /// VERIFY of the admin PIN, then RESET RETRY COUNTER: the user PIN stays what it was.
    fn unblock_user_pin(
        &mut self,
        admin_pin: &str,
        _user_pin: Option<&str>,
    ) -> Result<(), DriverError> {
        Ok(self.client.unblock_user_pin(admin_pin)?)
    }

    fn logout(&mut self) -> Result<(), DriverError> {
        Ok(self.client.logout()?)
    }

    fn generate_key(&mut self, spec: KeySpec<'_>) -> Result<TokenKey, DriverError> {
        let pair = self.client.generate_key_pair_for(
            spec.algorithm,
            spec.param_set,
            spec.label,
            spec.exchange,
        )?;
        Ok(TokenKey {
            reference: Some(pair.reference),
            id: Some(pair.id),
            label: Some(spec.label.to_owned()),
            public_label: Some(spec.label.to_owned()),
            algorithm: Some(spec.algorithm),
            param_set: Some(pair.param_set),
            public_key: Some(pair.public_key),
        })
    }

    fn key_exchange(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        Ok(self.client.key_derives(Self::reference(key)?)?)
    }

    fn key_present(&mut self, key: &TokenKey) -> Result<bool, DriverError> {
        Ok(self.client.key_present(Self::reference(key)?)?)
    }

    fn delete_key(&mut self, key: &TokenKey) -> Result<(), DriverError> {
        Ok(self.client.delete_key_pair(Self::reference(key)?)?)
    }

    /// MSE SET, PSO: HASH in pieces, the press arranged, PSO: COMPUTE DIGITAL SIGNATURE.
    fn sign_document(
        &mut self,
        key: &TokenKey,
        data: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        let kk = Self::reference(key)?;
        let sig = self.client.sign_document_with(kk, data, &mut |t: &mut T| {
            if let Some(p) = press {
                t.arrange_press(p.press, &p.expected_screen)?;
            }
            Ok(())
        })?;
        signature(&sig)
    }

    /// The press arranged, then MSE SET and PSO: COMPUTE DIGITAL SIGNATURE over the digest.
    fn sign_digest(
        &mut self,
        key: &TokenKey,
        digest: &[u8],
        press: Option<&PressPlan>,
    ) -> Result<gost::Signature, DriverError> {
        let kk = Self::reference(key)?;
        self.arrange(press)?;
        let sig = self.client.sign_digest(kk, digest)?;
        signature(&sig)
    }

    /// The certificate's EF written in pieces, then its CDF entry under the ID of its public
    /// key (`key` is not needed: the certificate names its key).
    fn install_certificate(
        &mut self,
        _key: &TokenKey,
        der: &[u8],
        label: &str,
        interrupt: Option<Interrupt>,
    ) -> Result<Installed, DriverError> {
        Ok(self
            .client
            .install_certificate(der, label, None, &mut |c, n| match interrupt {
                Some(i) if i.after_pieces == n => {
                    c.transport().power(i.by)?;
                    Ok(false)
                }
                _ => Ok(true),
            })?)
    }

    fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, DriverError> {
        Ok(self.client.read_certificate(id)?)
    }

    fn delete_certificate(&mut self, id: &[u8]) -> Result<(), DriverError> {
        Ok(self.client.delete_certificate(id)?)
    }

    fn transmit(
        &mut self,
        command: &[u8],
        secret: bool,
        press: Option<&PressPlan>,
    ) -> Result<Response, DriverError> {
        self.arrange(press)?;
        self.secret.store(secret, Ordering::SeqCst);
        let r = self.client.transmit_raw(command);
        self.secret.store(false, Ordering::SeqCst);
        Ok(r?)
    }

    fn take_screens(&mut self) -> Option<Vec<String>> {
        self.client.transport().take_screens()
    }

    fn power(&mut self, event: PowerEvent) -> Result<(), DriverError> {
        Ok(self.client.transport().power(event)?)
    }
    /// The high nibble of attribute 85's fourth byte (`max << 4 | left`).
    fn max_tries(&mut self, role: PinRole) -> Result<Option<u8>, DriverError> {
        Ok(self
            .pin_attribute(role, 3)?
            .map(|t| t >> 4)
            .filter(|max| *max > 0))
    }

    /// Attribute 85's second byte.
    fn min_pin_len(&mut self, role: PinRole) -> Result<Option<u8>, DriverError> {
        self.pin_attribute(role, 1)
    }

    fn reset_retry_counter(&mut self, role: PinRole) -> Result<(), DriverError> {
        Ok(self.client.reset_retry_counter(role)?)
    }

    fn set_pin(&mut self, role: PinRole, new: &str) -> Result<(), DriverError> {
        Ok(self.client.set_pin(role, new)?)
    }

    /// The label of the PKCS#15 TokenInfo (`3F00/5000/5032`).
    fn token_label(&mut self) -> Result<Option<String>, DriverError> {
        self.read_label()
    }

    fn set_token_label(&mut self, label: &str) -> Result<(), DriverError> {
        self.write_label(label)
    }

    fn format(&mut self, format: &Format<'_>) -> Result<(), DriverError> {
        self.run_format(format)
    }

    /// From the parameter set, or for a 2001 key from its RSF's key code.
    fn key_spec(
        &mut self,
        key: &TokenKey,
    ) -> Result<Option<(gost::KeyAlgorithm, gost::ParamSet)>, DriverError> {
        let kk = Self::reference(key)?;
        Ok(self.spec_of(kk, key.param_set))
    }

    /// Both directory entries written again (the old ID and label are the listing's).
    fn rename_key(&mut self, key: &TokenKey, label: &str, id: &[u8]) -> Result<(), DriverError> {
        let labels = PairLabels {
            private: label,
            public: label,
        };
        self.rename_key_halves(key, labels, id)
    }

    fn rename_key_halves(
        &mut self,
        key: &TokenKey,
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), DriverError> {
        let kk = Self::reference(key)?;
        let spec = match key.algorithm.zip(key.param_set) {
            Some(spec) => spec,
            None => self.spec_of(kk, key.param_set).ok_or(DriverError::Failed {
                reason: "the key's algorithm is not known".into(),
            })?,
        };
        let old_id = key.id.as_deref().unwrap_or_default();
        Ok(self.refile_key_pair(kk, old_id, spec, labels, id)?)
    }

    fn rename_certificate(
        &mut self,
        certificate: &TokenCertificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DriverError> {
        self.refile_certificate(certificate, label, id)
    }

    /// Written uninterrupted.
    fn install_certificate_as(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
    ) -> Result<Vec<u8>, DriverError> {
        match self
            .client
            .install_certificate(der, label, id, &mut |_, _| Ok(true))?
        {
            Installed::Listed { id } => Ok(id),
            Installed::Interrupted => Err(ClientError::NotFound {
                what: Missing::InterruptedCertificate,
            }
            .into()),
        }
    }

    fn data_objects(&mut self) -> Result<Vec<DataObject>, DriverError> {
        Ok(self.client.data_objects()?)
    }

    fn create_data_object(&mut self, object: &DataObject) -> Result<DataObject, DriverError> {
        let value = object.value.as_deref().unwrap_or_default();
        Ok(self.client.create_data_object(
            &object.label,
            &object.application,
            object.oid.as_deref(),
            value,
            object.private,
        )?)
    }

    fn rename_data_object(&mut self, object: &DataObject, label: &str) -> Result<(), DriverError> {
        self.relabel_data_object(object, label)
    }

    fn delete_data_object(&mut self, path: &[u8]) -> Result<(), DriverError> {
        Ok(self.client.delete_data_object(path)?)
    }

    fn has_symmetric(&self) -> bool {
        true
    }

    fn generate_secret_key(&mut self, params: CipherParams) -> Result<SecretKey, DriverError> {
        Ok(self.client.generate_secret_key(params)?)
    }

    fn import_secret_key(
        &mut self,
        params: CipherParams,
        value: &[u8; 32],
    ) -> Result<SecretKey, DriverError> {
        Ok(self.client.import_secret_key(params, value)?)
    }

    fn delete_secret_key(&mut self, key: SecretKey) -> Result<(), DriverError> {
        Ok(self.client.delete_secret_key(key.reference)?)
    }

    fn cipher(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        decrypt: bool,
        data: &[u8],
    ) -> Result<Vec<u8>, DriverError> {
        let result = if decrypt {
            self.client.decrypt(key, mode, data)
        } else {
            self.client.encrypt(key, mode, data)
        };
        Ok(result?)
    }

    fn mac(
        &mut self,
        key: SecretKey,
        iv: Option<[u8; 8]>,
        data: &[u8],
    ) -> Result<[u8; 4], DriverError> {
        Ok(self.client.mac(key, iv, data)?)
    }

    fn wrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
        key: SecretKey,
    ) -> Result<Vec<u8>, DriverError> {
        Ok(self.client.wrap_secret_key(kek, kind, ukm, key)?)
    }

    fn unwrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        wrapped: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DriverError> {
        Ok(self.client.unwrap_secret_key(kek, kind, wrapped, params)?)
    }

    fn derive_vko(
        &mut self,
        reference: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DriverError> {
        Ok(self.client.derive_vko(reference, vko, peer, ukm, params)?)
    }

    fn derive_vko_value(
        &mut self,
        key: &TokenKey,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, DriverError> {
        let kk = key.reference.ok_or_else(|| DriverError::NotFound {
            what: "the key's reference (kk)".to_owned(),
        })?;
        Ok(self.client.derive_vko_value(kk, vko, peer, ukm)?)
    }
    /// What the reader tells (an emulator counts its files).
    fn free_memory(&mut self) -> Result<u32, DriverError> {
        self.client
            .transport()
            .free_memory()
            .ok_or_else(|| super::cannot("tell its free memory (no APDU for it is known)"))
    }
}
