//! Signing and verifying (PKCS#11 v2.40 §5.11, §5.12): signatures on the token, verification
//! on the host with the token's public key.

use cryptoki_sys::*;
use gost::{Signature, VerifyingKey};

use super::operation::{Operation, Signing};
use super::{Module, Table};
use crate::device::{KeyPair, Role};
use crate::error::{Error, fail};
use crate::mechanism::{self, SignKind};
use crate::object::Kind;

impl Table {
    fn key_for(
        &mut self,
        handle: CK_SESSION_HANDLE,
        key: CK_OBJECT_HANDLE,
        private: bool,
    ) -> Result<KeyPair, Error> {
        let entry = self
            .visible(handle, key)
            .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?;
        match (&entry.kind, private) {
            (Kind::PrivateKey(k), true) | (Kind::PublicKey(k), false) => Ok(k.clone()),
            // A verification with the private half of a pair uses its public key.
            (Kind::PrivateKey(k), false) => Ok(k.clone()),
            _ => fail(CKR_KEY_TYPE_INCONSISTENT),
        }
    }
}

impl Module {
    /// `C_SignInit`.
    pub fn sign_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        if mechanism == CKM_GOST28147_MAC {
            return self.mac_init(handle, parameter, key, false);
        }
        self.signing_init(handle, mechanism, parameter, key, false)
    }

    /// `C_SignInit` or `C_VerifyInit` (`verify`: on the host, with the token's public key; no
    /// login needed).
    fn signing_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
        verify: bool,
    ) -> Result<(), Error> {
        let mut table = self.table();
        let slot = table.session(handle)?.slot;
        if table.session(handle)?.operation.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        if !verify && table.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        let key = table.key_for(handle, key, !verify)?;
        let kind = mechanism::sign_kind(mechanism, key.spec)?;
        mechanism::check_sign_parameter(kind, parameter)?;
        let signing = Signing {
            key,
            kind,
            data: Vec::new(),
        };
        table.session(handle)?.start(if verify {
            Operation::Verify(signing)
        } else {
            Operation::Sign(signing)
        })
    }

    /// The length `C_Sign` will write.
    pub fn sign_len(&self, handle: CK_SESSION_HANDLE) -> Result<usize, Error> {
        if self.is_mac(handle, false) {
            return Ok(gost::gost28147::MAC_LEN);
        }
        let mut table = self.table();
        let op = table.session(handle)?.signing(false)?;
        Ok(mechanism::signature_len(op.key.spec))
    }

    /// `C_SignUpdate`.
    pub fn sign_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        self.update(handle, data, false)
    }

    /// `C_SignUpdate` or `C_VerifyUpdate`.
    fn update(&self, handle: CK_SESSION_HANDLE, data: &[u8], verify: bool) -> Result<(), Error> {
        if self.is_mac(handle, verify) {
            return self.mac_update(handle, data);
        }
        let mut table = self.table();
        let session = table.session(handle)?;
        let op = session.signing(verify)?;
        if matches!(op.kind, SignKind::HostDigest { .. }) {
            // A host digest is one value: no multi-part (PKCS#11 v2.40 §2.57.6 table).
            session.operation = None;
            return fail(CKR_FUNCTION_NOT_SUPPORTED);
        }
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// `C_Sign` (`data` is `None` for `C_SignFinal`): the signature `s ‖ r`. The operation
    /// ends, whatever the outcome (the FFI layer answers size queries without calling this).
    /// The token's I/O (a SafeTouch press, maybe) runs under the slot's lock only.
    pub fn sign(&self, handle: CK_SESSION_HANDLE, data: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        if self.is_mac(handle, false) {
            return self.mac(handle, data);
        }
        let (slot, mut op) = {
            let mut table = self.table();
            let session = table.session(handle)?;
            (session.slot, session.take_signing(false)?)
        };
        if let Some(d) = data {
            if !op.data.is_empty() {
                return fail(CKR_OPERATION_ACTIVE);
            }
            op.data = d.to_vec();
        }
        match op.kind {
            SignKind::HostDigest { len } => {
                if op.data.len() != len {
                    return fail(CKR_DATA_LEN_RANGE);
                }
                self.with_token(slot, |t| t.device.sign_digest(&op.key, &op.data))
            }
            SignKind::OnToken(_) => {
                self.with_token(slot, |t| t.device.sign_document(&op.key, &op.data))
            }
        }
    }

    /// `C_VerifyInit` (on the host, with the token's public key).
    pub fn verify_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        if mechanism == CKM_GOST28147_MAC {
            return self.mac_init(handle, parameter, key, true);
        }
        self.signing_init(handle, mechanism, parameter, key, true)
    }

    /// `C_VerifyUpdate`.
    pub fn verify_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        self.update(handle, data, true)
    }

    /// `C_Verify` / `C_VerifyFinal` (`data` `None`).
    pub fn verify(
        &self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        signature: &[u8],
    ) -> Result<(), Error> {
        if self.is_mac(handle, true) {
            return self.mac_verify(handle, data, signature);
        }
        let mut op = self.table().session(handle)?.take_signing(true)?;
        if let Some(d) = data {
            op.data = d.to_vec();
        }
        let digest = match op.kind {
            SignKind::HostDigest { len } => {
                if op.data.len() != len {
                    return fail(CKR_DATA_LEN_RANGE);
                }
                op.data.clone()
            }
            SignKind::OnToken(algorithm) => algorithm.digest(&op.data),
        };
        if signature.len() != mechanism::signature_len(op.key.spec) {
            return fail(CKR_SIGNATURE_LEN_RANGE);
        }
        let public = VerifyingKey::from_le_bytes(op.key.spec.param, &op.key.public)
            .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?;
        let signature =
            Signature::from_x509_bytes(signature).map_err(|_| Error::Rv(CKR_SIGNATURE_INVALID))?;
        public
            .verify_digest(&digest, &signature)
            .map_err(|_| Error::Rv(CKR_SIGNATURE_INVALID))
    }
}
