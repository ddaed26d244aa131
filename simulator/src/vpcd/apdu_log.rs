//! APDU logging with secrets masked: the data of VERIFY (`20`), CHANGE REFERENCE DATA (`24`) and
//! RESET RETRY COUNTER (`2C`) is PINs, shown as `**` (architecture.md, "Secrets").

/// The command in hex with any PIN or key data replaced by `**`: the workspace's one masking
/// rule, `rutoken_apdu::mask::masked`.
pub fn mask_command(apdu: &[u8]) -> String {
    rutoken_apdu::mask::masked(apdu)
}

/// The response to `command` in hex, a secret answer (PSO: DECIPHER, GENERAL AUTHENTICATE) as
/// `**` before the status word: the one rule, `rutoken_apdu::mask::masked_response`.
pub fn format_response_to(command: &[u8], response: &[u8]) -> String {
    rutoken_apdu::mask::masked_response(command, response)
}

/// The response in hex.
pub fn format_response(response: &[u8]) -> String {
    response
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deciphered_data_is_masked() {
        let decipher = [0x00, 0x2A, 0x80, 0x86, 0x01, 0x07, 0x00];
        assert_eq!(format_response_to(&decipher, &[1, 2, 0x90, 0]), "** 90 00");
        assert_eq!(format_response_to(&decipher, &[0x6A, 0x80]), "6A 80");
        let vko = [0x00, 0x86, 0x12, 0x01, 0x02, 0x7C, 0x00, 0x00];
        assert_eq!(format_response_to(&vko, &[0x7C, 1, 2, 0x90, 0]), "** 90 00");
        let sign = [0x00, 0x2A, 0x9E, 0x9A, 0x01, 0x07, 0x00];
        assert_eq!(format_response_to(&sign, &[1, 0x90, 0]), "01 90 00");
    }

    #[test]
    fn pins_are_masked() {
        assert_eq!(
            mask_command(&[0, 0x20, 0, 2, 4, 0x31, 0x32, 0x33, 0x34]),
            "00 20 00 02 04 **"
        );
        assert_eq!(mask_command(&[0, 0x20, 0, 2]), "00 20 00 02");
        assert_eq!(mask_command(&[0, 0x2C, 0, 2, 9, 1]), "00 2C 00 02 **");
        assert_eq!(
            mask_command(&[0, 0xA4, 0, 0, 2, 0x3F, 0]),
            "00 A4 00 00 02 3F 00"
        );
    }

    proptest! {
        #[test]
        fn pin_bytes_never_appear(pin in proptest::collection::vec(0x30u8..0x3A, 1..32), ins in prop::sample::select(vec![0x20u8, 0x24, 0x2C])) {
            let mut apdu = vec![0x00, ins, 0x00, 0x02, u8::try_from(pin.len()).unwrap()];
            apdu.extend_from_slice(&pin);
            let pin_hex = format_response(&pin);
            prop_assert!(!mask_command(&apdu).contains(&pin_hex));
        }
    }
}
