//! What the vendor's extended calls (`crate::extended`) need of the module's state: a
//! session's slot and login, the objects a session sees, the token behind a slot, and the
//! bookkeeping after a format. Kept here so the table's locking rules stay in this module.

use cryptoki_sys::*;

use super::Module;
use crate::device::{Listing, Role};
use crate::error::{Error, fail};
use crate::object::Kind;
use crate::slot::TokenState;

/// A session as the extended calls see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    /// Its slot.
    pub slot: CK_SLOT_ID,
    /// Whether it is read-write.
    pub rw: bool,
    /// Who is logged in on the slot.
    pub login: Option<Role>,
}

impl Module {
    /// The session's slot, mode and login.
    pub fn session_state(&self, handle: CK_SESSION_HANDLE) -> Result<SessionState, Error> {
        let mut table = self.table();
        let (slot, rw) = table.session_slot(handle)?;
        Ok(SessionState {
            slot,
            rw,
            login: table.login_of(slot),
        })
    }

    /// The object behind `object` as the session may see it (`CKR_OBJECT_HANDLE_INVALID`
    /// otherwise).
    pub fn object_kind(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<Kind, Error> {
        Ok(self.table().visible(handle, object)?.kind.clone())
    }

    /// Runs `f` on the slot's token under the slot's lock (see `with_token`).
    pub fn on_token<T>(
        &self,
        slot: CK_SLOT_ID,
        f: impl FnOnce(&mut TokenState) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.with_token(slot, f)
    }

    /// The token's objects (the listing the module keeps, read when missing).
    pub fn token_objects(&self, slot: CK_SLOT_ID) -> Result<Listing, Error> {
        self.with_token(slot, |t| {
            if t.listing.is_none() {
                t.listing = Some(t.device.listing()?);
            }
            Ok(t.listing.clone().unwrap_or_default())
        })
    }

    /// The ATR of the card in the slot's reader (asked of the readers now).
    pub fn slot_atr(&self, slot: CK_SLOT_ID) -> Result<Vec<u8>, Error> {
        let reader = self.table().slot(slot)?.reader.clone();
        let states = self.readers.readers()?;
        states
            .into_iter()
            .find(|s| s.name == reader)
            .and_then(|s| s.atr)
            .ok_or(Error::Rv(CKR_TOKEN_NOT_PRESENT))
    }

    /// Whether a session is open on the slot.
    pub fn slot_has_sessions(&self, slot: CK_SLOT_ID) -> Result<bool, Error> {
        let table = self.table();
        table.slot(slot)?;
        Ok(table.sessions.values().any(|s| s.slot == slot))
    }

    /// After a format: the objects' handles and the login are gone, the listing is re-read.
    pub fn token_formatted(&self, slot: CK_SLOT_ID) -> Result<(), Error> {
        self.with_token(slot, |t| {
            t.listing = None;
            Ok(())
        })?;
        let mut table = self.table();
        table.set_login(slot, None);
        table.objects.retain(|_, e| e.slot != slot);
        table.handles.retain(|(s, _), _| *s != slot);
        Ok(())
    }

    /// The session exists and its slot has the user logged in (`CKR_USER_NOT_LOGGED_IN`).
    pub fn require_user(&self, handle: CK_SESSION_HANDLE) -> Result<SessionState, Error> {
        let state = self.session_state(handle)?;
        if state.login != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        Ok(state)
    }
}
