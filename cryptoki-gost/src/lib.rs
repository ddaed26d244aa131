//! The PKCS#11 calls with GOST R 34.10 mechanisms that the `cryptoki` crate cannot make: its
//! `Mechanism` and `Attribute` enums have no `CKM_GOSTR3410*` (standard values below
//! `CKM_VENDOR_DEFINED`, which `MechanismType::new_vendor_defined` refuses) and no
//! `CKA_GOSTR3410_PARAMS`, and its `get_mechanism_list` drops every mechanism it does not know.
//! This crate opens the same module file again (the loader hands back the library `cryptoki`
//! already loaded and initialised: one module, one state) and calls `C_GetMechanismList`,
//! `C_GenerateKeyPair` and `C_Sign` through the module's own function list, on the sessions
//! `cryptoki` opened (`Session::handle`).
#![deny(unsafe_code)]

mod ffi;

pub use cryptoki_sys as sys;
pub use ffi::Module;

/// `CKR_` of a failed call, or why the module could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The module answered this `CKR_` (hex, as the PKCS#11 headers write it).
    #[error("CKR 0x{0:08X}")]
    Rv(sys::CK_RV),
    /// The file could not be loaded or has no `C_GetFunctionList`.
    #[error("{0}")]
    Load(String),
    /// The module's function list lacks this function.
    #[error("the module has no {0}")]
    Missing(&'static str),
}

/// One attribute of a template: its type and its value bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// `CKA_…`.
    pub kind: sys::CK_ATTRIBUTE_TYPE,
    /// The value as the module reads it.
    pub value: Vec<u8>,
}

impl Attr {
    /// A `CK_BBOOL` attribute.
    pub fn bool(kind: sys::CK_ATTRIBUTE_TYPE, value: bool) -> Self {
        Attr {
            kind,
            value: vec![u8::from(value)],
        }
    }

    /// A `CK_ULONG` attribute (class, key type): native byte order, as the module reads it.
    pub fn ulong(kind: sys::CK_ATTRIBUTE_TYPE, value: sys::CK_ULONG) -> Self {
        Attr {
            kind,
            value: value.to_ne_bytes().to_vec(),
        }
    }

    /// A byte-string attribute (OID, ID, label).
    pub fn bytes(kind: sys::CK_ATTRIBUTE_TYPE, value: &[u8]) -> Self {
        Attr {
            kind,
            value: value.to_vec(),
        }
    }
}
