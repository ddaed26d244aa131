//! The CMS EnvelopedData structures GOST key transport travels in (RFC 5652 §3, §6, §10.2.4),
//! as OpenSSL's gost engine writes them (`openssl cms -encrypt -gost89`): no originatorInfo, no
//! unprotectedAttrs, KeyTransRecipientInfo with the `rid` kept as it is. The plugin bridge's
//! `cmsEncrypt`/`cmsDecrypt` and the gost crate's OpenSSL cross-checks share them.

use const_oid::ObjectIdentifier;
use der::Sequence;
use der::asn1::{Any, OctetString, SetOfVec};
use spki::AlgorithmIdentifierOwned;

/// id-envelopedData (RFC 5652 §6.1).
pub const ID_ENVELOPED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
/// id-data (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

/// ContentInfo (RFC 5652 §3).
#[derive(Debug, Clone, Sequence)]
pub struct ContentInfo {
    /// What `content` is (here [`ID_ENVELOPED_DATA`]).
    pub content_type: ObjectIdentifier,
    /// The content, `[0] EXPLICIT`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub content: Any,
}

/// EnvelopedData (RFC 5652 §6.1) without originatorInfo and unprotectedAttrs (the engine
/// writes neither).
#[derive(Debug, Clone, Sequence)]
pub struct EnvelopedData {
    /// 0 for KeyTransRecipientInfos with IssuerAndSerialNumber only.
    pub version: u8,
    /// One RecipientInfo per recipient (KeyTransRecipientInfo for GOST key transport).
    pub recipient_infos: SetOfVec<Any>,
    /// The encrypted content.
    pub encrypted_content_info: EncryptedContentInfo,
}

/// KeyTransRecipientInfo (RFC 5652 §6.2.1), the rid as it is.
#[derive(Debug, Clone, Sequence)]
pub struct KeyTransRecipientInfo {
    /// 0 with an IssuerAndSerialNumber rid.
    pub version: u8,
    /// Which certificate the key is for.
    pub rid: Any,
    /// The recipient key's AlgorithmIdentifier (the engine compares its parameters).
    pub key_encryption_algorithm: AlgorithmIdentifierOwned,
    /// The GostR3410-KeyTransport, DER.
    pub encrypted_key: OctetString,
}

/// EncryptedContentInfo (RFC 5652 §6.1).
#[derive(Debug, Clone, Sequence)]
pub struct EncryptedContentInfo {
    /// The plaintext's type (here [`ID_DATA`]).
    pub content_type: ObjectIdentifier,
    /// GOST 28147-89 with its IV and parameter set.
    pub content_encryption_algorithm: AlgorithmIdentifierOwned,
    /// The ciphertext, `[0] IMPLICIT`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub encrypted_content: Option<OctetString>,
}

/// IssuerAndSerialNumber (RFC 5652 §10.2.4).
#[derive(Debug, Clone, Sequence)]
pub struct IssuerAndSerialNumber {
    /// The certificate's issuer.
    pub issuer: x509_cert::name::Name,
    /// The certificate's serial number.
    pub serial_number: x509_cert::serial_number::SerialNumber,
}
