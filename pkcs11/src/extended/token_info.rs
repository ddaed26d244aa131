//! `C_EX_GetTokenInfoExtended`, `C_EX_GetTokenName`, `C_EX_SetTokenName`.
//!
//! The extended information comes from the token (serial, PIN tries and policy from its PIN
//! RSFs), the reader (the ATR) and the device profile (lengths and tries the token does not
//! tell, memory size); what neither knows is reported as unknown (docs/assumptions.md).
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::mem::{offset_of, size_of};

use cryptoki_sys::*;

use super::profile::profile;
use super::types::*;
use crate::device::Role;
use crate::error::{Error, fail};
use crate::ffi::{bytes, entry, get, output, with_module};

/// The shortest `CK_TOKEN_INFO_EXTENDED` a caller may pass: up to `ulATRLen`, the structure
/// before the vendor appended the token class and the battery fields (docs/assumptions.md).
pub(super) const MIN_INFO_SIZE: usize = offset_of!(CK_TOKEN_INFO_EXTENDED, ulTokenClass);

/// The longest token name: the 32 characters of `CK_TOKEN_INFO.label` (PKCS#11 v2.40 §3.2),
/// which the vendor's name is.
pub(super) const MAX_LABEL_LEN: usize = 32;

/// The extended information of the slot's token.
fn token_info_extended(slot: CK_SLOT_ID) -> Result<CK_TOKEN_INFO_EXTENDED, Error> {
    let profile = profile();
    let token = &profile.token;
    with_module(|m| {
        let atr = m.slot_atr(slot)?;
        let (serial, user, so) = m.on_token(slot, |t| {
            let mut pin = |role: Role| -> Result<_, Error> {
                Ok((
                    t.device.pin_state(role)?,
                    t.device.max_tries(role)?,
                    t.device.min_pin_len(role)?,
                ))
            };
            let user = pin(Role::User)?;
            let so = pin(Role::SecurityOfficer)?;
            Ok((t.serial.clone(), user, so))
        })?;
        let mut info = CK_TOKEN_INFO_EXTENDED {
            ulSizeofThisStructure: size_of::<CK_TOKEN_INFO_EXTENDED>() as CK_ULONG,
            ulTokenType: TOKEN_TYPE_RUTOKEN_ECP,
            ulProtocolNumber: 0,
            ulMicrocodeNumber: 0,
            ulOrderNumber: 0,
            // Both may change the user PIN (C_InitPIN as SO, C_SetPIN as user, the token's
            // ACLs as personalised). Whether a PIN is still the factory one the module cannot
            // learn without spending a try: the two NOT_DEFAULT flags stay clear.
            flags: TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN
                | TOKEN_FLAGS_USER_CHANGE_USER_PIN
                | TOKEN_FLAGS_HAS_BUTTON
                | TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE,
            ulMaxAdminPinLen: CK_ULONG::from(token.pin_max_len),
            ulMinAdminPinLen: CK_ULONG::from(so.2.unwrap_or(token.factory_admin_pin_min_len)),
            ulMaxUserPinLen: CK_ULONG::from(token.pin_max_len),
            ulMinUserPinLen: CK_ULONG::from(user.2.unwrap_or(token.factory_user_pin_min_len)),
            ulMaxAdminRetryCount: 0,
            ulAdminRetryCountLeft: 0,
            ulMaxUserRetryCount: 0,
            ulUserRetryCountLeft: 0,
            serialNumber: [0; 8],
            ulTotalMemory: CK_ULONG::from(token.memory_bytes),
            // The ECP 2.0's free-memory query is not public.
            ulFreeMemory: CK_UNAVAILABLE_INFORMATION,
            ATR: [0; 64],
            ulATRLen: 0,
            ulTokenClass: TOKEN_CLASS_ECP,
            ulBatteryVoltage: 0,
            ulBodyColor: TOKEN_BODY_COLOR_UNKNOWN,
            ulFirmwareChecksum: 0,
            ulBatteryPercentage: 0,
            ulBatteryFlags: 0,
        };
        let tries = |(state, max, _): (crate::device::PinState, Option<u8>, Option<u8>),
                     factory: u8| {
            let max = max.unwrap_or(factory);
            // A verified PIN's counter is back at its maximum.
            let left = if state.blocked {
                0
            } else {
                state.tries_left.unwrap_or(max)
            };
            (CK_ULONG::from(max), CK_ULONG::from(left))
        };
        (info.ulMaxUserRetryCount, info.ulUserRetryCountLeft) =
            tries(user, token.factory_user_pin_tries);
        (info.ulMaxAdminRetryCount, info.ulAdminRetryCountLeft) =
            tries(so, token.factory_admin_pin_tries);
        let n = serial.len().min(8);
        info.serialNumber[8 - n..].copy_from_slice(&serial[serial.len() - n..]);
        let n = atr.len().min(64);
        info.ATR[..n].copy_from_slice(&atr[..n]);
        info.ulATRLen = n as CK_ULONG;
        Ok(info)
    })
}

/// `C_EX_GetTokenInfoExtended`: fills as much of the caller's structure as its
/// `ulSizeofThisStructure` says it has (at least [`MIN_INFO_SIZE`]), and sets that member to
/// the size filled.
pub(super) unsafe extern "C" fn C_EX_GetTokenInfoExtended(
    slotID: CK_SLOT_ID,
    pInfo: *mut CK_TOKEN_INFO_EXTENDED,
) -> CK_RV {
    entry(|| {
        // SAFETY: a non-null pInfo starts with its CK_ULONG size (the vendor's contract).
        let size = unsafe { get(pInfo as *const CK_ULONG) }?;
        let size = usize::try_from(size).map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?;
        if size < MIN_INFO_SIZE {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let info = token_info_extended(slotID)?;
        let filled = size.min(size_of::<CK_TOKEN_INFO_EXTENDED>());
        let mut raw = [0u8; size_of::<CK_TOKEN_INFO_EXTENDED>()];
        // SAFETY: `raw` is exactly the structure's size; the structure is plain C data.
        unsafe {
            std::ptr::copy_nonoverlapping(
                &info as *const CK_TOKEN_INFO_EXTENDED as *const u8,
                raw.as_mut_ptr(),
                raw.len(),
            )
        };
        raw[..size_of::<CK_ULONG>()].copy_from_slice(&(filled as CK_ULONG).to_ne_bytes());
        // SAFETY: the caller's structure has `size >= filled` writable bytes (its own
        // ulSizeofThisStructure); ours is a distinct local.
        unsafe { std::ptr::copy_nonoverlapping(raw.as_ptr(), pInfo as *mut u8, filled) };
        Ok(())
    })
}

/// `C_EX_GetTokenName`: the label without a terminating NUL, by PKCS#11's two-call size
/// protocol (NULL buffer: the length; short buffer: `CKR_BUFFER_TOO_SMALL` and the length).
pub(super) unsafe extern "C" fn C_EX_GetTokenName(
    hSession: CK_SESSION_HANDLE,
    pLabel: *mut CK_CHAR,
    pulLabelLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pulLabelLen.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let label = with_module(|m| {
            let slot = m.session_state(hSession)?.slot;
            m.on_token(slot, |t| t.device.token_label())
        })?
        .unwrap_or_default();
        // SAFETY: pulLabelLen is the caller's length; pLabel null or that many bytes.
        unsafe { output(pLabel, pulLabelLen, label.len(), Some(label.as_bytes())) }.map(|_| ())
    })
}

/// `C_EX_SetTokenName`: "R/W User Functions" only (the vendor's rule): a read-only session is
/// `CKR_SESSION_READ_ONLY`, no user login `CKR_USER_NOT_LOGGED_IN`. The name is UTF-8 of 1 to
/// 32 bytes (`CKR_ARGUMENTS_BAD` otherwise, nothing written).
pub(super) unsafe extern "C" fn C_EX_SetTokenName(
    hSession: CK_SESSION_HANDLE,
    pLabel: *const CK_CHAR,
    ulLabelLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pLabel.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: pLabel points at ulLabelLen bytes (the vendor's contract).
        let label = unsafe { bytes(pLabel, ulLabelLen) }?;
        let label = std::str::from_utf8(label).map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))?;
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return fail(CKR_ARGUMENTS_BAD);
        }
        with_module(|m| {
            let state = m.session_state(hSession)?;
            if !state.rw {
                return fail(CKR_SESSION_READ_ONLY);
            }
            if state.login != Some(Role::User) {
                return fail(CKR_USER_NOT_LOGGED_IN);
            }
            m.on_token(state.slot, |t| t.device.set_token_label(label))
        })
    })
}
