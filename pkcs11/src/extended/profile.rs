//! The device profile the extended calls report from (PIN lengths and tries before the token
//! tells them, memory size): the file `RUTOKEN_PKCS11_PROFILE` names, as `settings.rs` reads
//! it at `C_Initialize`, or the built-in profile.

use rutoken_device::profile::DeviceProfile;

use crate::settings::PROFILE_VARIABLE;

/// The profile in force (the built-in one when the file no longer loads: `C_Initialize`
/// refused a bad one already).
pub(super) fn profile() -> DeviceProfile {
    std::env::var_os(PROFILE_VARIABLE)
        .and_then(|path| DeviceProfile::load(std::path::Path::new(&path)).ok())
        .unwrap_or_default()
}
