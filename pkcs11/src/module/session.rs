//! Session management (PKCS#11 v2.40 §5.6): opening and closing sessions, their state, login
//! and logout.

use cryptoki_sys::*;

use super::{Module, Session, SessionInfo};
use crate::device::Role;
use crate::error::{Error, fail};
use crate::module::MAX_PIN_LEN;

impl Module {
    /// `C_OpenSession`.
    pub fn open_session(
        &self,
        slot: CK_SLOT_ID,
        flags: CK_FLAGS,
    ) -> Result<CK_SESSION_HANDLE, Error> {
        if flags & CKF_SERIAL_SESSION == 0 {
            return fail(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
        }
        // Connects on first use (the token must be there to open a session on it).
        self.with_token(slot, |_| Ok(()))?;
        let rw = flags & CKF_RW_SESSION != 0;
        let mut table = self.table();
        if !rw && table.login_of(slot) == Some(Role::SecurityOfficer) {
            return fail(CKR_SESSION_READ_WRITE_SO_EXISTS);
        }
        let handle = table.next_session;
        table.next_session += 1;
        table.sessions.insert(
            handle,
            Session {
                slot,
                rw,
                find: None,
                operation: None,
            },
        );
        Ok(handle)
    }

    /// `C_CloseSession`. The last session of a token logs it out (PKCS#11 §5.6).
    pub fn close_session(&self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        let slot = {
            let mut table = self.table();
            let session = table
                .sessions
                .remove(&handle)
                .ok_or(Error::Rv(CKR_SESSION_HANDLE_INVALID))?;
            let secret = table.take_secret_keys(|e| e.session == Some(handle));
            table.objects.retain(|_, e| e.session != Some(handle));
            (session.slot, secret)
        };
        let (slot, secret) = slot;
        // The session's secret keys leave the token with it (best effort: a token gone or
        // logged out keeps the empty object until it is formatted).
        let _ = self.delete_secret_keys(slot, &secret);
        self.after_close(slot);
        Ok(())
    }

    /// `C_CloseAllSessions`.
    pub fn close_all_sessions(&self, slot: CK_SLOT_ID) -> Result<(), Error> {
        let handles: Vec<_> = {
            let table = self.table();
            table.slot(slot)?;
            table
                .sessions
                .iter()
                .filter(|(_, s)| s.slot == slot)
                .map(|(h, _)| *h)
                .collect()
        };
        for h in handles {
            self.close_session(h)?;
        }
        Ok(())
    }

    fn after_close(&self, slot: CK_SLOT_ID) {
        {
            let mut table = self.table();
            if table.sessions.values().any(|s| s.slot == slot) || table.login_of(slot).is_none() {
                return;
            }
            table.set_login(slot, None);
        }
        let _ = self.with_token(slot, |t| {
            t.listing = None;
            t.device.logout()
        });
    }

    /// `C_GetSessionInfo`.
    pub fn session_info(&self, handle: CK_SESSION_HANDLE) -> Result<SessionInfo, Error> {
        let mut table = self.table();
        let (slot, rw) = table.session_slot(handle)?;
        let state = match (table.login_of(slot), rw) {
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

    /// `C_Login`. The login state is checked and set under the slot's lock, so two threads
    /// logging in to one token do not both pass the check.
    pub fn login(
        &self,
        handle: CK_SESSION_HANDLE,
        user: CK_USER_TYPE,
        pin: &[u8],
    ) -> Result<(), Error> {
        let slot = self.table().session(handle)?.slot;
        let role = match user {
            CKU_USER => Role::User,
            CKU_SO => Role::SecurityOfficer,
            CKU_CONTEXT_SPECIFIC => {
                // Re-authentication for a key with CKA_ALWAYS_AUTHENTICATE: ours have none,
                // but a fresh VERIFY of the user PIN does no harm.
                return self.with_token(slot, |t| {
                    if self.table().login_of(slot) != Some(Role::User) {
                        return fail(CKR_USER_NOT_LOGGED_IN);
                    }
                    t.device.login(Role::User, pin)
                });
            }
            _ => return fail(CKR_USER_TYPE_INVALID),
        };
        self.with_token(slot, |t| {
            {
                let table = self.table();
                match table.login_of(slot) {
                    Some(r) if r == role => return fail(CKR_USER_ALREADY_LOGGED_IN),
                    Some(_) => return fail(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
                    None => {}
                }
                if role == Role::SecurityOfficer
                    && table.sessions.values().any(|s| s.slot == slot && !s.rw)
                {
                    return fail(CKR_SESSION_READ_ONLY_EXISTS);
                }
            }
            if (pin.len() as CK_ULONG) < 1 || pin.len() as CK_ULONG > MAX_PIN_LEN {
                return fail(CKR_PIN_LEN_RANGE);
            }
            t.device.login(role, pin)?;
            t.listing = None;
            self.table().set_login(slot, Some(role));
            Ok(())
        })
    }

    /// `C_Logout`.
    pub fn logout(&self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        let slot = {
            let mut table = self.table();
            let slot = table.session(handle)?.slot;
            if table.login_of(slot).is_none() {
                return fail(CKR_USER_NOT_LOGGED_IN);
            }
            for s in table.sessions.values_mut().filter(|s| s.slot == slot) {
                s.find = None;
                s.end_signature();
            }
            // Private session objects are no longer visible; the handles stay valid. Secret
            // keys are destroyed (PKCS#11 v2.40 §5.6 C_Logout), on the token too, while the
            // login still allows it.
            table.set_login(slot, None);
            let secret = table.take_secret_keys(|e| e.slot == slot);
            (slot, secret)
        };
        let (slot, secret) = slot;
        let _ = self.delete_secret_keys(slot, &secret);
        self.with_token(slot, |t| {
            t.listing = None;
            t.device.logout()
        })
    }
}
