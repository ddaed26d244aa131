//! The one rule for showing a command APDU without its secrets. Every log, shell, transcript,
//! report and relay record renders commands through [`masked`] (docs/architecture.md,
//! "Secrets").
//!
//! Secret data: VERIFY (`20`, a PIN), CHANGE REFERENCE DATA (`24`: a new PIN, or with P2 `00`
//! the private key being imported, `rutoken-ecp-apdu.md` §4) and RESET RETRY COUNTER (`2C`, a
//! PUK or new PIN), whatever the class byte. The header, Lc and Le stay visible (a transcript
//! shows a PIN's length, as OpenSC's own APDU log does); the data becomes `**`. A command with
//! no data (`00 20 00 02`, a PIN-status query) is shown whole.
//!
//! Secret answers: the data answering PSO: DECIPHER (`2A 80 86`, a deciphered secret, typically
//! a session key) and GENERAL AUTHENTICATE (`86`, a VKO key given to the host) becomes `**`
//! before the status word ([`mask_response`], [`masked_response`]).

use crate::command::CommandView;
use crate::hex::spaced;

/// INS bytes whose data field is secret (ISO 7816-4 §11.5.6, §11.5.7, §11.5.10).
pub const SECRET_INS: [u8; 3] = [0x20, 0x24, 0x2C];

/// True when this command's data is secret by the rule above.
pub fn is_secret(command: &[u8]) -> bool {
    command.get(1).is_some_and(|ins| SECRET_INS.contains(ins))
}

/// A command (or an answer, [`mask_response`]) with any secret data already removed: what may
/// be kept and shown later. The
/// bytes are the command's visible bytes; `secret_at`, when set, is where the removed data
/// stood (shown as `**`). Transcripts keep this and render it only when a report asks
/// (issue 25: hex for every exchange of a flow at recording time was 7 % of the flow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedCommand {
    visible: Vec<u8>,
    secret_at: Option<usize>,
}

impl MaskedCommand {
    /// The spaced hex of the visible bytes with `**` where the secret data stood.
    pub fn render(&self) -> String {
        let Some(at) = self.secret_at else {
            return spaced(&self.visible);
        };
        let (head, tail) = self.visible.split_at(at.min(self.visible.len()));
        let mut text = spaced(head);
        if !head.is_empty() {
            text.push(' ');
        }
        text.push_str("**");
        if !tail.is_empty() {
            text.push(' ');
            text.push_str(&spaced(tail));
        }
        text
    }

    /// True when some data was removed.
    pub fn is_masked(&self) -> bool {
        self.secret_at.is_some()
    }
}

/// The command with any secret data removed by the rule above.
pub fn mask(command: &[u8]) -> MaskedCommand {
    remove_secret(command, is_secret(command))
}

/// The command with its data field removed whatever the instruction: for commands the caller
/// knows carry secrets (a raw scenario step marked `secret`).
pub fn mask_data(command: &[u8]) -> MaskedCommand {
    remove_secret(command, true)
}

/// The command in spaced hex with any secret data replaced by `**`.
pub fn masked(command: &[u8]) -> String {
    mask(command).render()
}

/// The command in spaced hex with its data field replaced by `**` whatever the instruction:
/// for commands the caller knows carry secrets (a raw scenario step marked `secret`).
pub fn masked_data(command: &[u8]) -> String {
    mask_data(command).render()
}

/// True when the data answering this command is secret by the rule above, whatever the class.
pub fn answer_is_secret(command: &[u8]) -> bool {
    matches!(command, [_, 0x2A, 0x80, 0x86, ..] | [_, 0x86, ..])
}

/// The response to `command` with its data removed when the answer is secret
/// ([`answer_is_secret`]); the status word stays.
pub fn mask_response(command: &[u8], response: &[u8]) -> MaskedCommand {
    match response.split_last_chunk::<2>() {
        Some((data, sw)) if answer_is_secret(command) && !data.is_empty() => MaskedCommand {
            visible: sw.to_vec(),
            secret_at: Some(0),
        },
        _ => MaskedCommand {
            visible: response.to_vec(),
            secret_at: None,
        },
    }
}

/// The response to `command` in spaced hex, a secret answer's data as `**` before the status
/// word.
pub fn masked_response(command: &[u8], response: &[u8]) -> String {
    mask_response(command, response).render()
}

fn remove_secret(command: &[u8], secret: bool) -> MaskedCommand {
    let whole = || MaskedCommand {
        visible: command.to_vec(),
        secret_at: None,
    };
    if !secret {
        return whole();
    }
    match CommandView::parse(command) {
        Ok(view) if view.data.is_empty() => whole(),
        Ok(view) => {
            let end = view.data_offset + view.data.len();
            let mut visible = command.get(..view.data_offset).unwrap_or_default().to_vec();
            visible.extend_from_slice(command.get(end..).unwrap_or_default());
            MaskedCommand {
                visible,
                secret_at: Some(view.data_offset),
            }
        }
        // Malformed: where the data starts is unknown, so everything after the header may be
        // secret.
        Err(_) => match command.get(..4) {
            Some(header) if command.len() > 4 => MaskedCommand {
                visible: header.to_vec(),
                secret_at: Some(4),
            },
            _ => whole(),
        },
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secret_answers_keep_only_their_status_word() {
        let decipher = [0x00, 0x2A, 0x80, 0x86, 0x01, 0x07, 0x00];
        assert_eq!(masked_response(&decipher, &[1, 2, 0x90, 0]), "** 90 00");
        assert_eq!(masked_response(&decipher, &[0x6A, 0x80]), "6A 80");
        let vko = [0x80, 0x86, 0x12, 0x01, 0x02, 0x7C, 0x00, 0x00];
        assert_eq!(masked_response(&vko, &[0x7C, 1, 2, 0x90, 0]), "** 90 00");
        assert!(mask_response(&vko, &[0x7C, 1, 2, 0x90, 0]).is_masked());
        let sign = [0x00, 0x2A, 0x9E, 0x9A, 0x01, 0x07, 0x00];
        assert_eq!(masked_response(&sign, &[1, 0x90, 0]), "01 90 00");
        assert_eq!(masked_response(&sign, &[0x90]), "90");
    }

    #[test]
    fn pins_are_masked_and_the_rest_is_shown() {
        assert_eq!(
            masked(&[0, 0x20, 0, 2, 4, 0x31, 0x32, 0x33, 0x34]),
            "00 20 00 02 04 **"
        );
        assert_eq!(masked(&[0, 0x20, 0, 2]), "00 20 00 02");
        assert_eq!(masked(&[0, 0x2C, 3, 2]), "00 2C 03 02");
        assert_eq!(masked(&[0x80, 0x24, 1, 2, 1, 0x31]), "80 24 01 02 01 **");
        assert_eq!(
            masked(&[0, 0x24, 1, 0, 0, 0, 2, 1, 2, 0, 0]),
            "00 24 01 00 00 00 02 ** 00 00"
        );
        assert_eq!(masked(&[0, 0x20, 0, 2, 9, 1]), "00 20 00 02 **");
        assert_eq!(masked(&[0, 0xA4, 0, 0, 2, 0x3F, 0]), "00 A4 00 00 02 3F 00");
        assert_eq!(masked_data(&[0, 0xD6, 0, 0, 1, 0x33]), "00 D6 00 00 01 **");
        assert_eq!(masked(&[0x20]), "20");
    }

    proptest! {
        #[test]
        fn secret_bytes_never_appear(
            secret in proptest::collection::vec(any::<u8>(), 1..300),
            ins in prop::sample::select(SECRET_INS.to_vec()),
            cla in prop::sample::select(vec![0x00u8, 0x10, 0x80]),
            le in proptest::option::of(any::<u8>()),
        ) {
            let mut apdu = vec![cla, ins, 0x01, 0x02];
            match u8::try_from(secret.len()) {
                Ok(lc) => apdu.push(lc),
                Err(_) => {
                    apdu.push(0);
                    apdu.extend_from_slice(&u16::try_from(secret.len()).unwrap().to_be_bytes());
                }
            }
            apdu.extend_from_slice(&secret);
            if let Some(le) = le {
                apdu.push(le);
            }
            let kept = mask(&apdu);
            prop_assert!(kept.is_masked());
            // What is kept never holds the secret: at most the bytes around it (only the
            // header when the length fields do not parse).
            prop_assert!(kept.visible.len() <= apdu.len() - secret.len());
            let text = masked(&apdu);
            // Every byte but the data is shown, and the data is one `**`.
            let shown = apdu.len() - secret.len();
            let tokens: Vec<&str> = text.split(' ').collect();
            prop_assert_eq!(tokens.iter().filter(|t| **t == "**").count(), 1, "{}", text);
            prop_assert!(tokens.len() <= shown + 1, "{}", text);
        }
    }
}
