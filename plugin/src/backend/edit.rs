//! The token edits behind the plugin's labels, key ids and `formatToken`: PKCS#15 directory
//! entries rewritten in place (same paths and parameters), and work under the administrator's
//! PIN.

use gost::KeyAlgorithm;
use rutoken_client::layout::pkcs15;
use rutoken_client::{Client, ClientError, PinRole, Transport};

use super::{ClientDevice, device_error};
use crate::device::{DeviceError, Missing};

/// Sets the user PIN (tries back to the maximum) under the administrator's PIN, then deletes
/// every certificate, key pair and data object under the new user PIN: `formatToken`'s work.
pub(super) fn clear<T: Transport>(
    client: &mut Client<T>,
    new_user_pin: &str,
) -> Result<(), ClientError> {
    // The token deletes objects only under the user PIN (with the admin PIN alone the directory
    // updates answer 69 82): the admin gives the user PIN its new value first, then the user
    // clears the objects.
    client.reset_retry_counter(PinRole::User)?;
    client.set_pin(PinRole::User, new_user_pin)?;
    // One role at a time (6F86 otherwise).
    client.logout()?;
    client.verify_pin(PinRole::User, new_user_pin)?;
    let objects = client.objects()?;
    for cert in &objects.certificates {
        client.delete_certificate(&cert.id)?;
    }
    for key in &objects.keys {
        client.delete_key_pair(key.reference)?;
    }
    for data in client.data_objects()? {
        client.delete_data_object(&data.path)?;
    }
    Ok(())
}

impl<T: Transport> ClientDevice<T> {
    /// Rewrites the CDF entry of the certificate with this DER under `label`.
    pub(super) fn relabel_certificate(
        &mut self,
        der: &[u8],
        label: &str,
    ) -> Result<(), DeviceError> {
        let cert = self
            .client
            .objects()
            .map_err(device_error)?
            .certificates
            .into_iter()
            .find(|c| c.der == der)
            .ok_or(DeviceError::NotFound(Missing::Certificate))?;
        self.client
            .remove_from_directory(pkcs15::ODF_CERTIFICATES, &|e| e.path == cert.path)
            .map_err(device_error)?;
        let entry = pkcs15::certificate_entry(label, &cert.id, &cert.path)
            .map_err(|e| DeviceError::Failed(e.to_string()))?;
        self.client
            .append_to_directory(pkcs15::ODF_CERTIFICATES, &entry)
            .map_err(device_error)
    }

    /// Rewrites a key pair's PrKDF and PuKDF entries under `new_id` and `label` (same paths,
    /// algorithm and parameters): how `generateKeyPair`'s `id` and `setKeyLabel` reach the
    /// token, where OpenSC's pkcs15-tool reads them.
    pub(super) fn rewrite_key_entries(
        &mut self,
        old_id: &[u8],
        new_id: &[u8],
        label: &str,
    ) -> Result<(), DeviceError> {
        let key = self
            .client
            .objects()
            .map_err(device_error)?
            .keys
            .into_iter()
            .find(|k| k.id.as_deref() == Some(old_id))
            .ok_or(DeviceError::NotFound(Missing::KeyPair))?;
        let param_set = key
            .param_set
            .ok_or_else(|| DeviceError::Failed("a key of unknown parameters".into()))?;
        let algorithm = KeyAlgorithm::gost2012_for(param_set);
        let private = self
            .client
            .remove_from_directory(pkcs15::ODF_PRIVATE_KEYS, &|e| e.id == old_id)
            .map_err(device_error)?;
        let public = self
            .client
            .remove_from_directory(pkcs15::ODF_PUBLIC_KEYS, &|e| e.id == old_id)
            .map_err(device_error)?;
        for e in &public {
            let entry = pkcs15::public_key_entry(label, new_id, &e.path, algorithm, param_set)
                .map_err(|e| DeviceError::Failed(e.to_string()))?;
            self.client
                .append_to_directory(pkcs15::ODF_PUBLIC_KEYS, &entry)
                .map_err(device_error)?;
        }
        for e in &private {
            let kk = e.key_reference.unwrap_or(key.reference);
            let entry = pkcs15::private_key_entry(label, new_id, kk, &e.path, algorithm, param_set)
                .map_err(|e| DeviceError::Failed(e.to_string()))?;
            self.client
                .append_to_directory(pkcs15::ODF_PRIVATE_KEYS, &entry)
                .map_err(device_error)?;
        }
        Ok(())
    }

    /// Runs `op` under the administrator's PIN: the user's login is dropped first (the token
    /// allows one role at a time) and the administrator's after.
    pub(super) fn as_admin(
        &mut self,
        admin_pin: &str,
        op: impl FnOnce(&mut Client<T>) -> Result<(), ClientError>,
    ) -> Result<(), DeviceError> {
        self.client.logout().map_err(device_error)?;
        self.client
            .verify_pin(PinRole::Admin, admin_pin)
            .map_err(device_error)?;
        let result = op(&mut self.client).map_err(device_error);
        let _ = self.client.logout();
        result
    }
}
