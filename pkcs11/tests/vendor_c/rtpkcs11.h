/*
 * The Rutoken extensions of PKCS#11 that bank code written against Aktiv's librtpkcs11ecp.so
 * uses: our own declarations, written from the facts (names, values, member order) of Aktiv's
 * public headers rtpkcs11t.h / rtpkcs11f.h as AktivCo/pkcs11jna (CK_FUNCTION_LIST_EXTENDED,
 * CK_TOKEN_INFO_EXTENDED, CK_RUTOKEN_INIT_PARAM, RtPkcs11, RtPkcs11Constants) and
 * AktivCo/pkcs11wrapper declare them. The standard part is OASIS PKCS#11 v2.40 as p11-kit's
 * pkcs11.h (Debian: libp11-kit-dev) gives it, in its CK_* compatibility names.
 */
#ifndef RUTOKEN_LAB_RTPKCS11_H
#define RUTOKEN_LAB_RTPKCS11_H

#include <p11-kit/pkcs11.h>

/* TC26 "PKCS#11 extensions for GOST R 34.10-2012 / 34.11-2012": NSSCK_VENDOR_PKCS11_RU_TEAM. */
#define NSSCK_VENDOR_PKCS11_RU_TEAM (CKK_VENDOR_DEFINED | 0x54321000UL)
#define CKK_GOSTR3410_512 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x003UL)
#define CKM_GOSTR3410_512_KEY_PAIR_GEN (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x005UL)
#define CKM_GOSTR3410_512 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x006UL)
#define CKM_GOSTR3410_12_DERIVE (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x007UL)
#define CKM_GOSTR3410_WITH_GOSTR3411_12_256 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x008UL)
#define CKM_GOSTR3410_WITH_GOSTR3411_12_512 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x009UL)
#define CKM_GOSTR3411_12_256 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x012UL)
#define CKM_GOSTR3411_12_512 (NSSCK_VENDOR_PKCS11_RU_TEAM | 0x013UL)

/* rtpkcs11t.h: the vendor's key attributes (CK_BBOOL). */
#define CKA_VENDOR_KEY_PIN_ENTER (CKA_VENDOR_DEFINED | 0x2000UL)
#define CKA_VENDOR_KEY_CONFIRM_OP (CKA_VENDOR_DEFINED | 0x2001UL)
#define CKA_VENDOR_KEY_JOURNAL (CKA_VENDOR_DEFINED | 0x2002UL)
#define CKA_VENDOR_CONFIRM_BY_TOUCH (CKA_VENDOR_DEFINED | 0x2003UL)

/* rtpkcs11t.h: C_EX_PKCS7Sign flags. */
#define PKCS7_DETACHED_SIGNATURE 0x01UL
#define USE_HARDWARE_HASH 0x02UL

/* rtpkcs11t.h: CK_TOKEN_INFO_EXTENDED.ulTokenType, .ulTokenClass and .flags (the flags are also
 * CK_RUTOKEN_INIT_PARAM.ChangeUserPINPolicy). */
#define TOKEN_TYPE_RUTOKEN_ECP 0x01UL
#define TOKEN_CLASS_ECP 0x01UL
#define TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN 0x00000001UL
#define TOKEN_FLAGS_USER_CHANGE_USER_PIN 0x00000002UL
#define TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT 0x00000004UL
#define TOKEN_FLAGS_USER_PIN_NOT_DEFAULT 0x00000008UL
#define TOKEN_FLAGS_HAS_BUTTON 0x00000200UL
#define TOKEN_FLAGS_SUPPORT_JOURNAL 0x00000400UL

/* rtpkcs11t.h: C_EX_InitToken's parameters (all members CK_ULONG-sized or pointers). */
typedef struct CK_RUTOKEN_INIT_PARAM {
	CK_ULONG ulSizeofThisStructure;
	CK_ULONG UseRepairMode;
	CK_BYTE_PTR pNewAdminPin;
	CK_ULONG ulNewAdminPinLen;
	CK_BYTE_PTR pNewUserPin;
	CK_ULONG ulNewUserPinLen;
	CK_FLAGS ChangeUserPINPolicy;
	CK_ULONG ulMinAdminPinLen;
	CK_ULONG ulMinUserPinLen;
	CK_ULONG ulMaxAdminRetryCount;
	CK_ULONG ulMaxUserRetryCount;
	CK_BYTE_PTR pTokenLabel;
	CK_ULONG ulLabelLen;
	CK_ULONG ulSmMode;
} CK_RUTOKEN_INIT_PARAM;
typedef CK_RUTOKEN_INIT_PARAM *CK_RUTOKEN_INIT_PARAM_PTR;

/* rtpkcs11t.h: what C_EX_GetTokenInfoExtended fills. */
typedef struct CK_TOKEN_INFO_EXTENDED {
	CK_ULONG ulSizeofThisStructure;
	CK_ULONG ulTokenType;
	CK_ULONG ulProtocolNumber;
	CK_ULONG ulMicrocodeNumber;
	CK_ULONG ulOrderNumber;
	CK_FLAGS flags;
	CK_ULONG ulMaxAdminPinLen;
	CK_ULONG ulMinAdminPinLen;
	CK_ULONG ulMaxUserPinLen;
	CK_ULONG ulMinUserPinLen;
	CK_ULONG ulMaxAdminRetryCount;
	CK_ULONG ulAdminRetryCountLeft;
	CK_ULONG ulMaxUserRetryCount;
	CK_ULONG ulUserRetryCountLeft;
	CK_BYTE serialNumber[8];
	CK_ULONG ulTotalMemory;
	CK_ULONG ulFreeMemory;
	CK_BYTE ATR[64];
	CK_ULONG ulATRLen;
	CK_ULONG ulTokenClass;
	CK_ULONG ulBatteryVoltage;
	CK_ULONG ulBodyColor;
	CK_ULONG ulFirmwareChecksum;
	CK_ULONG ulBatteryPercentage;
	CK_ULONG ulBatteryFlags;
} CK_TOKEN_INFO_EXTENDED;
typedef CK_TOKEN_INFO_EXTENDED *CK_TOKEN_INFO_EXTENDED_PTR;

/* rtpkcs11t.h: the CMS verification functions' buffers and certificate store. */
typedef struct CK_VENDOR_BUFFER {
	CK_BYTE_PTR pData;
	CK_ULONG ulSize;
} CK_VENDOR_BUFFER;
typedef CK_VENDOR_BUFFER *CK_VENDOR_BUFFER_PTR;
typedef struct CK_VENDOR_X509_STORE {
	CK_VENDOR_BUFFER_PTR pTrustedCertificates;
	CK_ULONG ulTrustedCertificateCount;
	CK_VENDOR_BUFFER_PTR pCertificates;
	CK_ULONG ulCertificateCount;
	CK_VENDOR_BUFFER_PTR pCrls;
	CK_ULONG ulCrlCount;
} CK_VENDOR_X509_STORE;
typedef CK_VENDOR_X509_STORE *CK_VENDOR_X509_STORE_PTR;
typedef CK_ULONG CK_VENDOR_CRL_MODE;
#define OPTIONAL_CRL_CHECK 0UL
#define CKF_VENDOR_CHECK_SIGNATURE_ONLY 0x04UL

typedef struct CK_FUNCTION_LIST_EXTENDED CK_FUNCTION_LIST_EXTENDED;
typedef CK_FUNCTION_LIST_EXTENDED *CK_FUNCTION_LIST_EXTENDED_PTR;
typedef CK_FUNCTION_LIST_EXTENDED_PTR *CK_FUNCTION_LIST_EXTENDED_PTR_PTR;

/* rtpkcs11f.h: the extended functions' signatures, as pointer types. The flash-drive, licence,
 * activation, local-PIN and deprecated members take arguments this program never passes: their
 * slots are declared as untyped function pointers of the same size. */
typedef CK_RV (*CK_C_EX_GetFunctionListExtended)(CK_FUNCTION_LIST_EXTENDED_PTR_PTR ppFunctionList);
typedef CK_RV (*CK_C_EX_InitToken)(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
				   CK_RUTOKEN_INIT_PARAM_PTR pInitInfo);
typedef CK_RV (*CK_C_EX_GetTokenInfoExtended)(CK_SLOT_ID slotID, CK_TOKEN_INFO_EXTENDED_PTR pInfo);
typedef CK_RV (*CK_C_EX_UnblockUserPIN)(CK_SESSION_HANDLE hSession);
typedef CK_RV (*CK_C_EX_SetTokenName)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLabel,
				      CK_ULONG ulLabelLen);
typedef CK_RV (*CK_C_EX_GetCertificateInfoText)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hCert,
						CK_CHAR_PTR *pInfo, CK_ULONG_PTR pulInfoLen);
typedef CK_RV (*CK_C_EX_PKCS7Sign)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				   CK_OBJECT_HANDLE hCert, CK_BYTE_PTR *ppEnvelope,
				   CK_ULONG_PTR pEnvelopeLen, CK_OBJECT_HANDLE hPrivKey,
				   CK_OBJECT_HANDLE_PTR phCertificates, CK_ULONG ulCertificatesLen,
				   CK_ULONG flags);
typedef CK_RV (*CK_C_EX_CreateCSR)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hPublicKey,
				   CK_CHAR_PTR *dn, CK_ULONG dnLength, CK_BYTE_PTR *pCsr,
				   CK_ULONG_PTR pulCsrLength, CK_OBJECT_HANDLE hPrivKey,
				   CK_CHAR_PTR *pAttributes, CK_ULONG ulAttributesLength,
				   CK_CHAR_PTR *pExtensions, CK_ULONG ulExtensionsLength);
typedef CK_RV (*CK_C_EX_FreeBuffer)(CK_BYTE_PTR pBuffer);
typedef CK_RV (*CK_C_EX_GetTokenName)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLabel,
				      CK_ULONG_PTR pulLabelLen);
typedef CK_RV (*CK_C_EX_GetJournal)(CK_SLOT_ID slotID, CK_BYTE_PTR pJournal,
				    CK_ULONG_PTR pulJournalSize);
typedef CK_RV (*CK_C_EX_PKCS7VerifyInit)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pCms,
					 CK_ULONG ulCmsSize, CK_VENDOR_X509_STORE_PTR pStore,
					 CK_VENDOR_CRL_MODE ckMode, CK_FLAGS flags);
typedef CK_RV (*CK_C_EX_PKCS7Verify)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR *ppData,
				     CK_ULONG_PTR pulDataSize,
				     CK_VENDOR_BUFFER_PTR *ppSignerCertificates,
				     CK_ULONG_PTR pulSignerCertificatesCount);
typedef CK_RV (*CK_C_EX_PKCS7VerifyUpdate)(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
					   CK_ULONG ulDataSize);
typedef CK_RV (*CK_C_EX_PKCS7VerifyFinal)(CK_SESSION_HANDLE hSession,
					  CK_VENDOR_BUFFER_PTR *ppSignerCertificates,
					  CK_ULONG_PTR pulSignerCertificatesCount);
typedef CK_RV (*CK_C_EX_Untyped)(void);

/* rtpkcs11f.h: CK_FUNCTION_LIST_EXTENDED, member for member in the vendor's order (pkcs11jna's
 * CK_FUNCTION_LIST_EXTENDED field order). */
struct CK_FUNCTION_LIST_EXTENDED {
	CK_VERSION version;
	CK_C_EX_GetFunctionListExtended C_EX_GetFunctionListExtended;
	CK_C_EX_InitToken C_EX_InitToken;
	CK_C_EX_GetTokenInfoExtended C_EX_GetTokenInfoExtended;
	CK_C_EX_UnblockUserPIN C_EX_UnblockUserPIN;
	CK_C_EX_SetTokenName C_EX_SetTokenName;
	CK_C_EX_Untyped C_EX_SetLicense;
	CK_C_EX_Untyped C_EX_GetLicense;
	CK_C_EX_GetCertificateInfoText C_EX_GetCertificateInfoText;
	CK_C_EX_PKCS7Sign C_EX_PKCS7Sign;
	CK_C_EX_CreateCSR C_EX_CreateCSR;
	CK_C_EX_FreeBuffer C_EX_FreeBuffer;
	CK_C_EX_GetTokenName C_EX_GetTokenName;
	CK_C_EX_Untyped C_EX_SetLocalPIN;
	CK_C_EX_Untyped C_EX_LoadActivationKey;
	CK_C_EX_Untyped C_EX_SetActivationPassword;
	CK_C_EX_Untyped C_EX_GetVolumesInfo;
	CK_C_EX_Untyped C_EX_GetDriveSize;
	CK_C_EX_Untyped C_EX_ChangeVolumeAttributes;
	CK_C_EX_Untyped C_EX_FormatDrive;
	CK_C_EX_Untyped C_EX_TokenManage;
	CK_C_EX_Untyped C_EX_GenerateActivationPassword;
	CK_C_EX_GetJournal C_EX_GetJournal;
	CK_C_EX_Untyped C_EX_SignInvisibleInit;
	CK_C_EX_Untyped C_EX_SignInvisible;
	CK_C_EX_Untyped C_EX_SlotManage;
	CK_C_EX_Untyped C_EX_WrapKey;
	CK_C_EX_Untyped C_EX_UnwrapKey;
	CK_C_EX_PKCS7VerifyInit C_EX_PKCS7VerifyInit;
	CK_C_EX_PKCS7Verify C_EX_PKCS7Verify;
	CK_C_EX_PKCS7VerifyUpdate C_EX_PKCS7VerifyUpdate;
	CK_C_EX_PKCS7VerifyFinal C_EX_PKCS7VerifyFinal;
};

/* The vendor's library file name on Linux (Aktiv's SDK samples' PKCS11ECP_LIBRARY_NAME). */
#define PKCS11ECP_LIBRARY_NAME "librtpkcs11ecp.so"

#endif
