//! The test harness of rutoken-lab's PC/SC tests, shared by every crate of the workspace as a
//! dev-dependency: a private pcscd with a vpcd reader in a mount namespace of its own
//! ([`Pcscd`]), emulator processes killed when a test ends ([`process`]), the control socket
//! ([`control`]), shell and tool helpers ([`shell`]); with the `emulator` feature also the
//! emulator inside the test process (`emulator`, `lab`) and the bank's reissue document.
#![allow(
    clippy::unwrap_used,
    reason = "a test harness: a set-up step that fails should stop the test with its panic"
)]

pub mod control;
pub mod pcscd;
pub mod process;
pub mod shell;
pub mod wait;

#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "emulator")]
pub mod lab;
#[cfg(feature = "emulator")]
pub mod reissue_document;

#[cfg(feature = "emulator")]
pub use emulator::Emulator;
pub use pcscd::{PYTHON, Pcscd, VPCD_DRIVER, skip_reason};
pub use wait::{wait_for_line, wait_until};

/// Skips the test (printing why) when pcscd, vpcd or the namespace tools are missing, or when
/// not root.
#[macro_export]
macro_rules! require_pcscd {
    () => {
        if let Some(reason) = $crate::skip_reason() {
            eprintln!("skipped: {reason}");
            return;
        }
    };
}

/// Skips the test (printing why) when one of `tools` is not installed; `packages` says where
/// they come from (e.g. `"Debian: opensc"`).
#[macro_export]
macro_rules! require_tools {
    ($tools:expr, $packages:expr) => {
        if let Some(reason) = $crate::shell::missing_tool(&$tools, $packages) {
            eprintln!("skipped: {reason}");
            return;
        }
    };
}
