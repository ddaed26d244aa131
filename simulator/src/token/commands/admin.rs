//! ERASE (80 8A), INIT END (80 84 4E 19), GET DATA serial (CA 01 81), GET CHALLENGE (84)
//! (`rutoken-ecp-apdu.md` §4).

use crate::token::Token;
use crate::token::access::ROLE_ADMIN;
use crate::token::command::Request;
use crate::token::state::Session;
use crate::token::status::{self, CardResult};
use rutoken_apdu::StatusWord;

impl Token {
    /// Implements ERASE `80 8A 00 00` (`SC_CARDCTL_RTECP_INIT`): wipes the file system including
    /// the MF and opens the initialisation phase (access conditions relaxed until INIT END).
    pub(crate) fn erase(&mut self, cmd: &Request<'_>) -> CardResult {
        if cmd.p1p2() != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        if !cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if self.profile.erase_requires_admin
            && self.state.finalised
            && self.session.logged_in & ROLE_ADMIN == 0
        {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let state = self.state.make_mut();
        state.mf = None;
        state.finalised = false;
        self.session = Session::default();
        Ok(StatusWord::OK)
    }

    /// Implements INIT END `80 84 4E 19` (`SC_CARDCTL_RTECP_INIT_END`): access conditions are
    /// enforced from now on. Its row (`Params::P1P2(0x4E19)`) is the only way here: any other
    /// P1-P2 was answered 6A86 when the request was decoded.
    pub(crate) fn init_end(&mut self, cmd: &Request<'_>) -> CardResult {
        if !cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if !self.state.finalised {
            self.state.make_mut().finalised = true;
        }
        Ok(StatusWord::OK)
    }

    /// Implements GET DATA `00 CA 01 81 Le`: the 8-byte serial (Aktiv's UEFI sample "Token ID").
    pub(crate) fn get_data(&mut self, cmd: &Request<'_>, out: &mut Vec<u8>) -> CardResult {
        if cmd.p1p2() != 0x0181 {
            return Err(StatusWord::REF_NOT_FOUND);
        }
        if !cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let serial = self.state.serial;
        if matches!(cmd.le, Some(le) if le < serial.len()) {
            return Err(status::wrong_le(serial.len()));
        }
        out.extend_from_slice(&serial);
        Ok(StatusWord::OK)
    }

    /// Implements GET CHALLENGE `00 84 00 00 Le`: Le random bytes (00 = 256).
    pub(crate) fn get_challenge(&mut self, cmd: &Request<'_>, out: &mut Vec<u8>) -> CardResult {
        if cmd.p1p2() != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return Err(StatusWord::WRONG_LENGTH);
        };
        let mut challenge = vec![0u8; le];
        self.rng().fill_bytes(&mut challenge);
        out.extend_from_slice(&challenge);
        Ok(StatusWord::OK)
    }
}
