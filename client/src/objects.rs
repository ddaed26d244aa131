//! The token's objects as PKCS#15 lists them: listing keys and certificates, installing,
//! reading and deleting certificates, and the directory-file bookkeeping (ODF, PrKDF, PuKDF,
//! CDF) behind them.

use rutoken_apdu::tlv;

use crate::Client;
use crate::certificate;
use crate::error::{ClientError, Missing};
use crate::layout::{self, Path, pkcs15};
use crate::transport::Transport;

/// A key pair found on the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyObject {
    /// `kk` of `…/6002/00kk`.
    pub reference: u8,
    /// The PKCS#15 ID (its PrKDF entry), if the key has one.
    pub id: Option<Vec<u8>>,
    /// The label (its PrKDF entry).
    pub label: Option<String>,
    /// The public half's label (its PuKDF entry), which PKCS#11 programs may set apart.
    pub public_label: Option<String>,
    /// The parameter set (from the RSF's attribute-85 code and the device profile).
    pub param_set: Option<gost::ParamSet>,
    /// `LE(x) ‖ LE(y)` (the public key EF its PuKDF entry points to).
    pub public_key: Option<Vec<u8>>,
}

/// A certificate listed in the CDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateObject {
    /// Its label.
    pub label: String,
    /// Its PKCS#15 ID (the ID of its key pair).
    pub id: Vec<u8>,
    /// Its path, as in the CDF.
    pub path: Vec<u8>,
    /// The DER read from that path.
    pub der: Vec<u8>,
}

/// What [`Client::objects`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Objects {
    /// Key pairs with a private-key RSF, by reference.
    pub keys: Vec<KeyObject>,
    /// Certificates, in CDF order.
    pub certificates: Vec<CertificateObject>,
}

/// How [`Client::install_certificate`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// Written and listed in the CDF under this ID.
    Listed {
        /// The certificate's PKCS#15 ID.
        id: Vec<u8>,
    },
    /// `before_piece` stopped the write: the CDF was not touched.
    Interrupted,
}

/// The file name of a directory's ODF tag (for errors).
fn directory_name(odf_tag: u32) -> &'static str {
    match odf_tag {
        pkcs15::ODF_PRIVATE_KEYS => "PrKDF",
        pkcs15::ODF_PUBLIC_KEYS => "PuKDF",
        pkcs15::ODF_DATA_OBJECTS => "DODF",
        _ => "CDF",
    }
}

/// The FID a missing directory file is created with (§5).
fn default_directory_fid(odf_tag: u32) -> u16 {
    match odf_tag {
        pkcs15::ODF_PRIVATE_KEYS => layout::PRKDF,
        pkcs15::ODF_PUBLIC_KEYS => layout::PUKDF,
        pkcs15::ODF_DATA_OBJECTS => layout::DODF,
        _ => layout::CDF,
    }
}

impl<T: Transport> Client<T> {
    /// Where the ODF says the directory file of `odf_tag` is; `None` without an ODF or entry.
    pub fn directory_path(&mut self, odf_tag: u32) -> Result<Option<Path>, ClientError> {
        let Some(odf) = self.read_file(&layout::app_path(layout::ODF))? else {
            return Ok(None);
        };
        let path =
            pkcs15::odf_path(&odf, odf_tag).map_err(|reason| ClientError::MalformedDirectory {
                file: "ODF",
                reason,
            })?;
        Ok(path.map(|p| layout::path_from_bytes(&p)))
    }

    /// True when the PrKDF entry of key `kk` has the `derive` usage (a key made for key
    /// agreement too); false for a key with no entry.
    pub fn key_derives(&mut self, kk: u8) -> Result<bool, ClientError> {
        let path = layout::private_key_path(kk);
        Ok(self.directory(pkcs15::ODF_PRIVATE_KEYS)?.iter().any(|e| {
            (e.key_reference == Some(kk) || layout::path_from_bytes(&e.path) == path) && e.derive
        }))
    }

    /// The entries of the directory file of `odf_tag` (none if it does not exist).
    pub fn directory(&mut self, odf_tag: u32) -> Result<Vec<pkcs15::Entry>, ClientError> {
        let Some(path) = self.directory_path(odf_tag)? else {
            return Ok(Vec::new());
        };
        let Some(bytes) = self.read_file(&path)? else {
            return Ok(Vec::new());
        };
        pkcs15::parse_directory(&bytes).map_err(|reason| ClientError::MalformedDirectory {
            file: directory_name(odf_tag),
            reason,
        })
    }

    /// Appends an entry to the directory file of `odf_tag`, creating the file (and its ODF
    /// entry) when the token has none yet.
    pub fn append_to_directory(&mut self, odf_tag: u32, entry: &[u8]) -> Result<(), ClientError> {
        let file = directory_name(odf_tag);
        let (path, bytes) = match self.directory_path(odf_tag)? {
            Some(path) => {
                let bytes = self.read_file(&path)?.ok_or(ClientError::NotFound {
                    what: Missing::DirectoryFile,
                })?;
                (path, bytes)
            }
            None => {
                let fid = default_directory_fid(odf_tag);
                let empty = vec![0; usize::from(layout::DIRECTORY_SIZE)];
                self.create_app_file(fid, &empty, "a directory file", &mut |_, _| Ok(true))?;
                self.register_in_odf(odf_tag, fid)?;
                (layout::app_path(fid), empty)
            }
        };
        let used = tlv::used_len(&bytes)
            .map_err(|reason| ClientError::MalformedDirectory { file, reason })?;
        if used + entry.len() > bytes.len() {
            return Err(ClientError::DirectoryFull { file });
        }
        self.select_path(&path)?.ok_or(ClientError::NotFound {
            what: Missing::DirectoryFile,
        })?;
        self.write_binary(used, entry)
    }

    /// Removes the entries `remove` selects from the directory file of `odf_tag`; returns them.
    pub fn remove_from_directory(
        &mut self,
        odf_tag: u32,
        remove: &dyn Fn(&pkcs15::Entry) -> bool,
    ) -> Result<Vec<pkcs15::Entry>, ClientError> {
        let file = directory_name(odf_tag);
        let Some(path) = self.directory_path(odf_tag)? else {
            return Ok(Vec::new());
        };
        let Some(bytes) = self.read_file(&path)? else {
            return Ok(Vec::new());
        };
        let malformed = |reason| ClientError::MalformedDirectory { file, reason };
        let entries = pkcs15::parse_directory(&bytes).map_err(malformed)?;
        let removed: Vec<pkcs15::Entry> = entries.into_iter().filter(|e| remove(e)).collect();
        if removed.is_empty() {
            return Ok(removed);
        }
        let (rewritten, _) = pkcs15::without_entries(&bytes, remove).map_err(malformed)?;
        self.select_path(&path)?.ok_or(ClientError::NotFound {
            what: Missing::DirectoryFile,
        })?;
        self.write_binary(0, &rewritten)?;
        Ok(removed)
    }

    /// Appends `tag { Path 3F00/5000/fid }` to the ODF, so PKCS#15 readers find a directory
    /// file the client created. A token without an ODF is left alone.
    fn register_in_odf(&mut self, odf_tag: u32, fid: u16) -> Result<(), ClientError> {
        let odf_path = layout::app_path(layout::ODF);
        let Some(odf) = self.read_file(&odf_path)? else {
            return Ok(());
        };
        let entry = pkcs15::odf_entry(
            odf_tag,
            &layout::absolute_path_bytes(&layout::app_path(fid)),
        )
        .map_err(ClientError::Encoding)?;
        let used = tlv::used_len(&odf).map_err(|reason| ClientError::MalformedDirectory {
            file: "ODF",
            reason,
        })?;
        if used + entry.len() > odf.len() {
            return Err(ClientError::DirectoryFull { file: "ODF" });
        }
        self.select_path(&odf_path)?;
        self.write_binary(used, &entry)
    }

    /// Deletes an EF (by its path from the MF) in its DF.
    pub fn delete_app_file(&mut self, path: &[u16]) -> Result<(), ClientError> {
        let Some((fid, parent)) = path.split_last() else {
            return Ok(());
        };
        if self.select_path(parent)?.is_some() {
            self.delete_file(*fid)?;
        }
        Ok(())
    }

    /// Lists the key pairs (probing the private-key RSFs, named by the PrKDF and PuKDF) and
    /// the certificates (the CDF and the files it points to), as the plugin does when it
    /// attaches.
    pub fn objects(&mut self) -> Result<Objects, ClientError> {
        let mut objects = Objects::default();
        for kk in 1..=layout::MAX_KEY_REFERENCE {
            if let Some(fcp) = self.select_path(&layout::private_key_path(kk))? {
                let param_set = fcp
                    .proprietary
                    .get(1)
                    .and_then(|code| self.config().param_set_of_code(*code));
                objects.keys.push(KeyObject {
                    reference: kk,
                    id: None,
                    label: None,
                    public_label: None,
                    param_set,
                    public_key: None,
                });
            }
        }
        if !objects.keys.is_empty() {
            let private = self.directory(pkcs15::ODF_PRIVATE_KEYS)?;
            let public = self.directory(pkcs15::ODF_PUBLIC_KEYS)?;
            for key in &mut objects.keys {
                let path = layout::private_key_path(key.reference);
                let Some(entry) = private.iter().find(|e| {
                    e.key_reference == Some(key.reference)
                        || layout::path_from_bytes(&e.path) == path
                }) else {
                    continue;
                };
                key.id = Some(entry.id.clone());
                key.label = Some(entry.label.clone());
                if let Some(p) = public.iter().find(|p| p.id == entry.id) {
                    key.public_label = Some(p.label.clone());
                    key.public_key = self.read_public_key(&layout::path_from_bytes(&p.path))?;
                }
            }
        }
        for entry in self.directory(pkcs15::ODF_CERTIFICATES)? {
            if let Some(der) = self.read_file(&layout::path_from_bytes(&entry.path))? {
                objects.certificates.push(CertificateObject {
                    der: certificate::trim(&der).to_vec(),
                    label: entry.label,
                    id: entry.id,
                    path: entry.path,
                });
            }
        }
        Ok(objects)
    }

    /// The public key EF's OCTET STRING; `None` when the file is missing.
    fn read_public_key(&mut self, path: &[u16]) -> Result<Option<Vec<u8>>, ClientError> {
        let Some(bytes) = self.read_file(path)? else {
            return Ok(None);
        };
        let t = tlv::parse_first(&bytes).map_err(|reason| ClientError::MalformedDirectory {
            file: "public key EF",
            reason,
        })?;
        Ok((t.tag == 0x04).then(|| t.value.to_vec()))
    }

    /// Writes a certificate into a new EF under 5000 and then appends its CDF entry under the
    /// ID of its key pair ([`pkcs15::object_id`] of its public key) or under `id` when given (a
    /// PKCS#11 `CKA_ID`, any certificate's), so an interruption before
    /// the index update leaves the token's listing as it was. `before_piece` as for
    /// [`Client::update_binary`].
    pub fn install_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: Option<&[u8]>,
        before_piece: &mut dyn FnMut(&mut Self, usize) -> Result<bool, ClientError>,
    ) -> Result<Installed, ClientError> {
        let id = match id {
            Some(id) => {
                // Any X.509 certificate (a CA's RSA one too) may be filed under a given ID.
                if !matches!(rutoken_apdu::tlv::parse_first(der), Ok(t) if t.tag == 0x30) {
                    return Err(ClientError::BadCertificate {
                        reason: "the DER is not an X.509 certificate".to_owned(),
                    });
                }
                id.to_vec()
            }
            None => {
                let info = certificate::parse(der).ok_or_else(|| ClientError::BadCertificate {
                    reason: "the DER is not an X.509 certificate".to_owned(),
                })?;
                pkcs15::object_id(&info.public_key)
                    .map_err(ClientError::Encoding)?
                    .to_vec()
            }
        };
        let fid = self.free_app_fid("certificate", layout::FIRST_CERT_FID)?;
        if !self.create_app_file(fid, der, "a certificate", before_piece)? {
            return Ok(Installed::Interrupted);
        }
        let entry = pkcs15::certificate_entry(
            label,
            &id,
            &layout::absolute_path_bytes(&layout::app_path(fid)),
        )
        .map_err(ClientError::Encoding)?;
        self.append_to_directory(pkcs15::ODF_CERTIFICATES, &entry)?;
        Ok(Installed::Listed { id })
    }

    /// The DER of the certificate with this ID.
    pub fn read_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>, ClientError> {
        let entry = self
            .directory(pkcs15::ODF_CERTIFICATES)?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(ClientError::NotFound {
                what: Missing::Certificate,
            })?;
        let der = self
            .read_file(&layout::path_from_bytes(&entry.path))?
            .ok_or(ClientError::NotFound {
                what: Missing::CertificateFile,
            })?;
        Ok(certificate::trim(&der).to_vec())
    }

    /// Deletes the certificates with this ID: their CDF entries first (so no listing points to
    /// a missing file), then their files.
    pub fn delete_certificate(&mut self, id: &[u8]) -> Result<(), ClientError> {
        let removed = self.remove_from_directory(pkcs15::ODF_CERTIFICATES, &|e| e.id == id)?;
        if removed.is_empty() {
            return Err(ClientError::NotFound {
                what: Missing::Certificate,
            });
        }
        for entry in removed {
            self.delete_app_file(&layout::path_from_bytes(&entry.path))?;
        }
        Ok(())
    }
}
