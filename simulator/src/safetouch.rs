//! The virtual SafeTouch (`shared/spec/safetouch.md`, "The model"): a reader with a screen and
//! Confirm/Reject buttons around the token. It forwards every APDU unchanged, watches on-token
//! hashing (PSO: HASH, `2A 90 80`, chained with CLA `10`), and holds the following PSO: COMPUTE
//! DIGITAL SIGNATURE (`2A 9E 9A`) until a person presses a button, showing what is signed.

mod document;
mod pinpad;

use rutoken_apdu::CommandView;

pub use document::{Shown, classify, encode_tlv, hash_only_rows};
pub use rutoken_device::profile::{
    DocumentTitle, HashOnlyPolicy, SafeTouchProfile, TlvField, TlvTags,
};
// The screen, buttons, event log and monitor are the device model host code shares
// (`rutoken-device`); re-exported here under their old paths.
pub use rutoken_device::safetouch::{
    Buttons, ChannelButtons, Clock, Event, EventKind, Press, PressError, PressSender,
    SafeTouchMonitor, Screen, ScriptedButtons, UnattendedButtons,
};

use crate::card::Card;
use crate::token::command::{Command, Gate};

/// The status word of a response APDU (its last two bytes), `None` when shorter than two bytes.
fn status_word(response: &[u8]) -> Option<u16> {
    match response {
        [.., sw1, sw2] => Some(u16::from_be_bytes([*sw1, *sw2])),
        _ => None,
    }
}

/// More data than any document the device could show; beyond it the data counts as "anything
/// else" (hash-only policy). Ours.
const MAX_DOCUMENT: usize = 1 << 20;

/// Whether a SafeTouch holds `command` until a person presses a button (the last piece of a
/// PSO: COMPUTE DIGITAL SIGNATURE, the command table's `Gate::Confirm`): its round trip through
/// a real SafeTouch includes the person. A relay marks such records so their time is not read
/// as the card's.
pub fn waits_for_press(command: &[u8]) -> bool {
    CommandView::parse(command).is_ok_and(|view| {
        !view.chained()
            && Command::from_header(view.cla, view.ins, view.p1, view.p2)
                .is_ok_and(|c| c.spec().gate == Gate::Confirm)
    })
}

/// What the SafeTouch has seen of the current on-token hash.
#[derive(Debug, Default)]
struct HashWatch {
    /// Data of the hash chain in progress.
    collecting: Vec<u8>,
    /// The last command of the chain had the chaining bit.
    in_chain: bool,
    /// More than [`MAX_DOCUMENT`] bytes: not a document.
    overflow: bool,
    /// A finished hash, waiting for the signature command: the document's rows, or for
    /// anything else the digest the token computed (empty when the token gave none).
    document: Option<Shown>,
}

/// The SafeTouch around a card; itself a [`Card`].
pub struct SafeTouch<C: Card> {
    inner: C,
    profile: SafeTouchProfile,
    buttons: Box<dyn Buttons>,
    monitor: SafeTouchMonitor,
    clock: Clock,
    hash: HashWatch,
    screens_shown: u64,
}

impl<C: Card> std::fmt::Debug for SafeTouch<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeTouch")
            .field("screen", &self.screen())
            .finish_non_exhaustive()
    }
}

impl<C: Card> SafeTouch<C> {
    /// Puts `inner` into a SafeTouch configured by `profile`, its buttons pressed by `buttons`.
    pub fn new(inner: C, profile: SafeTouchProfile, buttons: Box<dyn Buttons>) -> Self {
        SafeTouch {
            monitor: SafeTouchMonitor::new(profile.rows, profile.columns),
            inner,
            profile,
            buttons,
            clock: Clock::start(),
            hash: HashWatch::default(),
            screens_shown: 0,
        }
    }

    /// The screen now.
    pub fn screen(&self) -> Screen {
        self.monitor.screen()
    }
    /// Every screen shown and every press, with time stamps.
    pub fn events(&self) -> Vec<Event> {
        self.monitor.events()
    }
    /// A handle for other threads to watch the screen and the events.
    pub fn monitor(&self) -> SafeTouchMonitor {
        self.monitor.clone()
    }
    /// The card inside.
    pub fn inner(&self) -> &C {
        &self.inner
    }
    /// The card inside, mutably.
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    fn record(&self, kind: EventKind) {
        self.monitor.record(self.clock.event(kind));
    }

    fn set_screen(&self, screen: Screen) {
        self.monitor.show(screen);
    }

    fn sw(sw: u16) -> Vec<u8> {
        sw.to_be_bytes().to_vec()
    }

    fn on_hash(&mut self, view: &CommandView<'_>, command: &[u8]) -> Vec<u8> {
        let watch = &mut self.hash;
        if !watch.in_chain {
            watch.collecting.clear();
            watch.overflow = false;
            watch.document = None;
        }
        if watch.collecting.len() + view.data.len() > MAX_DOCUMENT {
            watch.overflow = true;
            watch.collecting.clear();
        } else if !watch.overflow {
            watch.collecting.extend_from_slice(view.data);
        }
        watch.in_chain = view.chained();
        // The last piece: decide what the screen will show before the token finishes.
        let shown = (!watch.in_chain).then(|| {
            if watch.overflow {
                // An overflowing document is "anything else".
                Shown::HashOnly(Vec::new())
            } else {
                classify(&watch.collecting, &self.profile)
            }
        });
        // Anything but a document is shown as the digest the token signs (issue 23): the
        // device takes it from its token by asking for it (Le) and keeps it from the host,
        // who did not ask (`docs/assumptions.md`, row `safetouch.hash_preview_bytes`).
        let ask_digest = matches!(shown, Some(Shown::HashOnly(_)))
            && view.le.is_none()
            && self.profile.hash_only_policy == HashOnlyPolicy::Ask;
        let with_le = ask_digest
            .then(|| {
                let mut owned = view.to_owned();
                owned.le = Some(if view.extended { 65_536 } else { 256 });
                owned.to_bytes().ok()
            })
            .flatten();
        let response = self.inner.transmit(with_le.as_deref().unwrap_or(command));
        let watch = &mut self.hash;
        if status_word(&response) != Some(0x9000) {
            *watch = HashWatch::default();
            return response;
        }
        watch.document = match shown {
            Some(Shown::HashOnly(_)) => {
                watch.collecting.clear();
                let digest = response.get(..response.len().saturating_sub(2));
                Some(Shown::HashOnly(digest.unwrap_or_default().to_vec()))
            }
            Some(document) => {
                watch.collecting.clear();
                Some(document)
            }
            None => None,
        };
        if with_le.is_some() {
            return Self::sw(0x9000);
        }
        response
    }

    fn on_sign(&mut self, view: &CommandView<'_>, command: &[u8]) -> Vec<u8> {
        let document = self.hash.document.take();
        let shown = if view.data.is_empty() {
            match document {
                // Hashed data, but the token kept its digest: nothing true to show.
                Some(Shown::HashOnly(digest))
                    if digest.is_empty()
                        && self.profile.hash_only_policy == HashOnlyPolicy::Ask =>
                {
                    self.record(EventKind::Refused {
                        reason: "the token gave no digest to show".into(),
                    });
                    return Self::sw(self.profile.reject_sw);
                }
                Some(shown) => shown,
                None => Shown::HashOnly(Vec::new()),
            }
        } else {
            Shown::HashOnly(view.data.to_vec())
        };
        let rows = match shown {
            Shown::Document(rows) => rows,
            Shown::HashOnly(preview) => match self.profile.hash_only_policy {
                HashOnlyPolicy::Pass => return self.inner.transmit(command),
                HashOnlyPolicy::Refuse => {
                    self.record(EventKind::Refused {
                        reason: "hash-only policy: refuse".into(),
                    });
                    return Self::sw(self.profile.reject_sw);
                }
                HashOnlyPolicy::Ask => document::hash_only_rows(&preview, &self.profile),
            },
        };
        self.screens_shown += 1;
        let mut screen = Screen::render(&rows, self.profile.rows, self.profile.columns, true);
        screen.id = self.screens_shown;
        self.set_screen(screen.clone());
        self.record(EventKind::Shown {
            text: screen.text(),
        });
        let press = self.buttons.wait_for_press(&screen, self.profile.timeout());
        self.record(EventKind::Pressed { press });
        self.set_screen(Screen::idle(self.profile.rows, self.profile.columns));
        match press {
            Press::Confirm => self.inner.transmit(command),
            Press::Reject => Self::sw(self.profile.reject_sw),
            Press::Timeout => Self::sw(self.profile.timeout_sw),
        }
    }
}

impl<C: Card> Card for SafeTouch<C> {
    fn atr(&self) -> Vec<u8> {
        self.inner.atr()
    }
    fn power_on(&mut self) {
        self.inner.power_on();
    }
    fn power_off(&mut self) {
        self.hash = HashWatch::default();
        self.inner.power_off();
    }
    fn reset(&mut self) {
        self.hash = HashWatch::default();
        self.inner.reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        // What to do is the token's command table's `gate` (PSO: HASH collects, PSO: CDS
        // confirms). Any other APDU, even one that does not parse, ends a hash chain in
        // progress, as it does in the token: what is shown stays what is hashed.
        let view = CommandView::parse(command).ok();
        let gate = view
            .and_then(|v| Command::from_header(v.cla, v.ins, v.p1, v.p2).ok())
            .map_or(Gate::Pass, |c| c.spec().gate);
        match (view, gate) {
            (Some(view), Gate::Collect) => self.on_hash(&view, command),
            (Some(view), Gate::Confirm) if !view.chained() => {
                self.hash.in_chain = false;
                self.on_sign(&view, command)
            }
            _ => {
                self.hash.in_chain = false;
                self.inner.transmit(command)
            }
        }
    }
}
