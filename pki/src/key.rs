//! GOST private keys as PKCS#8 `PrivateKeyInfo` (RFC 5208 §5) in the form the OpenSSL gost
//! engine writes and reads: the algorithm is the key's public-key AlgorithmIdentifier (the
//! same parameters as its SubjectPublicKeyInfo, RFC 9215 §4) and `privateKey` is an OCTET
//! STRING holding d little-endian (32 or 64 bytes), exactly what `openssl genpkey -engine gost`
//! emits. On reading we also accept the older engine forms: a nested OCTET STRING and an
//! INTEGER (big-endian d).

use der::asn1::{AnyRef, OctetString, UintRef};
use der::pem::PemLabel;
use der::{Decode, Encode, Sequence};
use gost::{KeyAlgorithm, ParamSet, SigningKey};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use zeroize::Zeroizing;

use crate::{Error, Result, encoding};

/// `PrivateKeyInfo` (RFC 5208 §5), attributes omitted.
#[derive(Sequence)]
struct PrivateKeyInfo {
    version: u8,
    algorithm: AlgorithmIdentifierOwned,
    private_key: OctetString,
}

impl PemLabel for PrivateKeyInfo {
    /// RFC 7468 §10.
    const PEM_LABEL: &'static str = "PRIVATE KEY";
}

/// `GostR3410-2012-PublicKeyParameters` (RFC 9215 §4.2): the parameter set, and a digest
/// parameter set for the 2001-era curves.
#[derive(Sequence)]
struct KeyParameters {
    public_key_param_set: ObjectIdentifier,
    digest_param_set: Option<ObjectIdentifier>,
}

/// A private key with its algorithm: what a key file holds. `Debug` shows the algorithm only.
#[derive(Clone)]
pub struct PrivateKey {
    /// The public-key algorithm (2001, 2012-256 or 2012-512).
    pub algorithm: KeyAlgorithm,
    /// The key.
    pub key: SigningKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// DER `PrivateKeyInfo`, in a buffer that zeroizes itself.
    pub fn to_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let spki = gost::spki::to_spki(&self.key.verifying_key(), self.algorithm);
        let info = PrivateKeyInfo {
            version: 0,
            algorithm: spki.algorithm,
            private_key: OctetString::new(self.key.to_le_bytes().to_vec())?,
        };
        Ok(Zeroizing::new(info.to_der()?))
    }

    /// PEM `PRIVATE KEY` with LF line endings.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        let der = self.to_der()?;
        let pem = der::pem::encode_string("PRIVATE KEY", der::pem::LineEnding::LF, &der)
            .map_err(der::Error::from)?;
        Ok(Zeroizing::new(pem))
    }

    /// Reads PEM (`PRIVATE KEY`) or DER.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let der = Zeroizing::new(encoding::der_bytes(input, PrivateKeyInfo::PEM_LABEL)?);
        let info = PrivateKeyInfo::from_der(&der)?;
        if info.version != 0 {
            return Err(Error::PrivateKey("PrivateKeyInfo version is not 0"));
        }
        let algorithm = KeyAlgorithm::from_oid(&info.algorithm.oid)?;
        let params = info
            .algorithm
            .parameters
            .as_ref()
            .ok_or(Error::PrivateKey("no key parameters"))?;
        let params = KeyParameters::from_der(&params.to_der()?)?;
        let param_set = ParamSet::from_oid(&params.public_key_param_set)?;
        let key = decode_scalar(param_set, info.private_key.as_bytes())?;
        Ok(PrivateKey { algorithm, key })
    }
}

/// d from the `privateKey` content in any of the engine's forms.
fn decode_scalar(param_set: ParamSet, content: &[u8]) -> Result<SigningKey> {
    let len = param_set.scalar_len();
    if content.len() == len {
        return Ok(SigningKey::from_le_bytes(param_set, content)?);
    }
    let any =
        AnyRef::from_der(content).map_err(|_| Error::PrivateKey("unrecognised privateKey form"))?;
    if let Ok(octets) = any.decode_as::<OctetString>()
        && octets.as_bytes().len() == len
    {
        return Ok(SigningKey::from_le_bytes(param_set, octets.as_bytes())?);
    }
    if let Ok(int) = any.decode_as::<UintRef<'_>>() {
        let bytes = int.as_bytes();
        if bytes.len() <= len {
            let mut be = Zeroizing::new(vec![0u8; len - bytes.len()]);
            be.extend_from_slice(bytes);
            return Ok(SigningKey::from_be_bytes(param_set, &be)?);
        }
    }
    Err(Error::PrivateKey("unrecognised privateKey form"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_named_error() {
        assert!(PrivateKey::parse(b"").is_err());
        assert!(PrivateKey::parse(b"\x30\x03\x02\x01\x00").is_err());
        assert!(matches!(
            PrivateKey::parse(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"),
            Err(Error::Pem { .. })
        ));
    }
}
