//! ERASE (80 8A), INIT END (80 84 4E 19), GET DATA serial (CA 01 81), GET CHALLENGE (84)
//! (`rutoken-ecp-apdu.md` §4).

use crate::token::Token;
use crate::token::access::ROLE_ADMIN;
use crate::token::operand::{DataObject, GetChallenge, GetData};
use crate::token::state::Session;
use crate::token::status::{self, CardResult};
use rutoken_apdu::StatusWord;

impl Token {
    /// Implements ERASE `80 8A 00 00` (`SC_CARDCTL_RTECP_INIT`): wipes the file system including
    /// the MF and opens the initialisation phase (access conditions relaxed until INIT END).
    pub(crate) fn erase(&mut self) -> CardResult {
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
    /// enforced from now on.
    pub(crate) fn init_end(&mut self) -> CardResult {
        if !self.state.finalised {
            self.state.make_mut().finalised = true;
        }
        Ok(StatusWord::OK)
    }

    /// Implements GET DATA `00 CA 01 81 Le`: the 8-byte serial (Aktiv's UEFI sample "Token ID").
    pub(crate) fn get_data(&mut self, get: GetData, out: &mut Vec<u8>) -> CardResult {
        let serial = match get.object {
            DataObject::Serial => self.state.serial,
        };
        if matches!(get.le, Some(le) if le < serial.len()) {
            return Err(status::wrong_le(serial.len()));
        }
        out.extend_from_slice(&serial);
        Ok(StatusWord::OK)
    }

    /// Implements GET CHALLENGE `00 84 00 00 Le`: Le random bytes (00 = 256).
    pub(crate) fn get_challenge(&mut self, get: GetChallenge, out: &mut Vec<u8>) -> CardResult {
        let mut challenge = vec![0u8; get.len];
        self.rng().fill_bytes(&mut challenge);
        out.extend_from_slice(&challenge);
        Ok(StatusWord::OK)
    }
}
