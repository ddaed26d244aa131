//! Implementation 1 of [`Driver`]: the bank client's APDUs ([`Client`]) over a transport that
//! is also a [`Reader`]. Keys are found by their reference (`kk`), signatures come as the
//! token's `r_le ‖ s_le` and leave as [`gost::Signature`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rutoken_apdu::Response;

use super::{
    Driver, DriverError, Installed, Interrupt, KeySpec, PinCounter, PinRole, PinStatus, PowerEvent,
    PressPlan, Reader, Serial, TokenCertificate, TokenKey, TokenObjects,
};
use crate::error::ClientError;
use crate::transport::Transport;
use crate::{Client, device_number};

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
        let pair = self
            .client
            .generate_key_pair_of(spec.algorithm, spec.param_set, spec.label)?;
        Ok(TokenKey {
            reference: Some(pair.reference),
            id: Some(pair.id),
            label: Some(spec.label.to_owned()),
            algorithm: Some(spec.algorithm),
            param_set: Some(pair.param_set),
            public_key: Some(pair.public_key),
        })
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
}
