//! The typed fields of every command (as Nitrokey's opcard-rs `src/command.rs` decodes
//! `Verify { role }`, `GetData { tag }`): what P1, P2, the data and Le mean, decoded once per
//! command by its row of the table (`command.rs`), so a handler takes values it need not check
//! again. Each decoder reads only what it is given (no token state, no allocation) and answers
//! the status words the handlers answered before the fields were typed, in the same order:
//! P1-P2 before the data, as `rutoken-ecp-apdu.md` §4 lists each command. What depends on the
//! token's state or profile (a PIN's maximum length, an algorithm reference) stays with the
//! handler.
//!
//! The decoders take the parts of the request rather than the request itself, so this module
//! depends on nothing of the table that names its types.

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::StatusWord;
use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;
use zeroize::Zeroizing;

use super::fcp::{CreateRequest, parse_create};
use super::fs::{DESC_DF, DESC_EF, DESC_RSF};
use super::status::CardResult;

/// 6A86 unless P1-P2 is `expected`.
fn expect_p1p2(p1: u8, p2: u8, expected: u16) -> CardResult<()> {
    if u16::from_be_bytes([p1, p2]) == expected {
        Ok(())
    } else {
        Err(StatusWord::WRONG_P1P2)
    }
}

/// 6700 unless the command has no data.
fn expect_no_data(data: &[u8]) -> CardResult<()> {
    if data.is_empty() {
        Ok(())
    } else {
        Err(StatusWord::WRONG_LENGTH)
    }
}

/// The fields of a command that has none: P1-P2 `00 00` (6A86) and no data (6700), as LOGOUT
/// and ERASE are sent (`rutoken-ecp-apdu.md` §4).
pub fn no_fields(p1: u8, p2: u8, data: &[u8]) -> CardResult<()> {
    expect_p1p2(p1, p2, 0)?;
    expect_no_data(data)
}

/// INIT END `80 84 4E 19`: its row names the P1-P2; only the data is left to check (6700).
pub fn init_end(data: &[u8]) -> CardResult<()> {
    expect_no_data(data)
}

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

// ---- PINs ---------------------------------------------------------------------------------

/// A PIN reference (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER): 1 to 8, each a
/// role bit of the access conditions (1 → 01 Admin, 2 → 02 User, `rutoken-ecp-apdu.md` §3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PinRole(u8);

impl PinRole {
    /// The role of a reference; another reference is 6A88.
    pub fn from_reference(reference: u8) -> CardResult<PinRole> {
        match reference {
            1..=8 => Ok(PinRole(reference)),
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    /// The reference: the FID of the PIN object in `…/6005` too.
    pub fn reference(self) -> u8 {
        self.0
    }

    /// The role bit (`1 << (reference - 1)`).
    pub fn bit(self) -> u8 {
        1 << (self.0 - 1)
    }
}

/// VERIFY `00 20 00 ref [PIN]` (ISO 7816-4 §11.5.6). No `Debug`: it holds the PIN.
#[derive(Clone, Copy)]
pub struct Verify<'a> {
    /// Whose PIN.
    pub role: PinRole,
    /// The PIN offered; `None` asks whether the role is verified.
    pub pin: Option<&'a [u8]>,
}

impl<'a> Verify<'a> {
    /// P1 00 (6A86), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<Verify<'a>> {
        if p1 != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok(Verify {
            role: PinRole::from_reference(p2)?,
            pin: (!data.is_empty()).then_some(data),
        })
    }
}

/// A new value in `[80 02 len16] A5 len value [A5 len value …]`, the form `card-rtecp.c`
/// sends: lengths are one plain byte (OpenSC: the card does not read BER long lengths), a long
/// value comes as several `A5` pieces, one per chained APDU; tag 80, when present, announces the
/// joined length. Checked when decoded; joined only by the handler that keeps it. No `Debug`:
/// it is a PIN or a private key.
#[derive(Clone, Copy)]
pub struct NewValue<'a> {
    data: &'a [u8],
    len: usize,
}

/// Walks the TLVs of a new value, handing each `A5` piece to `piece`; anything but the form
/// above is 6A80.
fn walk_new_value<'a>(data: &'a [u8], mut piece: impl FnMut(&'a [u8])) -> CardResult<()> {
    let mut r = Reader::new(data);
    let (mut announced, mut seen, mut total) = (None, false, 0usize);
    while r.any_left() {
        let tag = r.take_u8("tag").map_err(|_| StatusWord::WRONG_DATA)?;
        let len = r.take_u8("length").map_err(|_| StatusWord::WRONG_DATA)?;
        let field = r
            .take(usize::from(len), "value")
            .map_err(|_| StatusWord::WRONG_DATA)?;
        match (tag, field) {
            (0x80, [hi, lo]) => announced = Some(usize::from(u16::from_be_bytes([*hi, *lo]))),
            (0xA5, value) => {
                piece(value);
                total += value.len();
                seen = true;
            }
            _ => return Err(StatusWord::WRONG_DATA),
        }
    }
    if !seen || announced.is_some_and(|n| n != total) {
        return Err(StatusWord::WRONG_DATA);
    }
    Ok(())
}

impl<'a> NewValue<'a> {
    /// Checks the form (6A80) without copying the value.
    pub fn decode(data: &'a [u8]) -> CardResult<NewValue<'a>> {
        let mut len = 0;
        walk_new_value(data, |piece| len += piece.len())?;
        Ok(NewValue { data, len })
    }

    /// The joined value's length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the value is empty (`A5 00`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value, its pieces joined, in one allocation that is zeroized when dropped.
    pub fn join(&self) -> Zeroizing<Vec<u8>> {
        let mut value = Zeroizing::new(Vec::with_capacity(self.len));
        // The form was checked when decoded: the walk cannot fail here.
        let _ = walk_new_value(self.data, |piece| value.extend_from_slice(piece));
        value
    }
}

/// CHANGE REFERENCE DATA `00 24 01 ref` of a PIN (ISO 7816-4 §11.5.7).
#[derive(Clone, Copy)]
pub struct ChangeReferenceData<'a> {
    /// Whose PIN.
    pub role: PinRole,
    /// The new PIN.
    pub value: NewValue<'a>,
}

impl<'a> ChangeReferenceData<'a> {
    /// P1 01 (6A86), the new value (6A80), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<ChangeReferenceData<'a>> {
        if p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let value = NewValue::decode(data)?;
        Ok(ChangeReferenceData {
            role: PinRole::from_reference(p2)?,
            value,
        })
    }
}

/// Key import, CHANGE REFERENCE DATA `00 24 01 00` into the current key object (its row names
/// P2 00).
#[derive(Clone, Copy)]
pub struct ImportKey<'a> {
    /// The key, in the layout of the current object's kind.
    pub value: NewValue<'a>,
}

impl<'a> ImportKey<'a> {
    /// P1 01 (6A86), then the value (6A80).
    pub fn decode(p1: u8, data: &'a [u8]) -> CardResult<ImportKey<'a>> {
        if p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok(ImportKey {
            value: NewValue::decode(data)?,
        })
    }
}

/// RESET RETRY COUNTER `00 2C 03 ref` (ISO 7816-4 §11.5.10).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ResetRetryCounter {
    /// Whose PIN.
    pub role: PinRole,
}

impl ResetRetryCounter {
    /// P1 03 (6A86), no data (6700), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<ResetRetryCounter> {
        if p1 != 0x03 {
            return Err(StatusWord::WRONG_P1P2);
        }
        expect_no_data(data)?;
        Ok(ResetRetryCounter {
            role: PinRole::from_reference(p2)?,
        })
    }
}

// ---- GET DATA / GET CHALLENGE -------------------------------------------------------------

/// The data objects GET DATA answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DataObject {
    /// `01 81`: the 8-byte serial (Aktiv's UEFI sample "Token ID").
    Serial,
}

/// GET DATA `CA` (ISO 7816-4 §11.4.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GetData {
    /// The object P1-P2 names.
    pub object: DataObject,
    /// Le, when present.
    pub le: Option<usize>,
}

impl GetData {
    /// P1-P2 `01 81` (another tag is 6A88), then no data (6700).
    pub fn decode(p1: u8, p2: u8, data: &[u8], le: Option<usize>) -> CardResult<GetData> {
        let object = match u16::from_be_bytes([p1, p2]) {
            0x0181 => DataObject::Serial,
            _ => return Err(StatusWord::REF_NOT_FOUND),
        };
        expect_no_data(data)?;
        Ok(GetData { object, le })
    }
}

/// GET CHALLENGE `00 84 00 00 Le` (ISO 7816-4 §11.5.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GetChallenge {
    /// How many random bytes (Le; 00 is 256).
    pub len: usize,
}

impl GetChallenge {
    /// P1-P2 `00 00` (6A86), then Le present and no data (6700).
    pub fn decode(p1: u8, p2: u8, data: &[u8], le: Option<usize>) -> CardResult<GetChallenge> {
        expect_p1p2(p1, p2, 0)?;
        match (le, data) {
            (Some(len), []) => Ok(GetChallenge { len }),
            _ => Err(StatusWord::WRONG_LENGTH),
        }
    }
}

// ---- MANAGE SECURITY ENVIRONMENT ----------------------------------------------------------

/// What an asymmetric key is chosen for (MSE SET P2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyUse {
    /// `B6` (DST): PSO: COMPUTE DIGITAL SIGNATURE and PSO: HASH.
    Sign,
    /// `B8` (CT) with a private key: PSO: DECIPHER (RSA).
    Decipher,
}

/// Which symmetric template an MSE SET carries (P2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SymmetricTemplate {
    /// `A6` (KAT): a VKO key agreement.
    Agreement,
    /// `B4` (CCT): the MAC.
    Checksum,
    /// `B8` (CT) naming a secret key (tag 83): encipher and decipher.
    Cipher,
}

/// The pieces of a symmetric control reference template (ISO 7816-4 §11.5.11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Crt {
    /// 80: the algorithm reference (the profile's `symmetric_algorithm_refs`).
    pub algorithm: u8,
    /// 83: a secret key reference.
    pub secret: Option<u8>,
    /// 84: a private key reference.
    pub private: Option<u8>,
    /// 87: the IV or UKM.
    pub iv: Option<[u8; 8]>,
}

/// The TLVs of a symmetric CRT, the algorithm still optional: an unknown tag, a reference
/// that is not one byte or an IV that is not eight is 6A80.
fn parse_crt(data: &[u8]) -> CardResult<(Option<u8>, Crt)> {
    let mut crt = Crt {
        algorithm: 0,
        secret: None,
        private: None,
        iv: None,
    };
    let mut algorithm = None;
    let mut r = Reader::new(data);
    while r.any_left() {
        let t = tlv::read(&mut r, "control reference").map_err(|_| StatusWord::WRONG_DATA)?;
        match (t.tag, t.value) {
            (0x80, [a]) => algorithm = Some(*a),
            (0x83, [k]) => crt.secret = Some(*k),
            (0x84, [k]) => crt.private = Some(*k),
            (0x87, iv) => crt.iv = Some(iv.try_into().map_err(|_| StatusWord::WRONG_DATA)?),
            _ => return Err(StatusWord::WRONG_DATA),
        }
    }
    Ok((algorithm, crt))
}

/// MANAGE SECURITY ENVIRONMENT `22` SET (ISO 7816-4 §11.5.11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ManageSecurityEnvironment {
    /// `41 B6|B8 … 84 01 kk`: a private key for signing or deciphering.
    Asymmetric {
        /// Signing or deciphering.
        usage: KeyUse,
        /// Tag 84: the key reference.
        key_ref: u8,
    },
    /// A GOST 28147-89 or VKO environment (`commands/symmetric.rs`).
    Symmetric {
        /// KAT, CCT or CT.
        template: SymmetricTemplate,
        /// Its references, algorithm and IV.
        crt: Crt,
    },
}

impl ManageSecurityEnvironment {
    /// A CCT (`B4`), a KAT (`A6`), or a CT whose CRT names a secret key (tag 83) is symmetric:
    /// P1 41, 81 or C1 (6A86), the CRT (6A80) with an algorithm (6A80). Any other is
    /// asymmetric: `41 B6|B8` (6A86), a CRT of tag 84 (one byte, the key) and tags 80, 81, 83
    /// accepted and ignored (6A80), the key present (6A80).
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<ManageSecurityEnvironment> {
        let template = match p2 {
            0xA6 => Some(SymmetricTemplate::Agreement),
            0xB4 => Some(SymmetricTemplate::Checksum),
            0xB8 if parse_crt(data).is_ok_and(|(_, c)| c.secret.is_some()) => {
                Some(SymmetricTemplate::Cipher)
            }
            _ => None,
        };
        if let Some(template) = template {
            if !matches!(p1, 0x41 | 0x81 | 0xC1) {
                return Err(StatusWord::WRONG_P1P2);
            }
            let (algorithm, crt) = parse_crt(data)?;
            let algorithm = algorithm.ok_or(StatusWord::WRONG_DATA)?;
            return Ok(ManageSecurityEnvironment::Symmetric {
                template,
                crt: Crt { algorithm, ..crt },
            });
        }
        let usage = match (p1, p2) {
            (0x41, 0xB6) => KeyUse::Sign,
            (0x41, 0xB8) => KeyUse::Decipher,
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        let mut r = Reader::new(data);
        let mut key_ref = None;
        while r.any_left() {
            let t = tlv::read(&mut r, "control reference").map_err(|_| StatusWord::WRONG_DATA)?;
            match (t.tag, t.value) {
                (0x84, [kk]) => key_ref = Some(*kk),
                (0x80 | 0x81 | 0x83, _) => {}
                _ => return Err(StatusWord::WRONG_DATA),
            }
        }
        Ok(ManageSecurityEnvironment::Asymmetric {
            usage,
            key_ref: key_ref.ok_or(StatusWord::WRONG_DATA)?,
        })
    }
}

// ---- PERFORM SECURITY OPERATION, GENERAL AUTHENTICATE, GENERATE ---------------------------

/// PSO: COMPUTE DIGITAL SIGNATURE `2A 9E 9A` (ISO 7816-8 §5.4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature<'a> {
    /// The digest (GOST, as given) or the integer (RSA); `None`: the last PSO: HASH result.
    pub input: Option<&'a [u8]>,
    /// Le, when present.
    pub le: Option<usize>,
}

impl<'a> Signature<'a> {
    /// Nothing to check: the row names P1-P2, the key decides the lengths.
    pub fn decode(data: &'a [u8], le: Option<usize>) -> Signature<'a> {
        Signature {
            input: (!data.is_empty()).then_some(data),
            le,
        }
    }
}

/// PSO: DECIPHER `2A 80 86` (ISO 7816-8 §5.9) with an RSA key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Decipher<'a> {
    /// The ciphertext, little-endian.
    pub input: &'a [u8],
    /// Le, when present.
    pub le: Option<usize>,
}

/// One piece of a streamed PSO (HASH, or a GOST 28147-89 operation).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Piece<'a> {
    /// The piece's data.
    pub data: &'a [u8],
    /// True for the piece without the chaining bit: the stream ends with it.
    pub last: bool,
    /// True when Le is present (PSO: HASH answers the digest with the last piece then).
    pub le: bool,
}

impl<'a> Piece<'a> {
    /// Nothing to check: every piece is data.
    pub fn decode(data: &'a [u8], chained: bool, le: Option<usize>) -> Piece<'a> {
        Piece {
            data,
            last: !chained,
            le: le.is_some(),
        }
    }
}

/// GENERAL AUTHENTICATE `00 86 00 00` (ISO 7816-4 §11.5.5): a VKO.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GeneralAuthenticate<'a> {
    /// The dynamic authentication template, read once the environment is known to be a KAT
    /// (a malformed template after another environment is 6985, not 6A80).
    pub template: AuthTemplate<'a>,
}

impl<'a> GeneralAuthenticate<'a> {
    /// P1-P2 `00 00` (6A86).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<GeneralAuthenticate<'a>> {
        expect_p1p2(p1, p2, 0)?;
        Ok(GeneralAuthenticate {
            template: AuthTemplate(data),
        })
    }
}

/// A dynamic authentication template `7C { 85 peer public key, 81 UKM }`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AuthTemplate<'a>(&'a [u8]);

impl<'a> AuthTemplate<'a> {
    /// The peer's public key (85) and the UKM (81); another tag, a missing one, or anything
    /// but one `7C` is 6A80.
    pub fn peer_and_ukm(self) -> CardResult<(&'a [u8], &'a [u8])> {
        let template =
            tlv::parse_one(self.0, "dynamic authentication").map_err(|_| StatusWord::WRONG_DATA)?;
        if template.tag != 0x7C {
            return Err(StatusWord::WRONG_DATA);
        }
        let (mut peer, mut ukm) = (None, None);
        let mut r = Reader::new(template.value);
        while r.any_left() {
            let t =
                tlv::read(&mut r, "dynamic authentication").map_err(|_| StatusWord::WRONG_DATA)?;
            match t.tag {
                0x85 => peer = Some(t.value),
                0x81 => ukm = Some(t.value),
                _ => return Err(StatusWord::WRONG_DATA),
            }
        }
        peer.zip(ukm).ok_or(StatusWord::WRONG_DATA)
    }
}

/// GENERATE `46` (ISO 7816-8 §5.1).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GenerateKey<'a> {
    /// `46 80 kk`: a key pair into `…/6002/00kk` and `…/6001/00kk`.
    Pair {
        /// The key reference.
        reference: u8,
        /// An RSA key's `A6 06 94 04 e` (the exponent); a GOST key takes none. Which it is,
        /// the key object says, so it is read by the handler.
        data: &'a [u8],
        /// Le, when present.
        le: Option<usize>,
    },
    /// `46 81 kk`, no data: a GOST 28147-89 key into `…/6003/00kk`.
    Secret {
        /// The secret key's reference.
        reference: u8,
    },
}

impl<'a> GenerateKey<'a> {
    /// P1 81 with no data (6700), or P1 80 (any other P1 is 6A86).
    pub fn decode(
        p1: u8,
        p2: u8,
        data: &'a [u8],
        le: Option<usize>,
    ) -> CardResult<GenerateKey<'a>> {
        match p1 {
            0x81 => {
                expect_no_data(data)?;
                Ok(GenerateKey::Secret { reference: p2 })
            }
            0x80 => Ok(GenerateKey::Pair {
                reference: p2,
                data,
                le,
            }),
            _ => Err(StatusWord::WRONG_P1P2),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn value(data: &[u8]) -> CardResult<Vec<u8>> {
        NewValue::decode(data).map(|v| {
            assert_eq!(v.len(), v.join().len());
            v.join().to_vec()
        })
    }

    #[test]
    fn new_value_forms() {
        // The form OpenSC and the client send.
        assert_eq!(
            value(&[0x80, 2, 0, 4, 0xA5, 4, 1, 2, 3, 4]),
            Ok(vec![1, 2, 3, 4])
        );
        // Without the length announcement.
        assert_eq!(value(&[0xA5, 2, 7, 8]), Ok(vec![7, 8]));
        // A chained long value: one A5 piece per APDU, joined; plain one-byte lengths over 127.
        let mut data = vec![0x80, 2, 0x01, 0x2C, 0xA5, 200];
        data.extend([0x11; 200]);
        data.extend([0xA5, 100]);
        data.extend([0x22; 100]);
        let joined = value(&data).unwrap();
        assert_eq!(joined.len(), 300);
        assert_eq!((joined[199], joined[200]), (0x11, 0x22));
        // Tag 80 disagreeing with the joined length, no A5, a truncated or unknown TLV: 6A80.
        for bad in [
            &[0x80, 2, 0, 5, 0xA5, 4, 1, 2, 3, 4][..],
            &[0x80, 2, 0, 4],
            &[0xA5, 4, 1, 2],
            &[0xA5],
            &[0x81, 1, 0, 0xA5, 1, 1],
        ] {
            assert_eq!(value(bad), Err(StatusWord::WRONG_DATA), "{bad:02X?}");
        }
    }

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
    fn pin_commands_check_p1_then_data_then_reference() {
        assert_eq!(PinRole::from_reference(2).map(PinRole::bit), Ok(2));
        assert_eq!(PinRole::from_reference(8).map(PinRole::bit), Ok(0x80));
        for bad in [0, 9, 0xFF] {
            assert_eq!(PinRole::from_reference(bad), Err(StatusWord::REF_NOT_FOUND));
        }
        let v = Verify::decode(0, 2, &[]).unwrap();
        assert_eq!((v.role.reference(), v.pin), (2, None));
        assert_eq!(
            Verify::decode(0, 1, b"1234").unwrap().pin,
            Some(&b"1234"[..])
        );
        assert!(matches!(
            Verify::decode(1, 0, &[]),
            Err(StatusWord::WRONG_P1P2)
        ));
        assert!(matches!(
            Verify::decode(0, 0, &[]),
            Err(StatusWord::REF_NOT_FOUND)
        ));
        let change = |p1, p2, data| ChangeReferenceData::decode(p1, p2, data).err();
        assert_eq!(change(0, 0, &[1]), Some(StatusWord::WRONG_P1P2));
        assert_eq!(change(1, 0, &[1]), Some(StatusWord::WRONG_DATA));
        assert_eq!(change(1, 0, &[0xA5, 1, 1]), Some(StatusWord::REF_NOT_FOUND));
        assert_eq!(change(1, 2, &[0xA5, 1, 1]), None);
        let reset = |p1, p2, data| ResetRetryCounter::decode(p1, p2, data);
        assert_eq!(reset(1, 0, &[1]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(reset(3, 0, &[1]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(reset(3, 0, &[]), Err(StatusWord::REF_NOT_FOUND));
    }

    #[test]
    fn security_environments() {
        use ManageSecurityEnvironment as Mse;
        assert_eq!(
            Mse::decode(0x41, 0xB6, &[0x84, 1, 2, 0x80, 1, 0x99]),
            Ok(Mse::Asymmetric {
                usage: KeyUse::Sign,
                key_ref: 2
            })
        );
        // A CT naming a secret key is symmetric; without tag 83 it is asymmetric.
        let Ok(Mse::Symmetric { template, crt }) =
            Mse::decode(0x81, 0xB8, &[0x80, 1, 0x31, 0x83, 1, 4])
        else {
            panic!("symmetric");
        };
        assert_eq!(
            (template, crt.algorithm, crt.secret),
            (SymmetricTemplate::Cipher, 0x31, Some(4))
        );
        assert_eq!(
            Mse::decode(0x81, 0xB8, &[0x84, 1, 1]),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(Mse::decode(0x41, 0xB6, &[]), Err(StatusWord::WRONG_DATA));
        assert_eq!(
            Mse::decode(0x41, 0xB6, &[0x87, 1, 1]),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(Mse::decode(0x00, 0xA6, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(
            Mse::decode(0x41, 0xA6, &[0x84, 1, 1]),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(
            Mse::decode(0x41, 0xB4, &[0x80, 1, 1, 0x87, 2, 0, 0]),
            Err(StatusWord::WRONG_DATA)
        );
    }

    #[test]
    fn files_and_keys() {
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
        assert_eq!(
            GetData::decode(1, 0x82, &[1], None),
            Err(StatusWord::REF_NOT_FOUND)
        );
        assert_eq!(
            GetData::decode(1, 0x81, &[1], None),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            GetChallenge::decode(0, 0, &[], Some(256)),
            Ok(GetChallenge { len: 256 })
        );
        assert_eq!(
            GetChallenge::decode(0, 1, &[], Some(8)),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(
            GenerateKey::decode(0x81, 3, &[1], None),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            GenerateKey::decode(0x82, 3, &[], None),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(
            GenerateKey::decode(0x81, 3, &[], None),
            Ok(GenerateKey::Secret { reference: 3 })
        );
        assert_eq!(no_fields(0, 1, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(no_fields(0, 0, &[1]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(init_end(&[1]), Err(StatusWord::WRONG_LENGTH));
        let t = AuthTemplate(&[0x7C, 6, 0x85, 1, 9, 0x81, 1, 7]);
        assert_eq!(t.peer_and_ukm(), Ok((&[9][..], &[7][..])));
        assert_eq!(
            AuthTemplate(&[0x7C, 3, 0x85, 1, 9]).peer_and_ukm(),
            Err(StatusWord::WRONG_DATA)
        );
    }
}
