//! CMS EnvelopedData with GOST R 34.10-2012 key transport and GOST 28147-89 content
//! encryption (RFC 5652 §6, RFC 4490 §4-5), the form OpenSSL's gost engine makes and opens
//! (`openssl cms -encrypt -gost89`, `-decrypt`): one KeyTransRecipientInfo per recipient
//! (IssuerAndSerialNumber, the recipient key's AlgorithmIdentifier, a GostR3410-KeyTransport
//! with an ephemeral key, VKO and the CryptoPro key wrap), the content in CFB with a fresh IV
//! and TC26's Z S-box (the engine's choice for 2012 keys; `gost::key_transport`).
//!
//! Sealing is the host's work (the plugin too encrypts on the host to a certificate); opening
//! needs the recipient's private key: the device does the VKO, unwrap and decryption on the
//! token (`Device::open_key_transport`).

use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use gost::gost28147::{Cfb, Direction};
use gost::key_transport::{ContentParams, ID_GOST28147_89, KeyTransport};
use gost::{CipherParams, Rng};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::api::PluginError;
use crate::codes::ErrorCode;

use rutoken_pki::enveloped::{
    ContentInfo, EncryptedContentInfo, EnvelopedData, ID_DATA, ID_ENVELOPED_DATA,
    IssuerAndSerialNumber, KeyTransRecipientInfo,
};

fn malformed(e: impl std::fmt::Display) -> PluginError {
    PluginError::asn1(e)
}

/// An EnvelopedData taken apart: its key transports and the encrypted content.
pub struct Envelope {
    /// Per KeyTransRecipientInfo: the key algorithm it is for, and the key transport.
    pub recipients: Vec<(ObjectIdentifier, KeyTransport)>,
    /// IV and S-box of the content encryption.
    pub content: ContentParams,
    /// The encrypted content.
    pub ciphertext: Vec<u8>,
}

/// Encrypts `data` to every certificate in `recipients` (DER of a ContentInfo).
pub fn seal(
    recipients: &[Certificate],
    data: &[u8],
    rng: &mut Rng,
) -> Result<Vec<u8>, PluginError> {
    let mut cek = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut cek[..]);
    let mut infos = Vec::with_capacity(recipients.len());
    for cert in recipients {
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info();
        let kt = KeyTransport::seal(&cek, spki, rng)
            .map_err(|e| PluginError::new(ErrorCode::WrongKeyType, e.to_string()))?;
        let rid = IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        };
        let ktri = KeyTransRecipientInfo {
            version: 0,
            rid: Any::from_der(&rid.to_der().map_err(malformed)?).map_err(malformed)?,
            key_encryption_algorithm: spki.algorithm.clone(),
            encrypted_key: OctetString::new(kt.to_der().map_err(malformed)?).map_err(malformed)?,
        };
        infos.push(Any::from_der(&ktri.to_der().map_err(malformed)?).map_err(malformed)?);
    }
    let mut iv = [0u8; 8];
    rng.fill_bytes(&mut iv);
    let cp = ContentParams {
        iv,
        params: CipherParams::Tc26Z,
    };
    let ciphertext = Cfb::apply(cp.params, &cek, &iv, Direction::Encrypt, data);
    let ed = EnvelopedData {
        version: 0,
        recipient_infos: SetOfVec::try_from(infos).map_err(malformed)?,
        encrypted_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_encryption_algorithm: AlgorithmIdentifierOwned {
                oid: ID_GOST28147_89,
                parameters: Some(
                    Any::from_der(&cp.to_der().map_err(malformed)?).map_err(malformed)?,
                ),
            },
            encrypted_content: Some(OctetString::new(ciphertext).map_err(malformed)?),
        },
    };
    ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::from_der(&ed.to_der().map_err(malformed)?).map_err(malformed)?,
    }
    .to_der()
    .map_err(malformed)
}

/// Takes an EnvelopedData apart (KeyTransRecipientInfos only; other kinds are skipped).
pub fn parse(der: &[u8]) -> Result<Envelope, PluginError> {
    let ci = ContentInfo::from_der(der).map_err(malformed)?;
    if ci.content_type != ID_ENVELOPED_DATA {
        return Err(malformed("not an EnvelopedData"));
    }
    let ed: EnvelopedData = ci.content.decode_as().map_err(malformed)?;
    let recipients = ed
        .recipient_infos
        .iter()
        .filter_map(|ri| ri.decode_as::<KeyTransRecipientInfo>().ok())
        .filter_map(|k| {
            let kt = KeyTransport::from_der(k.encrypted_key.as_bytes()).ok()?;
            Some((k.key_encryption_algorithm.oid, kt))
        })
        .collect();
    let eci = ed.encrypted_content_info;
    if eci.content_encryption_algorithm.oid != ID_GOST28147_89 {
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "the content is not encrypted with GOST 28147-89",
        ));
    }
    let params = eci
        .content_encryption_algorithm
        .parameters
        .ok_or_else(|| malformed("no Gost28147-89-Parameters"))?
        .to_der()
        .map_err(malformed)?;
    let content = ContentParams::from_der(&params).map_err(malformed)?;
    let ciphertext = eci
        .encrypted_content
        .ok_or_else(|| malformed("detached content"))?
        .as_bytes()
        .to_vec();
    Ok(Envelope {
        recipients,
        content,
        ciphertext,
    })
}
