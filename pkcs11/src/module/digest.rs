//! Message digesting (PKCS#11 v2.40 §5.10) and random numbers (§5.15), on the host.

use cryptoki_sys::*;
use gost::DigestAlgorithm;

use super::Module;
use super::operation::Operation;
use crate::error::Error;
use crate::mechanism;

impl Module {
    /// `C_DigestInit` (Streebog and GOST R 34.11-94 on the host).
    pub fn digest_init(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
    ) -> Result<(), Error> {
        let mut table = self.table();
        let session = table.session(handle)?;
        if session.operation.is_some() {
            return Err(Error::Rv(CKR_OPERATION_ACTIVE));
        }
        let algorithm: DigestAlgorithm =
            mechanism::digest_of(mechanism).ok_or(Error::Rv(CKR_MECHANISM_INVALID))?;
        session.start(Operation::Digest(algorithm.hasher()))
    }

    /// The length `C_Digest` will write.
    pub fn digest_len(&self, handle: CK_SESSION_HANDLE) -> Result<usize, Error> {
        let mut table = self.table();
        Ok(table.session(handle)?.digest()?.algorithm().output_len())
    }

    /// `C_DigestUpdate`.
    pub fn digest_update(&self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        self.table().session(handle)?.digest()?.update(data);
        Ok(())
    }

    /// `C_Digest` / `C_DigestFinal` (`data` `None`); ends the operation. Hashing runs outside
    /// the table's lock.
    pub fn digest(&self, handle: CK_SESSION_HANDLE, data: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        let mut h = self.table().session(handle)?.take_digest()?;
        if let Some(d) = data {
            h.update(d);
        }
        Ok(h.finalize())
    }

    /// `C_GenerateRandom`: the host's CSPRNG (getrandom).
    pub fn random(&self, handle: CK_SESSION_HANDLE, len: usize) -> Result<Vec<u8>, Error> {
        self.check_session(handle)?;
        let mut out = vec![0u8; len];
        gost::Rng::from_os().fill_bytes(&mut out);
        Ok(out)
    }
}
