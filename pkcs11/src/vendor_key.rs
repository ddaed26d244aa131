//! The vendor's per-key attributes (`CKA_VENDOR_KEY_PIN_ENTER`, `…_CONFIRM_OP`, `…_JOURNAL`,
//! `CKA_VENDOR_CONFIRM_BY_TOUCH`): read from key-generation templates, kept on the token and
//! given back on both halves of the pair.
//!
//! Where Aktiv's module keeps them is not public. Ours (`docs/assumptions.md`, "PKCS#11
//! module"): a private PKCS#15 data object per key pair, application [`APPLICATION`], label
//! the key reference in hex, value one byte per attribute in the order of [`ATTRIBUTES`]. The
//! module hides these objects from its own listing; OpenSC sees them as data objects.

use cryptoki_sys::CK_ATTRIBUTE_TYPE;

use crate::attribute::Template;
use crate::device::DataObject;
use crate::error::Error;
use crate::vendor::{
    CKA_VENDOR_CONFIRM_BY_TOUCH, CKA_VENDOR_KEY_CONFIRM_OP, CKA_VENDOR_KEY_JOURNAL,
    CKA_VENDOR_KEY_PIN_ENTER,
};

/// `CKA_APPLICATION` of the data objects that hold the attributes (ours).
pub const APPLICATION: &str = "rutoken-lab vendor key attributes";

/// The attributes, in the order of the stored bytes.
pub const ATTRIBUTES: [CK_ATTRIBUTE_TYPE; 4] = [
    CKA_VENDOR_KEY_PIN_ENTER,
    CKA_VENDOR_KEY_CONFIRM_OP,
    CKA_VENDOR_KEY_JOURNAL,
    CKA_VENDOR_CONFIRM_BY_TOUCH,
];

/// The four values (all false when a template names none of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VendorKeyFlags(pub [bool; 4]);

impl VendorKeyFlags {
    /// The values of the public and private templates; one attribute given twice with
    /// different values is `CKR_TEMPLATE_INCONSISTENT`, a value that is not one byte
    /// `CKR_ATTRIBUTE_VALUE_INVALID`.
    pub fn from_templates(public: &Template, private: &Template) -> Result<Self, Error> {
        let mut flags = [false; 4];
        for (flag, kind) in flags.iter_mut().zip(ATTRIBUTES) {
            *flag = match (public.bool(kind)?, private.bool(kind)?) {
                (Some(a), Some(b)) if a != b => {
                    return Err(Error::Rv(cryptoki_sys::CKR_TEMPLATE_INCONSISTENT));
                }
                (a, b) => a.or(b).unwrap_or(false),
            };
        }
        Ok(VendorKeyFlags(flags))
    }

    /// The value of one of [`ATTRIBUTES`], `None` for any other attribute.
    pub fn get(&self, kind: CK_ATTRIBUTE_TYPE) -> Option<bool> {
        ATTRIBUTES
            .iter()
            .position(|a| *a == kind)
            .and_then(|i| self.0.get(i).copied())
    }

    /// True when any is set (only then is a data object written).
    pub fn any(&self) -> bool {
        self.0.iter().any(|f| *f)
    }

    /// The data object that keeps them for the key at `reference`.
    pub fn object(&self, reference: u8) -> DataObject {
        DataObject {
            label: label(reference),
            application: APPLICATION.to_owned(),
            oid: Vec::new(),
            private: true,
            path: Vec::new(),
            value: self.0.iter().map(|f| u8::from(*f)).collect(),
        }
    }

    /// The flags a stored data object holds (missing bytes are false).
    pub fn from_object(object: &DataObject) -> Self {
        let mut flags = [false; 4];
        for (flag, byte) in flags.iter_mut().zip(&object.value) {
            *flag = *byte != 0;
        }
        VendorKeyFlags(flags)
    }
}

/// The label of the data object for the key at `reference`.
pub fn label(reference: u8) -> String {
    format!("{reference:02X}")
}

/// Whether `object` holds a key's vendor attributes.
pub fn is_flags_object(object: &DataObject) -> bool {
    object.application == APPLICATION
}
