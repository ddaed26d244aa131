//! The one token slot the bridge serves: the device, whether it is inserted, and whether the
//! page logged in. Token operations run one at a time on blocking threads (a SafeTouch screen
//! holds its operation until a press); pulling and inserting never wait for them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rutoken_client::DriverError;

use crate::device::Device;
use crate::panel::PanelInput;
use crate::plugin_error::PluginError;

/// The device id the page sees: the plugin numbers PKCS#11 slots from 0.
pub const DEVICE_ID: u64 = 0;

/// What an operation holds while it runs.
pub struct Session {
    /// The token.
    pub device: Device,
    /// The page logged in (and has not logged out since, nor pulled the token).
    pub logged_in: bool,
    /// The PIN `savePin` kept (the plugin's PIN cache): after a pull and insert the bridge
    /// logs in with it again, as the plugin does for a page that cached its PIN. Cleared by
    /// `removePin`, by `logout` and by a wrong PIN. Never logged; zeroized when dropped.
    pub pin_cache: Option<zeroize::Zeroizing<String>>,
    /// The PIN of the current login (what `savePin` caches). Zeroized when dropped.
    pub login_pin: Option<zeroize::Zeroizing<String>>,
    /// The insertion this session has seen (a new one resets it).
    generation: u64,
}

/// The slot: shared by every connection.
pub struct Slot {
    session: Mutex<Session>,
    present: Arc<AtomicBool>,
    generation: AtomicU64,
    panel: Mutex<Option<std::sync::mpsc::Sender<PanelInput>>>,
}

impl Slot {
    /// A slot holding `device`; `present` is its "inserted" flag (shared with the panel's
    /// buttons), `panel` reaches the SafeTouch's buttons (to cut a waiting screen short when
    /// the token is pulled).
    pub fn new(
        device: Device,
        present: Arc<AtomicBool>,
        panel: Option<std::sync::mpsc::Sender<PanelInput>>,
    ) -> Arc<Self> {
        Arc::new(Slot {
            session: Mutex::new(Session {
                device,
                logged_in: false,
                pin_cache: None,
                login_pin: None,
                generation: 0,
            }),
            present,
            generation: AtomicU64::new(0),
            panel: Mutex::new(panel),
        })
    }

    /// Inserted now.
    pub fn present(&self) -> bool {
        self.present.load(Ordering::SeqCst)
    }

    /// Pulls the token: operations from now on find no device; a screen waiting for a press
    /// ends (the SafeTouch loses its token).
    pub fn pull(&self) {
        self.present.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(tx) = self
            .panel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            // The buttons are gone only when the device is: nothing to cut short then.
            let _ = tx.send(PanelInput::Pulled);
        }
    }

    /// Inserts the token again (powered afresh: no access rights).
    pub fn insert(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.present.store(true, Ordering::SeqCst);
    }

    /// Runs `op` on the session if the token is in; maps a pull during `op` to `Removed`.
    pub fn with_session<T>(
        &self,
        op: impl FnOnce(&mut Session) -> Result<T, PluginError>,
    ) -> Result<T, PluginError> {
        let mut session = self.lock();
        if !self.present() {
            return Err(DriverError::Removed.into());
        }
        let generation = self.generation.load(Ordering::SeqCst);
        if session.generation != generation {
            // Re-inserted since the last operation: a fresh power-up.
            session.logged_in = false;
            session.generation = generation;
            session.device.power_cycle();
            if let Some(pin) = session.pin_cache.clone() {
                // The cached PIN logs in again; a PIN that stopped working leaves the cache.
                match session.device.login(&pin) {
                    Ok(()) => {
                        session.logged_in = true;
                        session.login_pin = Some(pin);
                    }
                    Err(_) => session.pin_cache = None,
                }
            }
        }
        let result = op(&mut session);
        if self.generation.load(Ordering::SeqCst) != generation {
            session.logged_in = false;
            return Err(DriverError::Removed.into());
        }
        result
    }

    fn lock(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
