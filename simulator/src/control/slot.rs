//! The token's place in the reader, shared by the card thread (which drives it as a [`Card`])
//! and the control socket (which puts another token in it for `load` and `restart`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::card::Card;
use crate::token::{Fixture, Token, TokenError, TokenProfile};

/// A token that can be swapped for another while the card thread holds the slot.
#[derive(Clone)]
pub struct TokenSlot {
    token: Arc<Mutex<Token>>,
}

impl std::fmt::Debug for TokenSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSlot")
            .field("token", &*self.lock())
            .finish()
    }
}

impl TokenSlot {
    /// Puts `token` in the slot.
    pub fn new(token: Token) -> Self {
        TokenSlot {
            token: Arc::new(Mutex::new(token)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Token> {
        self.token.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the token in the slot.
    pub fn with<R>(&self, f: impl FnOnce(&mut Token) -> R) -> R {
        f(&mut self.lock())
    }

    /// Puts `token` in the slot and returns the one that was there.
    pub fn replace(&self, token: Token) -> Token {
        std::mem::replace(&mut *self.lock(), token)
    }
}

impl Card for TokenSlot {
    fn atr(&self) -> Vec<u8> {
        self.lock().atr()
    }
    fn power_on(&mut self) {
        self.lock().power_on();
    }
    fn power_off(&mut self) {
        self.lock().power_off();
    }
    fn reset(&mut self) {
        self.lock().reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.lock().transmit(command)
    }
}

/// What `load` and `restart` need: the slot, the profile new tokens get, and the image file.
#[derive(Debug, Clone)]
pub struct TokenControl {
    /// The token in the reader.
    pub slot: TokenSlot,
    /// The profile of every token put in the slot.
    pub profile: TokenProfile,
    /// The image file (`sim --image`); `None` for an in-memory token.
    pub image: Option<PathBuf>,
}

impl TokenControl {
    /// A fresh token from `fixture` and `seed`; with an image file, the file is rewritten
    /// (atomically) to hold it.
    pub fn fresh(&self, fixture: Fixture, seed: u64) -> Result<Token, TokenError> {
        match &self.image {
            Some(path) => Token::create_image_with(path, fixture, seed, self.profile.clone(), true),
            None => Token::in_memory(fixture, seed, self.profile.clone()),
        }
    }

    /// The token as an emulator restart finds it: read back from the image file, or for an
    /// in-memory token from a snapshot of its state. Nothing of its RAM state survives.
    pub fn reloaded(&self) -> Result<Token, TokenError> {
        match &self.image {
            Some(path) => Token::open_image(path, self.profile.clone()),
            None => {
                let snapshot = self.slot.with(|t| t.snapshot())?;
                Token::from_snapshot(&snapshot, self.profile.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swapped_token_answers_in_the_slot() {
        let profile = TokenProfile::default();
        let first = Token::in_memory(Fixture::Factory, 0, profile.clone()).unwrap();
        let mut slot = TokenSlot::new(first);
        let control = TokenControl {
            slot: slot.clone(),
            profile: profile.clone(),
            image: None,
        };
        let before = slot.with(|t| t.serial());
        let old = control
            .slot
            .replace(control.fresh(Fixture::Factory, 5).unwrap());
        assert_eq!(old.serial(), before);
        assert_ne!(slot.with(|t| t.serial()), before);
        // GET DATA serial through the slot as a Card: the new token answers.
        slot.power_on();
        let answer = slot.transmit(&[0x00, 0xCA, 0x01, 0x81, 0x00]);
        assert_eq!(answer[answer.len() - 2..], [0x90, 0x00]);
        assert_eq!(answer[..8], slot.with(|t| t.serial()));
        let restarted = control.reloaded().unwrap();
        assert_eq!(restarted.serial(), slot.with(|t| t.serial()));
    }
}
