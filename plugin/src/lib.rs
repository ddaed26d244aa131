//! `rutoken-lab plugin`: the Rutoken Plugin's JavaScript API in a real browser. A loopback
//! WebSocket bridge serves a script that provides the plugin object the way Aktiv's loader
//! (the `rutoken` npm package) looks for it, and carries every call to a token: the in-process
//! emulator inside its SafeTouch (whose buttons the web panel presses), or a reader on PC/SC.
#![forbid(unsafe_code)]

pub mod api;
pub mod args;
pub mod backend;
pub mod bank;
pub mod certinfo;
mod certs;
pub mod cms;
pub mod codes;
pub mod der_walk;
pub mod device;
pub mod envelope;
mod error;
pub mod extension;
mod files;
mod info;
mod keys;
pub mod methods;
pub mod panel;
mod pem;
mod pins;
mod pkcs10;
mod plugin_error;
pub mod server;
mod signing;
pub mod slot;
mod tsp;
mod verify;

pub use error::BridgeError;
