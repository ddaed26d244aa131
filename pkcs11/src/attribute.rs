//! Attribute templates in safe Rust: what the FFI layer copied out of a `CK_ATTRIBUTE` array,
//! and the typed readers the functions need.

use cryptoki_sys::{
    CK_ATTRIBUTE_TYPE, CK_BBOOL, CK_ULONG, CKR_ATTRIBUTE_VALUE_INVALID, CKR_TEMPLATE_INCONSISTENT,
};

use crate::error::Error;

/// One attribute of a template: its type and value bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// `CKA_…`.
    pub kind: CK_ATTRIBUTE_TYPE,
    /// The value, as the caller passed it.
    pub value: Vec<u8>,
}

/// A template (the order and duplicates of the caller's array are kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template(pub Vec<Attribute>);

impl Template {
    /// The value of `kind`, if present. Two different values of one attribute are inconsistent.
    pub fn get(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Option<&[u8]>, Error> {
        let mut found: Option<&[u8]> = None;
        for a in self.0.iter().filter(|a| a.kind == kind) {
            match found {
                Some(v) if v != a.value.as_slice() => {
                    return Err(Error::Rv(CKR_TEMPLATE_INCONSISTENT));
                }
                _ => found = Some(&a.value),
            }
        }
        Ok(found)
    }

    /// A `CK_ULONG` attribute (native byte order, the size of a C `unsigned long`).
    pub fn ulong(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Option<CK_ULONG>, Error> {
        self.get(kind)?.map(decode_ulong).transpose()
    }

    /// A `CK_BBOOL` attribute (one byte).
    pub fn bool(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Option<bool>, Error> {
        match self.get(kind)? {
            None => Ok(None),
            Some([b]) => Ok(Some(*b != 0)),
            Some(_) => Err(Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID)),
        }
    }

    /// A UTF-8 string attribute (`CKA_LABEL`).
    pub fn string(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Option<String>, Error> {
        self.get(kind)?
            .map(|v| {
                String::from_utf8(v.to_vec()).map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))
            })
            .transpose()
    }
}

/// Decodes a `CK_ULONG` value.
pub fn decode_ulong(bytes: &[u8]) -> Result<CK_ULONG, Error> {
    let array: [u8; size_of::<CK_ULONG>()] = bytes
        .try_into()
        .map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))?;
    Ok(CK_ULONG::from_ne_bytes(array))
}

/// Encodes a `CK_ULONG` value.
pub fn ulong(value: CK_ULONG) -> Vec<u8> {
    value.to_ne_bytes().to_vec()
}

/// Encodes a `CK_BBOOL` value.
pub fn bool(value: bool) -> Vec<u8> {
    vec![CK_BBOOL::from(value)]
}

#[cfg(test)]
mod tests {
    use cryptoki_sys::{CKA_ID, CKA_LABEL};

    use super::*;

    fn template(attributes: &[(CK_ATTRIBUTE_TYPE, &[u8])]) -> Template {
        Template(
            attributes
                .iter()
                .map(|(kind, value)| Attribute {
                    kind: *kind,
                    value: value.to_vec(),
                })
                .collect(),
        )
    }

    /// PKCS#11 v2.40 §4.1 ("Creating objects") lets a module take an attribute given twice
    /// with the same value as given once, and makes two different values
    /// `CKR_TEMPLATE_INCONSISTENT`; this module does both.
    #[test]
    fn a_repeated_attribute_must_repeat_its_value() {
        let same = template(&[(CKA_LABEL, b"a"), (CKA_ID, b"1"), (CKA_LABEL, b"a")]);
        assert_eq!(same.get(CKA_LABEL), Ok(Some(&b"a"[..])));
        let differing = template(&[(CKA_LABEL, b"a"), (CKA_LABEL, b"b")]);
        assert_eq!(
            differing.get(CKA_LABEL),
            Err(Error::Rv(CKR_TEMPLATE_INCONSISTENT))
        );
        assert_eq!(differing.get(CKA_ID), Ok(None));
    }
}
