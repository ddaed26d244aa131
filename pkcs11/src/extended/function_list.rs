//! `C_EX_GetFunctionListExtended` and the vendor's table: every member set (no NULL: bank
//! code calls members without checking them). The calls a Rutoken ECP 2.0 has no use for
//! (flash drive, licences, secure-messaging activation, local PINs, the deprecated invisible
//! signing and key wrapping of older library versions) answer `CKR_FUNCTION_NOT_SUPPORTED`,
//! whatever their arguments (docs/pkcs11.md lists each call and its state).
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::ffi::c_void;

use cryptoki_sys::*;

use super::types::*;
use super::{cert_text, csr, init, pkcs7, token_info, verify};

/// The extension's version: the vendor library's table version is not in its headers, so the
/// table says 1.0 (docs/assumptions.md).
const EXTENDED_VERSION: CK_VERSION = CK_VERSION { major: 1, minor: 0 };

static FUNCTION_LIST_EXTENDED: CK_FUNCTION_LIST_EXTENDED = CK_FUNCTION_LIST_EXTENDED {
    version: EXTENDED_VERSION,
    C_EX_GetFunctionListExtended: Some(C_EX_GetFunctionListExtended),
    C_EX_InitToken: Some(init::C_EX_InitToken),
    C_EX_GetTokenInfoExtended: Some(token_info::C_EX_GetTokenInfoExtended),
    C_EX_UnblockUserPIN: Some(init::C_EX_UnblockUserPIN),
    C_EX_SetTokenName: Some(token_info::C_EX_SetTokenName),
    C_EX_SetLicense: Some(C_EX_SetLicense),
    C_EX_GetLicense: Some(C_EX_GetLicense),
    C_EX_GetCertificateInfoText: Some(cert_text::C_EX_GetCertificateInfoText),
    C_EX_PKCS7Sign: Some(pkcs7::C_EX_PKCS7Sign),
    C_EX_CreateCSR: Some(csr::C_EX_CreateCSR),
    C_EX_FreeBuffer: Some(csr::C_EX_FreeBuffer),
    C_EX_GetTokenName: Some(token_info::C_EX_GetTokenName),
    C_EX_SetLocalPIN: Some(C_EX_SetLocalPIN),
    C_EX_LoadActivationKey: Some(C_EX_LoadActivationKey),
    C_EX_SetActivationPassword: Some(C_EX_SetActivationPassword),
    C_EX_GetVolumesInfo: Some(C_EX_GetVolumesInfo),
    C_EX_GetDriveSize: Some(C_EX_GetDriveSize),
    C_EX_ChangeVolumeAttributes: Some(C_EX_ChangeVolumeAttributes),
    C_EX_FormatDrive: Some(C_EX_FormatDrive),
    C_EX_TokenManage: Some(C_EX_TokenManage),
    C_EX_GenerateActivationPassword: Some(C_EX_GenerateActivationPassword),
    C_EX_GetJournal: Some(C_EX_GetJournal),
    C_EX_SignInvisibleInit: Some(C_EX_SignInvisibleInit),
    C_EX_SignInvisible: Some(C_EX_SignInvisible),
    C_EX_SlotManage: Some(C_EX_SlotManage),
    C_EX_WrapKey: Some(C_EX_WrapKey),
    C_EX_UnwrapKey: Some(C_EX_UnwrapKey),
    C_EX_PKCS7VerifyInit: Some(verify::C_EX_PKCS7VerifyInit),
    C_EX_PKCS7Verify: Some(verify::C_EX_PKCS7Verify),
    C_EX_PKCS7VerifyUpdate: Some(verify::C_EX_PKCS7VerifyUpdate),
    C_EX_PKCS7VerifyFinal: Some(verify::C_EX_PKCS7VerifyFinal),
};

/// `C_EX_GetFunctionListExtended`: the table (any time, before `C_Initialize` too, as
/// `C_GetFunctionList`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EX_GetFunctionListExtended(
    ppFunctionList: *mut *const CK_FUNCTION_LIST_EXTENDED,
) -> CK_RV {
    if ppFunctionList.is_null() {
        return CKR_ARGUMENTS_BAD;
    }
    // SAFETY: non-null; the caller's pointer to a writable CK_FUNCTION_LIST_EXTENDED_PTR.
    unsafe { ppFunctionList.write(&FUNCTION_LIST_EXTENDED) };
    CKR_OK
}

/// `C_EX_SetLicense`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SetLicense(
    _hSession: CK_SESSION_HANDLE,
    _ulLicenseNum: CK_ULONG,
    _pLicense: *const CK_BYTE,
    _ulLicenseLen: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetLicense`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_GetLicense(
    _hSession: CK_SESSION_HANDLE,
    _ulLicenseNum: CK_ULONG,
    _pLicense: *mut CK_BYTE,
    _pulLicenseLen: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SetLocalPIN`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SetLocalPIN(
    _slotID: CK_SLOT_ID,
    _pUserPin: *const CK_UTF8CHAR,
    _ulUserPinLen: CK_ULONG,
    _pNewLocalPin: *const CK_UTF8CHAR,
    _ulNewLocalPinLen: CK_ULONG,
    _ulLocalID: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_LoadActivationKey`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_LoadActivationKey(
    _hSession: CK_SESSION_HANDLE,
    _key: *const CK_BYTE,
    _keySize: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SetActivationPassword`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SetActivationPassword(
    _slotID: CK_SLOT_ID,
    _password: *const CK_UTF8CHAR,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetVolumesInfo`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_GetVolumesInfo(
    _slotID: CK_SLOT_ID,
    _pInfo: *mut c_void,
    _pulInfoCount: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetDriveSize`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_GetDriveSize(_slotID: CK_SLOT_ID, _pulDriveSize: *mut CK_ULONG) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_ChangeVolumeAttributes`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_ChangeVolumeAttributes(
    _slotID: CK_SLOT_ID,
    _userType: CK_USER_TYPE,
    _pPin: *const CK_UTF8CHAR,
    _ulPinLen: CK_ULONG,
    _idVolume: CK_ULONG,
    _newAccessMode: CK_ULONG,
    _bPermanent: CK_BBOOL,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_FormatDrive`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_FormatDrive(
    _slotID: CK_SLOT_ID,
    _userType: CK_USER_TYPE,
    _pPin: *const CK_UTF8CHAR,
    _ulPinLen: CK_ULONG,
    _pInitParams: *const c_void,
    _ulInitParamsCount: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_TokenManage`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_TokenManage(
    _hSession: CK_SESSION_HANDLE,
    _ulMode: CK_ULONG,
    _pValue: *mut c_void,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GenerateActivationPassword`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_GenerateActivationPassword(
    _hSession: CK_SESSION_HANDLE,
    _ulPasswordNumber: CK_ULONG,
    _pPassword: *mut CK_UTF8CHAR,
    _pulPasswordSize: *mut CK_ULONG,
    _ulPasswordCharacterSet: CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SignInvisibleInit`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SignInvisibleInit(
    _hSession: CK_SESSION_HANDLE,
    _pMechanism: *const CK_MECHANISM,
    _hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SignInvisible`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SignInvisible(
    _hSession: CK_SESSION_HANDLE,
    _pData: *const CK_BYTE,
    _ulDataLen: CK_ULONG,
    _pSignature: *mut CK_BYTE,
    _pulSignatureLen: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_SlotManage`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_SlotManage(
    _slotID: CK_SLOT_ID,
    _ulMode: CK_ULONG,
    _pValue: *mut c_void,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_WrapKey`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_WrapKey(
    _hSession: CK_SESSION_HANDLE,
    _pGenerationMechanism: *const CK_MECHANISM,
    _pKeyTemplate: *const CK_ATTRIBUTE,
    _ulKeyAttributeCount: CK_ULONG,
    _pDerivationMechanism: *const CK_MECHANISM,
    _hBaseKey: CK_OBJECT_HANDLE,
    _pWrappingMechanism: *const CK_MECHANISM,
    _pWrappedKey: *mut CK_BYTE,
    _pulWrappedKeyLen: *mut CK_ULONG,
    _phKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_UnwrapKey`: not on a Rutoken ECP 2.0 (see the module's note).
unsafe extern "C" fn C_EX_UnwrapKey(
    _hSession: CK_SESSION_HANDLE,
    _pDerivationMechanism: *const CK_MECHANISM,
    _hBaseKey: CK_OBJECT_HANDLE,
    _pUnwrappingMechanism: *const CK_MECHANISM,
    _pWrappedKey: *const CK_BYTE,
    _ulWrappedKeyLen: CK_ULONG,
    _pKeyTemplate: *const CK_ATTRIBUTE,
    _ulKeyAttributeCount: CK_ULONG,
    _phKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}

/// `C_EX_GetJournal`: the emulated ECP 2.0 keeps no operation journal. The vendor fills one
/// only on tokens that set `TOKEN_FLAGS_SUPPORT_JOURNAL`, which this token's extended
/// information does not, and the journal's APDUs are not public (docs/assumptions.md).
unsafe extern "C" fn C_EX_GetJournal(
    _slotID: CK_SLOT_ID,
    _pJournal: *mut CK_BYTE,
    _pulJournalSize: *mut CK_ULONG,
) -> CK_RV {
    CKR_FUNCTION_NOT_SUPPORTED
}
