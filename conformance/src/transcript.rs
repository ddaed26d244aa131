//! The APDU transcript of a scenario: what the client sent and the card answered, PINs and
//! secret answers masked at the moment of recording (the unmasked bytes are never stored).

mod text;

use serde::Serialize;

use rutoken_apdu::mask::{MaskedCommand, mask, mask_data, mask_response};

pub use self::text::Text;

/// One command and its response, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// The command in spaced hex; PIN data replaced by `**` (removed when recorded).
    pub command: Text,
    /// The response in spaced hex (data then SW), or the transport error.
    pub response: Text,
    /// What the client was doing (`verify_pin`, `install_certificate`, …).
    pub step: String,
    /// What the two texts hold, so that readers need not guess it from them (reports keep
    /// their format: the texts say it to a person).
    #[serde(skip)]
    pub kind: ExchangeKind,
}

/// What an [`Exchange`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeKind {
    /// A command APDU and the card's response APDU.
    Apdu,
    /// A command APDU the transport did not carry: the response is `error: ` and why.
    TransportError,
    /// PKCS#11 calls (`C_Logout; C_Login(CKU_USER, **)`) and the module's answer (`CKR_…`): a
    /// PKCS#11 target records no APDUs.
    Calls,
}

/// The recorded exchanges.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Transcript {
    /// In order.
    pub exchanges: Vec<Exchange>,
    /// The step the next exchanges belong to.
    #[serde(skip)]
    pub step: String,
    /// Mask the data of the next command whatever it is (a raw step marked `secret`).
    #[serde(skip)]
    pub secret_next: bool,
}

/// Renders a command for a transcript with the one masking rule (`rutoken_apdu::mask`);
/// `secret` masks the data of any command (a raw step marked `secret`).
pub fn mask_command(command: &[u8], secret: bool) -> String {
    masked_command(command, secret).render()
}

/// The command with its secrets removed by the one masking rule, as a transcript keeps it.
fn masked_command(command: &[u8], secret: bool) -> MaskedCommand {
    if secret {
        mask_data(command)
    } else {
        mask(command)
    }
}

impl Transcript {
    /// Records one exchange of the client under the current step.
    pub fn observe(&mut self, exchange: &rutoken_client::Exchange<'_>) {
        let secret = std::mem::take(&mut self.secret_next);
        let step = self.step.clone();
        self.push(step, exchange.command, secret, exchange.response);
    }

    /// Records one exchange.
    pub fn record(
        &mut self,
        step: &str,
        command: &[u8],
        secret: bool,
        response: Result<&[u8], &rutoken_client::TransportError>,
    ) {
        self.push(step.to_owned(), command, secret, response);
    }

    fn push(
        &mut self,
        step: String,
        command: &[u8],
        secret: bool,
        response: Result<&[u8], &rutoken_client::TransportError>,
    ) {
        let (response, kind) = match response {
            Ok(bytes) => (
                Text::masked(mask_response(command, bytes)),
                ExchangeKind::Apdu,
            ),
            Err(err) => (
                Text::from(format!("error: {err}")),
                ExchangeKind::TransportError,
            ),
        };
        self.exchanges.push(Exchange {
            command: Text::masked(masked_command(command, secret)),
            response,
            step,
            kind,
        });
    }

    /// The text of `transcript.txt`: `> command` / `< response` lines, a `# step` line when the
    /// step changes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut last_step = "";
        for e in &self.exchanges {
            if e.step != last_step {
                out.push_str(&format!("# {}\n", e.step));
                last_step = &e.step;
            }
            out.push_str(&format!("> {}\n< {}\n", e.command, e.response));
        }
        out
    }

    /// The last `n` exchanges, rendered (for failure reports).
    pub fn tail(&self, n: usize) -> Vec<String> {
        let start = self.exchanges.len().saturating_sub(n);
        self.exchanges[start..]
            .iter()
            .map(|e| format!("> {}  < {}", e.command, e.response))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_data_is_masked() {
        let mut t = Transcript::default();
        let verify = [
            0x00, 0x20, 0x00, 0x02, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
        ];
        t.record("verify_pin", &verify, false, Ok(&[0x90, 0x00]));
        let text = t.render();
        assert_eq!(text, "# verify_pin\n> 00 20 00 02 08 **\n< 90 00\n");
        assert!(!text.contains("31 32"));
    }

    #[test]
    fn a_vko_key_given_to_the_host_is_masked() {
        let mut t = Transcript::default();
        let vko = [0x00, 0x86, 0x12, 0x01, 0x03, 0x7C, 0x01, 0x82, 0x00];
        t.record(
            "derive",
            &vko,
            false,
            Ok(&[0x7C, 0x03, 0x82, 0x01, 0xAB, 0x90, 0x00]),
        );
        assert_eq!(
            t.render(),
            "# derive\n> 00 86 12 01 03 7C 01 82 00\n< ** 90 00\n"
        );
    }

    #[test]
    fn an_exchange_says_what_it_holds() {
        let mut t = Transcript::default();
        t.record(
            "read_serial",
            &[0x00, 0xCA, 0x01, 0x81, 0x00],
            false,
            Ok(&[0x90, 0x00]),
        );
        let removed = rutoken_client::TransportError::CardRemoved;
        t.record("attach", &[0x00, 0xA4, 0x00, 0x00], false, Err(&removed));
        let kinds: Vec<ExchangeKind> = t.exchanges.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [ExchangeKind::Apdu, ExchangeKind::TransportError]);
        assert!(t.exchanges[1].response.starts_with("error: "));
        // Reports keep their format: the kind is not serialised.
        let json = serde_json::to_value(&t.exchanges[1]).unwrap();
        assert_eq!(json.as_object().map(|o| o.len()), Some(3), "{json}");
    }

    #[test]
    fn other_commands_are_shown() {
        assert_eq!(
            mask_command(&[0x00, 0xCA, 0x01, 0x81, 0x00], false),
            "00 CA 01 81 00"
        );
        assert_eq!(
            mask_command(&[0x00, 0x2C, 0x03, 0x02], false),
            "00 2C 03 02"
        );
        assert_eq!(
            mask_command(&[0x00, 0xD6, 0x00, 0x00, 0x01, 0x33], true),
            "00 D6 00 00 01 **"
        );
    }
}
