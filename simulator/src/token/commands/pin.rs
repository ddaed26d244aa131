//! VERIFY (20), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C) and LOGOUT (80 40)
//! (`rutoken-ecp-apdu.md` §4). A wrong PIN's decrement is written to the image *before* the
//! comparison, so cutting the power cannot buy free tries.

use rutoken_apdu::codec::Reader;
use zeroize::Zeroizing;

use crate::token::Token;
use crate::token::access::Op;
use crate::token::command::Request;
use crate::token::fs::{Body, PIN_DF};
use crate::token::pin::PinObject;
use crate::token::secret::Secret;
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

/// The role bit of a PIN reference (1 → 01 Admin, 2 → 02 User, … up to 8).
fn role(reference: u8) -> CardResult<u8> {
    match reference {
        1..=8 => Ok(1 << (reference - 1)),
        _ => Err(StatusWord::REF_NOT_FOUND),
    }
}

/// The new value in `[80 02 len16] A5 len value [A5 len value …]`, the form `card-rtecp.c`
/// sends: lengths are one plain byte (OpenSC: the card does not read BER long lengths), a long
/// value comes as several `A5` pieces, one per chained APDU, joined here; tag 80, when present,
/// announces the joined length. Anything else is 6A80.
pub(super) fn new_value(data: &[u8]) -> CardResult<Zeroizing<Vec<u8>>> {
    let mut r = Reader::new(data);
    let mut value = Zeroizing::new(Vec::with_capacity(data.len()));
    let (mut announced, mut seen) = (None, false);
    while r.any_left() {
        let tag = r.take_u8("tag").map_err(|_| StatusWord::WRONG_DATA)?;
        let len = r.take_u8("length").map_err(|_| StatusWord::WRONG_DATA)?;
        let field = r
            .take(usize::from(len), "value")
            .map_err(|_| StatusWord::WRONG_DATA)?;
        match (tag, field) {
            (0x80, [hi, lo]) => announced = Some(usize::from(u16::from_be_bytes([*hi, *lo]))),
            (0xA5, piece) => {
                value.extend_from_slice(piece);
                seen = true;
            }
            _ => return Err(StatusWord::WRONG_DATA),
        }
    }
    if !seen || announced.is_some_and(|n| n != value.len()) {
        return Err(StatusWord::WRONG_DATA);
    }
    Ok(value)
}

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
    pub(crate) fn verify(&mut self, cmd: &Request<'_>) -> CardResult {
        if cmd.p1 != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let role = role(cmd.p2)?;
        let (pin, _) = self.pin(cmd.p2)?;
        if pin.blocked() {
            return Err(StatusWord::AUTH_BLOCKED);
        }
        if pin.value.is_none() {
            return Err(StatusWord::REFERENCE_NOT_USABLE);
        }
        if cmd.data.is_empty() {
            return if self.session.logged_in & role != 0 {
                Ok(StatusWord::OK)
            } else {
                Err(StatusWord::retries(pin.tries_left))
            };
        }
        if cmd.data.len() > usize::from(self.profile.pin_max_len) {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if let Some(sw) = self.profile.other_role_logged_in_sw
            && self.session.logged_in & !role != 0
        {
            return Err(StatusWord(sw));
        }
        // 1. The decrement is durable before the comparison.
        let before = pin.tries_left;
        self.pin_mut(cmd.p2)?.tries_left = before - 1;
        if let Err(sw) = self.persist() {
            self.pin_mut(cmd.p2)?.tries_left = before;
            return Err(sw);
        }
        // 2. Constant-time comparison. Read-only: a wrong PIN has nothing more to write.
        let (pin, _) = self.pin(cmd.p2)?;
        if pin.matches(cmd.data) {
            let pin = self.pin_mut(cmd.p2)?;
            pin.tries_left = pin.max_tries;
            if let Err(sw) = self.persist() {
                self.pin_mut(cmd.p2)?.tries_left = before - 1;
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
    pub(crate) fn change_reference_data(&mut self, cmd: &Request<'_>) -> CardResult {
        if cmd.p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let value = new_value(cmd.data)?;
        role(cmd.p2)?;
        let (pin, sec) = self.pin(cmd.p2)?;
        if pin.value.is_some() && !self.acl_ok(sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if value.len() < usize::from(pin.min_len)
            || value.len() > usize::from(self.profile.pin_max_len)
        {
            return Err(StatusWord::WRONG_DATA);
        }
        let pin = self.pin_mut(cmd.p2)?;
        pin.value = Some(Secret::new(value.to_vec()));
        pin.tries_left = pin.max_tries;
        Ok(StatusWord::OK)
    }

    /// Implements RESET RETRY COUNTER `00 2C 03 ref` under the PIN's unblock condition.
    pub(crate) fn reset_retry_counter(&mut self, cmd: &Request<'_>) -> CardResult {
        if cmd.p1 != 0x03 {
            return Err(StatusWord::WRONG_P1P2);
        }
        if !cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        role(cmd.p2)?;
        let (pin, sec) = self.pin(cmd.p2)?;
        if !self.acl_ok(sec, Op::Bit0) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if pin.value.is_none() {
            return Err(StatusWord::REFERENCE_NOT_USABLE);
        }
        let pin = self.pin_mut(cmd.p2)?;
        pin.tries_left = pin.max_tries;
        Ok(StatusWord::OK)
    }

    /// Implements LOGOUT `80 40 00 00` (reset access rights): every role is logged out.
    pub(crate) fn logout(&mut self, cmd: &Request<'_>) -> CardResult {
        if cmd.p1p2() != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        if !cmd.data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        self.session.logged_in = 0;
        Ok(StatusWord::OK)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn value(data: &[u8]) -> CardResult<Vec<u8>> {
        new_value(data).map(|v| v.to_vec())
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
}
