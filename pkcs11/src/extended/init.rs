//! `C_EX_InitToken` (format) and `C_EX_UnblockUserPIN`.
//!
//! The format is what the ECP 2.0's commands allow on a personalised token, as the bank
//! plugin's `formatToken` does it: every object deleted, the user PIN set (tries reset), the
//! administrator PIN changed when a new one is given, the label written. The PIN policy
//! (shortest PINs, tries) lives in the PIN RSFs the token was personalised with: a policy
//! other than the token's current one would need a re-personalisation (ERASE and new PIN
//! objects) and is `CKR_FUNCTION_NOT_SUPPORTED`, checked before anything changes.
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::mem::size_of;

use cryptoki_sys::*;

use super::profile::profile;
use super::token_info::MAX_LABEL_LEN;
use super::types::*;
use crate::device::{Format, Role};
use crate::error::{Error, fail};
use crate::ffi::{bytes, entry, get, with_module};
use crate::module::Module;

/// The ranges `CK_RUTOKEN_INIT_PARAM` documents (`rtpkcs11t.h` comments, pkcs11jna's
/// `CK_RUTOKEN_INIT_PARAM.java`): shortest PINs 1..=31, administrator tries 3..=10, user
/// tries 1..=10; the policy one of the two flags or both.
fn check_ranges(p: &CK_RUTOKEN_INIT_PARAM) -> Result<(), Error> {
    let both = TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN | TOKEN_FLAGS_USER_CHANGE_USER_PIN;
    let ok = p.ChangeUserPINPolicy != 0
        && p.ChangeUserPINPolicy & !both == 0
        && (1..=31).contains(&p.ulMinAdminPinLen)
        && (1..=31).contains(&p.ulMinUserPinLen)
        && (3..=10).contains(&p.ulMaxAdminRetryCount)
        && (1..=10).contains(&p.ulMaxUserRetryCount);
    if ok { Ok(()) } else { fail(CKR_ARGUMENTS_BAD) }
}

/// The token's policy, as the PIN RSFs (or the profile) give it.
struct Policy {
    min_admin: CK_ULONG,
    min_user: CK_ULONG,
    tries_admin: CK_ULONG,
    tries_user: CK_ULONG,
}

/// `C_EX_InitToken`.
pub(super) unsafe extern "C" fn C_EX_InitToken(
    slotID: CK_SLOT_ID,
    pPin: *const CK_UTF8CHAR,
    ulPinLen: CK_ULONG,
    pInitInfo: *const CK_RUTOKEN_INIT_PARAM,
) -> CK_RV {
    entry(|| {
        // SAFETY: a non-null pInitInfo starts with its CK_ULONG size (the vendor's contract).
        let size = unsafe { get(pInitInfo as *const CK_ULONG) }?;
        if size < size_of::<CK_RUTOKEN_INIT_PARAM>() as CK_ULONG {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller says its structure is at least this one's size.
        let p = unsafe { get(pInitInfo) }?;
        if pPin.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's PIN of ulPinLen bytes.
        let admin = unsafe { bytes(pPin, ulPinLen) }?;
        // SAFETY: the structure's (pointer, length) pairs, by the vendor's contract.
        let new_admin = unsafe { bytes(p.pNewAdminPin, p.ulNewAdminPinLen) }?;
        // SAFETY: as above.
        let user = unsafe { bytes(p.pNewUserPin, p.ulNewUserPinLen) }?;
        // SAFETY: as above; a null label is "keep the label".
        let label = (!p.pTokenLabel.is_null())
            .then(|| unsafe { bytes(p.pTokenLabel, p.ulLabelLen) })
            .transpose()?;
        let label = label
            .map(std::str::from_utf8)
            .transpose()
            .map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?;
        if label.is_some_and(|l| l.len() > MAX_LABEL_LEN) {
            return fail(CKR_ARGUMENTS_BAD);
        }
        check_ranges(&p)?;
        // Repair mode (no administrator PIN) and secure messaging are not on this token.
        if p.UseRepairMode != 0 || p.ulSmMode != 0 {
            return fail(CKR_FUNCTION_NOT_SUPPORTED);
        }
        let max_len = CK_ULONG::from(profile().token.pin_max_len);
        with_module(|m| {
            if m.slot_has_sessions(slotID)? {
                return fail(CKR_SESSION_EXISTS);
            }
            let token = profile().token;
            let policy = m.on_token(slotID, |t| {
                let d = &mut t.device;
                Ok(Policy {
                    min_admin: d
                        .min_pin_len(Role::SecurityOfficer)?
                        .unwrap_or(token.factory_admin_pin_min_len)
                        .into(),
                    min_user: d
                        .min_pin_len(Role::User)?
                        .unwrap_or(token.factory_user_pin_min_len)
                        .into(),
                    tries_admin: d
                        .max_tries(Role::SecurityOfficer)?
                        .unwrap_or(token.factory_admin_pin_tries)
                        .into(),
                    tries_user: d
                        .max_tries(Role::User)?
                        .unwrap_or(token.factory_user_pin_tries)
                        .into(),
                })
            })?;
            let both = TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN | TOKEN_FLAGS_USER_CHANGE_USER_PIN;
            if p.ChangeUserPINPolicy != both
                || p.ulMinAdminPinLen != policy.min_admin
                || p.ulMinUserPinLen != policy.min_user
                || p.ulMaxAdminRetryCount != policy.tries_admin
                || p.ulMaxUserRetryCount != policy.tries_user
            {
                return fail(CKR_FUNCTION_NOT_SUPPORTED);
            }
            let in_range =
                |pin: &[u8], min: CK_ULONG| (min..=max_len).contains(&(pin.len() as CK_ULONG));
            if !in_range(user, p.ulMinUserPinLen)
                || (!new_admin.is_empty() && !in_range(new_admin, p.ulMinAdminPinLen))
            {
                return fail(CKR_PIN_LEN_RANGE);
            }
            let format = Format {
                admin,
                new_admin: (!new_admin.is_empty()).then_some(new_admin),
                user,
                label,
            };
            run_format(m, slotID, &format)
        })
    })
}

/// `C_InitToken` (PKCS#11 v2.40 §5.5): the format of `C_EX_InitToken` with the SO PIN as it
/// is and the token's PIN policy, the label given (32 bytes, blank-padded; all blanks keep the
/// token's name), and the user PIN set to the profile's factory user PIN, as a token comes from
/// the factory: the program then sets its own with `C_InitPIN`. No session may be open on the
/// slot (`CKR_SESSION_EXISTS`); a wrong SO PIN is `CKR_PIN_INCORRECT` with nothing changed.
pub(crate) fn init_token(slot: CK_SLOT_ID, so_pin: &[u8], label: &[u8; 32]) -> Result<(), Error> {
    let label = std::str::from_utf8(label)
        .map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?
        .trim_end_matches(' ');
    let token = profile().token;
    with_module(|m| {
        if m.slot_has_sessions(slot)? {
            return fail(CKR_SESSION_EXISTS);
        }
        let format = Format {
            admin: so_pin,
            new_admin: None,
            user: token.factory_user_pin.as_bytes(),
            label: (!label.is_empty()).then_some(label),
        };
        run_format(m, slot, &format)
    })
}

/// Formats the token in `slot`; whatever the outcome, the module reads the token's objects and
/// login again.
fn run_format(m: &Module, slot: CK_SLOT_ID, format: &Format<'_>) -> Result<(), Error> {
    let result = m.on_token(slot, |t| t.device.format(format));
    m.token_formatted(slot)?;
    result
}

/// `C_EX_UnblockUserPIN`: the conditions of `C_InitPIN` (a read-write session, the SO logged
/// in); the user PIN's tries go back to the maximum, its value kept.
pub(super) unsafe extern "C" fn C_EX_UnblockUserPIN(hSession: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| {
        with_module(|m| {
            let state = m.session_state(hSession)?;
            if !state.rw {
                return fail(CKR_SESSION_READ_ONLY);
            }
            if state.login != Some(Role::SecurityOfficer) {
                return fail(CKR_USER_NOT_LOGGED_IN);
            }
            m.on_token(state.slot, |t| t.device.unblock_user_pin())
        })
    })
}
