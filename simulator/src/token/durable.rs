//! The persistent state as the engine lends it to command handlers: read freely, written only
//! through [`Durable::make_mut`], which is how the engine learns that a command must be written
//! aside (issue 22 item 6: no handler sets a flag by hand, so none can forget it).
//!
//! The state sits behind an [`Arc`]: the rollback copy of a command and the image a
//! [`MemoryStorage`](super::storage::MemoryStorage) keeps are the same allocation until the
//! state is next changed, when [`Arc::make_mut`] copies it once (copy on write). Before this,
//! every command of a mutating row cloned the whole tree up front (18 % of an in-process flow,
//! issue 25).

use std::ops::Deref;
use std::sync::Arc;

use super::state::State;

/// The token's persistent state and whether the running command changed it.
pub(crate) struct Durable {
    state: Arc<State>,
    /// Set by [`Durable::make_mut`]; cleared by [`Durable::take_dirty`] when the state has been
    /// written or put back.
    dirty: bool,
}

impl Durable {
    /// Wraps a state just loaded or built (nothing to write yet).
    pub(crate) fn new(state: State) -> Durable {
        Durable {
            state: Arc::new(state),
            dirty: false,
        }
    }

    /// Wraps a state a storage already holds (nothing to write yet).
    pub(crate) fn shared(state: Arc<State>) -> Durable {
        Durable {
            state,
            dirty: false,
        }
    }

    /// The state, to change: the command is marked as one to write aside, and the state is
    /// copied first if a rollback copy or a written image still shares it.
    pub(crate) fn make_mut(&mut self) -> &mut State {
        self.dirty = true;
        Arc::make_mut(&mut self.state)
    }

    /// A handle on the state as it is now (for a rollback or an image to keep); costs a
    /// reference count, the copy is made by the next [`Durable::make_mut`].
    pub(crate) fn share(&self) -> Arc<State> {
        Arc::clone(&self.state)
    }

    /// Puts back a state taken with [`Durable::share`] (a rejected command).
    pub(crate) fn restore(&mut self, state: Arc<State>) {
        self.state = state;
    }

    /// True when the state was taken mutably since the last write; clears the mark.
    pub(crate) fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// True when the state was taken mutably since the last write.
    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty
    }
}

impl Deref for Durable {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            serial: [1; 8],
            finalised: false,
            mf: None,
        }
    }

    #[test]
    fn reading_does_not_mark_writing_does() {
        let mut d = Durable::new(state());
        assert!(!d.finalised);
        assert!(!d.is_dirty());
        d.make_mut().finalised = true;
        assert!(d.is_dirty());
        assert!(d.take_dirty());
        assert!(!d.take_dirty());
    }

    #[test]
    fn a_shared_state_is_copied_before_it_changes_and_can_be_put_back() {
        let mut d = Durable::new(state());
        let before = d.share();
        d.make_mut().finalised = true;
        assert!(
            !before.finalised,
            "the copy kept for a rollback did not change"
        );
        assert!(d.finalised);
        d.restore(before);
        assert!(!d.finalised);
    }
}
