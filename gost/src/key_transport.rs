//! CMS key transport to a GOST R 34.10 key, the way OpenSSL's gost engine (3.0, `openssl cms
//! -encrypt -gost89`) and CryptoPro make it: `GostR3410-KeyTransport` of RFC 4490 §4.2.1, used
//! as KeyTransRecipientInfo.encryptedKey with keyEncryptionAlgorithm = the recipient's public
//! key algorithm (id-GostR3410-2001, id-tc26-gost3410-12-256 or -512).
//!
//! The recipe (the engine's `pkey_GOST_ECcp_encrypt` / `_decrypt`, checked both ways against it
//! in `tests/gost28147_openssl.rs`):
//! 1. an ephemeral key pair on the recipient's parameter set, and a random 8-byte UKM;
//! 2. KEK = VKO(ephemeral private, recipient public, UKM): VKO GOST R 34.10-2001 for 2001 keys,
//!    VKO_GOSTR3410_2012_256 (Streebog-256) for **both** 2012 key sizes;
//! 3. the 32-byte content key wrapped with the CryptoPro key wrap (RFC 4357 §6.3) under that
//!    KEK with the UKM, S-box id-tc26-gost-28147-param-Z for 2012 keys and
//!    id-Gost28147-89-CryptoPro-A-ParamSet for 2001 keys (named in encryptionParamSet);
//! 4. the content itself: id-Gost28147-89 (1.2.643.2.2.21) in CFB with CryptoPro key meshing,
//!    parameters `Gost28147-89-Parameters` {iv, encryptionParamSet} ([`ContentParams`]).

use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use spki::SubjectPublicKeyInfoOwned;
use zeroize::Zeroizing;

use crate::gost28147::{CipherParams, KeyWrap, MAC_LEN, UKM_LEN, unwrap, wrap};
use crate::{Error, KeyAlgorithm, Rng, SigningKey, Vko, vko};

/// id-Gost28147-89, RFC 4357 §10.3: CMS content encryption with GOST 28147-89 (CFB).
pub const ID_GOST28147_89: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.21");

/// Gost28147-89-EncryptedKey, RFC 4490 §4.2.1 / RFC 4357 §10.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EncryptedKeyDer {
    encrypted_key: OctetString,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    mask_key: Option<OctetString>,
    mac_key: OctetString,
}

/// GostR3410-TransportParameters, RFC 4490 §4.2.1.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TransportParametersDer {
    encryption_param_set: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    ephemeral_public_key: Option<SubjectPublicKeyInfoOwned>,
    ukm: OctetString,
}

/// GostR3410-KeyTransport, RFC 4490 §4.2.1.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct KeyTransportDer {
    session_encrypted_key: EncryptedKeyDer,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    transport_parameters: Option<TransportParametersDer>,
}

fn der_err(what: &str) -> impl Fn(der::Error) -> Error + '_ {
    move |e| Error::Der(format!("{what}: {e}"))
}

fn fixed<const L: usize>(what: &'static str, bytes: &[u8]) -> Result<[u8; L], Error> {
    bytes.try_into().map_err(|_| Error::InvalidLength {
        what,
        expected: L,
        actual: bytes.len(),
    })
}

/// A decoded `GostR3410-KeyTransport`: the wrapped content key and how to unwrap it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTransport {
    /// CEK_ENC: the content key in ECB under the diversified KEK.
    pub encrypted_key: [u8; 32],
    /// CEK_MAC: the 4-byte MAC of the content key.
    pub mac: [u8; MAC_LEN],
    /// The S-box of the wrap (encryptionParamSet).
    pub params: CipherParams,
    /// The sender's ephemeral public key, as sent (absent when the sender's certificate key
    /// was used, which this crate does not support for opening).
    pub ephemeral: Option<SubjectPublicKeyInfoOwned>,
    /// The UKM.
    pub ukm: [u8; UKM_LEN],
}

/// What the engine's key transport pairs with a recipient key algorithm: the VKO and the
/// wrap's S-box (see the module documentation).
pub fn transport_choice(recipient: KeyAlgorithm) -> (Vko, CipherParams) {
    match recipient {
        KeyAlgorithm::Gost2001 => (Vko::Gost2001, CipherParams::CryptoProA),
        KeyAlgorithm::Gost2012_256 | KeyAlgorithm::Gost2012_512 => {
            (Vko::Gost2012_256, CipherParams::Tc26Z)
        }
    }
}

impl KeyTransport {
    /// Wraps `cek` for the recipient's public key (its certificate's SubjectPublicKeyInfo) with
    /// a fresh ephemeral key and UKM. The ephemeral key is written under the recipient's
    /// AlgorithmIdentifier, parameters and all, as the gost engine writes it (and requires:
    /// it compares the peer key's parameter OIDs with its own key's).
    pub fn seal(
        cek: &[u8; 32],
        recipient: &SubjectPublicKeyInfoOwned,
        rng: &mut Rng,
    ) -> Result<Self, Error> {
        let (recipient_algorithm, recipient_key) = crate::spki::from_spki(recipient)?;
        let (kdf, params) = transport_choice(recipient_algorithm);
        let ephemeral = SigningKey::generate(recipient_key.param_set(), rng)?;
        let mut ukm = [0u8; UKM_LEN];
        // A zero UKM has probability 2^-64; draw again rather than fail.
        while ukm == [0; UKM_LEN] {
            rng.fill_bytes(&mut ukm);
        }
        let kek = vko(kdf, &ephemeral, &recipient_key, &ukm)?;
        let kek: Zeroizing<[u8; 32]> = Zeroizing::new(fixed("KEK", &kek)?);
        let wrapped = Zeroizing::new(wrap(KeyWrap::CryptoPro, params, &kek, &ukm, cek));
        Ok(KeyTransport {
            encrypted_key: fixed("CEK_ENC", &wrapped[UKM_LEN..UKM_LEN + 32])?,
            mac: fixed("CEK_MAC", &wrapped[UKM_LEN + 32..])?,
            params,
            ephemeral: Some(crate::spki::to_spki_like(
                &ephemeral.verifying_key(),
                recipient,
            )),
            ukm,
        })
    }

    /// Unwraps the content key with the recipient's private key (`recipient_algorithm` is its
    /// certificate's key algorithm, which picks the VKO). A wrong key or damaged data is
    /// [`Error::KeyUnwrapFailed`].
    pub fn open(
        &self,
        recipient: &SigningKey,
        recipient_algorithm: KeyAlgorithm,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        let (kdf, _) = transport_choice(recipient_algorithm);
        let Some(ephemeral) = &self.ephemeral else {
            return Err(Error::Der(
                "GostR3410-KeyTransport without ephemeralPublicKey (static-key agreement) is not supported"
                    .into(),
            ));
        };
        let (_, ephemeral) = crate::spki::from_spki(ephemeral)?;
        let kek = vko(kdf, recipient, &ephemeral, &self.ukm)?;
        let kek: Zeroizing<[u8; 32]> = Zeroizing::new(fixed("KEK", &kek)?);
        let mut wrapped = Zeroizing::new([0u8; UKM_LEN + 32 + MAC_LEN]);
        wrapped[..UKM_LEN].copy_from_slice(&self.ukm);
        wrapped[UKM_LEN..UKM_LEN + 32].copy_from_slice(&self.encrypted_key);
        wrapped[UKM_LEN + 32..].copy_from_slice(&self.mac);
        unwrap(KeyWrap::CryptoPro, self.params, &kek, &wrapped[..])
    }

    /// The DER of `GostR3410-KeyTransport` (KeyTransRecipientInfo.encryptedKey's content).
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let octets = |b: &[u8]| OctetString::new(b).map_err(der_err("OCTET STRING"));
        KeyTransportDer {
            session_encrypted_key: EncryptedKeyDer {
                encrypted_key: octets(&self.encrypted_key)?,
                mask_key: None,
                mac_key: octets(&self.mac)?,
            },
            transport_parameters: Some(TransportParametersDer {
                encryption_param_set: self.params.oid(),
                ephemeral_public_key: self.ephemeral.clone(),
                ukm: octets(&self.ukm)?,
            }),
        }
        .to_der()
        .map_err(der_err("GostR3410-KeyTransport"))
    }

    /// Decodes `GostR3410-KeyTransport`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let kt = KeyTransportDer::from_der(der).map_err(der_err("GostR3410-KeyTransport"))?;
        if kt.session_encrypted_key.mask_key.is_some() {
            return Err(Error::Der(
                "Gost28147-89-EncryptedKey with maskKey is not supported".into(),
            ));
        }
        let tp = kt.transport_parameters.ok_or_else(|| {
            Error::Der("GostR3410-KeyTransport without transportParameters".into())
        })?;
        // Checked here so that a bad key is a decoding error, not an unwrap failure later.
        if let Some(spki) = &tp.ephemeral_public_key {
            crate::spki::from_spki(spki)?;
        }
        Ok(KeyTransport {
            encrypted_key: fixed(
                "encryptedKey",
                kt.session_encrypted_key.encrypted_key.as_bytes(),
            )?,
            mac: fixed("macKey", kt.session_encrypted_key.mac_key.as_bytes())?,
            params: CipherParams::from_oid(&tp.encryption_param_set)?,
            ephemeral: tp.ephemeral_public_key,
            ukm: fixed("ukm", tp.ukm.as_bytes())?,
        })
    }
}

/// Gost28147-89-Parameters (RFC 4357 §10.3 / RFC 4490 §5.1): the contentEncryptionAlgorithm
/// parameters of id-Gost28147-89.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ContentParamsDer {
    iv: OctetString,
    encryption_param_set: ObjectIdentifier,
}

/// The IV and S-box of CMS content encrypted with id-Gost28147-89 (CFB, CryptoPro meshing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentParams {
    /// The CFB IV.
    pub iv: [u8; 8],
    /// The S-box.
    pub params: CipherParams,
}

impl ContentParams {
    /// DER of `Gost28147-89-Parameters`.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        ContentParamsDer {
            iv: OctetString::new(self.iv.as_slice()).map_err(der_err("iv"))?,
            encryption_param_set: self.params.oid(),
        }
        .to_der()
        .map_err(der_err("Gost28147-89-Parameters"))
    }

    /// Decodes `Gost28147-89-Parameters`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let p = ContentParamsDer::from_der(der).map_err(der_err("Gost28147-89-Parameters"))?;
        Ok(ContentParams {
            iv: fixed("iv", p.iv.as_bytes())?,
            params: CipherParams::from_oid(&p.encryption_param_set)?,
        })
    }
}
