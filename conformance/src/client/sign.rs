//! On-token hashing and signing behind the SafeTouch: `MSE SET`, `PSO: HASH` chained, then
//! `PSO: COMPUTE DIGITAL SIGNATURE` with no data (safetouch.md "What it shows").

use crate::apdu::Command;
use crate::scenario::step::PressAction;

use super::{Client, ClientError};

/// How a signing attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignResult {
    /// The token's signature, `r_le ‖ s_le`.
    Signed(Vec<u8>),
    /// The SafeTouch refused with this status word: its reject or its time-out word (the two
    /// are the same by default, so the client cannot tell them apart; the runner compares the
    /// word with the one the scenario's expectation names).
    Refused(u16),
}

/// Max data per chained PSO: HASH piece (max_send_size 255, rutoken-ecp-apdu.md §2).
pub const HASH_PIECE: usize = 255;

impl Client<'_> {
    /// Signs `data` with key `kk`, hashed on the token so the SafeTouch sees it:
    /// 1. `SELECT …/6002/00kk` and `MSE SET 00 22 41 B6 03 84 01 kk` (§4 MSE SET);
    /// 2. `PSO: HASH 00 2A 90 80`, CLA `10` on every piece but the last;
    /// 3. the press is arranged, then `PSO: CDS 00 2A 9E 9A 00`.
    pub fn sign_on_token(
        &mut self,
        kk: u8,
        data: &[u8],
        press: PressAction,
        expected_screen: &[String],
    ) -> Result<SignResult, ClientError> {
        self.select_path(&super::keys::private_key_path(kk))?
            .ok_or(ClientError::Status {
                what: format!("SELECT private key {kk:02X}"),
                sw: crate::apdu::SW_FILE_NOT_FOUND,
            })?;
        self.send_ok(
            "MSE SET",
            &Command::new(0x00, 0x22, 0x41, 0xB6).data(vec![0x84, 0x01, kk]),
        )?;
        let pieces: Vec<&[u8]> = if data.is_empty() {
            vec![&[][..]]
        } else {
            data.chunks(HASH_PIECE).collect()
        };
        let last = pieces.len() - 1;
        for (i, piece) in pieces.into_iter().enumerate() {
            let cla = if i < last { 0x10 } else { 0x00 };
            self.send_ok(
                "PSO: HASH",
                &Command::new(cla, 0x2A, 0x90, 0x80).data(piece.to_vec()),
            )?;
        }
        self.target().arrange_press(press, expected_screen)?;
        let r = self.send(&Command::new(0x00, 0x2A, 0x9E, 0x9A).le(0));
        self.presses.push(crate::report::PressRecord {
            press,
            exchange: self.transcript.exchanges.len().checked_sub(1),
            step: self.step.clone(),
        });
        let r = r?;
        self.collect_screens();
        if r.ok() {
            return Ok(SignResult::Signed(r.data));
        }
        if r.sw == self.safetouch.reject || r.sw == self.safetouch.timeout {
            return Ok(SignResult::Refused(r.sw));
        }
        Err(ClientError::Status {
            what: "PSO: COMPUTE DIGITAL SIGNATURE".to_owned(),
            sw: r.sw,
        })
    }
}
