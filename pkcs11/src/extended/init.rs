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

/// `C_EX_InitToken`.
pub(super) unsafe extern "C" fn C_EX_InitToken(
    _slotID: CK_SLOT_ID,
    _pPin: *const CK_UTF8CHAR,
    _ulPinLen: CK_ULONG,
    _pInitInfo: *const CK_RUTOKEN_INIT_PARAM,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_UnblockUserPIN`.
pub(super) unsafe extern "C" fn C_EX_UnblockUserPIN(_hSession: CK_SESSION_HANDLE) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
