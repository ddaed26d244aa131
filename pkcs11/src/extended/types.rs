//! The vendor's extended types and constants, declared from the facts of Aktiv's public
//! headers `rtpkcs11t.h` / `rtpkcs11f.h` (names, member order, values) as AktivCo/pkcs11jna
//! (`CK_TOKEN_INFO_EXTENDED.java`, `CK_RUTOKEN_INIT_PARAM.java`, `CK_VENDOR_X509_STORE.java`,
//! `CK_VENDOR_BUFFER.java`, `RtPkcs11Constants.java`) and the SDK's preprocessed header give
//! them. Layouts are C's natural ones (`repr(C)`): the headers pack structures only on Windows
//! (`#pragma pack(push, rutoken, 1)` under `_WIN32`).
#![allow(
    non_camel_case_types,
    non_snake_case,
    reason = "the vendor's names, kept so C programmers find them"
)]

use std::ffi::c_void;

use cryptoki_sys::*;

/// `CKR_VENDOR_DEFINED + 9`: a certificate chain that does not verify
/// (`RtPkcs11Constants.CKR_CERT_CHAIN_NOT_VERIFIED`).
pub const CKR_CERT_CHAIN_NOT_VERIFIED: CK_RV = CKR_VENDOR_DEFINED + 9;

/// `ulTokenType`: Rutoken ECP (`TOKEN_TYPE_RUTOKEN_ECP`).
pub const TOKEN_TYPE_RUTOKEN_ECP: CK_ULONG = 0x01;
/// `ulTokenClass`: the ECP family (`TOKEN_CLASS_ECP`).
pub const TOKEN_CLASS_ECP: CK_ULONG = 0x01;
/// `ulBodyColor` the token does not tell (`TOKEN_BODY_COLOR_UNKNOWN`).
pub const TOKEN_BODY_COLOR_UNKNOWN: CK_ULONG = 0;

/// The administrator may change the user PIN (`TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN`).
pub const TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN: CK_ULONG = 0x0000_0001;
/// The user may change the user PIN (`TOKEN_FLAGS_USER_CHANGE_USER_PIN`).
pub const TOKEN_FLAGS_USER_CHANGE_USER_PIN: CK_ULONG = 0x0000_0002;
/// The administrator PIN is not the factory one (`TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT`).
pub const TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT: CK_ULONG = 0x0000_0004;
/// The user PIN is not the factory one (`TOKEN_FLAGS_USER_PIN_NOT_DEFAULT`).
pub const TOKEN_FLAGS_USER_PIN_NOT_DEFAULT: CK_ULONG = 0x0000_0008;
/// A Rutoken with a button: the SafeTouch (`TOKEN_FLAGS_HAS_BUTTON`).
pub const TOKEN_FLAGS_HAS_BUTTON: CK_ULONG = 0x0000_0200;
/// The token keeps a journal (`TOKEN_FLAGS_SUPPORT_JOURNAL`).
pub const TOKEN_FLAGS_SUPPORT_JOURNAL: CK_ULONG = 0x0000_0400;
/// The firmware checksum cannot be asked for (`TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE`, the
/// header's spelling).
pub const TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE: CK_ULONG = 0x4000_0000;

/// `C_EX_PKCS7Sign`: leave the data out of the CMS (`PKCS7_DETACHED_SIGNATURE`).
pub const PKCS7_DETACHED_SIGNATURE: CK_ULONG = 0x0000_0001;
/// `C_EX_PKCS7Sign`: hash on the token (`USE_HARDWARE_HASH`).
pub const USE_HARDWARE_HASH: CK_ULONG = 0x0000_0002;

/// `C_EX_PKCS7VerifyInit` flag: ignore the certificates inside the CMS
/// (`CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS`).
pub const CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS: CK_FLAGS = 0x0000_0001;
/// `C_EX_PKCS7VerifyInit` flag: a chain may end below a trusted root
/// (`CKF_VENDOR_ALLOW_PARTIAL_CHAINS`).
pub const CKF_VENDOR_ALLOW_PARTIAL_CHAINS: CK_FLAGS = 0x0000_0002;
/// CRL mode: CRLs checked when given (`OPTIONAL_CRL_CHECK`).
pub const OPTIONAL_CRL_CHECK: CK_ULONG = 0;
/// CRL mode: the leaf's CRL required (`LEAF_CRL_CHECK`).
pub const LEAF_CRL_CHECK: CK_ULONG = 1;
/// CRL mode: every CRL of the chain required (`ALL_CRL_CHECK`).
pub const ALL_CRL_CHECK: CK_ULONG = 2;

/// `CK_TOKEN_INFO_EXTENDED` (`rtpkcs11t.h`), member for member.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_TOKEN_INFO_EXTENDED {
    /// In: the caller's size of the structure; out: the size filled.
    pub ulSizeofThisStructure: CK_ULONG,
    /// `TOKEN_TYPE_…` (deprecated by the vendor, still filled).
    pub ulTokenType: CK_ULONG,
    /// Exchange protocol number.
    pub ulProtocolNumber: CK_ULONG,
    /// Microcode number.
    pub ulMicrocodeNumber: CK_ULONG,
    /// Order number.
    pub ulOrderNumber: CK_ULONG,
    /// `TOKEN_FLAGS_…`.
    pub flags: CK_ULONG,
    /// Longest administrator PIN.
    pub ulMaxAdminPinLen: CK_ULONG,
    /// Shortest administrator PIN.
    pub ulMinAdminPinLen: CK_ULONG,
    /// Longest user PIN.
    pub ulMaxUserPinLen: CK_ULONG,
    /// Shortest user PIN.
    pub ulMinUserPinLen: CK_ULONG,
    /// Administrator PIN tries.
    pub ulMaxAdminRetryCount: CK_ULONG,
    /// Administrator PIN tries left (0: blocked).
    pub ulAdminRetryCountLeft: CK_ULONG,
    /// User PIN tries.
    pub ulMaxUserRetryCount: CK_ULONG,
    /// User PIN tries left (0: blocked).
    pub ulUserRetryCountLeft: CK_ULONG,
    /// The serial, big-endian.
    pub serialNumber: [CK_BYTE; 8],
    /// Memory in bytes.
    pub ulTotalMemory: CK_ULONG,
    /// Free memory in bytes.
    pub ulFreeMemory: CK_ULONG,
    /// The ATR.
    pub ATR: [CK_BYTE; 64],
    /// Its length.
    pub ulATRLen: CK_ULONG,
    /// `TOKEN_CLASS_…`.
    pub ulTokenClass: CK_ULONG,
    /// Battery voltage (µV), Bluetooth models.
    pub ulBatteryVoltage: CK_ULONG,
    /// `TOKEN_BODY_COLOR_…`.
    pub ulBodyColor: CK_ULONG,
    /// Firmware checksum.
    pub ulFirmwareChecksum: CK_ULONG,
    /// Battery charge (%), Bluetooth models.
    pub ulBatteryPercentage: CK_ULONG,
    /// Battery flags, Bluetooth models.
    pub ulBatteryFlags: CK_ULONG,
}

/// `CK_RUTOKEN_INIT_PARAM` (`rtpkcs11t.h`): `C_EX_InitToken`'s parameters.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_RUTOKEN_INIT_PARAM {
    /// The caller's size of the structure.
    pub ulSizeofThisStructure: CK_ULONG,
    /// Non-zero: format without the administrator's PIN (repair mode).
    pub UseRepairMode: CK_ULONG,
    /// The new administrator PIN.
    pub pNewAdminPin: *const CK_BYTE,
    /// Its length.
    pub ulNewAdminPinLen: CK_ULONG,
    /// The new user PIN.
    pub pNewUserPin: *const CK_BYTE,
    /// Its length.
    pub ulNewUserPinLen: CK_ULONG,
    /// Who may change the user PIN: `TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN` and/or
    /// `TOKEN_FLAGS_USER_CHANGE_USER_PIN`.
    pub ChangeUserPINPolicy: CK_FLAGS,
    /// Shortest administrator PIN (1..=31).
    pub ulMinAdminPinLen: CK_ULONG,
    /// Shortest user PIN (1..=31).
    pub ulMinUserPinLen: CK_ULONG,
    /// Administrator PIN tries (3..=10).
    pub ulMaxAdminRetryCount: CK_ULONG,
    /// User PIN tries (1..=10).
    pub ulMaxUserRetryCount: CK_ULONG,
    /// The new token label (null: unchanged).
    pub pTokenLabel: *const CK_BYTE,
    /// Its length.
    pub ulLabelLen: CK_ULONG,
    /// Secure messaging mode.
    pub ulSmMode: CK_ULONG,
}

/// `CK_VENDOR_BUFFER` (`rtpkcs11t.h`): a pointer and a length.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_VENDOR_BUFFER {
    /// The bytes.
    pub pData: *mut CK_BYTE,
    /// How many.
    pub ulSize: CK_ULONG,
}

/// `CK_VENDOR_X509_STORE` (`rtpkcs11t.h`): what `C_EX_PKCS7VerifyInit` verifies against.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_VENDOR_X509_STORE {
    /// Trusted certificates (DER).
    pub pTrustedCertificates: *const CK_VENDOR_BUFFER,
    /// How many.
    pub ulTrustedCertificatesCount: CK_ULONG,
    /// Further certificates (signers, intermediates; DER).
    pub pCertificates: *const CK_VENDOR_BUFFER,
    /// How many.
    pub ulCertificatesCount: CK_ULONG,
    /// CRLs (DER).
    pub pCrls: *const CK_VENDOR_BUFFER,
    /// How many.
    pub ulCrlsCount: CK_ULONG,
}

/// `CK_C_EX_GetFunctionListExtended` (`rtpkcs11f.h`).
pub type CK_C_EX_GetFunctionListExtended =
    Option<unsafe extern "C" fn(ppFunctionList: *mut *const CK_FUNCTION_LIST_EXTENDED) -> CK_RV>;

/// `CK_C_EX_InitToken` (`rtpkcs11f.h`).
pub type CK_C_EX_InitToken = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pPin: *const CK_UTF8CHAR,
        ulPinLen: CK_ULONG,
        pInitInfo: *const CK_RUTOKEN_INIT_PARAM,
    ) -> CK_RV,
>;

/// `CK_C_EX_GetTokenInfoExtended` (`rtpkcs11f.h`).
pub type CK_C_EX_GetTokenInfoExtended =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pInfo: *mut CK_TOKEN_INFO_EXTENDED) -> CK_RV>;

/// `CK_C_EX_UnblockUserPIN` (`rtpkcs11f.h`).
pub type CK_C_EX_UnblockUserPIN =
    Option<unsafe extern "C" fn(hSession: CK_SESSION_HANDLE) -> CK_RV>;

/// `CK_C_EX_SetTokenName` (`rtpkcs11f.h`).
pub type CK_C_EX_SetTokenName = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pLabel: *const CK_CHAR,
        ulLabelLen: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_SetLicense` (`rtpkcs11f.h`).
pub type CK_C_EX_SetLicense = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ulLicenseNum: CK_ULONG,
        pLicense: *const CK_BYTE,
        ulLicenseLen: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_GetLicense` (`rtpkcs11f.h`).
pub type CK_C_EX_GetLicense = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ulLicenseNum: CK_ULONG,
        pLicense: *mut CK_BYTE,
        pulLicenseLen: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_GetCertificateInfoText` (`rtpkcs11f.h`).
pub type CK_C_EX_GetCertificateInfoText = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        hCert: CK_OBJECT_HANDLE,
        pInfo: *mut *mut CK_CHAR,
        pulInfoLen: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_PKCS7Sign` (`rtpkcs11f.h`).
pub type CK_C_EX_PKCS7Sign = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pData: *const CK_BYTE,
        ulDataLen: CK_ULONG,
        hCert: CK_OBJECT_HANDLE,
        ppEnvelope: *mut *mut CK_BYTE,
        pEnvelopeLen: *mut CK_ULONG,
        hPrivKey: CK_OBJECT_HANDLE,
        phCertificates: *const CK_OBJECT_HANDLE,
        ulCertificatesLen: CK_ULONG,
        flags: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_CreateCSR` (`rtpkcs11f.h`).
pub type CK_C_EX_CreateCSR = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        hPublicKey: CK_OBJECT_HANDLE,
        dn: *const *const CK_CHAR,
        dnLength: CK_ULONG,
        pCsr: *mut *mut CK_BYTE,
        pulCsrLength: *mut CK_ULONG,
        hPrivKey: CK_OBJECT_HANDLE,
        pAttributes: *const *const CK_CHAR,
        ulAttributesLength: CK_ULONG,
        pExtensions: *const *const CK_CHAR,
        ulExtensionsLength: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_FreeBuffer` (`rtpkcs11f.h`).
pub type CK_C_EX_FreeBuffer = Option<unsafe extern "C" fn(pBuffer: *mut CK_BYTE) -> CK_RV>;

/// `CK_C_EX_GetTokenName` (`rtpkcs11f.h`).
pub type CK_C_EX_GetTokenName = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pLabel: *mut CK_CHAR,
        pulLabelLen: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_SetLocalPIN` (`rtpkcs11f.h`).
pub type CK_C_EX_SetLocalPIN = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pUserPin: *const CK_UTF8CHAR,
        ulUserPinLen: CK_ULONG,
        pNewLocalPin: *const CK_UTF8CHAR,
        ulNewLocalPinLen: CK_ULONG,
        ulLocalID: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_LoadActivationKey` (`rtpkcs11f.h`).
pub type CK_C_EX_LoadActivationKey = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        key: *const CK_BYTE,
        keySize: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_SetActivationPassword` (`rtpkcs11f.h`).
pub type CK_C_EX_SetActivationPassword =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, password: *const CK_UTF8CHAR) -> CK_RV>;

/// `CK_C_EX_GetVolumesInfo` (`rtpkcs11f.h`).
pub type CK_C_EX_GetVolumesInfo = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pInfo: *mut c_void,
        pulInfoCount: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_GetDriveSize` (`rtpkcs11f.h`).
pub type CK_C_EX_GetDriveSize =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pulDriveSize: *mut CK_ULONG) -> CK_RV>;

/// `CK_C_EX_ChangeVolumeAttributes` (`rtpkcs11f.h`).
pub type CK_C_EX_ChangeVolumeAttributes = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        userType: CK_USER_TYPE,
        pPin: *const CK_UTF8CHAR,
        ulPinLen: CK_ULONG,
        idVolume: CK_ULONG,
        newAccessMode: CK_ULONG,
        bPermanent: CK_BBOOL,
    ) -> CK_RV,
>;

/// `CK_C_EX_FormatDrive` (`rtpkcs11f.h`).
pub type CK_C_EX_FormatDrive = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        userType: CK_USER_TYPE,
        pPin: *const CK_UTF8CHAR,
        ulPinLen: CK_ULONG,
        pInitParams: *const c_void,
        ulInitParamsCount: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_TokenManage` (`rtpkcs11f.h`).
pub type CK_C_EX_TokenManage = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ulMode: CK_ULONG,
        pValue: *mut c_void,
    ) -> CK_RV,
>;

/// `CK_C_EX_GenerateActivationPassword` (`rtpkcs11f.h`).
pub type CK_C_EX_GenerateActivationPassword = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ulPasswordNumber: CK_ULONG,
        pPassword: *mut CK_UTF8CHAR,
        pulPasswordSize: *mut CK_ULONG,
        ulPasswordCharacterSet: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_GetJournal` (`rtpkcs11f.h`).
pub type CK_C_EX_GetJournal = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pJournal: *mut CK_BYTE,
        pulJournalSize: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_SignInvisibleInit` (`rtpkcs11f.h`).
pub type CK_C_EX_SignInvisibleInit = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pMechanism: *const CK_MECHANISM,
        hKey: CK_OBJECT_HANDLE,
    ) -> CK_RV,
>;

/// `CK_C_EX_SignInvisible` (`rtpkcs11f.h`).
pub type CK_C_EX_SignInvisible = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pData: *const CK_BYTE,
        ulDataLen: CK_ULONG,
        pSignature: *mut CK_BYTE,
        pulSignatureLen: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_SlotManage` (`rtpkcs11f.h`).
pub type CK_C_EX_SlotManage = Option<
    unsafe extern "C" fn(slotID: CK_SLOT_ID, ulMode: CK_ULONG, pValue: *mut c_void) -> CK_RV,
>;

/// `CK_C_EX_WrapKey` (`rtpkcs11f.h`).
pub type CK_C_EX_WrapKey = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pGenerationMechanism: *const CK_MECHANISM,
        pKeyTemplate: *const CK_ATTRIBUTE,
        ulKeyAttributeCount: CK_ULONG,
        pDerivationMechanism: *const CK_MECHANISM,
        hBaseKey: CK_OBJECT_HANDLE,
        pWrappingMechanism: *const CK_MECHANISM,
        pWrappedKey: *mut CK_BYTE,
        pulWrappedKeyLen: *mut CK_ULONG,
        phKey: *mut CK_OBJECT_HANDLE,
    ) -> CK_RV,
>;

/// `CK_C_EX_UnwrapKey` (`rtpkcs11f.h`).
pub type CK_C_EX_UnwrapKey = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pDerivationMechanism: *const CK_MECHANISM,
        hBaseKey: CK_OBJECT_HANDLE,
        pUnwrappingMechanism: *const CK_MECHANISM,
        pWrappedKey: *const CK_BYTE,
        ulWrappedKeyLen: CK_ULONG,
        pKeyTemplate: *const CK_ATTRIBUTE,
        ulKeyAttributeCount: CK_ULONG,
        phKey: *mut CK_OBJECT_HANDLE,
    ) -> CK_RV,
>;

/// `CK_C_EX_PKCS7VerifyInit` (`rtpkcs11f.h`).
pub type CK_C_EX_PKCS7VerifyInit = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pCms: *const CK_BYTE,
        ulCmsSize: CK_ULONG,
        pStore: *const CK_VENDOR_X509_STORE,
        ckMode: CK_ULONG,
        flags: CK_FLAGS,
    ) -> CK_RV,
>;

/// `CK_C_EX_PKCS7Verify` (`rtpkcs11f.h`).
pub type CK_C_EX_PKCS7Verify = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ppData: *mut *mut CK_BYTE,
        pulDataSize: *mut CK_ULONG,
        ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
        pulSignerCertificatesCount: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_PKCS7VerifyUpdate` (`rtpkcs11f.h`).
pub type CK_C_EX_PKCS7VerifyUpdate = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        pData: *const CK_BYTE,
        ulDataSize: CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_C_EX_PKCS7VerifyFinal` (`rtpkcs11f.h`).
pub type CK_C_EX_PKCS7VerifyFinal = Option<
    unsafe extern "C" fn(
        hSession: CK_SESSION_HANDLE,
        ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
        pulSignerCertificatesCount: *mut CK_ULONG,
    ) -> CK_RV,
>;

/// `CK_FUNCTION_LIST_EXTENDED` (`rtpkcs11.h`, members from `rtpkcs11f.h`): the version and 31
/// entry points in the header's order.
#[repr(C)]
pub struct CK_FUNCTION_LIST_EXTENDED {
    /// The extension's version.
    pub version: CK_VERSION,
    /// `C_EX_GetFunctionListExtended`.
    pub C_EX_GetFunctionListExtended: CK_C_EX_GetFunctionListExtended,
    /// `C_EX_InitToken`.
    pub C_EX_InitToken: CK_C_EX_InitToken,
    /// `C_EX_GetTokenInfoExtended`.
    pub C_EX_GetTokenInfoExtended: CK_C_EX_GetTokenInfoExtended,
    /// `C_EX_UnblockUserPIN`.
    pub C_EX_UnblockUserPIN: CK_C_EX_UnblockUserPIN,
    /// `C_EX_SetTokenName`.
    pub C_EX_SetTokenName: CK_C_EX_SetTokenName,
    /// `C_EX_SetLicense`.
    pub C_EX_SetLicense: CK_C_EX_SetLicense,
    /// `C_EX_GetLicense`.
    pub C_EX_GetLicense: CK_C_EX_GetLicense,
    /// `C_EX_GetCertificateInfoText`.
    pub C_EX_GetCertificateInfoText: CK_C_EX_GetCertificateInfoText,
    /// `C_EX_PKCS7Sign`.
    pub C_EX_PKCS7Sign: CK_C_EX_PKCS7Sign,
    /// `C_EX_CreateCSR`.
    pub C_EX_CreateCSR: CK_C_EX_CreateCSR,
    /// `C_EX_FreeBuffer`.
    pub C_EX_FreeBuffer: CK_C_EX_FreeBuffer,
    /// `C_EX_GetTokenName`.
    pub C_EX_GetTokenName: CK_C_EX_GetTokenName,
    /// `C_EX_SetLocalPIN`.
    pub C_EX_SetLocalPIN: CK_C_EX_SetLocalPIN,
    /// `C_EX_LoadActivationKey`.
    pub C_EX_LoadActivationKey: CK_C_EX_LoadActivationKey,
    /// `C_EX_SetActivationPassword`.
    pub C_EX_SetActivationPassword: CK_C_EX_SetActivationPassword,
    /// `C_EX_GetVolumesInfo`.
    pub C_EX_GetVolumesInfo: CK_C_EX_GetVolumesInfo,
    /// `C_EX_GetDriveSize`.
    pub C_EX_GetDriveSize: CK_C_EX_GetDriveSize,
    /// `C_EX_ChangeVolumeAttributes`.
    pub C_EX_ChangeVolumeAttributes: CK_C_EX_ChangeVolumeAttributes,
    /// `C_EX_FormatDrive`.
    pub C_EX_FormatDrive: CK_C_EX_FormatDrive,
    /// `C_EX_TokenManage`.
    pub C_EX_TokenManage: CK_C_EX_TokenManage,
    /// `C_EX_GenerateActivationPassword`.
    pub C_EX_GenerateActivationPassword: CK_C_EX_GenerateActivationPassword,
    /// `C_EX_GetJournal`.
    pub C_EX_GetJournal: CK_C_EX_GetJournal,
    /// `C_EX_SignInvisibleInit`.
    pub C_EX_SignInvisibleInit: CK_C_EX_SignInvisibleInit,
    /// `C_EX_SignInvisible`.
    pub C_EX_SignInvisible: CK_C_EX_SignInvisible,
    /// `C_EX_SlotManage`.
    pub C_EX_SlotManage: CK_C_EX_SlotManage,
    /// `C_EX_WrapKey`.
    pub C_EX_WrapKey: CK_C_EX_WrapKey,
    /// `C_EX_UnwrapKey`.
    pub C_EX_UnwrapKey: CK_C_EX_UnwrapKey,
    /// `C_EX_PKCS7VerifyInit`.
    pub C_EX_PKCS7VerifyInit: CK_C_EX_PKCS7VerifyInit,
    /// `C_EX_PKCS7Verify`.
    pub C_EX_PKCS7Verify: CK_C_EX_PKCS7Verify,
    /// `C_EX_PKCS7VerifyUpdate`.
    pub C_EX_PKCS7VerifyUpdate: CK_C_EX_PKCS7VerifyUpdate,
    /// `C_EX_PKCS7VerifyFinal`.
    pub C_EX_PKCS7VerifyFinal: CK_C_EX_PKCS7VerifyFinal,
}
