//! The module's C ABI in process: the test's own `Module` (over an emulated token) made the one
//! `C_Initialize` would make ([`rutoken_pkcs11::initialize_with`]), then called through the
//! tables `C_GetFunctionList` and `C_EX_GetFunctionListExtended` give, as bank code calls them.
//! The C ABI keeps one module per process: [`Installed`] holds a lock for as long as it lives,
//! so the tests of a binary take turns, and calls `C_Finalize` when dropped.
#![allow(dead_code, reason = "shared by several test files")]
#![allow(unsafe_code, reason = "the module's C ABI")]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cryptoki_sys::*;
use rutoken_pkcs11::extended::types::CK_FUNCTION_LIST_EXTENDED;
use rutoken_pkcs11::module::Module;

// The module's exported entry points, linked from the crate itself (not a dlopened copy), so
// that they run on the module `initialize_with` installs.
unsafe extern "C" {
    fn C_GetFunctionList(list: *mut *mut CK_FUNCTION_LIST) -> CK_RV;
    fn C_EX_GetFunctionListExtended(list: *mut *const CK_FUNCTION_LIST_EXTENDED) -> CK_RV;
}

static TURN: Mutex<()> = Mutex::new(());

/// The installed module and its two tables; `C_Finalize` when dropped.
pub struct Installed {
    /// The module's safe API, on the state the C ABI uses.
    pub m: Arc<Module>,
    /// `C_GetFunctionList`'s table.
    pub f: &'static CK_FUNCTION_LIST,
    /// `C_EX_GetFunctionListExtended`'s table.
    pub x: &'static CK_FUNCTION_LIST_EXTENDED,
    _turn: MutexGuard<'static, ()>,
}

/// Makes `module` the C ABI's module (waiting for another test's turn to end).
pub fn install(module: Module) -> Installed {
    let turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let m = rutoken_pkcs11::initialize_with(module).expect("no other module installed");
    let mut f = std::ptr::null_mut();
    let mut x = std::ptr::null();
    // SAFETY: valid out pointers; the tables are static in this binary.
    let (f, x) = unsafe {
        assert_eq!(C_GetFunctionList(&mut f), CKR_OK);
        assert_eq!(C_EX_GetFunctionListExtended(&mut x), CKR_OK);
        (&*f, &*x)
    };
    Installed {
        m,
        f,
        x,
        _turn: turn,
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        // SAFETY: C_Finalize takes NULL.
        let rv = unsafe { self.f.C_Finalize.expect("C_Finalize")(std::ptr::null_mut()) };
        if !std::thread::panicking() {
            assert_eq!(rv, CKR_OK, "C_Finalize");
        }
    }
}
