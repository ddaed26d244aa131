//! The keys and certificates an extended call names by handle, as the session may see them:
//! a handle of another kind of object is `CKR_KEY_TYPE_INCONSISTENT` (as `C_SignInit` answers),
//! one the session does not see `CKR_KEY_HANDLE_INVALID`; a private key handle of 0 means "the
//! private key with the same `CKA_ID`" (the vendor's rule for `hPrivKey`).

use cryptoki_sys::*;

use crate::device::{Certificate, KeyPair};
use crate::error::{Error, fail};
use crate::module::Module;
use crate::object::Kind;

/// The public key object `handle`.
pub(super) fn public_key(
    m: &Module,
    session: CK_SESSION_HANDLE,
    handle: CK_OBJECT_HANDLE,
) -> Result<KeyPair, Error> {
    match m
        .object_kind(session, handle)
        .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?
    {
        Kind::PublicKey(k) => Ok(k),
        _ => fail(CKR_KEY_TYPE_INCONSISTENT),
    }
}

/// The certificate object `handle` (`CKR_OBJECT_HANDLE_INVALID` when not one the session
/// sees; `CKR_ARGUMENTS_BAD` when another kind of object).
pub(super) fn certificate(
    m: &Module,
    session: CK_SESSION_HANDLE,
    handle: CK_OBJECT_HANDLE,
) -> Result<Certificate, Error> {
    match m.object_kind(session, handle)? {
        Kind::Certificate(c) => Ok(c),
        Kind::Session(s) if s.class == CKO_CERTIFICATE => {
            let value = s
                .attributes
                .iter()
                .find(|(t, _)| *t == CKA_VALUE)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let id = s
                .attributes
                .iter()
                .find(|(t, _)| *t == CKA_ID)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            Ok(Certificate {
                id,
                label: String::new(),
                der: value,
            })
        }
        _ => fail(CKR_ARGUMENTS_BAD),
    }
}

/// The private key `handle`, or with `handle` 0 the token's private key whose `CKA_ID` is
/// `id`. A key of another pair than `id` names is `CKR_KEY_HANDLE_INVALID` too.
pub(super) fn private_key(
    m: &Module,
    session: CK_SESSION_HANDLE,
    slot: CK_SLOT_ID,
    handle: CK_OBJECT_HANDLE,
    id: &[u8],
) -> Result<KeyPair, Error> {
    if handle == CK_INVALID_HANDLE {
        return m
            .token_objects(slot)?
            .keys
            .into_iter()
            .find(|k| k.id == id)
            .ok_or(Error::Rv(CKR_KEY_HANDLE_INVALID));
    }
    match m
        .object_kind(session, handle)
        .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?
    {
        Kind::PrivateKey(k) if k.id == id => Ok(k),
        Kind::PrivateKey(_) => fail(CKR_KEY_HANDLE_INVALID),
        _ => fail(CKR_KEY_TYPE_INCONSISTENT),
    }
}
