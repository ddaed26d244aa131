//! What a real SafeTouch will show for the signature the runner is about to send, worked out as
//! the emulated SafeTouch does (`rutoken_sim::safetouch`): the data hashed on the token (PSO:
//! HASH, chained pieces collected), classified by the same code (`classify`, the hash-only rows)
//! and laid out on the profile's rows × columns by the same renderer (`Screen::render`). The
//! operator is then shown exactly the emulator's screen, every page.

use gost::DigestAlgorithm;
use rutoken_apdu::CommandView;
use rutoken_client::ClientConfig;
use rutoken_client::files::Fcp;
use rutoken_sim::safetouch::{
    HashOnlyPolicy, SafeTouchProfile, Screen, Shown, classify, hash_only_rows,
};
use rutoken_sim::token::command::{Command, Gate};

/// More data than any document the device could show; beyond it the data counts as "anything
/// else" (the emulated SafeTouch's own limit, `MAX_DOCUMENT` of `rutoken_sim::safetouch`).
const MAX_DOCUMENT: usize = 1 << 20;

/// The hash chain as the SafeTouch follows it.
#[derive(Debug, Default)]
pub struct HashWatch {
    collecting: Vec<u8>,
    in_chain: bool,
    overflow: bool,
    document: Option<Vec<u8>>,
    /// The command on its way is a hash piece (its answer decides what is kept).
    hashing: bool,
    /// The command on its way is a SELECT (its FCP may name a key's algorithm).
    selecting: bool,
    /// The digest of the key selected last (by its FCP's key code): what the token hashes
    /// with, and so what the device shows for data that is not a document. Without a known
    /// key, Streebog-256 (the bank's keys).
    key_digest: Option<DigestAlgorithm>,
    /// The key codes (the FCP's attribute-85 byte 1) of the device profile's
    /// `token.gost_key_codes`, which name each key's algorithm.
    config: Option<ClientConfig>,
    /// The digest of the chain in progress, over every piece (a chain too long to be a
    /// document is still hashed whole, as the token does).
    hasher: Option<Running>,
    /// The digest of the finished chain: what the device shows when it is not a document.
    digest: Option<Vec<u8>>,
}

/// A running hash (the gost hasher shows nothing of its state).
#[derive(Clone)]
struct Running(gost::Hasher);

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

/// INS of SELECT (ISO/IEC 7816-4 §11.2.2).
const INS_SELECT: u8 = 0xA4;

impl HashWatch {
    /// A watch that tells keys' algorithms by `config`'s key codes.
    pub fn new(config: ClientConfig) -> Self {
        HashWatch {
            config: Some(config),
            ..HashWatch::default()
        }
    }

    /// Looks at a command before it is sent. For the signature the SafeTouch holds for a press,
    /// `Some(screen)`: what it will show (`None` inside: it shows nothing and passes or refuses
    /// the command by its hash-only policy).
    pub fn before(&mut self, command: &[u8], profile: &SafeTouchProfile) -> Option<Option<Screen>> {
        self.hashing = false;
        self.selecting = command.get(1) == Some(&INS_SELECT);
        // As the device: any other command, even one that does not parse, ends a hash chain.
        let view = CommandView::parse(command).ok();
        let gate = view
            .and_then(|v| Command::from_header(v.cla, v.ins, v.p1, v.p2).ok())
            .map_or(Gate::Pass, |c| c.spec().gate);
        match (view, gate) {
            (Some(view), Gate::Collect) => {
                if !self.in_chain {
                    self.collecting.clear();
                    self.overflow = false;
                    self.document = None;
                    self.digest = None;
                    let digest = self.key_digest.unwrap_or(DigestAlgorithm::Streebog256);
                    self.hasher = Some(Running(digest.hasher()));
                }
                if let Some(Running(hasher)) = &mut self.hasher {
                    hasher.update(view.data);
                }
                if self.collecting.len() + view.data.len() > MAX_DOCUMENT {
                    self.overflow = true;
                    self.collecting.clear();
                } else if !self.overflow {
                    self.collecting.extend_from_slice(view.data);
                }
                self.in_chain = view.chained();
                self.hashing = true;
                None
            }
            (Some(view), Gate::Confirm) if !view.chained() => {
                self.in_chain = false;
                Some(self.screen(&view, profile))
            }
            _ => {
                self.in_chain = false;
                None
            }
        }
    }

    /// The answer to the command [`before`](Self::before) saw: a finished hash keeps its data as
    /// the document; a refused piece drops the chain.
    pub fn after(&mut self, response: &[u8]) {
        if std::mem::take(&mut self.selecting)
            && let Some(fcp) = response.strip_suffix(&[0x90, 0x00])
            && let Ok(fcp) = Fcp::parse(fcp)
            && let Some(&code) = fcp.proprietary.get(1)
            && let Some((algorithm, _)) = self.config.as_ref().and_then(|c| c.key_of_code(code))
        {
            self.key_digest = Some(algorithm.digest());
        }
        if !std::mem::take(&mut self.hashing) {
            return;
        }
        if !response.ends_with(&[0x90, 0x00]) {
            // The chain is dropped; which key is selected stays.
            self.collecting.clear();
            self.in_chain = false;
            self.overflow = false;
            self.document = None;
            self.hasher = None;
            self.digest = None;
        } else if !self.in_chain {
            let data = std::mem::take(&mut self.collecting);
            self.document = Some(if self.overflow { Vec::new() } else { data });
            self.digest = self.hasher.take().map(|Running(h)| h.finalize());
        }
    }

    fn screen(&mut self, view: &CommandView<'_>, profile: &SafeTouchProfile) -> Option<Screen> {
        let document = self.document.take();
        let shown = if view.data.is_empty() {
            let digest = self.digest.take().unwrap_or_default();
            match document.map(|data| classify(&data, profile)) {
                Some(Shown::Document(rows)) => Shown::Document(rows),
                // Not a document: the device shows the digest the token computed over it.
                Some(Shown::HashOnly(_)) => Shown::HashOnly(digest),
                None => Shown::HashOnly(Vec::new()),
            }
        } else {
            Shown::HashOnly(view.data.to_vec())
        };
        let rows = match shown {
            Shown::Document(rows) => rows,
            Shown::HashOnly(preview) => match profile.hash_only_policy {
                HashOnlyPolicy::Ask => hash_only_rows(&preview, profile),
                HashOnlyPolicy::Pass | HashOnlyPolicy::Refuse => return None,
            },
        };
        Some(Screen::render(&rows, profile.rows, profile.columns, true))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use rutoken_sim::safetouch::encode_tlv;

    fn hash(data: &[u8], cla: u8) -> Vec<u8> {
        let mut c = vec![cla, 0x2A, 0x90, 0x80, u8::try_from(data.len()).unwrap()];
        c.extend_from_slice(data);
        c.push(0x00);
        c
    }

    const SIGN: [u8; 5] = [0x00, 0x2A, 0x9E, 0x9A, 0x00];

    #[test]
    fn a_chained_document_is_shown_as_the_emulator_shows_it() {
        let profile = SafeTouchProfile::default();
        let doc = encode_tlv(&[
            (0x01, b"CR"),
            (0x90, "04.02.2020".as_bytes()),
            (0x91, "Иванов Иван Иванович".as_bytes()),
        ]);
        let (a, b) = doc.split_at(10);
        let mut watch = HashWatch::default();
        assert!(watch.before(&hash(a, 0x10), &profile).is_none());
        watch.after(&[0x90, 0x00]);
        assert!(watch.before(&hash(b, 0x00), &profile).is_none());
        watch.after(&[0x90, 0x00]);
        let screen = watch.before(&SIGN, &profile).unwrap().unwrap();
        assert_eq!(
            screen.lines,
            [
                "Запрос на перевыпуск",
                "сертификата",
                "Дата: 04.02.2020",
                "Владелец: Иванов",
                "Иван Иванович"
            ]
        );
        assert_eq!(screen.page_count(), 2);
        // The document is used once: a second signature shows the hash-only question.
        let again = watch.before(&SIGN, &profile).unwrap().unwrap();
        assert_eq!(again.lines[0], "Подписать хэш?");
    }

    #[test]
    fn a_refused_hash_or_another_command_drops_the_document() {
        let profile = SafeTouchProfile::default();
        let mut watch = HashWatch::default();
        watch.before(&hash(&encode_tlv(&[(0x01, b"CR")]), 0x00), &profile);
        watch.after(&[0x6A, 0x80]);
        let screen = watch.before(&SIGN, &profile).unwrap().unwrap();
        assert_eq!(screen.lines, ["Подписать хэш?", ""]);
        // With the hash-only policy `pass` the device shows nothing for a bare hash.
        let pass = SafeTouchProfile {
            hash_only_policy: HashOnlyPolicy::Pass,
            ..SafeTouchProfile::default()
        };
        assert_eq!(watch.before(&SIGN, &pass), Some(None));
    }

    /// The operator's drawing against the emulated SafeTouch's own screen, for the same APDUs
    /// of the bank client: a document, and data that is none under a 2012-256 and a 2012-512
    /// key (the digest shown is the token's, by the selected key's algorithm).
    #[test]
    fn the_operator_sees_the_screen_the_emulated_device_shows() {
        use gost::{KeyAlgorithm, ParamSet};
        use rutoken_client::{Client, ClientConfig, InProcess, PinRole};
        use rutoken_sim::Card;
        use rutoken_sim::profile::DeviceProfile;
        use rutoken_sim::safetouch::{Press, SafeTouch, UnattendedButtons};
        use rutoken_sim::token::{Fixture, Token};

        struct Watched {
            device: SafeTouch<Token>,
            watch: HashWatch,
            profile: SafeTouchProfile,
            drawn: Vec<Screen>,
        }
        impl Card for Watched {
            fn atr(&self) -> Vec<u8> {
                self.device.atr()
            }
            fn power_on(&mut self) {
                self.device.power_on();
            }
            fn power_off(&mut self) {
                self.device.power_off();
            }
            fn reset(&mut self) {
                self.device.reset();
            }
            fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
                if let Some(Some(screen)) = self.watch.before(command, &self.profile) {
                    self.drawn.push(screen);
                }
                let response = self.device.transmit(command);
                self.watch.after(&response);
                response
            }
        }

        let profile = DeviceProfile::default();
        let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
        let buttons = UnattendedButtons(Press::Confirm);
        let card = Watched {
            device: SafeTouch::new(token, profile.safetouch.clone(), Box::new(buttons)),
            watch: HashWatch::new(ClientConfig::from_profile(&profile)),
            profile: profile.safetouch.clone(),
            drawn: Vec::new(),
        };
        let mut client = Client::new(InProcess::new(card), ClientConfig::from_profile(&profile));
        client.verify_pin(PinRole::User, "12345678").unwrap();
        let k512 = client
            .generate_key_pair_of(KeyAlgorithm::Gost2012_512, ParamSet::Gost512A, "k512")
            .unwrap()
            .reference;
        let document = encode_tlv(&[(0x01, b"CR"), (0x90, "04.02.2020".as_bytes())]);
        client.sign_document(1, &document).unwrap();
        client.sign_document(1, b"not a document").unwrap();
        client.sign_document(k512, &vec![0x5A; 700]).unwrap();
        let card = client.transport().card();
        let shown: Vec<String> = card
            .device
            .events()
            .into_iter()
            .filter_map(|e| match e.kind {
                rutoken_sim::safetouch::EventKind::Shown { text } => Some(text),
                _ => None,
            })
            .collect();
        let drawn: Vec<String> = card.drawn.iter().map(Screen::text).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert_eq!(drawn, shown);
        // The 512-bit key's screen carries a 64-byte digest (cut to the preview), the 256-bit
        // key's a 32-byte one: not the data.
        assert!(!drawn[1].contains("6E 6F"), "{}", drawn[1]);
        assert!(!drawn[2].contains("5A5A"), "{}", drawn[2]);
    }
}
