//! Encryption and decryption (PKCS#11 v2.40 §5.8, §5.9) with GOST 28147-89 secret keys on the
//! token: `CKM_GOST28147_ECB` and `CKM_GOST28147` (CFB, the IV as the mechanism parameter,
//! §2.43.5-6); and `CKM_GOST28147_MAC` (§2.43.7) through `C_Sign` / `C_Verify`.
//!
//! Multi-part calls gather the data on the host and the token processes it at the final call
//! in one stream of chained APDUs: an update answers no output (allowed: PKCS#11 lets
//! `C_EncryptUpdate` return less than it received), and no other session's command can fall
//! into the middle of the token's stream.

use cryptoki_sys::*;
use rutoken_client::driver::{Code, StatusWord};
use rutoken_client::{CipherMode, DriverError, SecretKey};
use zeroize::Zeroizing;

use super::operation::Operation;
use super::{Module, Table};
use crate::device::Role;
use crate::error::{Error, fail};
use crate::object::Kind;
use crate::symmetric::{self, SecretKeyObject};

/// An encryption or decryption: the key, the mode, the data so far.
pub(crate) struct Ciphering {
    key: SecretKey,
    mode: CipherMode,
    data: Zeroizing<Vec<u8>>,
}

/// A MAC: the key, the IV, the data so far; `verify` for `C_VerifyInit`.
pub(crate) struct Macing {
    key: SecretKey,
    iv: Option<[u8; 8]>,
    data: Zeroizing<Vec<u8>>,
    verify: bool,
}

impl Table {
    /// The secret key behind `key`, as the session may use it.
    pub(super) fn secret_key_for(
        &mut self,
        handle: CK_SESSION_HANDLE,
        key: CK_OBJECT_HANDLE,
    ) -> Result<SecretKeyObject, Error> {
        let entry = self
            .visible(handle, key)
            .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?;
        match &entry.kind {
            Kind::SecretKey(k) => Ok(k.clone()),
            _ => fail(CKR_KEY_TYPE_INCONSISTENT),
        }
    }
}

/// The token's symmetric side, or `CKR_FUNCTION_NOT_SUPPORTED` for a token without one.
pub(super) fn symmetric_of(
    device: &mut crate::device::Device,
) -> Result<&mut (dyn rutoken_client::Driver + Send), Error> {
    device
        .symmetric()
        .ok_or(Error::Rv(CKR_FUNCTION_NOT_SUPPORTED))
}

/// A constant-time comparison (a MAC check must not say how many bytes matched).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Module {
    /// `C_EncryptInit` / `C_DecryptInit`.
    pub fn cipher_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
        decrypt: bool,
    ) -> Result<(), Error> {
        let mut table = self.table();
        let slot = table.session(handle)?.slot;
        if table.session(handle)?.operation.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let mode = symmetric::cipher_mode(mechanism, parameter)?;
        if table.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        let object = table.secret_key_for(handle, key)?;
        if !(if decrypt {
            object.usage.decrypt
        } else {
            object.usage.encrypt
        }) {
            return fail(CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
        let op = Ciphering {
            key: object.key,
            mode,
            data: Zeroizing::new(Vec::new()),
        };
        table.session(handle)?.start(if decrypt {
            Operation::Decrypt(op)
        } else {
            Operation::Encrypt(op)
        })
    }

    fn ciphering(
        table: &mut Table,
        handle: CK_SESSION_HANDLE,
        decrypt: bool,
    ) -> Result<&mut Ciphering, Error> {
        match (table.session(handle)?.operation.as_mut(), decrypt) {
            (Some(Operation::Encrypt(c)), false) | (Some(Operation::Decrypt(c)), true) => Ok(c),
            _ => fail(CKR_OPERATION_NOT_INITIALIZED),
        }
    }

    /// The length `C_Encrypt` (`data` given) or `C_EncryptFinal` will write: the input's, for
    /// every mode (ECB takes whole blocks, CFB is a stream).
    pub fn cipher_len(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<usize>,
        decrypt: bool,
    ) -> Result<usize, Error> {
        let mut table = self.table();
        let op = Self::ciphering(&mut table, handle, decrypt)?;
        Ok(data.unwrap_or(op.data.len()))
    }

    /// `C_EncryptUpdate` / `C_DecryptUpdate`: keeps the part (no output yet).
    pub fn cipher_update(
        &self,
        handle: CK_SESSION_HANDLE,
        data: &[u8],
        decrypt: bool,
    ) -> Result<(), Error> {
        let mut table = self.table();
        let op = Self::ciphering(&mut table, handle, decrypt)?;
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// `C_Encrypt` (`data` given) or `C_EncryptFinal`, and the decrypting twins: the token
    /// runs the whole stream; the operation ends whatever the outcome.
    pub fn cipher(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        decrypt: bool,
    ) -> Result<Vec<u8>, Error> {
        let (slot, op) = {
            let mut table = self.table();
            Self::ciphering(&mut table, handle, decrypt)?;
            let session = table.session(handle)?;
            let op = match session.operation.take() {
                Some(Operation::Encrypt(c) | Operation::Decrypt(c)) => c,
                _ => return fail(CKR_OPERATION_NOT_INITIALIZED),
            };
            (session.slot, op)
        };
        if data.is_some() && !op.data.is_empty() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let input = data.unwrap_or(&op.data);
        if op.mode == CipherMode::Ecb && !input.len().is_multiple_of(8) {
            return fail(if decrypt {
                CKR_ENCRYPTED_DATA_LEN_RANGE
            } else {
                CKR_DATA_LEN_RANGE
            });
        }
        self.with_token(slot, |t| {
            symmetric_of(&mut t.device)?
                .cipher(op.key, op.mode, decrypt, input)
                .map_err(Error::Device)
        })
    }

    /// `C_SignInit` / `C_VerifyInit` with `CKM_GOST28147_MAC` (an optional 8-byte IV).
    pub(super) fn mac_init(
        &self,
        handle: CK_SESSION_HANDLE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
        verify: bool,
    ) -> Result<(), Error> {
        let mut table = self.table();
        let slot = table.session(handle)?.slot;
        if table.session(handle)?.operation.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let iv = symmetric::eight(parameter)?;
        if table.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        let object = table.secret_key_for(handle, key)?;
        if !(if verify {
            object.usage.verify
        } else {
            object.usage.sign
        }) {
            return fail(CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
        table.session(handle)?.start(Operation::Mac(Macing {
            key: object.key,
            iv,
            data: Zeroizing::new(Vec::new()),
            verify,
        }))
    }

    /// Whether the session runs a MAC for `C_Sign…` (`verify` false) or `C_Verify…`.
    pub(super) fn is_mac(&self, handle: CK_SESSION_HANDLE, verify: bool) -> bool {
        matches!(
            self.table().session(handle).map(|s| &s.operation),
            Ok(Some(Operation::Mac(m))) if m.verify == verify
        )
    }

    /// `C_SignUpdate` / `C_VerifyUpdate` of a MAC.
    pub(super) fn mac_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        match self.table().session(handle)?.operation.as_mut() {
            Some(Operation::Mac(m)) => {
                m.data.extend_from_slice(data);
                Ok(())
            }
            _ => fail(CKR_OPERATION_NOT_INITIALIZED),
        }
    }

    /// `C_Sign` / `C_SignFinal` (`data` `None`) of a MAC: 4 bytes; the operation ends.
    pub(super) fn mac(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        let (slot, op) = {
            let mut table = self.table();
            let session = table.session(handle)?;
            let Some(Operation::Mac(op)) = session.operation.take() else {
                return fail(CKR_OPERATION_NOT_INITIALIZED);
            };
            (session.slot, op)
        };
        if data.is_some() && !op.data.is_empty() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let input = data.unwrap_or(&op.data);
        let mac = self.with_token(slot, |t| {
            symmetric_of(&mut t.device)?
                .mac(op.key, op.iv, input)
                .map_err(Error::Device)
        })?;
        Ok(mac.to_vec())
    }

    /// `C_Verify` / `C_VerifyFinal` of a MAC: computed on the token, compared here.
    pub(super) fn mac_verify(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        signature: &[u8],
    ) -> Result<(), Error> {
        let mac = self.mac(handle, data)?;
        if signature.len() != mac.len() {
            return fail(CKR_SIGNATURE_LEN_RANGE);
        }
        if same(&mac, signature) {
            Ok(())
        } else {
            fail(CKR_SIGNATURE_INVALID)
        }
    }
}

/// A device error whose status word means "the data does not unwrap" (`6A80`).
pub(super) fn wrapped_invalid(e: Error) -> Error {
    match e {
        Error::Device(DriverError::Refused {
            code: Code::Sw(StatusWord(0x6A80)),
            ..
        }) => Error::Rv(CKR_WRAPPED_KEY_INVALID),
        other => other,
    }
}
