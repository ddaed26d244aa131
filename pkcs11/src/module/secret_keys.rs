//! GOST 28147-89 secret keys (PKCS#11 v2.40 §5.13): `C_GenerateKey` (`CKM_GOST28147_KEY_GEN`),
//! `C_CreateObject` of a `CKO_SECRET_KEY` with its value, `C_WrapKey` / `C_UnwrapKey`
//! (`CKM_GOST28147_KEY_WRAP`, RFC 4357 §6.1, the UKM as the optional 8-byte parameter), and
//! their end: `C_DestroyObject`, the session's close, `C_Logout` (PKCS#11 v2.40 §5.6: private
//! session objects are destroyed) delete the token's object.

use cryptoki_sys::*;
use gost::gost28147::KeyWrap;
use rutoken_client::SecretKey;

use super::encryption::{symmetric_of, wrapped_invalid};
use super::{Entry, Module, Table};
use crate::attribute::Template;
use crate::device::Role;
use crate::error::{Error, fail};
use crate::object::Kind;
use crate::symmetric::{self, SecretKeyObject};

/// `C_SetAttributeValue` on a session secret key: a new `CKA_LABEL` or `CKA_ID`; anything
/// else, and a token key, is read-only.
pub(super) fn set_secret_key_attributes(
    key: &mut SecretKeyObject,
    template: &Template,
) -> Result<(), Error> {
    // A token key's attributes live in its record on the token: not rewritten here.
    if key.token
        || template
            .0
            .iter()
            .any(|a| !matches!(a.kind, CKA_LABEL | CKA_ID))
    {
        return fail(CKR_ATTRIBUTE_READ_ONLY);
    }
    if let Some(label) = template.get(CKA_LABEL)? {
        key.label = label.to_vec();
    }
    if let Some(id) = template.get(CKA_ID)? {
        key.id = id.to_vec();
    }
    Ok(())
}

impl Table {
    /// Removes the secret keys `which` selects from the table and returns their token keys.
    pub(super) fn take_secret_keys(&mut self, which: impl Fn(&Entry) -> bool) -> Vec<SecretKey> {
        let handles: Vec<CK_OBJECT_HANDLE> = self
            .objects
            .iter()
            // Session keys only: token keys stay until C_DestroyObject.
            .filter(|(_, e)| {
                matches!(e.kind, Kind::SecretKey(_)) && e.session.is_some() && which(e)
            })
            .map(|(h, _)| *h)
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match self.objects.remove(&h).map(|e| e.kind) {
                Some(Kind::SecretKey(k)) => Some(k.key),
                _ => None,
            })
            .collect()
    }
}

impl Module {
    /// Deletes secret keys on the token (best effort for every key; the first error is
    /// returned).
    pub(super) fn delete_secret_keys(
        &self,
        slot: CK_SLOT_ID,
        keys: &[SecretKey],
    ) -> Result<(), Error> {
        if keys.is_empty() {
            return Ok(());
        }
        self.with_token(slot, |t| {
            let device = symmetric_of(&mut t.device)?;
            let mut first = Ok(());
            for key in keys {
                if let Err(e) = device.delete_secret_key(*key)
                    && first.is_ok()
                {
                    first = Err(Error::Device(e));
                }
            }
            first
        })
    }

    /// Deletes every session's secret keys on their tokens (`C_Finalize`), best effort.
    pub(super) fn delete_all_secret_keys(&self) {
        let keys: Vec<(CK_SLOT_ID, SecretKey)> = {
            let table = self.table();
            table
                .objects
                .values()
                .filter_map(|e| match &e.kind {
                    Kind::SecretKey(k) if !k.token => Some((e.slot, k.key)),
                    _ => None,
                })
                .collect()
        };
        let mut slots: Vec<CK_SLOT_ID> = keys.iter().map(|(s, _)| *s).collect();
        slots.sort_unstable();
        slots.dedup();
        for slot in slots {
            let of_slot: Vec<SecretKey> = keys
                .iter()
                .filter(|(s, _)| *s == slot)
                .map(|(_, k)| *k)
                .collect();
            let _ = self.delete_secret_keys(slot, &of_slot);
        }
    }

    /// The session's slot, checked for making a secret key of `template`: the user logged in;
    /// a token key in a read-write session, with an ID of at most 255 bytes (its record).
    pub(super) fn secret_key_session(
        &self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<CK_SLOT_ID, Error> {
        let token = template.bool(CKA_TOKEN)?.unwrap_or(false);
        if template.get(CKA_ID)?.is_some_and(|id| id.len() > 255) {
            return fail(CKR_ATTRIBUTE_VALUE_INVALID);
        }
        let mut table = self.table();
        let (slot, rw) = table.session_slot(handle)?;
        if token && !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if table.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        Ok(slot)
    }

    /// Files a new secret key as an object of the session; a session closed meanwhile gets the
    /// token object deleted again.
    pub(super) fn secret_key_handle(
        &self,
        handle: CK_SESSION_HANDLE,
        slot: CK_SLOT_ID,
        mut object: SecretKeyObject,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        if object.token {
            let record = object.to_record();
            let stored = self.with_token(slot, |t| {
                t.listing = None;
                // A record left by a key of the same reference that went without its record
                // (an application stopped between the two deletions) would give the new key
                // its attributes: replaced.
                let stale = t
                    .device
                    .listing()?
                    .data
                    .into_iter()
                    .filter(|d| symmetric::is_record(d) && d.label == record.label);
                for d in stale.collect::<Vec<_>>() {
                    t.device.delete_data_object(&d)?;
                }
                t.device.create_data_object(&record)
            });
            let stored = match stored {
                Ok(s) => s,
                Err(e) => {
                    let _ = self.delete_secret_keys(slot, &[object.key]);
                    return Err(e);
                }
            };
            object.record = Some(stored);
            return self.token_object_handle(slot, Kind::SecretKey(object));
        }
        let mut table = self.table();
        if table.session(handle).is_err() {
            drop(table);
            let _ = self.delete_secret_keys(slot, &[object.key]);
            return fail(CKR_SESSION_HANDLE_INVALID);
        }
        let h = table.next_object;
        table.next_object += 1;
        table.objects.insert(
            h,
            Entry {
                slot,
                kind: Kind::SecretKey(object),
                session: Some(handle),
            },
        );
        Ok(h)
    }

    /// `C_GenerateKey` with `CKM_GOST28147_KEY_GEN`.
    pub fn generate_key(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        if mechanism != CKM_GOST28147_KEY_GEN {
            return fail(CKR_MECHANISM_INVALID);
        }
        if !parameter.is_empty() {
            return fail(CKR_MECHANISM_PARAM_INVALID);
        }
        let params = symmetric::check_template(template)?;
        let slot = self.secret_key_session(handle, template)?;
        let key = self.with_token(slot, |t| {
            Ok(symmetric_of(&mut t.device)?.generate_secret_key(params)?)
        })?;
        let object = SecretKeyObject::new(key, template, true, CKM_GOST28147_KEY_GEN)?;
        self.secret_key_handle(handle, slot, object)
    }

    /// `C_CreateObject` of a GOST 28147-89 key with its `CKA_VALUE` (32 bytes).
    pub(super) fn create_secret_key(
        &self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        if template.ulong(CKA_KEY_TYPE)?.is_none() {
            return fail(CKR_TEMPLATE_INCOMPLETE);
        }
        let value: [u8; 32] = template
            .get(CKA_VALUE)?
            .ok_or(Error::Rv(CKR_TEMPLATE_INCOMPLETE))?
            .try_into()
            .map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))?;
        let params = symmetric::check_template(template)?;
        let slot = self.secret_key_session(handle, template)?;
        let key = self.with_token(slot, |t| {
            Ok(symmetric_of(&mut t.device)?.import_secret_key(params, &value)?)
        })?;
        let object = SecretKeyObject::new(key, template, false, CK_UNAVAILABLE_INFORMATION)?;
        self.secret_key_handle(handle, slot, object)
    }

    /// `C_WrapKey` with `CKM_GOST28147_KEY_WRAP`: `UKM ‖ CEK_ENC ‖ CEK_MAC` (44 bytes).
    pub fn wrap_key(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        wrapping: CK_OBJECT_HANDLE,
        key: CK_OBJECT_HANDLE,
    ) -> Result<Vec<u8>, Error> {
        if mechanism != CKM_GOST28147_KEY_WRAP {
            return fail(CKR_MECHANISM_INVALID);
        }
        let ukm = symmetric::eight(parameter)?;
        // No key is made: the login check only.
        let slot = self.secret_key_session(handle, &Template(Vec::new()))?;
        let (kek, target) = {
            let mut table = self.table();
            let kek = table
                .secret_key_for(handle, wrapping)
                .map_err(|_| Error::Rv(CKR_WRAPPING_KEY_HANDLE_INVALID))?;
            let target = table.secret_key_for(handle, key)?;
            (kek, target)
        };
        if !kek.usage.wrap {
            return fail(CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
        self.with_token(slot, |t| {
            Ok(symmetric_of(&mut t.device)?.wrap_secret_key(
                kek.key,
                KeyWrap::Gost28147,
                ukm,
                target.key,
            )?)
        })
    }

    /// `C_UnwrapKey` with `CKM_GOST28147_KEY_WRAP`: the 44 bytes of [`Module::wrap_key`]
    /// into a new secret key (a MAC that does not match: `CKR_WRAPPED_KEY_INVALID`). The UKM
    /// is the blob's first 8 bytes; a parameter, if given, must equal it.
    pub fn unwrap_key(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        unwrapping: CK_OBJECT_HANDLE,
        wrapped: &[u8],
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        if mechanism != CKM_GOST28147_KEY_WRAP {
            return fail(CKR_MECHANISM_INVALID);
        }
        let ukm = symmetric::eight(parameter)?;
        if wrapped.len() != gost::gost28147::WRAPPED_LEN {
            return fail(CKR_WRAPPED_KEY_LEN_RANGE);
        }
        if ukm.is_some_and(|u| wrapped.get(..8) != Some(&u[..])) {
            return fail(CKR_WRAPPED_KEY_INVALID);
        }
        let params = symmetric::check_template(template)?;
        let slot = self.secret_key_session(handle, template)?;
        let kek = self
            .table()
            .secret_key_for(handle, unwrapping)
            .map_err(|_| Error::Rv(CKR_UNWRAPPING_KEY_HANDLE_INVALID))?;
        if !kek.usage.unwrap {
            return fail(CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
        let key = self
            .with_token(slot, |t| {
                Ok(symmetric_of(&mut t.device)?.unwrap_secret_key(
                    kek.key,
                    KeyWrap::Gost28147,
                    wrapped,
                    params,
                )?)
            })
            .map_err(wrapped_invalid)?;
        let object = SecretKeyObject::new(key, template, false, CK_UNAVAILABLE_INFORMATION)?;
        self.secret_key_handle(handle, slot, object)
    }
}
