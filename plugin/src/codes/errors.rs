//! The plugin's error codes: every name pages read from `plugin.errorCodes`, with pki-core's
//! numbers where the name is there (see the parent module).

/// One error the bridge reports; `code()` is what `Error.message` carries (as the
/// native-messaging plugin does: `parseInt(error.message)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Anything the other codes do not describe.
    UnknownError,
    /// A bad argument: wrong type, unknown constant, malformed data, unknown method.
    BadParams,
    /// No device with that id (never was, or pulled).
    DeviceNotFound,
    /// A category the call does not accept.
    CertificateCategoryBad,
    /// The certificate is on the token already.
    CertificateExists,
    /// The key label is not unique.
    KeyLabelNotUnique,
    /// The PIN length is outside what the token accepts.
    PinLengthInvalid,
    /// Wrong PIN; tries remain.
    PinIncorrect,
    /// The PIN is blocked.
    PinLocked,
    /// The operation needs a login.
    UserNotLoggedIn,
    /// No key with that id.
    KeyNotFound,
    /// Another key pair has this id.
    KeyIdNotUnique,
    /// No certificate with that handle.
    CertificateNotFound,
    /// The token went away or changed under the operation.
    TokenInvalid,
    /// The key's algorithm does not fit the operation.
    WrongKeyType,
    /// The token failed.
    DeviceError,
    /// The data is not what the call expects.
    DataInvalid,
    /// The token cannot do it.
    UnsupportedByToken,
    /// The key may not be used for this.
    KeyFunctionNotPermitted,
    /// «Операция отклонена пользователем»: Reject (or the time-out) on the SafeTouch.
    FunctionRejected,
    /// The operation failed for a reason the others do not name (here: what the bridge does
    /// not carry).
    FunctionFailed,
    /// Base64 that does not decode.
    Base64DecodeFailed,
    /// ASN.1 that does not parse.
    Asn1Error,
    /// PEM that does not parse.
    PemError,
    /// The signature did not verify.
    X509CertSignatureFailure,
    /// The signer's certificate is already a signer of the CMS.
    CmsCertificateAlreadyPresent,
    /// Already logged in.
    AlreadyLoggedIn,
    /// The licence slot is read-only.
    LicenceReadOnly,
    /// No binary file of that name.
    BfNotFound,
    /// A binary file needs a name.
    BfEmptyName,
    /// A binary file of that name exists.
    BfAlreadyExists,
    /// The PIN cannot be cached (not logged in).
    CannotSavePinInCache,
    /// No such time-stamp / TSA: the bridge reaches no server.
    HostNotFound,
    /// A key usage period the token cannot keep.
    PrivateKeyUsagePeriodNotSupported,
    /// A key purpose the token cannot give.
    KeySpecNotSupported,
    /// The certificate chain does not reach a trusted CA.
    X509UnableToGetIssuerCertLocally,
    /// Several signers cannot be verified with the token's hashing.
    CantHardwareVerifyCms,
    /// The enveloped data could not be opened.
    DecryptUnsuccessful,
    /// `extensions` and `customExtensions` name the same extension.
    DuplicateExtension,
}

/// Every code with its name and number. pki-core's values (`rt_pc_e_*`) where the name is
/// there; the rest ours (see the module doc).
pub const ALL: &[(ErrorCode, &str, u32)] = &[
    (ErrorCode::UnknownError, "UNKNOWN_ERROR", 1),
    (ErrorCode::BadParams, "BAD_PARAMS", 2),
    (ErrorCode::DeviceNotFound, "DEVICE_NOT_FOUND", 3),
    (
        ErrorCode::CertificateCategoryBad,
        "CERTIFICATE_CATEGORY_BAD",
        5,
    ),
    (ErrorCode::CertificateExists, "CERTIFICATE_EXISTS", 6),
    (ErrorCode::KeyLabelNotUnique, "KEY_LABEL_NOT_UNIQUE", 10),
    (ErrorCode::PinLengthInvalid, "PIN_LENGTH_INVALID", 16),
    (ErrorCode::PinIncorrect, "PIN_INCORRECT", 17),
    (ErrorCode::PinLocked, "PIN_LOCKED", 18),
    (ErrorCode::UserNotLoggedIn, "USER_NOT_LOGGED_IN", 19),
    (ErrorCode::KeyNotFound, "KEY_NOT_FOUND", 20),
    (ErrorCode::KeyIdNotUnique, "KEY_ID_NOT_UNIQUE", 21),
    (ErrorCode::CertificateNotFound, "CERTIFICATE_NOT_FOUND", 22),
    (ErrorCode::TokenInvalid, "TOKEN_INVALID", 24),
    (ErrorCode::WrongKeyType, "WRONG_KEY_TYPE", 25),
    (ErrorCode::DeviceError, "DEVICE_ERROR", 26),
    (ErrorCode::DataInvalid, "DATA_INVALID", 27),
    (ErrorCode::UnsupportedByToken, "UNSUPPORTED_BY_TOKEN", 28),
    (
        ErrorCode::KeyFunctionNotPermitted,
        "KEY_FUNCTION_NOT_PERMITTED",
        29,
    ),
    (ErrorCode::FunctionRejected, "FUNCTION_REJECTED", 30),
    (ErrorCode::FunctionFailed, "FUNCTION_FAILED", 31),
    (ErrorCode::Base64DecodeFailed, "BASE64_DECODE_FAILED", 32),
    (ErrorCode::Asn1Error, "ASN1_ERROR", 33),
    (ErrorCode::PemError, "PEM_ERROR", 34),
    (
        ErrorCode::X509CertSignatureFailure,
        "X509_CERT_SIGNATURE_FAILURE",
        41,
    ),
    (
        ErrorCode::CannotSavePinInCache,
        "CANNOT_SAVE_PIN_IN_CACHE",
        90,
    ),
    (
        ErrorCode::CmsCertificateAlreadyPresent,
        "CMS_CERTIFICATE_ALREADY_PRESENT",
        91,
    ),
    (ErrorCode::AlreadyLoggedIn, "ALREADY_LOGGED_IN", 93),
    (ErrorCode::LicenceReadOnly, "LICENCE_READ_ONLY", 95),
    (ErrorCode::HostNotFound, "HOST_NOT_FOUND", 200),
    (ErrorCode::BfNotFound, "BF_NOT_FOUND", 210),
    (ErrorCode::BfEmptyName, "BF_EMPTY_NAME", 212),
    (ErrorCode::BfAlreadyExists, "BF_ALREADY_EXISTS", 214),
    (
        ErrorCode::X509UnableToGetIssuerCertLocally,
        "X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        54,
    ),
    (
        ErrorCode::CantHardwareVerifyCms,
        "CANT_HARDWARE_VERIFY_CMS",
        166,
    ),
    (ErrorCode::DecryptUnsuccessful, "DECRYPT_UNSUCCESSFUL", 167),
    (ErrorCode::DuplicateExtension, "DUPLICATE_EXTENSION", 243),
    (
        ErrorCode::PrivateKeyUsagePeriodNotSupported,
        "PRIVATE_KEY_USAGE_PERIOD_VALUE_NOT_SUPPORTED",
        240,
    ),
    (
        ErrorCode::KeySpecNotSupported,
        "KEY_SPEC_VALUE_NOT_SUPPORTED_BY_DEVICE",
        245,
    ),
];

/// The rest of `plugin.errorCodes` (no bridge path raises them; pages map them to texts):
/// pki-core's numbers where the name is there, ours (from 200) otherwise.
pub(crate) const OTHER_ERRORS: &[(&str, u32)] = &[
    ("PIN_CHANGED", 8),
    ("SESSION_INVALID", 9),
    ("CA_CERTIFICATES_NOT_FOUND", 12),
    ("CERTIFICATE_VERIFICATION_ERROR", 13),
    ("PKCS11_LOAD_FAILED", 14),
    ("NOT_ENOUGH_MEMORY", 15),
    ("CERTIFICATE_HASH_NOT_UNIQUE", 23),
    ("X509_UNABLE_TO_GET_ISSUER_CERT", 36),
    ("X509_UNABLE_TO_GET_CRL", 37),
    ("X509_UNABLE_TO_DECRYPT_CERT_SIGNATURE", 38),
    ("X509_UNABLE_TO_DECRYPT_CRL_SIGNATURE", 39),
    ("X509_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", 40),
    ("X509_CRL_SIGNATURE_FAILURE", 42),
    ("X509_CERT_NOT_YET_VALID", 43),
    ("X509_CRL_NOT_YET_VALID", 44),
    ("X509_CERT_HAS_EXPIRED", 45),
    ("X509_CRL_HAS_EXPIRED", 46),
    ("X509_ERROR_IN_CERT_NOT_BEFORE_FIELD", 47),
    ("X509_ERROR_IN_CERT_NOT_AFTER_FIELD", 48),
    ("X509_ERROR_IN_CRL_LAST_UPDATE_FIELD", 49),
    ("X509_ERROR_IN_CRL_NEXT_UPDATE_FIELD", 50),
    ("X509_OUT_OF_MEM", 51),
    ("X509_DEPTH_ZERO_SELF_SIGNED_CERT", 52),
    ("X509_SELF_SIGNED_CERT_IN_CHAIN", 53),
    ("X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE", 55),
    ("X509_CERT_CHAIN_TOO_LONG", 56),
    ("X509_CERT_REVOKED", 57),
    ("X509_INVALID_CA", 58),
    ("X509_INVALID_NON_CA", 59),
    ("X509_PATH_LENGTH_EXCEEDED", 60),
    ("X509_PROXY_PATH_LENGTH_EXCEEDED", 61),
    ("X509_PROXY_CERTIFICATES_NOT_ALLOWED", 62),
    ("X509_INVALID_PURPOSE", 63),
    ("X509_CERT_UNTRUSTED", 64),
    ("X509_CERT_REJECTED", 65),
    ("X509_APPLICATION_VERIFICATION", 66),
    ("X509_SUBJECT_ISSUER_MISMATCH", 67),
    ("X509_AKID_SKID_MISMATCH", 68),
    ("X509_AKID_ISSUER_SERIAL_MISMATCH", 69),
    ("X509_KEYUSAGE_NO_CERTSIGN", 70),
    ("X509_UNABLE_TO_GET_CRL_ISSUER", 71),
    ("X509_UNHANDLED_CRITICAL_EXTENSION", 72),
    ("X509_KEYUSAGE_NO_CRL_SIGN", 73),
    ("X509_KEYUSAGE_NO_DIGITAL_SIGNATURE", 74),
    ("X509_UNHANDLED_CRITICAL_CRL_EXTENSION", 75),
    ("X509_INVALID_EXTENSION", 76),
    ("X509_INVALID_POLICY_EXTENSION", 77),
    ("X509_NO_EXPLICIT_POLICY", 78),
    ("X509_DIFFERENT_CRL_SCOPE", 79),
    ("X509_UNSUPPORTED_EXTENSION_FEATURE", 80),
    ("X509_UNNESTED_RESOURCE", 81),
    ("X509_PERMITTED_VIOLATION", 82),
    ("X509_EXCLUDED_VIOLATION", 83),
    ("X509_SUBTREE_MINMAX", 84),
    ("X509_UNSUPPORTED_CONSTRAINT_TYPE", 85),
    ("X509_UNSUPPORTED_CONSTRAINT_SYNTAX", 86),
    ("X509_UNSUPPORTED_NAME_SYNTAX", 87),
    ("X509_CRL_PATH_VALIDATION_ERROR", 88),
    ("ATTRIBUTE_READ_ONLY", 89),
    ("CEK_NOT_AUTHENTIC", 94),
    ("ATTRIBUTE_VALUE_INVALID", 98),
    ("DATA_LEN_RANGE", 103),
    ("PIN_EXPIRED", 122),
    ("PIN_INVALID", 123),
    ("USER_PIN_NOT_INITIALIZED", 127),
    ("MECHANISM_INVALID", 147),
    ("X509V3_INVALID_OBJECT_IDENTIFIER", 201),
    ("INAPPROPRIATE_PIN", 202),
    ("PIN_IN_HISTORY", 203),
    ("HTTP_ERROR", 204),
    ("TST_VERIFICATION_ERROR", 205),
    ("UNKNOWN_OBJECT_NAME", 206),
    ("TS_TOKEN_MISSED", 220),
    ("TS_WRONG_CONTENT_TYPE", 221),
    ("TS_MUST_BE_ONE_SIGNER", 222),
    ("TS_NO_CONTENT", 223),
    ("TS_ESS_SIGNING_CERT_ERROR", 224),
    ("TS_UNSUPPORTED_VERSION", 225),
    ("TS_POLICY_MISMATCH", 226),
    ("TS_NONCE_NOT_RETURNED", 227),
    ("TS_TSA_UNTRUSTED", 228),
    ("BF_CANNOT_REMOVE", 211),
    ("BF_LARGER_THAN_ACCEPTABLE", 213),
    ("BF_FAILED_TO_ENUMERATE", 215),
    ("BF_TOO_MANY_FILES", 216),
    ("EMPTY_RESPONSE_BODY", 230),
    ("DESERIALIZE_RESPONSE_BODY_ERROR", 231),
    ("SERVER_CONNECTION_ERROR", 232),
    ("SERVER_SEND_ERROR", 233),
    ("SERVER_RECEIVE_ERROR", 234),
    ("HOST_RESOLVE_ERROR", 235),
    ("PRIVATE_KEY_USAGE_PERIOD_VALUE_INVALID", 241),
    ("PRIVATE_KEY_USAGE_PERIOD_NOT_OVERRIDABLE", 242),
    ("KEY_SPEC_VALUE_INCOMPATIBLE_WITH_GEN_PARAMS", 244),
];

impl ErrorCode {
    /// The number the page sees.
    pub fn code(self) -> u32 {
        ALL.iter()
            .find(|(c, _, _)| *c == self)
            .map_or(1, |(_, _, n)| *n)
    }
    /// The name in `plugin.errorCodes`.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(c, _, _)| *c == self)
            .map_or("UNKNOWN_ERROR", |(_, n, _)| n)
    }
}
