//! The module over an emulated token in process, no PC/SC: one reader holding a shared card,
//! every connection a new client over it (as pcscd gives each application its own handle).
#![allow(dead_code, reason = "shared by several test files")]

use cryptoki_sys::{
    CK_ATTRIBUTE_TYPE, CK_FLAGS, CK_SESSION_HANDLE, CKF_RW_SESSION, CKF_SERIAL_SESSION, CKU_USER,
};
use rutoken_client::transport::InProcess;
use rutoken_pkcs11::attribute::{Attribute, Template};
use rutoken_pkcs11::device::Device;
use rutoken_pkcs11::error::Error;
use rutoken_pkcs11::module::Module;
use rutoken_pkcs11::settings::Settings;
use rutoken_pkcs11::slot::{ReaderState, Readers};
use rutoken_sim::Card;
use rutoken_sim::control::TokenSlot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

/// The factory user PIN the personalised fixture keeps (`docs/assumptions.md`,
/// `token.factory_user_pin`).
pub const USER_PIN: &[u8] = b"12345678";
/// A read-write session's flags.
pub const RW: CK_FLAGS = CKF_SERIAL_SESSION | CKF_RW_SESSION;

/// One reader holding the shared card.
pub struct OneToken<C: Card + Clone + Sync + 'static> {
    slot: C,
    settings: Settings,
}

impl<C: Card + Clone + Sync + 'static> Readers for OneToken<C> {
    fn readers(&self) -> Result<Vec<ReaderState>, Error> {
        Ok(vec![ReaderState {
            name: "in-process".to_owned(),
            atr: Some(self.slot.atr()),
        }])
    }
    fn open(&self, _reader: &str) -> Result<Device, Error> {
        Device::attach(
            InProcess::new(self.slot.clone()),
            self.settings.config.clone(),
            self.settings.words,
        )
    }
}

/// A module whose one slot holds `slot`, with the default profile's settings.
pub fn module<C: Card + Clone + Sync + 'static>(slot: &C) -> Module {
    Module::new(Box::new(OneToken {
        slot: slot.clone(),
        settings: Settings::from_profile(&DeviceProfile::default()),
    }))
}

/// A module over the personalised fixture (seed 7), the token's slot, and a read-write
/// session logged in as the user.
pub fn personalised() -> (Module, TokenSlot, CK_SESSION_HANDLE) {
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let slot = TokenSlot::new(token);
    let m = module(&slot);
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, USER_PIN).unwrap();
    (m, slot, s)
}

/// A template from `(type, value)` pairs.
pub fn template(attrs: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> Template {
    Template(
        attrs
            .iter()
            .map(|(k, v)| Attribute {
                kind: *k,
                value: v.clone(),
            })
            .collect(),
    )
}
