//! General-purpose functions (PKCS#11 v2.40 §5.4): the module's life, `C_Initialize` to
//! `C_Finalize`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Module, Table};
use crate::slot::Readers;

impl Module {
    /// A module over `readers` (`C_Initialize`); lists them once.
    pub fn new(readers: Box<dyn Readers>) -> Module {
        let module = Module {
            readers,
            table: Mutex::new(Table {
                slots: Vec::new(),
                sessions: HashMap::new(),
                objects: HashMap::new(),
                handles: HashMap::new(),
                next_session: 1,
                next_object: 1,
                listed: false,
            }),
            finalized: AtomicBool::new(false),
        };
        // A failure here (no pcscd) leaves no slots; C_GetSlotList tries again.
        let _ = module.refresh_slots();
        module
    }

    /// `C_Finalize`: every session ends. It does not wait for a call that waits on a token
    /// (a SafeTouch press can take a minute): that call ends in an error when the token answers
    /// ([`Module::is_finalized`]).
    pub fn finalize(&self) {
        // Session secret keys live in token objects: deleted first (best effort), so an
        // application's exit leaves none behind. This waits for a token busy with another
        // call, which secret keys never are for long (no SafeTouch screen).
        self.delete_all_secret_keys();
        self.finalized.store(true, Ordering::SeqCst);
        let mut table = self.table();
        table.sessions.clear();
        table.objects.clear();
        table.handles.clear();
        for s in &mut table.slots {
            s.login = None;
        }
    }

    /// Whether `C_Finalize` ended this module.
    pub fn is_finalized(&self) -> bool {
        self.finalized.load(Ordering::SeqCst)
    }
}
