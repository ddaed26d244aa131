//! GOST 28147-89 and VKO on the token (`crate::symmetric`), through the client seam's calls;
//! each key stays on the token.

use gost::gost28147::KeyWrap;
use gost::{CipherParams, Vko};
use rutoken_client::{CipherMode, SecretKey};

use crate::device::{Device, DeviceError};

impl Device {
    /// The token's symmetric side, when the token does GOST 28147-89.
    pub fn symmetric(&mut self) -> Option<&mut Device> {
        self.driver.has_symmetric().then_some(self)
    }

    /// Generates a key of `params` in a new secret-key object.
    pub fn generate_secret_key(&mut self, params: CipherParams) -> Result<SecretKey, DeviceError> {
        self.driver
            .generate_secret_key(params)
            .map_err(|e| self.err(e))
    }

    /// Imports a key's value.
    pub fn import_secret_key(
        &mut self,
        params: CipherParams,
        value: &[u8; 32],
    ) -> Result<SecretKey, DeviceError> {
        self.driver
            .import_secret_key(params, value)
            .map_err(|e| self.err(e))
    }

    /// Deletes a key.
    pub fn delete_secret_key(&mut self, key: SecretKey) -> Result<(), DeviceError> {
        self.driver.delete_secret_key(key).map_err(|e| self.err(e))
    }

    /// Enciphers or deciphers `data`.
    pub fn cipher(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        decrypt: bool,
        data: &[u8],
    ) -> Result<Vec<u8>, DeviceError> {
        self.driver
            .cipher(key, mode, decrypt, data)
            .map_err(|e| self.err(e))
    }

    /// The MAC of `data`.
    pub fn mac(
        &mut self,
        key: SecretKey,
        iv: Option<[u8; 8]>,
        data: &[u8],
    ) -> Result<[u8; 4], DeviceError> {
        self.driver.mac(key, iv, data).map_err(|e| self.err(e))
    }

    /// Wraps `key` under `kek`.
    pub fn wrap(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
        key: SecretKey,
    ) -> Result<Vec<u8>, DeviceError> {
        self.driver
            .wrap_secret_key(kek, kind, ukm, key)
            .map_err(|e| self.err(e))
    }

    /// Unwraps a key under `kek` into a new secret-key object.
    pub fn unwrap(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        wrapped: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DeviceError> {
        self.driver
            .unwrap_secret_key(kek, kind, wrapped, params)
            .map_err(|e| self.err(e))
    }

    /// VKO of private key `reference` with the peer's key into a new secret-key object.
    pub fn derive(
        &mut self,
        reference: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, DeviceError> {
        self.driver
            .derive_vko(reference, vko, peer, ukm, params)
            .map_err(|e| self.err(e))
    }
}
