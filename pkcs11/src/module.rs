//! The module's state and every PKCS#11 function in safe Rust. The FFI layer (`ffi.rs`) turns
//! C pointers into these arguments and the results back; one mutex around [`Module`] makes the
//! module thread-safe (`CKF_OS_LOCKING_OK`).

use std::collections::HashMap;

use cryptoki_sys::*;
use gost::{DigestAlgorithm, Hasher, Signature, VerifyingKey};

use crate::attribute::Template;
use crate::device::{Certificate, DataObject, DeviceError, KeyPair, KeySpec, Role};
use crate::error::{Error, fail};
use crate::mechanism::{self, Mechanism, SignKind};
use crate::object::{Identity, Kind, Missing, SessionObject};
use crate::slot::{Readers, Slot, TokenState, device_number};

/// Lengths of the user PIN the token takes (device profile `token.factory_user_pin_min_len`,
/// `token.pin_max_len`).
pub const MIN_PIN_LEN: CK_ULONG = 4;
/// See [`MIN_PIN_LEN`].
pub const MAX_PIN_LEN: CK_ULONG = 32;

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

struct SignOp {
    key: KeyPair,
    kind: SignKind,
    data: Vec<u8>,
}

struct VerifyOp {
    key: KeyPair,
    kind: SignKind,
    data: Vec<u8>,
}

struct Session {
    slot: CK_SLOT_ID,
    rw: bool,
    find: Option<(Vec<CK_OBJECT_HANDLE>, usize)>,
    digest: Option<Hasher>,
    sign: Option<SignOp>,
    verify: Option<VerifyOp>,
}

struct Entry {
    slot: CK_SLOT_ID,
    kind: Kind,
    /// The session that owns a session object.
    session: Option<CK_SESSION_HANDLE>,
}

/// The module: slots, sessions, objects and running operations.
pub struct Module {
    readers: Box<dyn Readers>,
    slots: Vec<Slot>,
    sessions: HashMap<CK_SESSION_HANDLE, Session>,
    objects: HashMap<CK_OBJECT_HANDLE, Entry>,
    handles: HashMap<(CK_SLOT_ID, Identity), CK_OBJECT_HANDLE>,
    next_session: CK_SESSION_HANDLE,
    next_object: CK_OBJECT_HANDLE,
}

impl Module {
    /// A module over `readers`; lists them once.
    pub fn new(readers: Box<dyn Readers>) -> Module {
        let mut module = Module {
            readers,
            slots: Vec::new(),
            sessions: HashMap::new(),
            objects: HashMap::new(),
            handles: HashMap::new(),
            next_session: 1,
            next_object: 1,
        };
        // A failure here (no pcscd) leaves no slots; C_GetSlotList tries again.
        let _ = module.refresh_slots();
        module
    }

    /// Re-reads the readers: new readers become new slots (slot IDs never change), a card
    /// gone or changed drops the token's state and sessions.
    fn refresh_slots(&mut self) -> Result<(), Error> {
        let states = self.readers.readers()?;
        let readers = &self.readers;
        for slot in &mut self.slots {
            if !states.iter().any(|s| s.name == slot.reader) {
                slot.card = false;
                slot.recognised = false;
            }
        }
        for state in states {
            let id = match self.slots.iter().position(|s| s.reader == state.name) {
                Some(id) => id,
                None => {
                    self.slots.push(Slot {
                        reader: state.name.clone(),
                        card: false,
                        recognised: false,
                        token: None,
                    });
                    self.slots.len() - 1
                }
            };
            let slot = &mut self.slots[id];
            slot.card = state.atr.is_some();
            slot.recognised = state.atr.as_deref().is_some_and(|a| readers.is_rutoken(a));
        }
        for id in 0..self.slots.len() {
            if !self.slots[id].recognised && self.slots[id].token.is_some() {
                self.token_gone(id as CK_SLOT_ID);
            }
        }
        Ok(())
    }

    /// The token left: its sessions, objects and login go.
    fn token_gone(&mut self, slot: CK_SLOT_ID) {
        if let Some(s) = usize::try_from(slot)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
        {
            s.token = None;
        }
        self.sessions.retain(|_, s| s.slot != slot);
        self.objects.retain(|_, e| e.slot != slot);
        self.handles.retain(|(s, _), _| *s != slot);
    }

    fn slot(&self, slot: CK_SLOT_ID) -> Result<&Slot, Error> {
        self.slots
            .get(usize::try_from(slot).unwrap_or(usize::MAX))
            .ok_or(Error::Rv(CKR_SLOT_ID_INVALID))
    }

    /// The slot's token, connected on first use.
    fn token(&mut self, slot: CK_SLOT_ID) -> Result<&mut TokenState, Error> {
        let index = usize::try_from(slot).unwrap_or(usize::MAX);
        let s = self
            .slots
            .get(index)
            .ok_or(Error::Rv(CKR_SLOT_ID_INVALID))?;
        if !s.recognised {
            return fail(if s.card {
                CKR_TOKEN_NOT_RECOGNIZED
            } else {
                CKR_TOKEN_NOT_PRESENT
            });
        }
        if s.token.is_none() {
            let reader = s.reader.clone();
            let mut device = self.readers.open(&reader)?;
            let serial = device.serial()?;
            self.slots[index].token = Some(TokenState {
                device,
                serial,
                login: None,
                listing: None,
            });
        }
        self.slots[index]
            .token
            .as_mut()
            .ok_or(Error::Rv(CKR_TOKEN_NOT_PRESENT))
    }

    /// Runs `f` on the slot's token; a removed card drops the slot's state (the caller gets
    /// `CKR_DEVICE_REMOVED`).
    fn with_token<T>(
        &mut self,
        slot: CK_SLOT_ID,
        f: impl FnOnce(&mut TokenState) -> Result<T, DeviceError>,
    ) -> Result<T, Error> {
        let token = self.token(slot)?;
        match f(token) {
            Err(DeviceError::Removed) => {
                self.token_gone(slot);
                let _ = self.refresh_slots();
                Err(Error::Device(DeviceError::Removed))
            }
            other => other.map_err(Error::Device),
        }
    }

    fn session(&mut self, handle: CK_SESSION_HANDLE) -> Result<&mut Session, Error> {
        self.sessions
            .get_mut(&handle)
            .ok_or(Error::Rv(CKR_SESSION_HANDLE_INVALID))
    }

    fn login_of(&self, slot: CK_SLOT_ID) -> Option<Role> {
        self.slot(slot)
            .ok()
            .and_then(|s| s.token.as_ref())
            .and_then(|t| t.login)
    }

    // ---- slots and tokens ------------------------------------------------------------------

    /// `C_GetSlotList`.
    pub fn slot_list(&mut self, token_present: bool) -> Result<Vec<CK_SLOT_ID>, Error> {
        self.refresh_slots()?;
        Ok((0..self.slots.len())
            .filter(|&i| !token_present || self.slots[i].recognised)
            .map(|i| i as CK_SLOT_ID)
            .collect())
    }

    /// `C_GetSlotInfo`.
    pub fn slot_info(&mut self, slot: CK_SLOT_ID) -> Result<SlotInfo, Error> {
        self.slot(slot)?;
        let _ = self.refresh_slots();
        let s = self.slot(slot)?;
        let mut flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
        if s.recognised {
            flags |= CKF_TOKEN_PRESENT;
        }
        Ok(SlotInfo {
            description: s.reader.clone(),
            flags,
        })
    }

    /// `C_GetTokenInfo`.
    pub fn token_info(&mut self, slot: CK_SLOT_ID) -> Result<TokenInfo, Error> {
        let user = self.with_token(slot, |t| t.device.pin_state(Role::User))?;
        let so = self.with_token(slot, |t| t.device.pin_state(Role::SecurityOfficer))?;
        let serial = self.token(slot)?.serial.clone();
        let number = device_number(&serial);
        let mut flags =
            CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
        let pin_flags = |state: crate::device::PinState, low, last, locked| {
            if state.blocked {
                locked
            } else {
                match state.tries_left {
                    Some(1) => last | low,
                    // The factory counters are 10 (device profile); fewer means a wrong try.
                    Some(n) if n < 10 => low,
                    _ => 0,
                }
            }
        };
        flags |= pin_flags(
            user,
            CKF_USER_PIN_COUNT_LOW,
            CKF_USER_PIN_FINAL_TRY,
            CKF_USER_PIN_LOCKED,
        );
        flags |= pin_flags(
            so,
            CKF_SO_PIN_COUNT_LOW,
            CKF_SO_PIN_FINAL_TRY,
            CKF_SO_PIN_LOCKED,
        );
        let sessions = self.sessions.values().filter(|s| s.slot == slot);
        let (all, rw) = sessions.fold((0, 0), |(a, r), s| (a + 1, r + CK_ULONG::from(s.rw)));
        Ok(TokenInfo {
            label: format!("Rutoken ECP {number}"),
            serial: number,
            flags,
            sessions: all,
            rw_sessions: rw,
        })
    }

    /// `C_GetMechanismList`.
    pub fn mechanism_list(&mut self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>, Error> {
        self.token(slot)?;
        Ok(mechanism::MECHANISMS.iter().map(|m| m.kind).collect())
    }

    /// `C_GetMechanismInfo`.
    pub fn mechanism_info(
        &mut self,
        slot: CK_SLOT_ID,
        kind: CK_MECHANISM_TYPE,
    ) -> Result<Mechanism, Error> {
        self.token(slot)?;
        mechanism::find(kind)
            .copied()
            .ok_or(Error::Rv(CKR_MECHANISM_INVALID))
    }

    // ---- sessions --------------------------------------------------------------------------

    /// `C_OpenSession`.
    pub fn open_session(
        &mut self,
        slot: CK_SLOT_ID,
        flags: CK_FLAGS,
    ) -> Result<CK_SESSION_HANDLE, Error> {
        if flags & CKF_SERIAL_SESSION == 0 {
            return fail(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
        }
        self.token(slot)?;
        let rw = flags & CKF_RW_SESSION != 0;
        if !rw && self.login_of(slot) == Some(Role::SecurityOfficer) {
            return fail(CKR_SESSION_READ_WRITE_SO_EXISTS);
        }
        let handle = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            handle,
            Session {
                slot,
                rw,
                find: None,
                digest: None,
                sign: None,
                verify: None,
            },
        );
        Ok(handle)
    }

    /// `C_CloseSession`. The last session of a token logs it out (PKCS#11 §5.6).
    pub fn close_session(&mut self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        let session = self
            .sessions
            .remove(&handle)
            .ok_or(Error::Rv(CKR_SESSION_HANDLE_INVALID))?;
        self.objects.retain(|_, e| e.session != Some(handle));
        self.after_close(session.slot);
        Ok(())
    }

    /// `C_CloseAllSessions`.
    pub fn close_all_sessions(&mut self, slot: CK_SLOT_ID) -> Result<(), Error> {
        self.slot(slot)?;
        let handles: Vec<_> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.slot == slot)
            .map(|(h, _)| *h)
            .collect();
        for h in handles {
            self.close_session(h)?;
        }
        Ok(())
    }

    fn after_close(&mut self, slot: CK_SLOT_ID) {
        if self.sessions.values().any(|s| s.slot == slot) {
            return;
        }
        let logged_in = self.login_of(slot).is_some();
        if logged_in {
            let _ = self.with_token(slot, |t| {
                t.login = None;
                t.listing = None;
                t.device.logout()
            });
        }
    }

    /// `C_GetSessionInfo`.
    pub fn session_info(&mut self, handle: CK_SESSION_HANDLE) -> Result<SessionInfo, Error> {
        let (slot, rw) = {
            let s = self.session(handle)?;
            (s.slot, s.rw)
        };
        let state = match (self.login_of(slot), rw) {
            (Some(Role::SecurityOfficer), _) => CKS_RW_SO_FUNCTIONS,
            (Some(Role::User), true) => CKS_RW_USER_FUNCTIONS,
            (Some(Role::User), false) => CKS_RO_USER_FUNCTIONS,
            (None, true) => CKS_RW_PUBLIC_SESSION,
            (None, false) => CKS_RO_PUBLIC_SESSION,
        };
        let mut flags = CKF_SERIAL_SESSION;
        if rw {
            flags |= CKF_RW_SESSION;
        }
        Ok(SessionInfo { slot, state, flags })
    }

    /// `C_Login`.
    pub fn login(
        &mut self,
        handle: CK_SESSION_HANDLE,
        user: CK_USER_TYPE,
        pin: &[u8],
    ) -> Result<(), Error> {
        let slot = self.session(handle)?.slot;
        let role = match user {
            CKU_USER => Role::User,
            CKU_SO => Role::SecurityOfficer,
            CKU_CONTEXT_SPECIFIC => {
                // Re-authentication for a key with CKA_ALWAYS_AUTHENTICATE: ours have none,
                // but a fresh VERIFY of the user PIN does no harm.
                if self.login_of(slot) != Some(Role::User) {
                    return fail(CKR_USER_NOT_LOGGED_IN);
                }
                return self.with_token(slot, |t| t.device.login(Role::User, pin));
            }
            _ => return fail(CKR_USER_TYPE_INVALID),
        };
        match self.login_of(slot) {
            Some(r) if r == role => return fail(CKR_USER_ALREADY_LOGGED_IN),
            Some(_) => return fail(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
            None => {}
        }
        if role == Role::SecurityOfficer && self.sessions.values().any(|s| s.slot == slot && !s.rw)
        {
            return fail(CKR_SESSION_READ_ONLY_EXISTS);
        }
        if (pin.len() as CK_ULONG) < 1 || pin.len() as CK_ULONG > MAX_PIN_LEN {
            return fail(CKR_PIN_LEN_RANGE);
        }
        self.with_token(slot, |t| {
            t.device.login(role, pin)?;
            t.login = Some(role);
            t.listing = None;
            Ok(())
        })
    }

    /// `C_Logout`.
    pub fn logout(&mut self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        let slot = self.session(handle)?.slot;
        if self.login_of(slot).is_none() {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        for s in self.sessions.values_mut().filter(|s| s.slot == slot) {
            s.find = None;
            s.sign = None;
        }
        // Private session objects are no longer visible; the handles stay valid.
        self.with_token(slot, |t| {
            t.login = None;
            t.listing = None;
            t.device.logout()
        })
    }

    /// `C_InitPIN`: the SO sets the user PIN (and unblocks it).
    pub fn init_pin(&mut self, handle: CK_SESSION_HANDLE, pin: &[u8]) -> Result<(), Error> {
        let (slot, rw) = {
            let s = self.session(handle)?;
            (s.slot, s.rw)
        };
        if !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if self.login_of(slot) != Some(Role::SecurityOfficer) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        check_pin_len(pin)?;
        self.with_token(slot, |t| t.device.init_user_pin(pin))
    }

    /// `C_SetPIN`: the SO's PIN when the SO is logged in, the user's otherwise.
    pub fn set_pin(
        &mut self,
        handle: CK_SESSION_HANDLE,
        old: &[u8],
        new: &[u8],
    ) -> Result<(), Error> {
        let (slot, rw) = {
            let s = self.session(handle)?;
            (s.slot, s.rw)
        };
        if !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        check_pin_len(new)?;
        let role = self.login_of(slot).unwrap_or(Role::User);
        self.with_token(slot, |t| t.device.change_pin(role, old, new))
    }

    // ---- objects ---------------------------------------------------------------------------

    /// Re-reads the token's objects if needed and gives every one a handle.
    fn sync_objects(&mut self, slot: CK_SLOT_ID) -> Result<(), Error> {
        let listing = self.with_token(slot, |t| {
            if t.listing.is_none() {
                t.listing = Some(t.device.listing()?);
            }
            Ok(t.listing.clone().unwrap_or_default())
        })?;
        let mut kinds = Vec::new();
        for k in listing.keys {
            kinds.push(Kind::PrivateKey(k.clone()));
            kinds.push(Kind::PublicKey(k));
        }
        kinds.extend(listing.certificates.into_iter().map(Kind::Certificate));
        kinds.extend(listing.data.into_iter().map(Kind::Data));
        let mut seen = Vec::new();
        for kind in kinds {
            let Some(identity) = kind.identity() else {
                continue;
            };
            let key = (slot, identity);
            let handle = match self.handles.get(&key) {
                Some(h) => *h,
                None => {
                    let h = self.next_object;
                    self.next_object += 1;
                    self.handles.insert(key, h);
                    h
                }
            };
            seen.push(handle);
            self.objects.insert(
                handle,
                Entry {
                    slot,
                    kind,
                    session: None,
                },
            );
        }
        self.objects
            .retain(|h, e| e.slot != slot || e.session.is_some() || seen.contains(h));
        self.handles
            .retain(|(s, _), h| *s != slot || seen.contains(h));
        Ok(())
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

    /// `C_FindObjectsInit`.
    pub fn find_init(
        &mut self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<(), Error> {
        let slot = self.session(handle)?.slot;
        if self.session(handle)?.find.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        self.sync_objects(slot)?;
        let user = self.login_of(slot) == Some(Role::User);
        let mut found: Vec<CK_OBJECT_HANDLE> = self
            .objects
            .iter()
            .filter(|(_, e)| e.slot == slot && (user || !e.kind.is_private()))
            .filter(|(_, e)| e.kind.matches(template))
            .map(|(h, _)| *h)
            .collect();
        found.sort_unstable();
        self.session(handle)?.find = Some((found, 0));
        Ok(())
    }

    /// `C_FindObjects`: up to `max` more handles.
    pub fn find(
        &mut self,
        handle: CK_SESSION_HANDLE,
        max: usize,
    ) -> Result<Vec<CK_OBJECT_HANDLE>, Error> {
        let session = self.session(handle)?;
        let (found, at) = session
            .find
            .as_mut()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        let end = (*at + max).min(found.len());
        let out = found[*at..end].to_vec();
        *at = end;
        Ok(out)
    }

    /// `C_FindObjectsFinal`.
    pub fn find_final(&mut self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        let session = self.session(handle)?;
        if session.find.take().is_none() {
            return fail(CKR_OPERATION_NOT_INITIALIZED);
        }
        Ok(())
    }

    /// `C_GetAttributeValue`: one answer per requested type.
    pub fn attributes(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kinds: &[CK_ATTRIBUTE_TYPE],
    ) -> Result<Vec<AttributeValue>, Error> {
        let entry = self.visible(handle, object)?;
        Ok(kinds.iter().map(|k| entry.kind.attribute(*k)).collect())
    }

    /// `C_GetObjectSize`: the bytes of its attribute values (an estimate, as the spec allows).
    pub fn object_size(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<CK_ULONG, Error> {
        let entry = self.visible(handle, object)?;
        let size: usize = [CKA_LABEL, CKA_ID, CKA_VALUE, CKA_SUBJECT]
            .iter()
            .filter_map(|k| entry.kind.attribute(*k).ok())
            .map(|v| v.len())
            .sum();
        Ok(size as CK_ULONG)
    }

    /// `C_SetAttributeValue`: session objects take new values; token objects are not
    /// modifiable (`CKA_MODIFIABLE` false: the PKCS#15 entries are written once).
    pub fn set_attributes(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        template: &Template,
    ) -> Result<(), Error> {
        let rw = self.session(handle)?.rw;
        self.visible(handle, object)?;
        let Some(entry) = self.objects.get_mut(&object) else {
            return fail(CKR_OBJECT_HANDLE_INVALID);
        };
        let Kind::Session(s) = &mut entry.kind else {
            return fail(CKR_ATTRIBUTE_READ_ONLY);
        };
        let _ = rw; // session objects change in read-only sessions too (PKCS#11 §6.7.1)
        if s.attributes
            .iter()
            .any(|(t, v)| *t == CKA_MODIFIABLE && v.as_slice() == [0])
        {
            return fail(CKR_ACTION_PROHIBITED);
        }
        for a in &template.0 {
            check_session_attribute(s.class, a)?;
            if matches!(
                a.kind,
                CKA_CLASS
                    | CKA_TOKEN
                    | CKA_PRIVATE
                    | CKA_CERTIFICATE_TYPE
                    | CKA_MODIFIABLE
                    | CKA_COPYABLE
            ) {
                return fail(CKR_ATTRIBUTE_READ_ONLY);
            }
        }
        for a in &template.0 {
            match s.attributes.iter_mut().find(|(t, _)| *t == a.kind) {
                Some((_, v)) => *v = a.value.clone(),
                None => s.attributes.push((a.kind, a.value.clone())),
            }
        }
        Ok(())
    }

    /// `C_CreateObject`: X.509 certificates (on the token: a CDF entry; or in the session)
    /// and data objects (on the token: a DODF entry and an EF; or in the session).
    pub fn create_object(
        &mut self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        let (slot, rw) = {
            let s = self.session(handle)?;
            (s.slot, s.rw)
        };
        let class = template
            .ulong(CKA_CLASS)?
            .ok_or(Error::Rv(CKR_TEMPLATE_INCOMPLETE))?;
        let token = template.bool(CKA_TOKEN)?.unwrap_or(false);
        let private = template.bool(CKA_PRIVATE)?.unwrap_or(false);
        let user = self.login_of(slot) == Some(Role::User);
        if token && !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if private && !user {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        match class {
            CKO_CERTIFICATE => {
                match template.ulong(CKA_CERTIFICATE_TYPE)? {
                    Some(CKC_X_509) => {}
                    Some(_) => return fail(CKR_ATTRIBUTE_VALUE_INVALID),
                    None => return fail(CKR_TEMPLATE_INCOMPLETE),
                }
                let der = template
                    .get(CKA_VALUE)?
                    .ok_or(Error::Rv(CKR_TEMPLATE_INCOMPLETE))?
                    .to_vec();
                if <x509_cert::Certificate as der::Decode>::from_der(&der).is_err() {
                    return fail(CKR_ATTRIBUTE_VALUE_INVALID);
                }
                if private {
                    return fail(CKR_TEMPLATE_INCONSISTENT);
                }
                if token {
                    if !user {
                        return fail(CKR_USER_NOT_LOGGED_IN);
                    }
                    let label = template.string(CKA_LABEL)?.unwrap_or_default();
                    let id = template.get(CKA_ID)?.map(<[u8]>::to_vec);
                    let cert = self.with_token(slot, |t| {
                        t.listing = None;
                        t.device.install_certificate(&der, &label, id.as_deref())
                    })?;
                    return self.token_object_handle(slot, Kind::Certificate(cert));
                }
                self.session_object(handle, slot, CKO_CERTIFICATE, template)
            }
            CKO_DATA => {
                if !token {
                    return self.session_object(handle, slot, CKO_DATA, template);
                }
                for a in &template.0 {
                    check_session_attribute(CKO_DATA, a)?;
                }
                // The token's objects are written once (CKA_MODIFIABLE, CKA_COPYABLE false),
                // a token data object is destroyable.
                for (kind, token_value) in [
                    (CKA_MODIFIABLE, false),
                    (CKA_COPYABLE, false),
                    (CKA_DESTROYABLE, true),
                ] {
                    if template.bool(kind)?.is_some_and(|v| v != token_value) {
                        return fail(CKR_TEMPLATE_INCONSISTENT);
                    }
                }
                if !user {
                    return fail(CKR_USER_NOT_LOGGED_IN);
                }
                let object = DataObject {
                    label: template.string(CKA_LABEL)?.unwrap_or_default(),
                    application: template.string(CKA_APPLICATION)?.unwrap_or_default(),
                    oid: object_id_der(template.get(CKA_OBJECT_ID)?.unwrap_or_default())?,
                    private,
                    path: Vec::new(),
                    value: template.get(CKA_VALUE)?.unwrap_or_default().to_vec(),
                };
                let stored = self.with_token(slot, |t| {
                    t.listing = None;
                    t.device.create_data_object(&object)
                })?;
                self.token_object_handle(slot, Kind::Data(stored))
            }
            _ => fail(CKR_ATTRIBUTE_VALUE_INVALID),
        }
    }

    fn session_object(
        &mut self,
        handle: CK_SESSION_HANDLE,
        slot: CK_SLOT_ID,
        class: CK_OBJECT_CLASS,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        use crate::attribute::{bool, ulong};
        let mut attributes: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> = Vec::new();
        let defaults: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> = match class {
            CKO_DATA => vec![
                (CKA_PRIVATE, bool(false)),
                (CKA_MODIFIABLE, bool(true)),
                (CKA_COPYABLE, bool(false)),
                (CKA_DESTROYABLE, bool(true)),
                (CKA_LABEL, Vec::new()),
                (CKA_APPLICATION, Vec::new()),
                (CKA_OBJECT_ID, Vec::new()),
                (CKA_VALUE, Vec::new()),
            ],
            _ => vec![
                (CKA_PRIVATE, bool(false)),
                (CKA_MODIFIABLE, bool(true)),
                (CKA_COPYABLE, bool(false)),
                (CKA_DESTROYABLE, bool(true)),
                (CKA_LABEL, Vec::new()),
                (CKA_ID, Vec::new()),
                (CKA_TRUSTED, bool(false)),
                (
                    CKA_CERTIFICATE_CATEGORY,
                    ulong(CK_CERTIFICATE_CATEGORY_UNSPECIFIED),
                ),
                (CKA_SUBJECT, Vec::new()),
                (CKA_ISSUER, Vec::new()),
                (CKA_SERIAL_NUMBER, Vec::new()),
            ],
        };
        for a in &template.0 {
            check_session_attribute(class, a)?;
            match attributes.iter_mut().find(|(t, _)| *t == a.kind) {
                Some((_, v)) => *v = a.value.clone(),
                None => attributes.push((a.kind, a.value.clone())),
            }
        }
        for (t, v) in defaults {
            if !attributes.iter().any(|(k, _)| *k == t) {
                attributes.push((t, v));
            }
        }
        if !attributes.iter().any(|(k, _)| *k == CKA_TOKEN) {
            attributes.push((CKA_TOKEN, bool(false)));
        }
        let object = self.next_object;
        self.next_object += 1;
        self.objects.insert(
            object,
            Entry {
                slot,
                kind: Kind::Session(SessionObject { class, attributes }),
                session: Some(handle),
            },
        );
        Ok(object)
    }

    fn token_object_handle(
        &mut self,
        slot: CK_SLOT_ID,
        kind: Kind,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        self.sync_objects(slot)?;
        let identity = kind.identity().ok_or(Error::Rv(CKR_GENERAL_ERROR))?;
        self.handles
            .get(&(slot, identity))
            .copied()
            .ok_or(Error::Rv(CKR_DEVICE_ERROR))
    }

    /// `C_DestroyObject`. A key pair lives in two RSFs and two directory entries: destroying
    /// either half deletes the pair.
    pub fn destroy_object(
        &mut self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        let rw = self.session(handle)?.rw;
        let (slot, kind) = {
            let e = self.visible(handle, object)?;
            (e.slot, e.kind.clone())
        };
        match kind {
            Kind::Session(_) => {
                self.objects.remove(&object);
                Ok(())
            }
            Kind::PrivateKey(k) | Kind::PublicKey(k) => {
                if !rw {
                    return fail(CKR_SESSION_READ_ONLY);
                }
                self.with_token(slot, |t| {
                    t.listing = None;
                    t.device.delete_key_pair(&k)
                })?;
                self.sync_objects(slot)
            }
            Kind::Certificate(c) => {
                if !rw {
                    return fail(CKR_SESSION_READ_ONLY);
                }
                self.with_token(slot, |t| {
                    t.listing = None;
                    t.device.delete_certificate(&c)
                })?;
                self.sync_objects(slot)
            }
            Kind::Data(d) => {
                if !rw {
                    return fail(CKR_SESSION_READ_ONLY);
                }
                self.with_token(slot, |t| {
                    t.listing = None;
                    t.device.delete_data_object(&d)
                })?;
                self.sync_objects(slot)
            }
        }
    }

    /// `C_GenerateKeyPair`: returns the public and the private key's handles.
    pub fn generate_key_pair(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        public: &Template,
        private: &Template,
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), Error> {
        let (slot, rw) = {
            let s = self.session(handle)?;
            (s.slot, s.rw)
        };
        if mechanism::find(mechanism).is_none_or(|m| m.flags & CKF_GENERATE_KEY_PAIR == 0) {
            return fail(CKR_MECHANISM_INVALID);
        }
        if !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if self.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        for t in [public, private] {
            if t.bool(CKA_TOKEN)? == Some(false) {
                // Keys are generated in the token's RSFs; no session keys.
                return fail(CKR_TEMPLATE_INCONSISTENT);
            }
        }
        if public
            .ulong(CKA_CLASS)?
            .is_some_and(|c| c != CKO_PUBLIC_KEY)
            || private
                .ulong(CKA_CLASS)?
                .is_some_and(|c| c != CKO_PRIVATE_KEY)
        {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        let key_type = match (public.ulong(CKA_KEY_TYPE)?, private.ulong(CKA_KEY_TYPE)?) {
            (Some(a), Some(b)) if a != b => return fail(CKR_TEMPLATE_INCONSISTENT),
            (a, b) => a.or(b),
        };
        let pick = |kind| -> Result<Option<Vec<u8>>, Error> {
            let a = public.get(kind)?.map(<[u8]>::to_vec);
            let b = private.get(kind)?.map(<[u8]>::to_vec);
            match (a, b) {
                (Some(a), Some(b)) if a != b => fail(CKR_TEMPLATE_INCONSISTENT),
                (a, b) => Ok(a.or(b)),
            }
        };
        let params = pick(CKA_GOSTR3410_PARAMS)?;
        let hash_params = pick(CKA_GOSTR3411_PARAMS)?;
        let spec: KeySpec = mechanism::key_spec(
            mechanism,
            key_type,
            params.as_deref(),
            hash_params.as_deref(),
        )?;
        let label = match pick(CKA_LABEL)? {
            Some(l) => String::from_utf8(l).map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))?,
            None => String::new(),
        };
        let id = pick(CKA_ID)?;
        let key = self.with_token(slot, |t| {
            t.listing = None;
            t.device.generate_key_pair(spec, &label, id.as_deref())
        })?;
        let public_handle = self.token_object_handle(slot, Kind::PublicKey(key.clone()))?;
        let private_handle = self.token_object_handle(slot, Kind::PrivateKey(key))?;
        Ok((public_handle, private_handle))
    }

    // ---- signatures ------------------------------------------------------------------------

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

    /// `C_SignInit`.
    pub fn sign_init(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        if self.session(handle)?.sign.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let slot = self.session(handle)?.slot;
        if self.login_of(slot) != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        let key = self.key_for(handle, key, true)?;
        let kind = mechanism::sign_kind(mechanism, key.spec)?;
        mechanism::check_sign_parameter(kind, parameter)?;
        self.session(handle)?.sign = Some(SignOp {
            key,
            kind,
            data: Vec::new(),
        });
        Ok(())
    }

    /// The length `C_Sign` will write.
    pub fn sign_len(&mut self, handle: CK_SESSION_HANDLE) -> Result<usize, Error> {
        let op = self
            .session(handle)?
            .sign
            .as_ref()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        Ok(mechanism::signature_len(op.key.spec))
    }

    /// `C_SignUpdate`.
    pub fn sign_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        let session = self.session(handle)?;
        let op = session
            .sign
            .as_mut()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        if matches!(op.kind, SignKind::HostDigest { .. }) {
            // A host digest is one value: no multi-part (PKCS#11 v2.40 §2.57.6 table).
            session.sign = None;
            return fail(CKR_FUNCTION_NOT_SUPPORTED);
        }
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// `C_Sign` (`data` is `None` for `C_SignFinal`): the signature `s ‖ r`. The operation
    /// ends, whatever the outcome (the FFI layer answers size queries without calling this).
    pub fn sign(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        let slot = self.session(handle)?.slot;
        let mut op = self
            .session(handle)?
            .sign
            .take()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
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
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        parameter: &[u8],
        key: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        if self.session(handle)?.verify.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let key = self.key_for(handle, key, false)?;
        let kind = mechanism::sign_kind(mechanism, key.spec)?;
        mechanism::check_sign_parameter(kind, parameter)?;
        self.session(handle)?.verify = Some(VerifyOp {
            key,
            kind,
            data: Vec::new(),
        });
        Ok(())
    }

    /// `C_VerifyUpdate`.
    pub fn verify_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        let session = self.session(handle)?;
        let op = session
            .verify
            .as_mut()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        if matches!(op.kind, SignKind::HostDigest { .. }) {
            session.verify = None;
            return fail(CKR_FUNCTION_NOT_SUPPORTED);
        }
        op.data.extend_from_slice(data);
        Ok(())
    }

    /// `C_Verify` / `C_VerifyFinal` (`data` `None`).
    pub fn verify(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
        signature: &[u8],
    ) -> Result<(), Error> {
        let mut op = self
            .session(handle)?
            .verify
            .take()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
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

    // ---- digests and random ----------------------------------------------------------------

    /// `C_DigestInit` (Streebog and GOST R 34.11-94 on the host).
    pub fn digest_init(
        &mut self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
    ) -> Result<(), Error> {
        let session = self.session(handle)?;
        if session.digest.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        let algorithm: DigestAlgorithm =
            mechanism::digest_of(mechanism).ok_or(Error::Rv(CKR_MECHANISM_INVALID))?;
        session.digest = Some(algorithm.hasher());
        Ok(())
    }

    /// The length `C_Digest` will write.
    pub fn digest_len(&mut self, handle: CK_SESSION_HANDLE) -> Result<usize, Error> {
        let h = self
            .session(handle)?
            .digest
            .as_ref()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        Ok(h.algorithm().output_len())
    }

    /// `C_DigestUpdate`.
    pub fn digest_update(&mut self, handle: CK_SESSION_HANDLE, data: &[u8]) -> Result<(), Error> {
        self.session(handle)?
            .digest
            .as_mut()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?
            .update(data);
        Ok(())
    }

    /// `C_Digest` / `C_DigestFinal` (`data` `None`); ends the operation.
    pub fn digest(
        &mut self,
        handle: CK_SESSION_HANDLE,
        data: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        let mut h = self
            .session(handle)?
            .digest
            .take()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        if let Some(d) = data {
            h.update(d);
        }
        Ok(h.finalize())
    }

    /// `C_GenerateRandom`: the host's CSPRNG (getrandom).
    pub fn random(&mut self, handle: CK_SESSION_HANDLE, len: usize) -> Result<Vec<u8>, Error> {
        self.session(handle)?;
        let mut out = vec![0u8; len];
        gost::Rng::from_os().fill_bytes(&mut out);
        Ok(out)
    }

    /// Whether the session exists (for functions the module does not support).
    pub fn check_session(&mut self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        self.session(handle).map(|_| ())
    }

    /// Certificates seen by a session (for tests).
    pub fn certificates(&self) -> Vec<&Certificate> {
        self.objects
            .values()
            .filter_map(|e| match &e.kind {
                Kind::Certificate(c) => Some(c),
                _ => None,
            })
            .collect()
    }
}

/// Whether a session object of `class` may carry `a` (PKCS#11 v2.40 §4.4 common storage
/// attributes, §4.5 data objects, §4.6.3 X.509 certificates), with a value of its type's size.
fn check_session_attribute(
    class: CK_OBJECT_CLASS,
    a: &crate::attribute::Attribute,
) -> Result<(), Error> {
    const STORAGE: [CK_ATTRIBUTE_TYPE; 8] = [
        CKA_CLASS,
        CKA_TOKEN,
        CKA_PRIVATE,
        CKA_MODIFIABLE,
        CKA_LABEL,
        CKA_COPYABLE,
        CKA_DESTROYABLE,
        CKA_UNIQUE_ID,
    ];
    const DATA: [CK_ATTRIBUTE_TYPE; 3] = [CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE];
    const CERTIFICATE: [CK_ATTRIBUTE_TYPE; 17] = [
        CKA_CERTIFICATE_TYPE,
        CKA_TRUSTED,
        CKA_CERTIFICATE_CATEGORY,
        CKA_CHECK_VALUE,
        CKA_START_DATE,
        CKA_END_DATE,
        CKA_PUBLIC_KEY_INFO,
        CKA_SUBJECT,
        CKA_ID,
        CKA_ISSUER,
        CKA_SERIAL_NUMBER,
        CKA_VALUE,
        CKA_URL,
        CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
        CKA_HASH_OF_ISSUER_PUBLIC_KEY,
        CKA_JAVA_MIDP_SECURITY_DOMAIN,
        CKA_NAME_HASH_ALGORITHM,
    ];
    let valid = STORAGE.contains(&a.kind)
        || (class == CKO_DATA && DATA.contains(&a.kind))
        || (class == CKO_CERTIFICATE && CERTIFICATE.contains(&a.kind));
    if !valid {
        return fail(CKR_ATTRIBUTE_TYPE_INVALID);
    }
    let size = match a.kind {
        CKA_TOKEN | CKA_PRIVATE | CKA_MODIFIABLE | CKA_COPYABLE | CKA_DESTROYABLE | CKA_TRUSTED => {
            Some(1)
        }
        CKA_CLASS
        | CKA_CERTIFICATE_TYPE
        | CKA_CERTIFICATE_CATEGORY
        | CKA_JAVA_MIDP_SECURITY_DOMAIN
        | CKA_NAME_HASH_ALGORITHM => Some(size_of::<CK_ULONG>()),
        _ => None,
    };
    if size.is_some_and(|n| n != a.value.len()) {
        return fail(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    Ok(())
}

/// `CKA_OBJECT_ID` as the DER of an OID. PKCS#11 v2.40 §4.5 says DER (`06 len body`);
/// OpenSC's pkcs11-tool sends the body alone (`sc_asn1_encode_object_id`): both are taken.
fn object_id_der(value: &[u8]) -> Result<Vec<u8>, Error> {
    use der::{Decode, Encode};
    if value.is_empty() {
        return Ok(Vec::new());
    }
    der::asn1::ObjectIdentifier::from_der(value)
        .or_else(|_| der::asn1::ObjectIdentifier::from_bytes(value))
        .ok()
        .and_then(|oid| oid.to_der().ok())
        .ok_or(Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))
}

fn check_pin_len(pin: &[u8]) -> Result<(), Error> {
    let len = pin.len() as CK_ULONG;
    if !(MIN_PIN_LEN..=MAX_PIN_LEN).contains(&len) {
        return fail(CKR_PIN_LEN_RANGE);
    }
    Ok(())
}
