//! READ BINARY (B0) and UPDATE BINARY (D6) on transparent EFs, 15-bit offsets
//! (`rutoken-ecp-apdu.md` §4). RSFs (PINs, keys) are never readable or writable this way.

use crate::token::Token;
use crate::token::access::Op;
use crate::token::fs::Body;
use crate::token::operand::{ReadBinary, UpdateBinary};
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

impl Token {
    /// Implements READ BINARY: up to Le bytes of the current EF; a short read answers 6282.
    pub(crate) fn read_binary(&mut self, read: ReadBinary, out: &mut Vec<u8>) -> CardResult {
        let ReadBinary { offset, len: le } = read;
        let node = self.current_file()?;
        let Body::Ef { data } = &node.body else {
            return Err(StatusWord::INCOMPATIBLE_FILE);
        };
        if !self.acl_ok(&node.sec, Op::Bit0) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if offset >= data.len() {
            return Err(StatusWord::WRONG_OFFSET);
        }
        let end = data.len().min(offset + le);
        out.extend_from_slice(data.get(offset..end).ok_or(StatusWord::WRONG_OFFSET)?);
        Ok(if end - offset < le {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::OK
        })
    }

    /// Implements UPDATE BINARY: writes the data at the offset; past the end is 6700, an offset
    /// outside the file 6B00.
    pub(crate) fn update_binary(&mut self, update: UpdateBinary<'_>) -> CardResult {
        let UpdateBinary { offset, data: new } = update;
        let node = self.current_file()?;
        let Body::Ef { data } = &node.body else {
            return Err(StatusWord::INCOMPATIBLE_FILE);
        };
        if !self.acl_ok(&node.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if offset >= data.len() {
            return Err(StatusWord::WRONG_OFFSET);
        }
        if offset + new.len() > data.len() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if let Body::Ef { data } = &mut self.current_file_mut()?.body {
            data.get_mut(offset..offset + new.len())
                .ok_or(StatusWord::WRONG_LENGTH)?
                .copy_from_slice(new);
        }
        Ok(StatusWord::OK)
    }
}
