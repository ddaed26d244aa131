//! The 15-byte Rutoken security attribute (FCP tag 86) and its access check
//! (`rutoken-ecp-apdu.md` §3): byte 0 is a mask; when bit i is set, byte 1+i holds the condition
//! of operation i: 00 always, FF never, otherwise a CHV bitmask (01 Admin/SO, 02 User).

/// An operation, named by the bit it occupies in byte 0. The same bit means different things
/// for a DF, an EF, a PIN object and a key object (§3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    /// DF: create DF/EF; EF: read; PIN: unblock.
    Bit0,
    /// DF: create RSF; EF: update; PIN: change; key: update/generate.
    Bit1,
    /// DF (MF): put data; key: use (sign).
    Bit2,
    /// Delete (every object type).
    Delete,
}

impl Op {
    fn bit(self) -> usize {
        match self {
            Op::Bit0 => 0,
            Op::Bit1 => 1,
            Op::Bit2 => 2,
            Op::Delete => 6,
        }
    }
}

/// Role bit of the Admin (SO) PIN, reference 01.
pub const ROLE_ADMIN: u8 = 0x01;
/// Role bit of the User PIN, reference 02.
pub const ROLE_USER: u8 = 0x02;

/// The condition byte for an operation. A bit absent from the mask means "always" [GUESS:
/// OpenSC always writes the bits it cares about].
pub fn condition(sec: &[u8; 15], op: Op) -> u8 {
    let bit = op.bit();
    if sec[0] & (1 << bit) != 0 {
        sec[1 + bit]
    } else {
        0x00
    }
}

/// True when the logged-in roles satisfy the operation's condition.
pub fn allows(sec: &[u8; 15], op: Op, logged_in: u8) -> bool {
    match condition(sec, op) {
        0x00 => true,
        0xFF => false,
        cond => cond & logged_in != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(prefix: &[u8]) -> [u8; 15] {
        let mut s = [0u8; 15];
        s[..prefix.len()].copy_from_slice(prefix);
        s
    }

    #[test]
    fn aodf_update_needs_admin() {
        let aodf = sec(&[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x01]);
        assert!(allows(&aodf, Op::Bit0, 0));
        assert!(!allows(&aodf, Op::Bit1, ROLE_USER));
        assert!(allows(&aodf, Op::Bit1, ROLE_ADMIN));
    }

    #[test]
    fn never_and_either() {
        let user_pin = sec(&[0x43, 0x01, 0x03, 0, 0, 0, 0, 0xFF]);
        assert!(allows(&user_pin, Op::Bit1, ROLE_USER));
        assert!(allows(&user_pin, Op::Bit1, ROLE_ADMIN));
        assert!(!allows(&user_pin, Op::Delete, ROLE_USER | ROLE_ADMIN));
        assert!(allows(&user_pin, Op::Bit2, 0), "absent bit = always");
    }
}
