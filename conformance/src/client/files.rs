//! Files: SELECT, READ/UPDATE BINARY, CREATE and DELETE FILE, and the PKCS#15 listing
//! (rutoken-ecp-apdu.md §3-§5).

use crate::apdu::{Command, SW_FILE_NOT_FOUND};
use crate::tlv;

use super::{Client, ClientError};

/// The PKCS#15 application DF (rutoken-ecp-apdu.md §5).
pub const PKCS15_APP: u16 = 0x5000;
/// The CDF, certificate directory (§5: `5000/6004`, 2048 bytes).
pub const CDF: u16 = 0x6004;
/// The ODF (§5: `5000/5031`).
pub const ODF: u16 = 0x5031;
/// ODF choice tag of the certificates directory (PKCS#15 v1.1 §6.2: `certificates [4]`).
pub const ODF_CERTIFICATES: u8 = 0xA4;
/// Size of a directory file created by the client (§5: PrKDF, PuKDF, CDF are 2048 bytes).
pub const DIRECTORY_SIZE: u16 = 2048;
/// First FID of certificate EFs (§5: `5000/0300…`).
pub const FIRST_CERT_FID: u16 = 0x0300;
/// How many certificate FIDs the client probes for a free one.
pub const CERT_FID_RANGE: u16 = 32;
/// Max data per UPDATE BINARY (§2: max_send_size 255).
pub const MAX_PIECE: usize = 255;
/// Security attributes of a certificate EF (§5: `43 00 02 … 02`: read always, update and
/// delete by the user).
pub const CERT_SEC_ATTR: [u8; 15] = [0x43, 0x00, 0x02, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];

/// The parts of an FCP the client uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fcp {
    /// Tag 80 (or 81): the size.
    pub size: usize,
    /// Tag 82: the descriptor bytes.
    pub descriptor: Vec<u8>,
    /// Tag 85: proprietary attributes.
    pub proprietary: Vec<u8>,
}

impl Fcp {
    /// Parses a `62`/`6F` template.
    pub fn parse(bytes: &[u8]) -> Result<Self, ClientError> {
        let t = tlv::read(bytes)
            .filter(|t| t.tag == 0x62 || t.tag == 0x6F)
            .ok_or_else(|| ClientError::Protocol("SELECT answered no FCP (62/6F)".to_owned()))?;
        let size = tlv::find(t.value, 0x80)
            .or_else(|| tlv::find(t.value, 0x81))
            .map_or(0, |v| {
                v.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
            });
        Ok(Fcp {
            size,
            descriptor: tlv::find(t.value, 0x82).unwrap_or_default().to_vec(),
            proprietary: tlv::find(t.value, 0x85).unwrap_or_default().to_vec(),
        })
    }
}

/// A certificate listed in the CDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEntry {
    /// Its label.
    pub label: String,
    /// Its PKCS#15 iD.
    pub id: Vec<u8>,
    /// Its path, as in the CDF.
    pub path: Vec<u8>,
    /// The DER read from that path.
    pub der: Vec<u8>,
}

/// What `list_objects` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Objects {
    /// Key references with a private-key RSF.
    pub keys: Vec<u8>,
    /// Certificates.
    pub certificates: Vec<CertificateEntry>,
}

fn path_bytes(path: &[u16]) -> Vec<u8> {
    path.iter().flat_map(|f| f.to_be_bytes()).collect()
}

impl Client<'_> {
    /// `SELECT 3F00` (`00 A4 00 00 02 3F 00 00`).
    pub fn select_mf(&mut self) -> Result<Fcp, ClientError> {
        let data = self.send_ok(
            "SELECT 3F00",
            &Command::new(0x00, 0xA4, 0x00, 0x00)
                .data(vec![0x3F, 0x00])
                .le(0),
        )?;
        Fcp::parse(&data)
    }

    /// `SELECT` by path from the MF (`00 A4 08 00 Lc path 00`); `None` on `6A82`.
    pub fn select_path(&mut self, path: &[u16]) -> Result<Option<Fcp>, ClientError> {
        let r = self.send(
            &Command::new(0x00, 0xA4, 0x08, 0x00)
                .data(path_bytes(path))
                .le(0),
        )?;
        match r.sw {
            0x9000 => Fcp::parse(&r.data).map(Some),
            SW_FILE_NOT_FOUND => Ok(None),
            sw => Err(ClientError::Status {
                what: format!("SELECT {}", hex::encode_upper(path_bytes(path))),
                sw,
            }),
        }
    }

    /// Reads the selected EF's `size` bytes in `Le=00` chunks (§4 READ BINARY).
    pub fn read_binary(&mut self, size: usize) -> Result<Vec<u8>, ClientError> {
        let mut out = Vec::with_capacity(size);
        while out.len() < size {
            let off = u16::try_from(out.len())
                .map_err(|_| ClientError::Protocol("file too large".to_owned()))?;
            let want = u8::try_from((size - out.len()).min(256) % 256).unwrap_or(0);
            let r =
                self.send(&Command::new(0x00, 0xB0, (off >> 8) as u8 & 0x7F, off as u8).le(want))?;
            // 6282: end of file, a short read is accepted (§2).
            if !(r.ok() || r.sw == 0x6282) {
                return Err(ClientError::Status {
                    what: "READ BINARY".to_owned(),
                    sw: r.sw,
                });
            }
            if r.data.is_empty() {
                break;
            }
            out.extend_from_slice(&r.data);
        }
        out.truncate(size);
        Ok(out)
    }

    /// Selects and reads a whole EF; `None` if it does not exist.
    pub fn read_file(&mut self, path: &[u16]) -> Result<Option<Vec<u8>>, ClientError> {
        match self.select_path(path)? {
            Some(fcp) => self.read_binary(fcp.size).map(Some),
            None => Ok(None),
        }
    }

    /// `UPDATE BINARY` of the selected EF from `offset`, in pieces of at most 255 bytes.
    /// `before_piece(n)` runs before piece n (0-based) and may stop the write (returns false):
    /// how a scenario pulls the token in the middle.
    pub fn update_binary(
        &mut self,
        offset: usize,
        data: &[u8],
        before_piece: &mut dyn FnMut(&mut Self, usize) -> Result<bool, ClientError>,
    ) -> Result<bool, ClientError> {
        for (n, piece) in data.chunks(MAX_PIECE).enumerate() {
            if !before_piece(self, n)? {
                return Ok(false);
            }
            let off = u16::try_from(offset + n * MAX_PIECE)
                .map_err(|_| ClientError::Protocol("offset beyond 32767".to_owned()))?;
            self.send_ok(
                "UPDATE BINARY",
                &Command::new(0x00, 0xD6, (off >> 8) as u8 & 0x7F, off as u8).data(piece.to_vec()),
            )?;
        }
        Ok(true)
    }

    /// `CREATE FILE` in the current DF: `00 E0 00 00 Lc 6F …` (§4 CREATE FILE).
    pub fn create_file(&mut self, what: &str, fcp: &[u8]) -> Result<(), ClientError> {
        self.send_ok(
            format!("CREATE FILE {what}"),
            &Command::new(0x00, 0xE0, 0x00, 0x00).data(fcp.to_vec()),
        )
        .map(|_| ())
    }

    /// `DELETE FILE 00 E4 00 00 02 fid` in the current DF (§6 list 11).
    pub fn delete_file(&mut self, fid: u16) -> Result<u16, ClientError> {
        Ok(self
            .send(&Command::new(0x00, 0xE4, 0x00, 0x00).data(fid.to_be_bytes().to_vec()))?
            .sw)
    }

    /// Lists the keys (probing the private-key RSFs) and the certificates (the CDF and the
    /// files it points to), as the plugin does when it attaches.
    pub fn list_objects(&mut self) -> Result<Objects, ClientError> {
        let mut objects = Objects::default();
        for kk in 1..=super::keys::MAX_KEY_REFERENCE {
            if self
                .select_path(&super::keys::private_key_path(kk))?
                .is_some()
            {
                objects.keys.push(kk);
            }
        }
        let cdf_path = self.cdf_path()?;
        let Some(cdf) = self.read_file(&cdf_path)? else {
            return Ok(objects);
        };
        for entry in tlv::children(&cdf) {
            let Some((label, id, path)) = parse_cdf_entry(entry.value) else {
                continue;
            };
            let fids = fids_below_mf(&path);
            if let Some(der) = self.read_file(&fids)? {
                let der_len = tlv::read(&der).map_or(der.len(), |t| t.encoded_len);
                objects.certificates.push(CertificateEntry {
                    label,
                    id,
                    path,
                    der: der[..der_len].to_vec(),
                });
            }
        }
        Ok(objects)
    }

    /// Writes a certificate into a new EF under 5000 and then appends its CDF entry, so an
    /// interruption before the index update leaves the token's listing as it was.
    /// Returns false if `before_piece` stopped the write.
    pub fn install_certificate(
        &mut self,
        der: &[u8],
        label: &str,
        id: &[u8],
        before_piece: &mut dyn FnMut(&mut Self, usize) -> Result<bool, ClientError>,
    ) -> Result<bool, ClientError> {
        let mut fid = None;
        for f in FIRST_CERT_FID..FIRST_CERT_FID + CERT_FID_RANGE {
            if self.select_path(&[PKCS15_APP, f])?.is_none() {
                fid = Some(f);
                break;
            }
        }
        let fid = fid.ok_or_else(|| {
            ClientError::Protocol("no free certificate file 0300-031F".to_owned())
        })?;
        let size = u16::try_from(der.len())
            .map_err(|_| ClientError::Protocol("certificate too large".to_owned()))?;
        self.select_path(&[PKCS15_APP])?;
        self.create_file(&format!("{fid:04X}"), &ef_fcp(fid, size))?;
        self.select_path(&[PKCS15_APP, fid])?.ok_or_else(|| {
            ClientError::Protocol(format!("the new file {fid:04X} does not select"))
        })?;
        if !self.update_binary(0, der, before_piece)? {
            return Ok(false);
        }
        // The index: append to the CDF (create it if the token has none yet).
        let cdf_path = self.cdf_path()?;
        let cdf = match self.read_file(&cdf_path)? {
            Some(c) => c,
            None => {
                self.select_path(&[PKCS15_APP])?;
                self.create_file("CDF 6004", &ef_fcp(CDF, DIRECTORY_SIZE))?;
                self.register_in_odf(ODF_CERTIFICATES, CDF)?;
                vec![0; usize::from(DIRECTORY_SIZE)]
            }
        };
        let used = tlv::used_len(&cdf);
        let entry = cdf_entry(
            label,
            id,
            &[0x3F, 0x00, 0x50, 0x00, (fid >> 8) as u8, fid as u8],
        );
        if used + entry.len() > cdf.len() {
            return Err(ClientError::Protocol("the CDF is full".to_owned()));
        }
        self.select_path(&cdf_path)?;
        self.update_binary(used, &entry, &mut |_, _| Ok(true))
    }
}

/// The FIDs of a PKCS#15 path below the MF (`3F00 5000 6004` → `[5000, 6004]`).
pub fn fids_below_mf(path: &[u8]) -> Vec<u16> {
    let fids = path
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]));
    fids.skip_while(|&f| f == 0x3F00).collect()
}

impl Client<'_> {
    /// Where the ODF says the CDF is (its `certificates [4]` entry), else `5000/6004`.
    pub fn cdf_path(&mut self) -> Result<Vec<u16>, ClientError> {
        if let Some(odf) = self.read_file(&[PKCS15_APP, ODF])? {
            let entry = tlv::children(&odf)
                .into_iter()
                .find(|t| t.tag == ODF_CERTIFICATES);
            let path = entry
                .and_then(|e| tlv::find(e.value, 0x30))
                .and_then(|p| tlv::find(p, 0x04));
            if let Some(path) = path {
                let mut fids = fids_below_mf(path);
                // A path relative to the application DF (OpenSC also writes those).
                if fids.len() == 1 {
                    fids.insert(0, PKCS15_APP);
                }
                return Ok(fids);
            }
        }
        Ok(vec![PKCS15_APP, CDF])
    }

    /// Appends `tag { Path 3F00/5000/fid }` to the ODF (so PKCS#15 readers find a directory
    /// file the client created). A token without an ODF is left alone.
    pub fn register_in_odf(&mut self, tag: u8, fid: u16) -> Result<(), ClientError> {
        let Some(odf) = self.read_file(&[PKCS15_APP, ODF])? else {
            return Ok(());
        };
        let path = [0x3F, 0x00, 0x50, 0x00, (fid >> 8) as u8, fid as u8];
        let entry = tlv::encode(tag, &tlv::encode(0x30, &tlv::encode(0x04, &path)));
        let used = tlv::used_len(&odf);
        if used + entry.len() > odf.len() {
            return Err(ClientError::Protocol("the ODF is full".to_owned()));
        }
        self.update_binary(used, &entry, &mut |_, _| Ok(true))
            .map(|_| ())
    }
}

/// The FCP of a transparent EF for CREATE FILE (§4 CREATE FILE, §5 certificate rows).
pub fn ef_fcp(fid: u16, size: u16) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(tlv::encode(0x80, &size.to_be_bytes()));
    body.extend(tlv::encode(0x82, &[0x01, 0x00]));
    body.extend(tlv::encode(0x83, &fid.to_be_bytes()));
    body.extend(tlv::encode(0x86, &CERT_SEC_ATTR));
    tlv::encode(0x6F, &body)
}

/// A PKCS#15 x509Certificate object (PKCS#15 v1.1 §6.3): common object attributes (label),
/// common certificate attributes (iD), and `[1]` x509 attributes holding the path.
pub fn cdf_entry(label: &str, id: &[u8], path: &[u8]) -> Vec<u8> {
    let common = tlv::encode(0x30, &tlv::encode(0x0C, label.as_bytes()));
    let cert_attrs = tlv::encode(0x30, &tlv::encode(0x04, id));
    let path = tlv::encode(0x30, &tlv::encode(0x04, path));
    let typed = tlv::encode(0xA1, &tlv::encode(0x30, &path));
    tlv::encode(0x30, &[common, cert_attrs, typed].concat())
}

/// Label, iD and path of a CDF entry; lenient about optional fields.
pub fn parse_cdf_entry(entry: &[u8]) -> Option<(String, Vec<u8>, Vec<u8>)> {
    let parts = tlv::children(entry);
    let label = parts
        .first()
        .and_then(|c| tlv::find(c.value, 0x0C))
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .unwrap_or_default();
    let id = parts
        .get(1)
        .and_then(|c| tlv::find(c.value, 0x04))
        .unwrap_or_default()
        .to_vec();
    let typed = parts.iter().find(|p| p.tag == 0xA1)?;
    let x509 = tlv::find(typed.value, 0x30)?;
    let path = tlv::find(x509, 0x30)?;
    Some((label, id, tlv::find(path, 0x04)?.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_entry_round_trip() {
        let e = cdf_entry("Иванов", &[1, 2], &[0x3F, 0x00, 0x50, 0x00, 0x03, 0x01]);
        let t = tlv::read(&e).unwrap();
        let (label, id, path) = parse_cdf_entry(t.value).unwrap();
        assert_eq!(label, "Иванов");
        assert_eq!(id, vec![1, 2]);
        assert_eq!(path, vec![0x3F, 0x00, 0x50, 0x00, 0x03, 0x01]);
    }

    #[test]
    fn fcp_round_trip() {
        let f = Fcp::parse(&ef_fcp(0x0301, 700)).unwrap();
        assert_eq!(f.size, 700);
        assert_eq!(f.descriptor, vec![0x01, 0x00]);
    }
}
