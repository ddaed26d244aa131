//! The module's state and every PKCS#11 function in safe Rust, one file per chapter of the
//! standard (PKCS#11 v2.40 §5.4 general, §5.5 slot and token, §5.6 session, §5.7 object, §5.10
//! digest, §5.11–5.12 signing and verifying, §5.13 key management), as kryoptic lays out its
//! `src/fns/`. The FFI layer (`ffi.rs`) turns C pointers into these arguments and the results
//! back.
//!
//! Locking (`CKF_OS_LOCKING_OK`): the `Table` (slots, sessions, object handles, who is logged
//! in) sits behind one mutex that is held only for bookkeeping, never across a token's I/O;
//! each slot's connection sits behind a lock of its own. A `C_Sign` waiting for a SafeTouch
//! press therefore holds up calls on that token only. Lock order: a slot's lock may be held
//! while the table's is taken, never the other way round.

pub mod derive;
mod digest;
mod encryption;
mod extended_support;
mod general;
mod key_management;
mod objects;
mod operation;
mod secret_keys;
mod session;
mod session_attributes;
mod signing;
mod slot_events;
mod slot_token;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cryptoki_sys::*;
use rutoken_client::DriverError;

use crate::device::Role;
use crate::error::{Error, fail};
use crate::object::{Identity, Kind, Missing};
use crate::slot::{Readers, TokenState};

use operation::Operation;

pub use extended_support::SessionState;
pub use slot_token::{MAX_PIN_LEN, MIN_PIN_LEN};

/// `C_GetSlotInfo`'s answer.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    /// The reader's name.
    pub description: String,
    /// `CKF_…`.
    pub flags: CK_FLAGS,
}

/// `C_GetTokenInfo`'s answer.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Label.
    pub label: String,
    /// Serial (the device number).
    pub serial: String,
    /// `CKF_…`.
    pub flags: CK_FLAGS,
    /// Sessions open on the token.
    pub sessions: CK_ULONG,
    /// Read-write sessions among them.
    pub rw_sessions: CK_ULONG,
}

/// `C_GetSessionInfo`'s answer.
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo {
    /// The slot.
    pub slot: CK_SLOT_ID,
    /// `CKS_…`.
    pub state: CK_STATE,
    /// `CKF_SERIAL_SESSION`, `CKF_RW_SESSION`.
    pub flags: CK_FLAGS,
}

/// What `C_GetAttributeValue` found for one attribute.
pub type AttributeValue = Result<Vec<u8>, Missing>;

/// A slot's connection, locked on its own.
type TokenCell = Arc<Mutex<Option<TokenState>>>;

struct Session {
    slot: CK_SLOT_ID,
    rw: bool,
    /// An object search (not a cryptographic operation: it may run beside one).
    find: Option<(Vec<CK_OBJECT_HANDLE>, usize)>,
    /// The one cryptographic operation the session runs.
    operation: Option<Operation>,
}

struct Entry {
    slot: CK_SLOT_ID,
    kind: Kind,
    /// The session that owns a session object.
    session: Option<CK_SESSION_HANDLE>,
}

/// A reader as a slot, as the table knows it.
struct SlotEntry {
    reader: String,
    /// Whether the reader has a card at all.
    card: bool,
    /// Whether that card has a Rutoken ECP ATR.
    recognised: bool,
    /// Counts the tokens seen in the reader: a connection opened for an earlier one is stale.
    insertion: u64,
    /// Who is logged in (one login for every session of the application, PKCS#11 §6.7.4).
    login: Option<Role>,
    /// The connection, once a call needed it.
    token: TokenCell,
    /// A card came or went since `C_WaitForSlotEvent` last reported this slot.
    event: bool,
}

/// Slots, sessions and objects: the module-wide bookkeeping, locked briefly.
struct Table {
    slots: Vec<SlotEntry>,
    sessions: HashMap<CK_SESSION_HANDLE, Session>,
    objects: HashMap<CK_OBJECT_HANDLE, Entry>,
    handles: HashMap<(CK_SLOT_ID, Identity), CK_OBJECT_HANDLE>,
    next_session: CK_SESSION_HANDLE,
    next_object: CK_OBJECT_HANDLE,
    /// Whether the readers were listed once (what `C_Initialize` finds is no event).
    listed: bool,
}

/// The module: slots, sessions, objects and running operations.
pub struct Module {
    readers: Box<dyn Readers>,
    table: Mutex<Table>,
    /// Set by `C_Finalize`: a call that was waiting on a token when it came ends in an error.
    finalized: AtomicBool,
}

/// A lock, whatever a panicking holder left: every entry point catches panics, and the state
/// a panic interrupted is still consistent enough to answer the next call.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Table {
    fn slot(&self, slot: CK_SLOT_ID) -> Result<&SlotEntry, Error> {
        self.slots
            .get(usize::try_from(slot).unwrap_or(usize::MAX))
            .ok_or(Error::Rv(CKR_SLOT_ID_INVALID))
    }

    fn slot_mut(&mut self, slot: CK_SLOT_ID) -> Result<&mut SlotEntry, Error> {
        self.slots
            .get_mut(usize::try_from(slot).unwrap_or(usize::MAX))
            .ok_or(Error::Rv(CKR_SLOT_ID_INVALID))
    }

    fn session(&mut self, handle: CK_SESSION_HANDLE) -> Result<&mut Session, Error> {
        self.sessions
            .get_mut(&handle)
            .ok_or(Error::Rv(CKR_SESSION_HANDLE_INVALID))
    }

    /// The session's slot and whether it is read-write.
    fn session_slot(&mut self, handle: CK_SESSION_HANDLE) -> Result<(CK_SLOT_ID, bool), Error> {
        let s = self.session(handle)?;
        Ok((s.slot, s.rw))
    }

    fn login_of(&self, slot: CK_SLOT_ID) -> Option<Role> {
        self.slot(slot).ok().and_then(|s| s.login)
    }

    fn set_login(&mut self, slot: CK_SLOT_ID, login: Option<Role>) {
        if let Ok(s) = self.slot_mut(slot) {
            s.login = login;
        }
    }

    /// The token of this insertion left: its sessions, objects and login go.
    fn token_gone(&mut self, slot: CK_SLOT_ID, insertion: u64) {
        match self.slot_mut(slot) {
            Ok(s) if s.insertion == insertion => {
                s.insertion += 1;
                s.login = None;
            }
            _ => return,
        }
        self.sessions.retain(|_, s| s.slot != slot);
        self.objects.retain(|_, e| e.slot != slot);
        self.handles.retain(|(s, _), _| *s != slot);
    }

    /// The object behind `object`, as the session may see it.
    fn visible(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<&Entry, Error> {
        let slot = self.session(handle)?.slot;
        let user = self.login_of(slot) == Some(Role::User);
        match self.objects.get(&object) {
            Some(e) if e.slot == slot && (user || !e.kind.is_private()) => Ok(e),
            _ => fail(CKR_OBJECT_HANDLE_INVALID),
        }
    }
}

impl Module {
    fn table(&self) -> MutexGuard<'_, Table> {
        lock(&self.table)
    }

    /// Runs `f` on the slot's token (connected on first use) under the slot's lock only. A
    /// removed card drops the slot's state (the caller gets `CKR_DEVICE_REMOVED`). `f` may take
    /// the table's lock (slot, then table); it must not hold it across the token's I/O.
    fn with_token<T>(
        &self,
        slot: CK_SLOT_ID,
        f: impl FnOnce(&mut TokenState) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (cell, insertion, reader) = {
            let table = self.table();
            let s = table.slot(slot)?;
            if !s.recognised {
                return fail(if s.card {
                    CKR_TOKEN_NOT_RECOGNIZED
                } else {
                    CKR_TOKEN_NOT_PRESENT
                });
            }
            (Arc::clone(&s.token), s.insertion, s.reader.clone())
        };
        let mut guard = lock(&cell);
        if guard.as_ref().is_some_and(|t| t.insertion != insertion) {
            *guard = None;
        }
        let result = match guard.as_mut() {
            Some(token) => f(token),
            None => self.connect(&reader, insertion).and_then(|token| {
                let token = guard.insert(token);
                f(token)
            }),
        };
        match result {
            Err(Error::Device(DriverError::Removed)) => {
                *guard = None;
                drop(guard);
                self.table().token_gone(slot, insertion);
                let _ = self.refresh_slots();
                Err(Error::Device(DriverError::Removed))
            }
            other => other,
        }
    }

    fn connect(&self, reader: &str, insertion: u64) -> Result<TokenState, Error> {
        let mut device = self.readers.open(reader)?;
        let serial = device.serial()?;
        Ok(TokenState {
            device,
            serial,
            insertion,
            listing: None,
        })
    }

    /// Whether the session exists (for functions the module does not support).
    pub fn check_session(&self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        self.table().session(handle).map(|_| ())
    }
}
