//! The cryptographic operation a session runs: one at a time (PKCS#11 v2.40 §5.2: a second
//! `C_…Init` while one is active is `CKR_OPERATION_ACTIVE`).

use cryptoki_sys::*;
use gost::Hasher;

use crate::device::KeyPair;
use crate::error::{Error, fail};
use crate::mechanism::SignKind;

/// What `C_DigestInit`, `C_SignInit` or `C_VerifyInit` started.
pub(super) enum Operation {
    /// A digest on the host.
    Digest(Hasher),
    /// A signature on the token.
    Sign(Signing),
    /// A verification on the host with the token's public key.
    Verify(Signing),
    /// GOST 28147-89 encryption on the token (`encryption.rs`).
    Encrypt(super::encryption::Ciphering),
    /// GOST 28147-89 decryption on the token.
    Decrypt(super::encryption::Ciphering),
    /// A GOST 28147-89 MAC (`CKM_GOST28147_MAC` through `C_Sign` or `C_Verify`).
    Mac(super::encryption::Macing),
}

/// A signature or a verification: the key, how the data is hashed, the data so far.
pub(super) struct Signing {
    pub(super) key: KeyPair,
    pub(super) kind: SignKind,
    pub(super) data: Vec<u8>,
}

impl Operation {
    pub(super) fn signing(&mut self, verify: bool) -> Option<&mut Signing> {
        match (self, verify) {
            (Operation::Sign(s), false) | (Operation::Verify(s), true) => Some(s),
            _ => None,
        }
    }
}

impl super::Session {
    /// Starts `operation`; one may run at a time.
    pub(super) fn start(&mut self, operation: Operation) -> Result<(), Error> {
        if self.operation.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        self.operation = Some(operation);
        Ok(())
    }

    /// The running signature (or verification).
    pub(super) fn signing(&mut self, verify: bool) -> Result<&mut Signing, Error> {
        self.operation
            .as_mut()
            .and_then(|o| o.signing(verify))
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))
    }

    /// Ends the running signature (or verification) and hands it over.
    pub(super) fn take_signing(&mut self, verify: bool) -> Result<Signing, Error> {
        self.signing(verify)?;
        match self.operation.take() {
            Some(Operation::Sign(s) | Operation::Verify(s)) => Ok(s),
            _ => fail(CKR_OPERATION_NOT_INITIALIZED),
        }
    }

    /// The running digest.
    pub(super) fn digest(&mut self) -> Result<&mut Hasher, Error> {
        match self.operation.as_mut() {
            Some(Operation::Digest(h)) => Ok(h),
            _ => fail(CKR_OPERATION_NOT_INITIALIZED),
        }
    }

    /// Ends the running digest and hands it over.
    pub(super) fn take_digest(&mut self) -> Result<Hasher, Error> {
        self.digest()?;
        match self.operation.take() {
            Some(Operation::Digest(h)) => Ok(h),
            _ => fail(CKR_OPERATION_NOT_INITIALIZED),
        }
    }

    /// Ends a running signature (logout: the key is no longer usable).
    pub(super) fn end_signature(&mut self) {
        if matches!(self.operation, Some(Operation::Sign(_))) {
            self.operation = None;
        }
    }
}
