//! `sim --log-apdus`: commands through the project's one masking rule,
//! [`rutoken_apdu::mask::masked`] (the data of VERIFY, CHANGE REFERENCE DATA, RESET RETRY
//! COUNTER and key imports shown as `**`; architecture.md, "Secrets"), responses in hex.

/// A command APDU as logged: secrets masked.
pub fn command(apdu: &[u8]) -> String {
    rutoken_apdu::mask::masked(apdu)
}

/// A response APDU as logged.
pub fn response(response: &[u8]) -> String {
    rutoken_apdu::hex::spaced(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pins_are_masked() {
        assert_eq!(
            command(&[0, 0x20, 0, 2, 4, 0x31, 0x32, 0x33, 0x34]),
            "00 20 00 02 04 **"
        );
        assert_eq!(command(&[0, 0x20, 0, 2]), "00 20 00 02");
        assert_eq!(
            command(&[0, 0xA4, 0, 0, 2, 0x3F, 0]),
            "00 A4 00 00 02 3F 00"
        );
        assert_eq!(response(&[0x63, 0xC9]), "63 C9");
    }

    proptest! {
        #[test]
        fn pin_bytes_never_appear(pin in proptest::collection::vec(0x30u8..0x3A, 1..32), ins in prop::sample::select(vec![0x20u8, 0x24, 0x2C])) {
            let mut apdu = vec![0x00, ins, 0x00, 0x02, u8::try_from(pin.len()).unwrap()];
            apdu.extend_from_slice(&pin);
            prop_assert!(!command(&apdu).contains(&response(&pin)));
        }
    }
}
