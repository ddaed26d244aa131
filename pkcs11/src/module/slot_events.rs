//! `C_WaitForSlotEvent` (PKCS#11 v2.40 §5.5): a token inserted into or pulled from a reader,
//! as pcscd reports it.

use std::time::Duration;

use cryptoki_sys::*;

use super::Module;
use crate::error::{Error, fail};

/// How long one wait on pcscd lasts before the module checks for `C_Finalize` again.
const POLL: Duration = Duration::from_millis(500);

impl Module {
    /// `C_WaitForSlotEvent`: the slot of the oldest event not yet reported; with `dont_block`
    /// `CKR_NO_EVENT` when there is none, otherwise it waits for one (`C_Finalize` ends the
    /// wait with `CKR_CRYPTOKI_NOT_INITIALIZED`).
    pub fn wait_for_slot_event(&self, dont_block: bool) -> Result<CK_SLOT_ID, Error> {
        loop {
            self.refresh_slots()?;
            if let Some(slot) = self.table().take_event() {
                return Ok(slot);
            }
            if dont_block {
                return fail(CKR_NO_EVENT);
            }
            if self.is_finalized() {
                return fail(CKR_CRYPTOKI_NOT_INITIALIZED);
            }
            self.readers.wait(POLL)?;
        }
    }
}

impl super::Table {
    /// The first slot with an event not yet reported; the event is reported now.
    fn take_event(&mut self) -> Option<CK_SLOT_ID> {
        let (id, slot) = self.slots.iter_mut().enumerate().find(|(_, s)| s.event)?;
        slot.event = false;
        Some(id as CK_SLOT_ID)
    }
}
