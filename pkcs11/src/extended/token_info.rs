//! (in progress)
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use cryptoki_sys::*;

use super::types::*;

/// `C_EX_GetTokenInfoExtended`.
pub(super) unsafe extern "C" fn C_EX_GetTokenInfoExtended(
    _slotID: CK_SLOT_ID,
    _pInfo: *mut CK_TOKEN_INFO_EXTENDED,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SetTokenName`.
pub(super) unsafe extern "C" fn C_EX_SetTokenName(
    _hSession: CK_SESSION_HANDLE,
    _pLabel: *const CK_CHAR,
    _ulLabelLen: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetTokenName`.
pub(super) unsafe extern "C" fn C_EX_GetTokenName(
    _hSession: CK_SESSION_HANDLE,
    _pLabel: *mut CK_CHAR,
    _pulLabelLen: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetJournal`.
pub(super) unsafe extern "C" fn C_EX_GetJournal(
    _slotID: CK_SLOT_ID,
    _pJournal: *mut CK_BYTE,
    _pulJournalSize: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
