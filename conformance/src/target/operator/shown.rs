//! What a real SafeTouch will show for the signature the runner is about to send, worked out as
//! the emulated SafeTouch does (`rutoken_sim::safetouch`): the data hashed on the token (PSO:
//! HASH, chained pieces collected), classified by the same code (`classify`, the hash-only rows)
//! and laid out on the profile's rows × columns by the same renderer (`Screen::render`). The
//! operator is then shown exactly the emulator's screen, every page.

use rutoken_apdu::CommandView;
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
}

impl HashWatch {
    /// Looks at a command before it is sent. For the signature the SafeTouch holds for a press,
    /// `Some(screen)`: what it will show (`None` inside: it shows nothing and passes or refuses
    /// the command by its hash-only policy).
    pub fn before(&mut self, command: &[u8], profile: &SafeTouchProfile) -> Option<Option<Screen>> {
        self.hashing = false;
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
        if !std::mem::take(&mut self.hashing) {
            return;
        }
        if !response.ends_with(&[0x90, 0x00]) {
            *self = HashWatch::default();
        } else if !self.in_chain {
            let data = std::mem::take(&mut self.collecting);
            self.document = Some(if self.overflow { Vec::new() } else { data });
        }
    }

    fn screen(&mut self, view: &CommandView<'_>, profile: &SafeTouchProfile) -> Option<Screen> {
        let document = self.document.take();
        let shown = if view.data.is_empty() {
            match document {
                Some(data) => classify(&data, profile),
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
}
