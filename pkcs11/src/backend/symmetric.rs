//! [`SymmetricDevice`] through the client crate's GOST 28147-89 and VKO operations
//! (`rutoken_client::symmetric`).

use gost::gost28147::KeyWrap;
use gost::{CipherParams, Vko};
use rutoken_client::{CipherMode, SecretKey, Transport};

use super::ClientDevice;
use crate::device::DeviceError;
use crate::symmetric::SymmetricDevice;

impl<T: Transport> SymmetricDevice for ClientDevice<T> {
    fn generate_secret_key(&mut self, params: CipherParams) -> Result<SecretKey, DeviceError> {
        self.client
            .generate_secret_key(params)
            .map_err(|e| self.err(e))
    }

    fn import_secret_key(
        &mut self,
        params: CipherParams,
        value: &[u8; 32],
    ) -> Result<SecretKey, DeviceError> {
        self.client
            .import_secret_key(params, value)
            .map_err(|e| self.err(e))
    }

    fn delete_secret_key(&mut self, key: SecretKey) -> Result<(), DeviceError> {
        self.client
            .delete_secret_key(key.reference)
            .map_err(|e| self.err(e))
    }

    fn cipher(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        decrypt: bool,
        data: &[u8],
    ) -> Result<Vec<u8>, DeviceError> {
        let result = if decrypt {
            self.client.decrypt(key, mode, data)
        } else {
            self.client.encrypt(key, mode, data)
        };
        result.map_err(|e| self.err(e))
    }

    fn mac(
        &mut self,
        key: SecretKey,
        iv: Option<[u8; 8]>,
        data: &[u8],
    ) -> Result<[u8; 4], DeviceError> {
        self.client.mac(key, iv, data).map_err(|e| self.err(e))
    }

    fn wrap(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
        key: SecretKey,
    ) -> Result<Vec<u8>, DeviceError> {
        self.client
            .wrap_secret_key(kek, kind, ukm, key)
            .map_err(|e| self.err(e))
    }

    fn unwrap(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        wrapped: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DeviceError> {
        self.client
            .unwrap_secret_key(kek, kind, wrapped, params)
            .map_err(|e| self.err(e))
    }

    fn derive(
        &mut self,
        reference: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DeviceError> {
        self.client
            .derive_vko(reference, vko, peer, ukm, params)
            .map_err(|e| self.err(e))
    }
}
