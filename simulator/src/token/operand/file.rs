//! The fields of the file commands: SELECT, READ BINARY, UPDATE BINARY, CREATE FILE and DELETE
//! FILE (ISO 7816-4 §11.2-11.3, ISO 7816-9 §8; `rutoken-ecp-apdu.md` §4).

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::StatusWord;

use super::check::expect_p1p2;
use crate::token::fcp::{CreateRequest, parse_create};
use crate::token::fs::{DESC_DF, DESC_EF, DESC_RSF};
use crate::token::status::CardResult;

// ---- SELECT ------------------------------------------------------------------------------

/// SELECT `A4` (ISO 7816-4 §11.2.2; the Rutoken forms of `rutoken-ecp-apdu.md` §4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Select<'a> {
    /// What is selected.
    pub by: SelectBy<'a>,
    /// P2 00/04 (and the list-files form 02): the answer carries the FCP; P2 0C: no data.
    pub answer_fcp: bool,
}

/// How SELECT names its target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SelectBy<'a> {
    /// `P1=00`, data `3F00`.
    Mf,
    /// `P1=00`, no data: the first child of the current DF (list files).
    FirstChild,
    /// `P1=00`, a FID: a child of the current DF.
    Child(u16),
    /// `P1=00 P2=02`, a FID: the next sibling of that child of the current DF (list files).
    Next(u16),
    /// `P1=03`, no data: the parent of the current DF.
    Parent,
    /// `P1=08` (from the MF) or `09` (from the current DF): a path of FIDs.
    Path {
        /// True for `P1=08`.
        from_mf: bool,
        /// The FIDs.
        fids: FidPath<'a>,
    },
}

/// A path of FIDs as SELECT sends it: one or more big-endian pairs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FidPath<'a>(&'a [u8]);

impl<'a> FidPath<'a> {
    /// The FIDs, in order.
    pub fn fids(self) -> impl Iterator<Item = u16> + 'a {
        self.0
            .chunks_exact(2)
            .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
            .map(u16::from_be_bytes)
    }
}

/// The FID in two data bytes.
fn fid(hi: u8, lo: u8) -> u16 {
    u16::from_be_bytes([hi, lo])
}

impl<'a> Select<'a> {
    /// Decodes P2 first (00/04 FCP, 0C none, 02 with P1=00 the next sibling; else 6A86), then P1
    /// with the data: a form whose data has the wrong length is 6700, an unknown P1 6A86.
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<Select<'a>> {
        let answer_fcp = match p2 {
            0x00 | 0x04 => true,
            0x0C => false,
            0x02 if p1 == 0x00 => true,
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        let by = match (p1, p2, data) {
            (0x00, 0x02, [hi, lo]) => SelectBy::Next(fid(*hi, *lo)),
            (0x00, 0x02, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x00, _, []) => SelectBy::FirstChild,
            (0x00, _, [0x3F, 0x00]) => SelectBy::Mf,
            (0x00, _, [hi, lo]) => SelectBy::Child(fid(*hi, *lo)),
            (0x00, _, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x03, _, []) => SelectBy::Parent,
            (0x03, _, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x08 | 0x09, _, path) if !path.is_empty() && path.len() % 2 == 0 => SelectBy::Path {
                from_mf: p1 == 0x08,
                fids: FidPath(path),
            },
            (0x08 | 0x09, _, _) => return Err(StatusWord::WRONG_LENGTH),
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        Ok(Select { by, answer_fcp })
    }
}

// ---- READ / UPDATE BINARY -----------------------------------------------------------------

/// The offset in P1 (7 bits) and P2; P1 bit 8 (a short EF identifier) is not supported (6A86).
fn offset(p1: u8, p2: u8) -> CardResult<usize> {
    if p1 & 0x80 != 0 {
        return Err(StatusWord::WRONG_P1P2);
    }
    Ok(usize::from(u16::from_be_bytes([p1, p2])))
}

/// READ BINARY `B0` (ISO 7816-4 §11.3.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReadBinary {
    /// Where to start in the current EF.
    pub offset: usize,
    /// Le: how many bytes at most.
    pub len: usize,
}

impl ReadBinary {
    /// The offset (6A86), then Le present and no data (6700).
    pub fn decode(p1: u8, p2: u8, data: &[u8], le: Option<usize>) -> CardResult<ReadBinary> {
        let offset = offset(p1, p2)?;
        match (le, data) {
            (Some(len), []) => Ok(ReadBinary { offset, len }),
            _ => Err(StatusWord::WRONG_LENGTH),
        }
    }
}

/// UPDATE BINARY `D6` (ISO 7816-4 §11.3.5).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UpdateBinary<'a> {
    /// Where to write in the current EF.
    pub offset: usize,
    /// What to write (at least one byte).
    pub data: &'a [u8],
}

impl<'a> UpdateBinary<'a> {
    /// The offset (6A86), then some data (6700).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<UpdateBinary<'a>> {
        let offset = offset(p1, p2)?;
        if data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(UpdateBinary { offset, data })
    }
}

// ---- CREATE / DELETE FILE -----------------------------------------------------------------

/// CREATE FILE `E0 00 00` with an FCP template (ISO 7816-9 §8.2, `rtecp_construct_fci`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CreateFile {
    /// A DF in the current DF (or the MF after an ERASE).
    Df(CreateRequest),
    /// A transparent EF in the current DF.
    Ef(CreateRequest),
    /// An RSF object (PIN, key), filed by its class into a system DF.
    Rsf {
        /// Attribute 85 byte 0: the object's class.
        class: u8,
        /// The template; its FID is 1 to FF, the object's reference.
        request: CreateRequest,
    },
}

impl CreateFile {
    /// P1-P2 `00 00` (6A86), the template ([`parse_create`]), a FID other than FFFF and 3FFF,
    /// a known descriptor, and for an RSF a class byte and a FID 1 to FF (all 6A80). The
    /// template's attribute 85 is copied: the new object keeps it.
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<CreateFile> {
        expect_p1p2(p1, p2, 0)?;
        let request = parse_create(data)?;
        if matches!(request.fid, 0xFFFF | 0x3FFF) {
            return Err(StatusWord::WRONG_DATA);
        }
        match request.descriptor {
            DESC_DF => Ok(CreateFile::Df(request)),
            DESC_EF => Ok(CreateFile::Ef(request)),
            DESC_RSF => {
                let class = *request.prop.first().ok_or(StatusWord::WRONG_DATA)?;
                if request.fid == 0 || request.fid > 0xFF {
                    return Err(StatusWord::WRONG_DATA);
                }
                Ok(CreateFile::Rsf { class, request })
            }
            _ => Err(StatusWord::WRONG_DATA),
        }
    }
}

/// DELETE FILE `E4 00 00` (ISO 7816-9 §8.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeleteFile {
    /// Data `fid`: that child of the current DF.
    Child(u16),
    /// No data: the current EF or RSF.
    Current,
}

impl DeleteFile {
    /// P1-P2 `00 00` (6A86), then no data or a FID (6700).
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<DeleteFile> {
        expect_p1p2(p1, p2, 0)?;
        match data {
            [hi, lo] => Ok(DeleteFile::Child(fid(*hi, *lo))),
            [] => Ok(DeleteFile::Current),
            _ => Err(StatusWord::WRONG_LENGTH),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn select_forms_and_their_status_words() {
        let d = Select::decode;
        let by = |p1, p2, data| d(p1, p2, data).map(|s| s.by);
        assert_eq!(by(0, 0, &[0x3F, 0]), Ok(SelectBy::Mf));
        assert_eq!(by(0, 0x0C, &[0x10, 0]), Ok(SelectBy::Child(0x1000)));
        assert_eq!(by(0, 0, &[]), Ok(SelectBy::FirstChild));
        assert_eq!(by(0, 2, &[0x10, 1]), Ok(SelectBy::Next(0x1001)));
        assert_eq!(by(3, 0, &[]), Ok(SelectBy::Parent));
        let Ok(SelectBy::Path { from_mf, fids }) = by(8, 4, &[0x10, 0, 0x60, 2]) else {
            panic!("a path");
        };
        assert!(from_mf);
        assert_eq!(fids.fids().collect::<Vec<_>>(), [0x1000, 0x6002]);
        assert_eq!(d(0, 0x0C, &[]).map(|s| s.answer_fcp), Ok(false));
        // P2 before P1, P1 before the data's length.
        assert_eq!(by(3, 2, &[1]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(by(0, 7, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(by(0, 2, &[]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(by(0, 0, &[1, 2, 3]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(by(3, 0, &[1, 2]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(by(9, 0, &[1, 2, 3]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(by(8, 0, &[]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(by(4, 0, &[]), Err(StatusWord::WRONG_P1P2));
    }

    #[test]
    fn binary_and_file_commands() {
        assert_eq!(
            ReadBinary::decode(0x01, 0x02, &[], Some(5)),
            Ok(ReadBinary {
                offset: 0x102,
                len: 5
            })
        );
        assert_eq!(
            ReadBinary::decode(0x81, 0, &[1], None),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(
            ReadBinary::decode(0, 0, &[], None),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            UpdateBinary::decode(0, 4, &[]),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            UpdateBinary::decode(0, 4, &[9]),
            Ok(UpdateBinary {
                offset: 4,
                data: &[9]
            })
        );
        assert_eq!(DeleteFile::decode(0, 0, &[]), Ok(DeleteFile::Current));
        assert_eq!(
            DeleteFile::decode(0, 0, &[1]),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(DeleteFile::decode(0, 1, &[1]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(CreateFile::decode(0, 1, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(
            CreateFile::decode(0, 0, &[0x30]),
            Err(StatusWord::WRONG_DATA)
        );
    }
}
