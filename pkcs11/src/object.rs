//! The objects a session sees: the token's PKCS#15 key pairs (a private and a public key
//! object each), certificates and data objects, and session objects (data objects and
//! certificates with `CKA_TOKEN` false). Their attributes, as PKCS#11 v2.40 §4 lists them.

use cryptoki_sys::*;
use der::Decode;
use der::Encode;

use crate::attribute::{self, Template};
use crate::device::{Certificate, DataObject, KeyPair};
use crate::mechanism;

/// What an object is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The private half of a token key pair.
    PrivateKey(KeyPair),
    /// The public half.
    PublicKey(KeyPair),
    /// A certificate on the token.
    Certificate(Certificate),
    /// A data object on the token.
    Data(DataObject),
    /// A session object: its attributes as created (data objects and certificates).
    Session(SessionObject),
    /// A GOST 28147-89 secret key (a session object whose value is on the token).
    SecretKey(crate::symmetric::SecretKeyObject),
}

/// A session object's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionObject {
    /// `CKA_CLASS`.
    pub class: CK_OBJECT_CLASS,
    /// Every attribute, `CKA_CLASS` and `CKA_TOKEN` included.
    pub attributes: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
}

/// Why an attribute has no value to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The object has no such attribute (`CKR_ATTRIBUTE_TYPE_INVALID`).
    Invalid,
    /// Its value may not leave the token (`CKR_ATTRIBUTE_SENSITIVE`).
    Sensitive,
}

/// The identity of a token object, stable across listings (handles are keyed by it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    /// A private key: its key reference and ID.
    PrivateKey(u8, Vec<u8>),
    /// A public key: its key reference and ID.
    PublicKey(u8, Vec<u8>),
    /// A certificate: its ID and DER.
    Certificate(Vec<u8>, Vec<u8>),
    /// A data object: the path of its EF.
    Data(Vec<u8>),
    /// A token secret key: its reference (`…/6003/00kk`).
    SecretKey(u8),
}

impl Kind {
    /// The identity of a token object (`None` for session objects).
    pub fn identity(&self) -> Option<Identity> {
        match self {
            Kind::PrivateKey(k) => Some(Identity::PrivateKey(k.reference, k.id.clone())),
            Kind::PublicKey(k) => Some(Identity::PublicKey(k.reference, k.id.clone())),
            Kind::Certificate(c) => Some(Identity::Certificate(c.id.clone(), c.der.clone())),
            Kind::Data(d) => Some(Identity::Data(d.path.clone())),
            Kind::SecretKey(k) if k.token => Some(Identity::SecretKey(k.key.reference)),
            Kind::Session(_) | Kind::SecretKey(_) => None,
        }
    }

    /// `CKA_PRIVATE`: whether the object needs the user's login to be seen.
    pub fn is_private(&self) -> bool {
        match self {
            Kind::PrivateKey(_) | Kind::SecretKey(_) => true,
            Kind::Data(d) => d.private,
            Kind::Session(s) => s
                .attributes
                .iter()
                .any(|(t, v)| *t == CKA_PRIVATE && v.as_slice() == [1]),
            _ => false,
        }
    }

    /// The value of one attribute.
    pub fn attribute(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>, Missing> {
        use attribute::{bool, ulong};
        match self {
            Kind::Session(s) => s
                .attributes
                .iter()
                .find(|(t, _)| *t == kind)
                .map(|(_, v)| v.clone())
                .ok_or(Missing::Invalid),
            Kind::PrivateKey(k) => Ok(match kind {
                CKA_CLASS => ulong(CKO_PRIVATE_KEY),
                // CKA_DERIVE: VKO on the token (`CKM_GOSTR3410_12_DERIVE`, `crate::symmetric`).
                CKA_SENSITIVE
                | CKA_ALWAYS_SENSITIVE
                | CKA_NEVER_EXTRACTABLE
                | CKA_SIGN
                | CKA_DERIVE => bool(true),
                CKA_PRIVATE => bool(true),
                CKA_EXTRACTABLE
                | CKA_DECRYPT
                | CKA_SIGN_RECOVER
                | CKA_UNWRAP
                | CKA_WRAP_WITH_TRUSTED
                | CKA_ALWAYS_AUTHENTICATE => bool(false),
                CKA_VALUE => return Err(Missing::Sensitive),
                CKA_SUBJECT => Vec::new(),
                _ => return key_attribute(k, kind),
            }),
            Kind::PublicKey(k) => Ok(match kind {
                CKA_CLASS => ulong(CKO_PUBLIC_KEY),
                CKA_PRIVATE | CKA_ENCRYPT | CKA_WRAP | CKA_VERIFY_RECOVER | CKA_DERIVE
                | CKA_TRUSTED => bool(false),
                CKA_VERIFY => bool(true),
                CKA_LABEL => k.public_label.as_bytes().to_vec(),
                CKA_VALUE => k.public.clone(),
                CKA_SUBJECT => Vec::new(),
                _ => return key_attribute(k, kind),
            }),
            Kind::Certificate(c) => certificate_attribute(c, kind),
            Kind::Data(d) => data_attribute(d, kind),
            Kind::SecretKey(k) => k.attribute(kind),
        }
    }

    /// Whether every attribute of `template` has the template's value.
    pub fn matches(&self, template: &Template) -> bool {
        template
            .0
            .iter()
            .all(|a| self.attribute(a.kind).is_ok_and(|v| v == a.value))
    }
}

/// Attributes every token object and every key share.
fn key_attribute(k: &KeyPair, kind: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>, Missing> {
    use attribute::{bool, ulong};
    Ok(match kind {
        // CKA_LABEL and CKA_ID may change (C_SetAttributeValue rewrites the entries).
        CKA_TOKEN | CKA_LOCAL | CKA_DESTROYABLE | CKA_MODIFIABLE => bool(true),
        CKA_COPYABLE => bool(false),
        CKA_LABEL => k.label.as_bytes().to_vec(),
        CKA_ID => k.id.clone(),
        CKA_KEY_TYPE => ulong(mechanism::key_type(k.spec)),
        CKA_KEY_GEN_MECHANISM => ulong(mechanism::keygen_mechanism(k.spec)),
        CKA_START_DATE | CKA_END_DATE => Vec::new(),
        CKA_GOSTR3410_PARAMS => mechanism::key_params(k.spec),
        CKA_GOSTR3411_PARAMS => mechanism::hash_params(k.spec).to_vec(),
        other => return k.vendor.get(other).map(bool).ok_or(Missing::Invalid),
    })
}

/// A token data object's attributes (PKCS#11 v2.40 §4.4, §4.5). Its label may change (the DODF
/// entry is rewritten); its value is written once.
fn data_attribute(d: &DataObject, kind: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>, Missing> {
    use attribute::{bool, ulong};
    Ok(match kind {
        CKA_CLASS => ulong(CKO_DATA),
        CKA_TOKEN | CKA_DESTROYABLE | CKA_MODIFIABLE => bool(true),
        CKA_PRIVATE => bool(d.private),
        CKA_COPYABLE => bool(false),
        CKA_LABEL => d.label.as_bytes().to_vec(),
        CKA_APPLICATION => d.application.as_bytes().to_vec(),
        CKA_OBJECT_ID => d.oid.clone(),
        CKA_VALUE => d.value.clone(),
        _ => return Err(Missing::Invalid),
    })
}

fn certificate_attribute(c: &Certificate, kind: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>, Missing> {
    use attribute::{bool, ulong};
    let parsed = || x509_cert::Certificate::from_der(&c.der).ok();
    Ok(match kind {
        CKA_CLASS => ulong(CKO_CERTIFICATE),
        CKA_TOKEN | CKA_DESTROYABLE | CKA_MODIFIABLE => bool(true),
        CKA_PRIVATE | CKA_COPYABLE | CKA_TRUSTED => bool(false),
        CKA_LABEL => c.label.as_bytes().to_vec(),
        CKA_ID => c.id.clone(),
        CKA_CERTIFICATE_TYPE => ulong(CKC_X_509),
        CKA_CERTIFICATE_CATEGORY => ulong(CK_CERTIFICATE_CATEGORY_UNSPECIFIED),
        CKA_VALUE => c.der.clone(),
        CKA_SUBJECT => parsed()
            .and_then(|p| p.tbs_certificate().subject().to_der().ok())
            .unwrap_or_default(),
        CKA_ISSUER => parsed()
            .and_then(|p| p.tbs_certificate().issuer().to_der().ok())
            .unwrap_or_default(),
        CKA_SERIAL_NUMBER => parsed()
            .and_then(|p| p.tbs_certificate().serial_number().to_der().ok())
            .unwrap_or_default(),
        CKA_START_DATE
        | CKA_END_DATE
        | CKA_URL
        | CKA_HASH_OF_SUBJECT_PUBLIC_KEY
        | CKA_HASH_OF_ISSUER_PUBLIC_KEY => Vec::new(),
        CKA_JAVA_MIDP_SECURITY_DOMAIN => ulong(CK_SECURITY_DOMAIN_UNSPECIFIED),
        _ => return Err(Missing::Invalid),
    })
}
