//! APDU logging with secrets masked: the data of VERIFY (`20`), CHANGE REFERENCE DATA (`24`) and
//! RESET RETRY COUNTER (`2C`) is PINs, shown as `**` (architecture.md, "Secrets").

use crate::safetouch::CommandView;

/// INS bytes whose data field holds PINs (ISO 7816-4 §11.5.6, §11.5.7, §11.5.10).
const PIN_INS: [u8; 3] = [0x20, 0x24, 0x2C];

/// The command in hex with any PIN data replaced by `**`.
pub fn mask_command(apdu: &[u8]) -> String {
    let hex = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let Some(ins) = apdu.get(1) else {
        return hex(apdu);
    };
    if !PIN_INS.contains(ins) {
        return hex(apdu);
    }
    match CommandView::parse(apdu) {
        Some(view) if view.data.is_empty() => hex(apdu),
        Some(view) => {
            let end = view.data_offset + view.data.len();
            let tail = &apdu[end..];
            let mut text = format!("{} **", hex(&apdu[..view.data_offset]));
            if !tail.is_empty() {
                text.push(' ');
                text.push_str(&hex(tail));
            }
            text
        }
        // Malformed: show only the header, the rest may be a PIN.
        None => format!("{} **", hex(&apdu[..apdu.len().min(4)])),
    }
}

/// The response to `command` in hex; the data answering PSO: DECIPHER (`2A 80 86`, any class)
/// is a deciphered secret, typically a session key, and shows as `**` before the status word.
pub fn format_response_to(command: &[u8], response: &[u8]) -> String {
    let decipher = matches!(command, [_, 0x2A, 0x80, 0x86, ..]);
    match response.split_last_chunk::<2>() {
        Some((data, sw)) if decipher && !data.is_empty() => {
            format!("** {}", format_response(sw))
        }
        _ => format_response(response),
    }
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
        fn pin_bytes_never_appear(pin in proptest::collection::vec(0x30u8..0x3A, 1..32), ins in prop::sample::select(PIN_INS.to_vec())) {
            let mut apdu = vec![0x00, ins, 0x00, 0x02, pin.len() as u8];
            apdu.extend_from_slice(&pin);
            let pin_hex = format_response(&pin);
            prop_assert!(!mask_command(&apdu).contains(&pin_hex));
        }
    }
}
