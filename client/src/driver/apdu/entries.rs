//! Editing the PKCS#15 directory entries of objects already on the token (a key pair filed
//! under a caller's ID, new labels) with the client's own entry encoders, and telling a listed
//! key's algorithm.

use gost::{KeyAlgorithm, ParamSet};

use super::ApduDriver;
use crate::driver::{DataObject, DriverError, PairLabels, Reader, TokenCertificate};
use crate::error::ClientError;
use crate::layout::{self, pkcs15};
use crate::transport::Transport;

impl<T: Transport + Reader> ApduDriver<T> {
    /// The algorithm of a listed key: its parameter set gives 2012 keys; a key whose
    /// attribute-85 code the profile names `gost2001-*` is a 2001 key.
    pub(super) fn spec_of(
        &mut self,
        reference: u8,
        param: Option<ParamSet>,
    ) -> Option<(KeyAlgorithm, ParamSet)> {
        if let Some(param) = param {
            return Some((KeyAlgorithm::gost2012_for(param), param));
        }
        let fcp = self
            .client
            .select_path(&layout::private_key_path(reference))
            .ok()??;
        let code = *fcp.proprietary.get(1)?;
        self.client.config().key_of_code(code)
    }

    /// Files key pair `kk` (listed under `old_id`) under `label` and `id` instead: its PrKDF and
    /// PuKDF entries are written again, the rest as pkcs15-init writes them. A token without
    /// PKCS#15 directories has no entries to change.
    pub(super) fn refile_key_pair(
        &mut self,
        kk: u8,
        old_id: &[u8],
        spec: (KeyAlgorithm, ParamSet),
        labels: PairLabels<'_>,
        id: &[u8],
    ) -> Result<(), ClientError> {
        let (algorithm, param) = spec;
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
            let encoded =
                pkcs15::public_key_entry(labels.public, id, &entry.path, algorithm, param)
                    .map_err(ClientError::Encoding)?;
            self.client
                .append_to_directory(pkcs15::ODF_PUBLIC_KEYS, &encoded)?;
        }
        // The usage stays what it was (a key made for key agreement keeps `derive`).
        let derive = private.iter().any(|e| e.derive);
        let encoded = pkcs15::private_key_entry(
            labels.private,
            id,
            kk,
            &layout::absolute_path_bytes(&private_path),
            algorithm,
            param,
            derive,
        )
        .map_err(ClientError::Encoding)?;
        self.client
            .append_to_directory(pkcs15::ODF_PRIVATE_KEYS, &encoded)
    }

    /// The CDF entry of this certificate written again under `label` and `id`. The entry is
    /// the one of the listed certificate with this DER, ID and label (its path), so of two
    /// certificates sharing an ID and label (an old and a reissued one) only this one changes.
    pub(super) fn refile_certificate(
        &mut self,
        certificate: &TokenCertificate,
        label: &str,
        id: &[u8],
    ) -> Result<(), DriverError> {
        let path = self
            .client
            .objects()?
            .certificates
            .into_iter()
            .find(|c| {
                c.der == certificate.der && c.id == certificate.id && c.label == certificate.label
            })
            .map(|c| c.path)
            .ok_or_else(|| not_listed("the certificate"))?;
        let removed = self
            .client
            .remove_from_directory(pkcs15::ODF_CERTIFICATES, &|e| e.path == path)?;
        if removed.is_empty() {
            return Err(not_listed("the certificate"));
        }
        for entry in removed {
            let encoded =
                pkcs15::certificate_entry(label, id, &entry.path).map_err(ClientError::Encoding)?;
            self.client
                .append_to_directory(pkcs15::ODF_CERTIFICATES, &encoded)?;
        }
        Ok(())
    }

    /// The DODF entry of this data object written again under `label`.
    pub(super) fn relabel_data_object(
        &mut self,
        object: &DataObject,
        label: &str,
    ) -> Result<(), DriverError> {
        let removed = self
            .client
            .remove_from_directory(pkcs15::ODF_DATA_OBJECTS, &|e| {
                e.tag == pkcs15::DATA_OBJECT_TAG && e.path == object.path
            })?;
        if removed.is_empty() {
            return Err(not_listed("the data object"));
        }
        let encoded = pkcs15::data_object_entry(
            label,
            &object.application,
            object.oid.as_deref(),
            &object.path,
            object.private,
        )
        .map_err(ClientError::Encoding)?;
        Ok(self
            .client
            .append_to_directory(pkcs15::ODF_DATA_OBJECTS, &encoded)?)
    }
}

/// An object the directory no longer lists.
fn not_listed(what: &str) -> DriverError {
    DriverError::NotFound {
        what: what.to_owned(),
    }
}
