//! Files: SELECT, READ/UPDATE BINARY, CREATE and DELETE FILE (`rutoken-ecp-apdu.md` §4).

use rutoken_apdu::{Command, StatusWord, tlv};

use crate::error::{ClientError, Missing};
use crate::layout::{self, MAX_PIECE};
use crate::transport::Transport;
use crate::{Client, unexpected};

/// The parts of an FCP the client uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fcp {
    /// Tag 80 (or 81): the size.
    pub size: usize,
    /// Tag 82: the descriptor bytes.
    pub descriptor: Vec<u8>,
    /// Tag 85: proprietary attributes (a key RSF's class and code).
    pub proprietary: Vec<u8>,
}

impl Fcp {
    /// Parses a `62`/`6F` template.
    pub fn parse(bytes: &[u8]) -> Result<Self, ClientError> {
        let malformed = |reason| ClientError::MalformedAnswer {
            operation: "SELECT",
            reason,
        };
        let t = tlv::parse_first(bytes).map_err(malformed)?;
        if t.tag != 0x62 && t.tag != 0x6F {
            return Err(ClientError::NotAnFcp { tag: t.tag });
        }
        let size = match tlv::find(t.value, 0x80).map_err(malformed)? {
            Some(v) => Some(v),
            None => tlv::find(t.value, 0x81).map_err(malformed)?,
        }
        .map_or(0, |v| {
            v.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
        });
        let field = |tag| -> Result<Vec<u8>, ClientError> {
            Ok(tlv::find(t.value, tag)
                .map_err(malformed)?
                .unwrap_or_default()
                .to_vec())
        };
        Ok(Fcp {
            size,
            descriptor: field(0x82)?,
            proprietary: field(0x85)?,
        })
    }
}

/// The 15-bit offset of READ/UPDATE BINARY as P1 P2 (§4: `off_hi(7 bits) off_lo`).
fn offset_p1p2(offset: usize, what: &'static str) -> Result<(u8, u8), ClientError> {
    match u16::try_from(offset) {
        Ok(off) if off <= 0x7FFF => {
            let [hi, lo] = off.to_be_bytes();
            Ok((hi, lo))
        }
        _ => Err(ClientError::TooLarge { what, len: offset }),
    }
}

impl<T: Transport> Client<T> {
    /// `SELECT 3F00` (`00 A4 00 00 02 3F 00 00`).
    pub fn select_mf(&mut self) -> Result<Fcp, ClientError> {
        let data = self.send_ok(
            "SELECT 3F00",
            &Command::new(0x00, 0xA4, 0x00, 0x00)
                .data(vec![0x3F, 0x00])
                .le(256),
        )?;
        Fcp::parse(&data)
    }

    /// `SELECT` by path from the MF (`00 A4 08 00 Lc path 00`); `None` on `6A82`.
    pub fn select_path(&mut self, path: &[u16]) -> Result<Option<Fcp>, ClientError> {
        let bytes: Vec<u8> = path.iter().flat_map(|f| f.to_be_bytes()).collect();
        let r = self.send(&Command::new(0x00, 0xA4, 0x08, 0x00).data(bytes).le(256))?;
        match r.sw {
            StatusWord::OK => Fcp::parse(&r.data).map(Some),
            StatusWord::FILE_NOT_FOUND => Ok(None),
            sw => Err(unexpected("SELECT", sw)),
        }
    }

    /// Reads the selected EF's `size` bytes in `Le=00` chunks (§4 READ BINARY); a short read
    /// (`6282`, or no data) ends the file early.
    pub fn read_binary(&mut self, size: usize) -> Result<Vec<u8>, ClientError> {
        let mut out = Vec::with_capacity(size);
        while out.len() < size {
            let (p1, p2) = offset_p1p2(out.len(), "a file to read")?;
            let want = (size - out.len()).min(256);
            let r = self.send(&Command::new(0x00, 0xB0, p1, p2).le(want))?;
            if !(r.is_ok() || r.sw == StatusWord::END_OF_FILE) {
                return Err(unexpected("READ BINARY", r.sw));
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
    /// `before_piece(client, n)` runs before piece n (0-based) and may stop the write (returns
    /// false): how a scenario pulls the token in the middle. Returns false if it was stopped.
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
            let (p1, p2) = offset_p1p2(offset + n * MAX_PIECE, "data to write")?;
            self.send_ok(
                "UPDATE BINARY",
                &Command::new(0x00, 0xD6, p1, p2).data(piece.to_vec()),
            )?;
        }
        Ok(true)
    }

    /// `UPDATE BINARY` with no interruption.
    pub fn write_binary(&mut self, offset: usize, data: &[u8]) -> Result<(), ClientError> {
        self.update_binary(offset, data, &mut |_, _| Ok(true))
            .map(|_| ())
    }

    /// `CREATE FILE` in the current DF: `00 E0 00 00 Lc 6F …` (§4 CREATE FILE).
    pub fn create_file(&mut self, fcp: &[u8]) -> Result<(), ClientError> {
        self.send_ok(
            "CREATE FILE",
            &Command::new(0x00, 0xE0, 0x00, 0x00).data(fcp.to_vec()),
        )
        .map(|_| ())
    }

    /// `DELETE FILE 00 E4 00 00 02 fid` in the current DF (§4 DELETE FILE). Returns false when
    /// the file was not there (`6A82`).
    pub fn delete_file(&mut self, fid: u16) -> Result<bool, ClientError> {
        let r =
            self.send(&Command::new(0x00, 0xE4, 0x00, 0x00).data(fid.to_be_bytes().to_vec()))?;
        match r.sw {
            StatusWord::OK => Ok(true),
            StatusWord::FILE_NOT_FOUND => Ok(false),
            sw => Err(unexpected("DELETE FILE", sw)),
        }
    }

    /// The first FID of `first..first + FID_RANGE` with no file under the PKCS#15 application.
    pub fn free_app_fid(&mut self, what: &'static str, first: u16) -> Result<u16, ClientError> {
        let last = first + layout::FID_RANGE - 1;
        for fid in first..=last {
            if self.select_path(&layout::app_path(fid))?.is_none() {
                return Ok(fid);
            }
        }
        Err(ClientError::NoFreeFile { what, first, last })
    }

    /// Creates a transparent EF under the PKCS#15 application and writes `data` into it;
    /// `before_piece` as for [`Client::update_binary`]. Returns false if it was stopped.
    pub fn create_app_file(
        &mut self,
        fid: u16,
        data: &[u8],
        what: &'static str,
        before_piece: &mut dyn FnMut(&mut Self, usize) -> Result<bool, ClientError>,
    ) -> Result<bool, ClientError> {
        self.create_app_file_with(fid, data, what, &layout::USER_EF_SEC_ATTR, before_piece)
    }

    /// [`Client::create_app_file`] with the EF's security attributes (§3, tag 86).
    pub fn create_app_file_with(
        &mut self,
        fid: u16,
        data: &[u8],
        what: &'static str,
        sec: &[u8; 15],
        before_piece: &mut dyn FnMut(&mut Self, usize) -> Result<bool, ClientError>,
    ) -> Result<bool, ClientError> {
        let size = u16::try_from(data.len()).map_err(|_| ClientError::TooLarge {
            what,
            len: data.len(),
        })?;
        self.select_path(&[layout::PKCS15_APP])?
            .ok_or(ClientError::NotFound {
                what: Missing::Pkcs15Application,
            })?;
        self.create_file(&layout::ef_fcp_with(fid, size, sec)?)?;
        self.select_path(&layout::app_path(fid))?
            .ok_or(ClientError::CreatedFileMissing { fid })?;
        self.update_binary(0, data, before_piece)
    }
}
