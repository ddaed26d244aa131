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

/// `C_EX_PKCS7VerifyInit`.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyInit(
    _hSession: CK_SESSION_HANDLE,
    _pCms: *const CK_BYTE,
    _ulCmsSize: CK_ULONG,
    _pStore: *const CK_VENDOR_X509_STORE,
    _ckMode: CK_ULONG,
    _flags: CK_FLAGS,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_PKCS7Verify`.
pub(super) unsafe extern "C" fn C_EX_PKCS7Verify(
    _hSession: CK_SESSION_HANDLE,
    _ppData: *mut *mut CK_BYTE,
    _pulDataSize: *mut CK_ULONG,
    _ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
    _pulSignerCertificatesCount: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_PKCS7VerifyUpdate`.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyUpdate(
    _hSession: CK_SESSION_HANDLE,
    _pData: *const CK_BYTE,
    _ulDataSize: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_PKCS7VerifyFinal`.
pub(super) unsafe extern "C" fn C_EX_PKCS7VerifyFinal(
    _hSession: CK_SESSION_HANDLE,
    _ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
    _pulSignerCertificatesCount: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
