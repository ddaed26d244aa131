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

/// `C_EX_PKCS7Sign`.
pub(super) unsafe extern "C" fn C_EX_PKCS7Sign(
    _hSession: CK_SESSION_HANDLE,
    _pData: *const CK_BYTE,
    _ulDataLen: CK_ULONG,
    _hCert: CK_OBJECT_HANDLE,
    _ppEnvelope: *mut *mut CK_BYTE,
    _pEnvelopeLen: *mut CK_ULONG,
    _hPrivKey: CK_OBJECT_HANDLE,
    _phCertificates: *const CK_OBJECT_HANDLE,
    _ulCertificatesLen: CK_ULONG,
    _flags: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
