//! What the bridge's method-layer tests share: a software token double and a call helper.
#![allow(dead_code)]

pub mod soft;

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rutoken_plugin_bridge::api::{self, Connection};
use rutoken_plugin_bridge::device::Device;
use rutoken_plugin_bridge::slot::Slot;
use serde_json::Value;

/// A slot holding a fresh [`soft::SoftToken`] (the fixture owner's key and certificate, and
/// the second owner's).
pub fn setup() -> (Arc<Slot>, Mutex<Connection>) {
    let device = Device::new(Box::new(soft::SoftToken::new()), "soft", true, 10);
    let slot = Slot::new(device, Arc::new(AtomicBool::new(true)), None);
    (slot, Mutex::new(Connection::default()))
}

/// One method call; the error's code.
pub fn call(
    slot: &Slot,
    conn: &Mutex<Connection>,
    method: &str,
    params: Value,
) -> Result<Value, u32> {
    let params = params.as_array().cloned().unwrap_or_default();
    api::call(slot, conn, method, &params).map_err(|e| e.code.code())
}

/// Whether OpenSSL's gost engine loads.
pub fn gost_engine() -> bool {
    Command::new("openssl")
        .args(["engine", "gost"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs openssl in `dir`; success and stdout + stderr.
pub fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Base64 to bytes.
pub fn b64(v: &Value) -> Vec<u8> {
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(v.as_str().expect("a string"))
        .expect("base64")
}
