//! Slot and token management (PKCS#11 v2.40 §5.5): slots, token information, mechanisms,
//! `C_InitPIN` and `C_SetPIN`.

use std::sync::Arc;
use std::sync::Mutex;

use cryptoki_sys::*;

use super::{Module, SlotEntry, SlotInfo, TokenInfo};
use crate::device::{PinState, Role};
use crate::error::{Error, fail};
use crate::mechanism::{self, Mechanism};
use crate::slot::device_number;

/// The model's name: the label OpenSC's personalisation writes, and the prefix of the label a
/// token without a name of its own gets.
const MODEL_NAME: &str = "Rutoken ECP";

/// Lengths of the user PIN the token takes (device profile `token.factory_user_pin_min_len`,
/// `token.pin_max_len`).
pub const MIN_PIN_LEN: CK_ULONG = 4;
/// See [`MIN_PIN_LEN`].
pub const MAX_PIN_LEN: CK_ULONG = 32;

impl Module {
    /// Re-reads the readers: new readers become new slots (slot IDs never change), a card
    /// gone or changed drops the token's state and sessions. The reader query (pcscd, no
    /// waiting) runs outside the table's lock.
    pub(super) fn refresh_slots(&self) -> Result<(), Error> {
        let states = self.readers.readers()?;
        let mut table = self.table();
        let mut gone = Vec::new();
        let listed = std::mem::replace(&mut table.listed, true);
        for (id, slot) in table.slots.iter_mut().enumerate() {
            if !states.iter().any(|s| s.name == slot.reader) {
                if slot.recognised {
                    gone.push((id, slot.insertion));
                }
                slot.event |= slot.card;
                slot.card = false;
                slot.recognised = false;
            }
        }
        for state in states {
            let (id, fresh) = match table.slots.iter().position(|s| s.reader == state.name) {
                Some(id) => (id, false),
                None => {
                    table.slots.push(SlotEntry {
                        reader: state.name.clone(),
                        card: false,
                        recognised: false,
                        insertion: 0,
                        login: None,
                        token: Arc::new(Mutex::new(None)),
                        event: false,
                    });
                    (table.slots.len() - 1, true)
                }
            };
            let slot = &mut table.slots[id];
            let recognised = state
                .atr
                .as_deref()
                .is_some_and(|a| self.readers.is_rutoken(a));
            if slot.recognised && !recognised {
                gone.push((id, slot.insertion));
            }
            // A reader seen after C_Initialize with a card in it is an insertion too.
            slot.event |= slot.card != state.atr.is_some() && (listed || !fresh);
            slot.card = state.atr.is_some();
            slot.recognised = recognised;
        }
        for (id, insertion) in gone {
            table.token_gone(id as CK_SLOT_ID, insertion);
        }
        Ok(())
    }

    /// `C_GetSlotList`.
    pub fn slot_list(&self, token_present: bool) -> Result<Vec<CK_SLOT_ID>, Error> {
        self.refresh_slots()?;
        let table = self.table();
        Ok((0..table.slots.len())
            .filter(|&i| !token_present || table.slots[i].recognised)
            .map(|i| i as CK_SLOT_ID)
            .collect())
    }

    /// `C_GetSlotInfo`.
    pub fn slot_info(&self, slot: CK_SLOT_ID) -> Result<SlotInfo, Error> {
        self.table().slot(slot)?;
        let _ = self.refresh_slots();
        let table = self.table();
        let s = table.slot(slot)?;
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
    pub fn token_info(&self, slot: CK_SLOT_ID) -> Result<TokenInfo, Error> {
        let (user, so, serial, name) = self.with_token(slot, |t| {
            let user = (
                t.device.pin_state(Role::User)?,
                t.device.max_tries(Role::User)?,
            );
            let so = (
                t.device.pin_state(Role::SecurityOfficer)?,
                t.device.max_tries(Role::SecurityOfficer)?,
            );
            // The token's name, as `C_EX_SetTokenName` and `C_EX_InitToken` write it (PKCS#15
            // TokenInfo's label, where OpenSC reads it too). A token without one, whose
            // TokenInfo cannot be read, or that bears only the model's name (what OpenSC's
            // personalisation writes) is named by its number: two tokens stay apart, and the
            // number is the one the bank's PIN dialog shows.
            let name = t.device.token_label().ok().flatten();
            Ok((user, so, t.serial.clone(), name))
        })?;
        let number = device_number(&serial);
        let label = name
            .filter(|n| !n.trim().is_empty() && n.trim() != MODEL_NAME)
            .unwrap_or_else(|| format!("{MODEL_NAME} {number}"));
        let mut flags =
            CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
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
        let table = self.table();
        let sessions = table.sessions.values().filter(|s| s.slot == slot);
        let (all, rw) = sessions.fold((0, 0), |(a, r), s| (a + 1, r + CK_ULONG::from(s.rw)));
        Ok(TokenInfo {
            label,
            serial: number,
            flags,
            sessions: all,
            rw_sessions: rw,
        })
    }

    /// `C_GetMechanismList`.
    pub fn mechanism_list(&self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>, Error> {
        self.with_token(slot, |_| Ok(()))?;
        Ok(mechanism::MECHANISMS.iter().map(|m| m.kind).collect())
    }

    /// `C_GetMechanismInfo`.
    pub fn mechanism_info(
        &self,
        slot: CK_SLOT_ID,
        kind: CK_MECHANISM_TYPE,
    ) -> Result<Mechanism, Error> {
        self.with_token(slot, |_| Ok(()))?;
        mechanism::find(kind)
            .copied()
            .ok_or(Error::Rv(CKR_MECHANISM_INVALID))
    }

    /// `C_InitPIN`: the SO sets the user PIN (and unblocks it).
    pub fn init_pin(&self, handle: CK_SESSION_HANDLE, pin: &[u8]) -> Result<(), Error> {
        let slot = {
            let mut table = self.table();
            let (slot, rw) = table.session_slot(handle)?;
            if !rw {
                return fail(CKR_SESSION_READ_ONLY);
            }
            if table.login_of(slot) != Some(Role::SecurityOfficer) {
                return fail(CKR_USER_NOT_LOGGED_IN);
            }
            slot
        };
        check_pin_len(pin)?;
        self.with_token(slot, |t| Ok(t.device.init_user_pin(pin)?))
    }

    /// `C_SetPIN`: the SO's PIN when the SO is logged in, the user's otherwise.
    pub fn set_pin(&self, handle: CK_SESSION_HANDLE, old: &[u8], new: &[u8]) -> Result<(), Error> {
        let (slot, role) = {
            let mut table = self.table();
            let (slot, rw) = table.session_slot(handle)?;
            if !rw {
                return fail(CKR_SESSION_READ_ONLY);
            }
            (slot, table.login_of(slot).unwrap_or(Role::User))
        };
        check_pin_len(new)?;
        self.with_token(slot, |t| Ok(t.device.change_pin(role, old, new)?))
    }
}

/// A PIN's `CKF_…` flags (PKCS#11 v2.40 §5.5 `CK_TOKEN_INFO`): locked; the final try; "low"
/// once a wrong try took the counter below the token's own maximum (unknown maximum: only the
/// final try is low).
fn pin_flags(
    (state, max): (PinState, Option<u8>),
    low: CK_FLAGS,
    last: CK_FLAGS,
    locked: CK_FLAGS,
) -> CK_FLAGS {
    if state.blocked {
        return locked;
    }
    match state.tries_left {
        Some(1) => last | low,
        Some(n) if max.is_some_and(|m| n < m) => low,
        _ => 0,
    }
}

fn check_pin_len(pin: &[u8]) -> Result<(), Error> {
    let len = pin.len() as CK_ULONG;
    if !(MIN_PIN_LEN..=MAX_PIN_LEN).contains(&len) {
        return fail(CKR_PIN_LEN_RANGE);
    }
    Ok(())
}
