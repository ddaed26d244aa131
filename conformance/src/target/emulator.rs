//! `--target emulator`: a fresh token per scenario, its image kept in memory, inside a SafeTouch with scripted
//! buttons, in process (no pcscd). The press a scenario wants is queued before the signing APDU
//! (`ScriptedButtons`); the screens come from the SafeTouch's event log.

use std::collections::BTreeSet;

use rutoken_client::{Transport, TransportError};
use rutoken_sim::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{EventKind, Press, SafeTouch, ScriptedButtons};
use rutoken_sim::token::storage::MemoryStorage;
use rutoken_sim::token::{Fixture, Token};

use super::{Target, TargetError};
use crate::scenario::step::PressAction;
use crate::scenario::{Capability, FixtureName};

/// Rebuilds the card from its image, as the token comes back after losing power: what
/// survives is what the token wrote to its storage, never its live memory.
pub type Restarter<C> = Box<dyn FnMut(&C) -> Result<C, TargetError> + Send>;

/// A card inside a SafeTouch, in process.
pub struct EmulatorTarget<C: Card> {
    safetouch: SafeTouch<C>,
    buttons: ScriptedButtons,
    present: bool,
    events_seen: usize,
    restart: Option<Restarter<C>>,
}

/// Opens the emulator for a scenario: a fresh token from `fixture`, seeded, its image in memory
/// (`MemoryStorage`), in a SafeTouch configured by the device profile.
pub fn open(
    fixture: FixtureName,
    seed: u64,
    profile: &DeviceProfile,
) -> Result<Box<dyn Target>, TargetError> {
    let fixture = match fixture {
        FixtureName::Factory => Fixture::Factory,
        FixtureName::Personalised => Fixture::Personalised,
    };
    // The image in memory: the token persists every change as with a file (same encoding,
    // same failures), without the disk; a restart reads it back.
    let storage = MemoryStorage::new("<in-process image>");
    let token = Token::create_in(
        Box::new(storage.clone()),
        fixture,
        seed,
        profile.token.clone(),
    )
    .map_err(|e| TargetError::Transport(format!("the emulator's {fixture} token: {e}")))?
    .seeded(seed);
    let token_profile = profile.token.clone();
    // Each power-up draws fresh random numbers, reproducibly: a reloaded token must not repeat
    // the key material it generated before.
    let mut power_ups = 0u64;
    // Power cut, pull, restart: the token is rebuilt from its image (RAM state — logins,
    // selected files, pending hashes — is lost), as `sim` does after a restart.
    let restart: Restarter<Token> = Box::new(move |_old: &Token| {
        power_ups += 1;
        Token::open_storage(Box::new(storage.clone()), token_profile.clone())
            .map(|t| t.seeded(seed.wrapping_add(power_ups.wrapping_mul(0x9E37_79B9_7F4A_7C15))))
            .map_err(|e| TargetError::Transport(e.to_string()))
    });
    Ok(Box::new(EmulatorTarget::new(
        token,
        profile.safetouch.clone(),
        Some(restart),
    )))
}

impl<C: Card + 'static> EmulatorTarget<C> {
    /// Wraps `card` in a SafeTouch with `profile`; `restart` rebuilds the card from its image.
    pub fn new(
        card: C,
        profile: rutoken_sim::safetouch::SafeTouchProfile,
        restart: Option<Restarter<C>>,
    ) -> Self {
        let buttons = ScriptedButtons::new();
        let safetouch = SafeTouch::new(card, profile, Box::new(buttons.clone()));
        EmulatorTarget {
            safetouch,
            buttons,
            present: true,
            events_seen: 0,
            restart,
        }
    }

    /// After a power loss: the card as its image file keeps it (unchanged without an image).
    fn reload(&mut self) -> Result<(), TargetError> {
        if let Some(restart) = self.restart.as_mut() {
            let fresh = restart(self.safetouch.inner())?;
            *self.safetouch.inner_mut() = fresh;
        }
        Ok(())
    }

    /// The SafeTouch (for tests: its screen and events).
    pub fn safetouch(&self) -> &SafeTouch<C> {
        &self.safetouch
    }
}

impl<C: Card + 'static> Transport for EmulatorTarget<C> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        Ok(self.safetouch.transmit(command))
    }

    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(self.connect()?)
    }
}

impl<C: Card + 'static> Target for EmulatorTarget<C> {
    fn name(&self) -> String {
        "emulator".to_owned()
    }

    fn capabilities(&self) -> BTreeSet<Capability> {
        let mut caps = BTreeSet::from([
            Capability::Buttons,
            Capability::Screen,
            Capability::PowerCycle,
            Capability::Reset,
            Capability::Pull,
            Capability::FreshToken,
        ]);
        if self.restart.is_some() {
            caps.insert(Capability::Restart);
        }
        caps
    }

    fn connect(&mut self) -> Result<Vec<u8>, TargetError> {
        if !self.present {
            return Err(TargetError::NoCard);
        }
        self.safetouch.power_on();
        Ok(self.safetouch.atr())
    }

    fn arrange_press(
        &mut self,
        press: PressAction,
        _expected_screen: &[String],
    ) -> Result<(), TargetError> {
        self.buttons.push(match press {
            PressAction::Confirm => Press::Confirm,
            PressAction::Reject => Press::Reject,
            PressAction::Timeout => Press::Timeout,
        });
        Ok(())
    }

    fn take_screens(&mut self) -> Option<Vec<String>> {
        let events = self.safetouch.events();
        let new = events.get(self.events_seen..).unwrap_or_default();
        let shown = new
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Shown { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        self.events_seen = events.len();
        Some(shown)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        if !self.present {
            return Err(TargetError::NoCard);
        }
        self.safetouch.power_off();
        self.reload()?;
        self.safetouch.power_on();
        Ok(())
    }

    fn reset(&mut self) -> Result<(), TargetError> {
        if !self.present {
            return Err(TargetError::NoCard);
        }
        self.safetouch.reset();
        Ok(())
    }

    fn pull(&mut self) -> Result<(), TargetError> {
        self.safetouch.power_off();
        self.present = false;
        Ok(())
    }

    fn insert(&mut self) -> Result<(), TargetError> {
        self.present = true;
        self.reload()?;
        self.safetouch.power_on();
        Ok(())
    }

    fn restart(&mut self) -> Result<(), TargetError> {
        if self.restart.is_none() {
            return Err(TargetError::Unsupported("restart this emulator"));
        }
        self.safetouch.power_off();
        self.reload()?;
        self.safetouch.power_on();
        Ok(())
    }
}
