//! The typed fields of every command (as Nitrokey's opcard-rs `src/command.rs` decodes
//! `Verify { role }`, `GetData { tag }`): what P1, P2, the data and Le mean, decoded once per
//! command by its row of the table (`command.rs`), so a handler takes values it need not check
//! again. Each decoder reads only what it is given (no token state; no allocation but CREATE
//! FILE's copy of attribute 85, which the new object keeps) and answers
//! the status words the handlers answered before the fields were typed, in the same order:
//! P1-P2 before the data, as `rutoken-ecp-apdu.md` §4 lists each command. What depends on the
//! token's state or profile (a PIN's maximum length, an algorithm reference) stays with the
//! handler.
//!
//! The decoders take the parts of the request rather than the request itself, so this module
//! depends on nothing of the table that names its types. By group: `file.rs`, `pin.rs`,
//! `security.rs`; here the commands without fields of their own, GET DATA and GET CHALLENGE.

#![deny(clippy::indexing_slicing)]

mod check;
mod file;
mod pin;
mod security;

use rutoken_apdu::StatusWord;

use self::check::{expect_no_data, expect_p1p2};
pub use self::file::{CreateFile, DeleteFile, FidPath, ReadBinary, Select, SelectBy, UpdateBinary};
pub use self::pin::{ChangeReferenceData, ImportKey, NewValue, PinRole, ResetRetryCounter, Verify};
pub use self::security::{
    AuthRequest, AuthTemplate, Crt, Decipher, GeneralAuthenticate, GenerateKey, KeyUse,
    ManageSecurityEnvironment, Piece, Signature, SymmetricTemplate,
};
use super::status::CardResult;

/// and ERASE are sent (`rutoken-ecp-apdu.md` §4).
pub fn no_fields(p1: u8, p2: u8, data: &[u8]) -> CardResult<()> {
    expect_p1p2(p1, p2, 0)?;
    expect_no_data(data)
}

/// INIT END `80 84 4E 19`: its row names the P1-P2; only the data is left to check (6700).
pub fn init_end(data: &[u8]) -> CardResult<()> {
    expect_no_data(data)
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

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn data_and_commands_without_fields() {
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
        assert_eq!(no_fields(0, 1, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(no_fields(0, 0, &[1]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(init_end(&[1]), Err(StatusWord::WRONG_LENGTH));
    }
}
