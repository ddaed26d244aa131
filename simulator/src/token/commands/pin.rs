//! VERIFY (20), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C) and LOGOUT (80 40)
//! (`rutoken-ecp-apdu.md` §4). A wrong PIN's decrement is written to the image *before* the
//! comparison, so cutting the power cannot buy free tries.

use crate::token::Token;
use crate::token::access::Op;
use crate::token::fs::{Body, PIN_DF};
use crate::token::operand::{ChangeReferenceData, ResetRetryCounter, Verify};
use crate::token::pin::PinObject;
use crate::token::secret::Secret;
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

impl Token {
    fn pin(&self, reference: u8) -> CardResult<(&PinObject, &[u8; 15])> {
        let node = self
            .system_object(&PIN_DF, u16::from(reference))
            .ok_or(StatusWord::REF_NOT_FOUND)?;
        match &node.body {
            Body::Pin(pin) => Ok((pin, &node.sec)),
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    fn pin_mut(&mut self, reference: u8) -> CardResult<&mut PinObject> {
        match self
            .system_object_mut(&PIN_DF, u16::from(reference))
            .map(|n| &mut n.body)
        {
            Some(Body::Pin(pin)) => Ok(pin),
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    /// Implements VERIFY `00 20 00 ref [PIN]`: 9000, 63Cx (x tries left; or 6300 by profile),
    /// 6983 blocked; no data asks the state (9000 if verified, else 63Cx).
    pub(crate) fn verify(&mut self, verify: Verify<'_>) -> CardResult {
        let (reference, role) = (verify.role.reference(), verify.role.bit());
        let (pin, _) = self.pin(reference)?;
        if pin.blocked() {
            return Err(StatusWord::AUTH_BLOCKED);
        }
        if pin.value.is_none() {
            return Err(StatusWord::REFERENCE_NOT_USABLE);
        }
        let Some(offered) = verify.pin else {
            return if self.session.logged_in & role != 0 {
                Ok(StatusWord::OK)
            } else {
                Err(StatusWord::retries(pin.tries_left))
            };
        };
        if offered.len() > usize::from(self.profile.pin_max_len) {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if let Some(sw) = self.profile.other_role_logged_in_sw
            && self.session.logged_in & !role != 0
        {
            return Err(StatusWord(sw));
        }
        // 1. The decrement is durable before the comparison.
        let before = pin.tries_left;
        self.pin_mut(reference)?.tries_left = before - 1;
        if let Err(sw) = self.persist() {
            self.pin_mut(reference)?.tries_left = before;
            return Err(sw);
        }
        // 2. Constant-time comparison. Read-only: a wrong PIN has nothing more to write.
        let (pin, _) = self.pin(reference)?;
        if pin.matches(offered) {
            let pin = self.pin_mut(reference)?;
            pin.tries_left = pin.max_tries;
            if let Err(sw) = self.persist() {
                self.pin_mut(reference)?.tries_left = before - 1;
                return Err(sw);
            }
            self.session.logged_in |= role;
            Ok(StatusWord::OK)
        } else {
            let left = pin.tries_left;
            if !self.profile.wrong_pin_keeps_login {
                self.session.logged_in &= !role;
            }
            Err(if self.profile.wrong_pin_plain_6300 {
                StatusWord::VERIFY_FAILED
            } else {
                StatusWord::retries(left)
            })
        }
    }

    /// Implements CHANGE REFERENCE DATA `00 24 01 ref [80 02 len] A5 len PIN`: sets (first time,
    /// no condition) or changes a PIN under its change condition (P2=00, key import, is
    /// [`Token::import_key`]).
    pub(crate) fn change_reference_data(&mut self, change: ChangeReferenceData<'_>) -> CardResult {
        let (reference, value) = (change.role.reference(), change.value);
        let (pin, sec) = self.pin(reference)?;
        if pin.value.is_some() && !self.acl_ok(sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if value.joined_len() < usize::from(pin.min_len)
            || value.joined_len() > usize::from(self.profile.pin_max_len)
        {
            return Err(StatusWord::WRONG_DATA);
        }
        let pin = self.pin_mut(reference)?;
        pin.value = Some(Secret::new(value.join().to_vec()));
        pin.tries_left = pin.max_tries;
        Ok(StatusWord::OK)
    }

    /// Implements RESET RETRY COUNTER `00 2C 03 ref` under the PIN's unblock condition.
    pub(crate) fn reset_retry_counter(&mut self, reset: ResetRetryCounter) -> CardResult {
        let reference = reset.role.reference();
        let (pin, sec) = self.pin(reference)?;
        if !self.acl_ok(sec, Op::Bit0) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if pin.value.is_none() {
            return Err(StatusWord::REFERENCE_NOT_USABLE);
        }
        let pin = self.pin_mut(reference)?;
        pin.tries_left = pin.max_tries;
        Ok(StatusWord::OK)
    }

    /// Implements LOGOUT `80 40 00 00` (reset access rights): every role is logged out.
    pub(crate) fn logout(&mut self) -> CardResult {
        self.session.logged_in = 0;
        Ok(StatusWord::OK)
    }
}
