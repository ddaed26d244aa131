//! PKCS#15 data objects (opaque DOs, PKCS#15 v1.1 §6.7) the way OpenSC's pkcs15-init stores
//! them on a Rutoken ECP (`rutoken_ecp.profile`): the value in its own transparent EF under
//! `5000` (`04xx` public, `05xx` private and readable by the user only), then a DODF entry
//! (`5000/6006`, listed in the ODF under `A7`) naming it.

use crate::Client;
use crate::error::{ClientError, Missing};
use crate::layout::{self, pkcs15};
use crate::transport::Transport;

/// A data object listed in the DODF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataObject {
    /// Its label (common object attributes).
    pub label: String,
    /// applicationName (PKCS#11 `CKA_APPLICATION`).
    pub application: String,
    /// applicationOID, DER (`CKA_OBJECT_ID`).
    pub oid: Option<Vec<u8>>,
    /// Whether its value needs the user's login (`CKA_PRIVATE`).
    pub private: bool,
    /// The path bytes of its EF, as in the DODF.
    pub path: Vec<u8>,
    /// Its value; `None` for a private object read without the user's login.
    pub value: Option<Vec<u8>>,
}

impl<T: Transport> Client<T> {
    /// The DODF's data objects with their values (a private one's only after the user PIN).
    pub fn data_objects(&mut self) -> Result<Vec<DataObject>, ClientError> {
        let mut objects = Vec::new();
        for entry in self.directory(pkcs15::ODF_DATA_OBJECTS)? {
            if entry.tag != pkcs15::DATA_OBJECT_TAG {
                continue;
            }
            let value = match self.read_file(&layout::path_from_bytes(&entry.path)) {
                Ok(value) => value,
                Err(ClientError::NotLoggedIn { .. }) if entry.private => None,
                Err(e) => return Err(e),
            };
            objects.push(DataObject {
                label: entry.label,
                application: entry.application,
                oid: entry.oid,
                private: entry.private,
                path: entry.path,
                value,
            });
        }
        Ok(objects)
    }

    /// Stores a data object: its EF first, then the DODF entry (created with its ODF entry
    /// on first use), so an interruption never lists a missing file. Needs the user PIN (the
    /// DODF is updated by the user, §5): checked first, since the token would create the EF
    /// without it (`5000` lets anyone create) and then refuse the DODF, leaving the EF behind.
    pub fn create_data_object(
        &mut self,
        label: &str,
        application: &str,
        oid: Option<&[u8]>,
        value: &[u8],
        private: bool,
    ) -> Result<DataObject, ClientError> {
        if let Some(oid) = oid {
            let parsed = rutoken_apdu::tlv::parse_one(oid, "applicationOID");
            if !matches!(parsed, Ok(t) if t.tag == 0x06 && !t.value.is_empty()) {
                return Err(ClientError::NotAnOid);
            }
        }
        if self.pin_status(crate::PinRole::User)? != crate::PinStatus::Verified {
            return Err(ClientError::NotLoggedIn {
                operation: "create a data object",
            });
        }
        let (first, sec) = if private {
            (layout::FIRST_PRIVATE_DATA_FID, layout::PRIVATE_EF_SEC_ATTR)
        } else {
            (layout::FIRST_DATA_FID, layout::USER_EF_SEC_ATTR)
        };
        let fid = self.free_app_fid("data object", first)?;
        self.create_app_file_with(fid, value, "a data object", &sec, &mut |_, _| Ok(true))?;
        let path = layout::absolute_path_bytes(&layout::app_path(fid));
        let entry = pkcs15::data_object_entry(label, application, oid, &path, private)
            .map_err(ClientError::Encoding)?;
        self.append_to_directory(pkcs15::ODF_DATA_OBJECTS, &entry)?;
        Ok(DataObject {
            label: label.to_owned(),
            application: application.to_owned(),
            oid: oid.map(<[u8]>::to_vec),
            private,
            path,
            value: Some(value.to_vec()),
        })
    }

    /// Deletes the data object whose EF is at `path`: its DODF entry first (so no listing
    /// points to a missing file), then the EF.
    pub fn delete_data_object(&mut self, path: &[u8]) -> Result<(), ClientError> {
        let removed = self.remove_from_directory(pkcs15::ODF_DATA_OBJECTS, &|e| {
            e.tag == pkcs15::DATA_OBJECT_TAG && e.path == path
        })?;
        if removed.is_empty() {
            return Err(ClientError::NotFound {
                what: Missing::DataObject,
            });
        }
        self.delete_app_file(&layout::path_from_bytes(path))
    }
}
