//! PIN objects (RSF class 01): value, minimum length, tries. The attribute 85 OpenSC writes is
//! `01, minLen, 01, (max<<4 | left), 00, 00` (`rutoken-ecp-apdu.md` §3, `pkcs15-rtecp.c`).

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::secret::Secret;

/// RSF class byte of PIN objects (attribute 85 byte 0).
pub const CLASS_PIN: u8 = 0x01;
/// Longest PIN the comparison pads to (OpenSC's profile max_len 32).
const PIN_CAPACITY: usize = 32;

/// A PIN (CHV) object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PinObject {
    /// Shortest value CHANGE REFERENCE DATA accepts.
    pub min_len: u8,
    /// Tries after a reset (1..=15).
    pub max_tries: u8,
    /// Tries left; 0 = blocked (6983) until RESET RETRY COUNTER.
    pub tries_left: u8,
    /// The value, `None` until set by CHANGE REFERENCE DATA (VERIFY answers 6984).
    pub value: Option<Secret>,
}

impl PinObject {
    /// Parses attribute 85 of a PIN RSF; `None` when malformed (max or left 0, left > max).
    pub fn from_attribute(prop: &[u8]) -> Option<PinObject> {
        let [CLASS_PIN, min_len, _, tries, ..] = *prop else {
            return None;
        };
        let (max_tries, tries_left) = (tries >> 4, tries & 0x0F);
        if max_tries == 0 || tries_left == 0 || tries_left > max_tries {
            return None;
        }
        Some(PinObject {
            min_len,
            max_tries,
            tries_left,
            value: None,
        })
    }

    /// A PIN with a value and full tries (fixtures).
    pub fn with_value(value: &[u8], min_len: u8, max_tries: u8) -> PinObject {
        let max_tries = max_tries.clamp(1, 15);
        PinObject {
            min_len,
            max_tries,
            tries_left: max_tries,
            value: Some(Secret::new(value.to_vec())),
        }
    }

    /// Attribute 85 with the live counter in byte 3's low nibble.
    pub fn render_attribute(&self, stored: &[u8]) -> Vec<u8> {
        let mut prop = stored.to_vec();
        if prop.len() >= 4 {
            prop[3] = (self.max_tries << 4) + self.tries_left;
        }
        prop
    }

    /// True when blocked.
    pub fn blocked(&self) -> bool {
        self.tries_left == 0
    }

    /// Compares in constant time over a fixed-size buffer (the length difference is folded in
    /// without a branch on the secret). A value longer than the buffer never matches.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let Some(value) = &self.value else {
            return false;
        };
        let (va, vb) = (value.expose(), candidate);
        let (Some(a), Some(b)) = (padded(va), padded(vb)) else {
            return false;
        };
        let same_len = (va.len() as u64).ct_eq(&(vb.len() as u64));
        (a.ct_eq(&*b) & same_len).into()
    }
}

/// `value` zero-padded to `PIN_CAPACITY` bytes, or `None` when it is longer (so the comparison
/// needs no length test of its own: the slice either fits or is absent).
fn padded(value: &[u8]) -> Option<Zeroizing<[u8; PIN_CAPACITY]>> {
    let mut out = Zeroizing::new([0u8; PIN_CAPACITY]);
    out.get_mut(..value.len())?.copy_from_slice(value);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_round_trip() {
        let pin = PinObject::from_attribute(&[0x01, 0x04, 0x01, 0x55, 0, 0]).unwrap();
        assert_eq!((pin.min_len, pin.max_tries, pin.tries_left), (4, 5, 5));
        assert!(PinObject::from_attribute(&[0x03, 0x20, 0, 0xAA]).is_none());
        assert!(PinObject::from_attribute(&[0x01, 4, 1, 0x05]).is_none());
    }

    #[test]
    fn comparison() {
        let pin = PinObject::with_value(b"12345678", 4, 5);
        assert!(pin.matches(b"12345678"));
        assert!(!pin.matches(b"1234567"));
        assert!(!pin.matches(b"123456789"));
        assert!(!pin.matches(&[b'1'; 40]));
        assert!(
            !PinObject::from_attribute(&[1, 4, 1, 0x55])
                .unwrap()
                .matches(b"")
        );
    }
}
