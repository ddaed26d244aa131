//! PSO: HASH `00 2A 90 80` (ISO/IEC 7816-8 §5.2, P2=80: the data field is the plain message),
//! the on-token hashing SafeTouch relies on (`shared/spec/safetouch.md`). Not in OpenSC.
//!
//! Protocol (ours, `docs/assumptions.md`): MSE SET chooses the key, whose algorithm fixes the
//! digest (34.11-94 for 2001 keys, Streebog-256/512 for 2012). Every `10 2A 90 80 Lc data`
//! (CLA chaining bit) feeds the hasher and answers 9000; the last piece, `00 2A 90 80 [Lc data]
//! [Le]`, finishes it: the digest (wire order) is kept for a following `00 2A 9E 9A 00` and is
//! returned when Le is present (profile `pso_hash_returns_digest`), else 9000 with no data.

use crate::token::Token;
use crate::token::operand::Piece;
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

impl Token {
    /// Implements PSO: HASH (see the module docs).
    pub(crate) fn hash(&mut self, piece: Piece<'_>, out: &mut Vec<u8>) -> CardResult {
        let key_ref = self
            .session
            .se_key
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let (_, spec, _) = self.private_key(key_ref)?;
        // A hasher left by the previous piece was made for this key: any other APDU, MSE SET
        // among them, ends the chain (`engine.rs`, `process`).
        let mut hasher = self
            .session
            .hasher
            .take()
            .unwrap_or_else(|| spec.digest().hasher());
        self.session.digest = None;
        hasher.update(piece.data);
        if !piece.last {
            self.session.hasher = Some(hasher);
            return Ok(StatusWord::OK);
        }
        let digest = hasher.finalize();
        if self.profile.pso_hash_returns_digest && piece.le {
            out.extend_from_slice(&digest);
        }
        self.session.digest = Some(digest);
        Ok(StatusWord::OK)
    }
}
