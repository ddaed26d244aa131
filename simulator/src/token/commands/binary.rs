//! READ BINARY (B0) and UPDATE BINARY (D6) on transparent EFs, 15-bit offsets
//! (`rutoken-ecp-apdu.md` §4). RSFs (PINs, keys) are never readable or writable this way.

use crate::token::Token;
use crate::token::access::Op;
use crate::token::command::Request;
use crate::token::fs::Body;
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

/// The offset in P1 (7 bits) and P2; P1 bit 8 (a short EF identifier) is not supported.
fn offset(cmd: &Request<'_>) -> CardResult<usize> {
    if cmd.p1 & 0x80 != 0 {
        return Err(StatusWord::WRONG_P1P2);
    }
    Ok(usize::from(cmd.p1p2()))
}

impl Token {
    /// Implements READ BINARY: up to Le bytes of the current EF; a short read answers 6282.
    pub(crate) fn read_binary(&mut self, cmd: &Request<'_>, out: &mut Vec<u8>) -> CardResult {
        let offset = offset(cmd)?;
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return Err(StatusWord::WRONG_LENGTH);
        };
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
    pub(crate) fn update_binary(&mut self, cmd: &Request<'_>) -> CardResult {
        let offset = offset(cmd)?;
        if cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
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
        if offset + cmd.data.len() > data.len() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if let Body::Ef { data } = &mut self.current_file_mut()?.body {
            data.get_mut(offset..offset + cmd.data.len())
                .ok_or(StatusWord::WRONG_LENGTH)?
                .copy_from_slice(cmd.data);
        }
        Ok(StatusWord::OK)
    }
}
