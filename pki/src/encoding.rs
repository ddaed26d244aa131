//! PEM-or-DER input, and PEM output, for every structure this crate reads and writes.

use der::pem::{LineEnding, PemLabel};
use der::{Decode, Encode, EncodePem};

use crate::{Error, Result};

/// True if `input` looks like PEM (`-----BEGIN` after optional whitespace).
pub fn is_pem(input: &[u8]) -> bool {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    input[start..].starts_with(b"-----BEGIN")
}

/// The DER bytes of `input`: PEM with `label` decoded, or `input` itself.
pub fn der_bytes(input: &[u8], label: &'static str) -> Result<Vec<u8>> {
    if !is_pem(input) {
        return Ok(input.to_vec());
    }
    let pem_error = |reason: String| Error::Pem {
        expected: label,
        reason,
    };
    let text = std::str::from_utf8(input).map_err(|_| pem_error("PEM that is not UTF-8".into()))?;
    let (found, der) =
        der::pem::decode_vec(text.trim().as_bytes()).map_err(|e| pem_error(e.to_string()))?;
    if found != label {
        return Err(pem_error(format!("found label {found:?}")));
    }
    Ok(der)
}

/// Decodes `T` from PEM (with `T`'s label) or from DER; returns it with its DER bytes as given.
pub fn decode<T>(input: &[u8]) -> Result<(T, Vec<u8>)>
where
    T: PemLabel + for<'a> Decode<'a, Error = der::Error>,
{
    let der = der_bytes(input, T::PEM_LABEL)?;
    let value = T::from_der(&der)?;
    Ok((value, der))
}

/// PEM with LF line endings (what the fixtures hold, byte for byte on every platform).
pub fn to_pem<T: EncodePem + PemLabel + Encode>(value: &T) -> Result<String> {
    Ok(value.to_pem(LineEnding::LF)?)
}

#[cfg(test)]
mod tests {
    use x509_cert::Certificate;

    use super::*;

    #[test]
    fn garbage_is_a_named_error() {
        assert!(matches!(
            decode::<Certificate>(b"\x30\x03\x02\x01").map(|_| ()),
            Err(Error::Der(_))
        ));
        assert!(matches!(
            decode::<Certificate>(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
                .map(|_| ()),
            Err(Error::Pem { .. })
        ));
        assert!(matches!(
            decode::<Certificate>(
                b"  -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
            )
            .map(|_| ()),
            Err(Error::Pem { .. })
        ));
    }
}
