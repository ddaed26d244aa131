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

/// `C_EX_GetCertificateInfoText`.
pub(super) unsafe extern "C" fn C_EX_GetCertificateInfoText(
    _hSession: CK_SESSION_HANDLE,
    _hCert: CK_OBJECT_HANDLE,
    _pInfo: *mut *mut CK_CHAR,
    _pulInfoLen: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_CreateCSR`.
pub(super) unsafe extern "C" fn C_EX_CreateCSR(
    _hSession: CK_SESSION_HANDLE,
    _hPublicKey: CK_OBJECT_HANDLE,
    _dn: *const *const CK_CHAR,
    _dnLength: CK_ULONG,
    _pCsr: *mut *mut CK_BYTE,
    _pulCsrLength: *mut CK_ULONG,
    _hPrivKey: CK_OBJECT_HANDLE,
    _pAttributes: *const *const CK_CHAR,
    _ulAttributesLength: CK_ULONG,
    _pExtensions: *const *const CK_CHAR,
    _ulExtensionsLength: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_FreeBuffer`.
pub(super) unsafe extern "C" fn C_EX_FreeBuffer(_pBuffer: *mut CK_BYTE) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
