//! The C ABI: `C_GetFunctionList` and every `C_` function of PKCS#11 v2.40. This is the only
//! module with `unsafe` code: it checks and copies the caller's pointers into safe values,
//! calls [`Module`], and writes the answers back. Every entry point runs inside
//! `catch_unwind`, so no panic crosses into C (a panic answers `CKR_GENERAL_ERROR`).
#![allow(
    unsafe_code,
    reason = "the PKCS#11 C ABI; every unsafe block has a SAFETY note"
)]
#![allow(non_snake_case, reason = "PKCS#11 names its functions and parameters")]

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};

use cryptoki_sys::*;

use crate::attribute::{Attribute, Template};
use crate::error::{Error, fail};
use crate::module::Module;
use crate::object::Missing;

mod symmetric;
use symmetric::{
    C_Decrypt, C_DecryptFinal, C_DecryptInit, C_DecryptUpdate, C_DeriveKey, C_Encrypt,
    C_EncryptFinal, C_EncryptInit, C_EncryptUpdate, C_GenerateKey, C_UnwrapKey, C_WrapKey,
};

/// The module's state: `None` between `C_Finalize` and `C_Initialize`. Locked only to take a
/// reference: a call runs on its own `Arc`, so a call waiting on a token holds no one else up
/// (the module locks per slot inside).
static MODULE: Mutex<Option<Arc<Module>>> = Mutex::new(None);

/// The version of PKCS#11 the module implements.
const CRYPTOKI_VERSION: CK_VERSION = CK_VERSION {
    major: 2,
    minor: 40,
};
/// The module's own version (the crate's 0.1).
const LIBRARY_VERSION: CK_VERSION = CK_VERSION { major: 0, minor: 1 };

fn lock() -> MutexGuard<'static, Option<Arc<Module>>> {
    // A panic inside a call is caught below it; the state it left is still usable.
    MODULE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs one entry point: catches panics, turns errors into their `CKR_`.
pub(crate) fn entry(f: impl FnOnce() -> Result<(), Error>) -> CK_RV {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => CKR_OK,
        Ok(Err(e)) => e.rv(),
        Err(_) => CKR_GENERAL_ERROR,
    }
}

/// Runs `f` on the initialised module. A call that `C_Finalize` overtook (it waited on a
/// token meanwhile) ends in `CKR_CRYPTOKI_NOT_INITIALIZED`, whatever the token answered.
pub(crate) fn with_module<T>(f: impl FnOnce(&Module) -> Result<T, Error>) -> Result<T, Error> {
    let module = lock()
        .clone()
        .ok_or(Error::Rv(CKR_CRYPTOKI_NOT_INITIALIZED))?;
    let result = f(&module);
    if module.is_finalized() {
        return fail(CKR_CRYPTOKI_NOT_INITIALIZED);
    }
    result
}

pub(crate) fn to_usize(n: CK_ULONG) -> Result<usize, Error> {
    usize::try_from(n).map_err(|_| Error::Rv(CKR_ARGUMENTS_BAD))
}

/// The caller's bytes `ptr[..len]` (a null pointer is only fine with length 0).
///
/// # Safety
/// `ptr` is null or points at `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: CK_ULONG) -> Result<&'a [u8], Error> {
    let len = to_usize(len)?;
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return fail(CKR_ARGUMENTS_BAD);
    }
    // SAFETY: non-null, and the caller guarantees `len` readable bytes (PKCS#11's contract
    // for every (pointer, length) pair).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Writes `value` through `ptr` (null is `CKR_ARGUMENTS_BAD`).
///
/// # Safety
/// `ptr` is null or points at a writable `T`.
pub(crate) unsafe fn put<T>(ptr: *mut T, value: T) -> Result<(), Error> {
    if ptr.is_null() {
        return fail(CKR_ARGUMENTS_BAD);
    }
    // SAFETY: non-null and writable by the caller's contract; `write` drops no old value
    // (the targets are plain C data).
    unsafe { ptr.write(value) };
    Ok(())
}

/// Reads `*ptr` (null is `CKR_ARGUMENTS_BAD`).
///
/// # Safety
/// `ptr` is null or points at a readable `T`.
pub(crate) unsafe fn get<T: Copy>(ptr: *const T) -> Result<T, Error> {
    if ptr.is_null() {
        return fail(CKR_ARGUMENTS_BAD);
    }
    // SAFETY: non-null and readable by the caller's contract.
    Ok(unsafe { ptr.read() })
}

/// The most attributes a template may carry. PKCS#11 sets no limit, but no object here has
/// more than ~40 attributes, and a count like pkcs11-check's 2^32 (its arithmetic-overflow
/// tests) would otherwise make the module allocate and read gigabytes of the caller's memory
/// and abort: such a count is `CKR_ARGUMENTS_BAD`.
const MAX_TEMPLATE: usize = 4096;

/// A template's attribute count, bounded by [`MAX_TEMPLATE`].
fn template_count(count: CK_ULONG) -> Result<usize, Error> {
    let count = to_usize(count)?;
    if count > MAX_TEMPLATE {
        return fail(CKR_ARGUMENTS_BAD);
    }
    Ok(count)
}

/// A copy of the caller's template.
///
/// # Safety
/// `ptr` is null or points at `count` `CK_ATTRIBUTE`s whose `pValue`s point at `ulValueLen`
/// readable bytes.
unsafe fn template(ptr: *const CK_ATTRIBUTE, count: CK_ULONG) -> Result<Template, Error> {
    let count = template_count(count)?;
    if count == 0 {
        return Ok(Template::default());
    }
    if ptr.is_null() {
        return fail(CKR_ARGUMENTS_BAD);
    }
    // SAFETY: non-null, `count` attributes by the caller's contract.
    let raw = unsafe { std::slice::from_raw_parts(ptr, count) };
    let mut out = Vec::with_capacity(count);
    for a in raw {
        // SAFETY: each pValue/ulValueLen pair is the caller's buffer (contract above).
        let value = unsafe { bytes(a.pValue as *const u8, a.ulValueLen) }?;
        out.push(Attribute {
            kind: a.type_,
            value: value.to_vec(),
        });
    }
    Ok(Template(out))
}

/// The mechanism type and parameter bytes.
///
/// # Safety
/// `ptr` is null or points at a `CK_MECHANISM` whose parameter is `ulParameterLen` bytes.
unsafe fn mechanism(ptr: *const CK_MECHANISM) -> Result<(CK_MECHANISM_TYPE, Vec<u8>), Error> {
    // SAFETY: contract above.
    let m = unsafe { get(ptr) }?;
    // SAFETY: contract above.
    let parameter = unsafe { bytes(m.pParameter as *const u8, m.ulParameterLen) }?;
    Ok((m.mechanism, parameter.to_vec()))
}

/// The PKCS#11 output convention (v2.40 §5.2): a null buffer asks for the length; a short
/// buffer gets `CKR_BUFFER_TOO_SMALL` and the length; otherwise the bytes are written. Returns
/// whether they were written.
///
/// # Safety
/// `len_ptr` is null or a writable `CK_ULONG` holding the buffer's size; `out` is null or
/// points at that many writable bytes.
pub(crate) unsafe fn output(
    out: *mut u8,
    len_ptr: *mut CK_ULONG,
    len: usize,
    data: Option<&[u8]>,
) -> Result<bool, Error> {
    // SAFETY: contract above.
    let room = unsafe { get(len_ptr) }?;
    let needed = len as CK_ULONG;
    // SAFETY: contract above.
    unsafe { put(len_ptr, needed) }?;
    if out.is_null() {
        return Ok(false);
    }
    if room < needed {
        return fail(CKR_BUFFER_TOO_SMALL);
    }
    if let Some(data) = data {
        // SAFETY: `out` has `room >= needed == data.len()` writable bytes; the buffers are
        // distinct (ours is a fresh Vec).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), out, data.len()) };
    }
    Ok(true)
}

/// A list written by the same convention (slot IDs, mechanisms).
///
/// # Safety
/// As [`output`], counted in `T`s.
unsafe fn output_list<T: Copy>(
    out: *mut T,
    len_ptr: *mut CK_ULONG,
    items: &[T],
) -> Result<(), Error> {
    // SAFETY: contract above.
    let room = unsafe { get(len_ptr) }?;
    let needed = items.len() as CK_ULONG;
    // SAFETY: contract above.
    unsafe { put(len_ptr, needed) }?;
    if out.is_null() {
        return Ok(());
    }
    if room < needed {
        return fail(CKR_BUFFER_TOO_SMALL);
    }
    // SAFETY: `out` has room for `items.len()` values of T.
    unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), out, items.len()) };
    Ok(())
}

/// Blank-padded fixed-size text, cut at a character boundary.
fn padded<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b' '; N];
    let mut end = text.len().min(N);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out[..end].copy_from_slice(&text.as_bytes()[..end]);
    out
}

// ---- general-purpose functions ---------------------------------------------------------------

/// `C_Initialize`. The module always uses the OS's locks (`CKF_OS_LOCKING_OK`): it is safe for
/// callers that pass their own mutex functions too.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Initialize(pInitArgs: *mut c_void) -> CK_RV {
    entry(|| {
        if !pInitArgs.is_null() {
            // SAFETY: a non-null argument is a CK_C_INITIALIZE_ARGS (PKCS#11 v2.40 §5.4).
            let args = unsafe { get(pInitArgs as *const CK_C_INITIALIZE_ARGS) }?;
            let given = [
                args.CreateMutex.is_some(),
                args.DestroyMutex.is_some(),
                args.LockMutex.is_some(),
                args.UnlockMutex.is_some(),
            ];
            if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
                return fail(CKR_ARGUMENTS_BAD);
            }
            if !args.pReserved.is_null() {
                return fail(CKR_ARGUMENTS_BAD);
            }
        }
        let mut guard = lock();
        if guard.is_some() {
            return fail(CKR_CRYPTOKI_ALREADY_INITIALIZED);
        }
        let readers = crate::readers().map_err(|message| {
            // The application gets CKR_GENERAL_ERROR; whoever set the variable reads why.
            eprintln!("librutoken_pkcs11: {message}");
            Error::Rv(CKR_GENERAL_ERROR)
        })?;
        *guard = Some(Arc::new(Module::new(readers)));
        Ok(())
    })
}

/// Makes `module` the module the C ABI runs on, as `C_Initialize` makes one over the PC/SC
/// readers: for in-process tests of the C ABI and the extended API (`C_EX_…`), which give the
/// module readers of their own (an emulated token). `CKR_CRYPTOKI_ALREADY_INITIALIZED` when a
/// module is in place; `C_Finalize` ends it as any other. The caller keeps the returned handle
/// to call the module's safe API on the same state.
#[doc(hidden)]
pub fn initialize_with(module: Module) -> Result<Arc<Module>, Error> {
    let mut guard = lock();
    if guard.is_some() {
        return fail(CKR_CRYPTOKI_ALREADY_INITIALIZED);
    }
    let module = Arc::new(module);
    *guard = Some(Arc::clone(&module));
    Ok(module)
}

/// `C_Finalize`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Finalize(pReserved: *mut c_void) -> CK_RV {
    entry(|| {
        if !pReserved.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // Taken out under the lock, ended outside it: calls still running keep their `Arc`
        // and end in an error (`with_module`); the connections close when the last one ends.
        let module = lock()
            .take()
            .ok_or(Error::Rv(CKR_CRYPTOKI_NOT_INITIALIZED))?;
        module.finalize();
        Ok(())
    })
}

/// `C_GetInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetInfo(pInfo: *mut CK_INFO) -> CK_RV {
    entry(|| {
        with_module(|_| Ok(()))?;
        let info = CK_INFO {
            cryptokiVersion: CRYPTOKI_VERSION,
            manufacturerID: padded("rutoken-lab"),
            flags: 0,
            libraryDescription: padded("Rutoken ECP GOST 2012 (virtual)"),
            libraryVersion: LIBRARY_VERSION,
        };
        // SAFETY: the caller's CK_INFO.
        unsafe { put(pInfo, info) }
    })
}

static FUNCTION_LIST: CK_FUNCTION_LIST = CK_FUNCTION_LIST {
    version: CRYPTOKI_VERSION,
    C_Initialize: Some(C_Initialize),
    C_Finalize: Some(C_Finalize),
    C_GetInfo: Some(C_GetInfo),
    C_GetFunctionList: Some(C_GetFunctionList),
    C_GetSlotList: Some(C_GetSlotList),
    C_GetSlotInfo: Some(C_GetSlotInfo),
    C_GetTokenInfo: Some(C_GetTokenInfo),
    C_GetMechanismList: Some(C_GetMechanismList),
    C_GetMechanismInfo: Some(C_GetMechanismInfo),
    C_InitToken: Some(C_InitToken),
    C_InitPIN: Some(C_InitPIN),
    C_SetPIN: Some(C_SetPIN),
    C_OpenSession: Some(C_OpenSession),
    C_CloseSession: Some(C_CloseSession),
    C_CloseAllSessions: Some(C_CloseAllSessions),
    C_GetSessionInfo: Some(C_GetSessionInfo),
    C_GetOperationState: Some(C_GetOperationState),
    C_SetOperationState: Some(C_SetOperationState),
    C_Login: Some(C_Login),
    C_Logout: Some(C_Logout),
    C_CreateObject: Some(C_CreateObject),
    C_CopyObject: Some(C_CopyObject),
    C_DestroyObject: Some(C_DestroyObject),
    C_GetObjectSize: Some(C_GetObjectSize),
    C_GetAttributeValue: Some(C_GetAttributeValue),
    C_SetAttributeValue: Some(C_SetAttributeValue),
    C_FindObjectsInit: Some(C_FindObjectsInit),
    C_FindObjects: Some(C_FindObjects),
    C_FindObjectsFinal: Some(C_FindObjectsFinal),
    C_EncryptInit: Some(C_EncryptInit),
    C_Encrypt: Some(C_Encrypt),
    C_EncryptUpdate: Some(C_EncryptUpdate),
    C_EncryptFinal: Some(C_EncryptFinal),
    C_DecryptInit: Some(C_DecryptInit),
    C_Decrypt: Some(C_Decrypt),
    C_DecryptUpdate: Some(C_DecryptUpdate),
    C_DecryptFinal: Some(C_DecryptFinal),
    C_DigestInit: Some(C_DigestInit),
    C_Digest: Some(C_Digest),
    C_DigestUpdate: Some(C_DigestUpdate),
    C_DigestKey: Some(C_DigestKey),
    C_DigestFinal: Some(C_DigestFinal),
    C_SignInit: Some(C_SignInit),
    C_Sign: Some(C_Sign),
    C_SignUpdate: Some(C_SignUpdate),
    C_SignFinal: Some(C_SignFinal),
    C_SignRecoverInit: Some(C_SignRecoverInit),
    C_SignRecover: Some(C_SignRecover),
    C_VerifyInit: Some(C_VerifyInit),
    C_Verify: Some(C_Verify),
    C_VerifyUpdate: Some(C_VerifyUpdate),
    C_VerifyFinal: Some(C_VerifyFinal),
    C_VerifyRecoverInit: Some(C_VerifyRecoverInit),
    C_VerifyRecover: Some(C_VerifyRecover),
    C_DigestEncryptUpdate: Some(C_DigestEncryptUpdate),
    C_DecryptDigestUpdate: Some(C_DecryptDigestUpdate),
    C_SignEncryptUpdate: Some(C_SignEncryptUpdate),
    C_DecryptVerifyUpdate: Some(C_DecryptVerifyUpdate),
    C_GenerateKey: Some(C_GenerateKey),
    C_GenerateKeyPair: Some(C_GenerateKeyPair),
    C_WrapKey: Some(C_WrapKey),
    C_UnwrapKey: Some(C_UnwrapKey),
    C_DeriveKey: Some(C_DeriveKey),
    C_SeedRandom: Some(C_SeedRandom),
    C_GenerateRandom: Some(C_GenerateRandom),
    C_GetFunctionStatus: Some(C_GetFunctionStatus),
    C_CancelFunction: Some(C_CancelFunction),
    C_WaitForSlotEvent: Some(C_WaitForSlotEvent),
};

/// `C_GetFunctionList`: the module's entry point.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionList(ppFunctionList: *mut *mut CK_FUNCTION_LIST) -> CK_RV {
    entry(|| {
        // The list is static and never written through: callers only read it (PKCS#11 §5.4).
        let list = &raw const FUNCTION_LIST as *mut CK_FUNCTION_LIST;
        // SAFETY: the caller's pointer slot.
        unsafe { put(ppFunctionList, list) }
    })
}

// ---- slots and tokens ------------------------------------------------------------------------

/// `C_GetSlotList`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSlotList(
    tokenPresent: CK_BBOOL,
    pSlotList: *mut CK_SLOT_ID,
    pulCount: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        let slots = with_module(|m| m.slot_list(tokenPresent != 0))?;
        // SAFETY: the caller's list and count.
        unsafe { output_list(pSlotList, pulCount, &slots) }
    })
}

/// `C_GetSlotInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSlotInfo(slotID: CK_SLOT_ID, pInfo: *mut CK_SLOT_INFO) -> CK_RV {
    entry(|| {
        let info = with_module(|m| m.slot_info(slotID))?;
        let out = CK_SLOT_INFO {
            slotDescription: padded(&info.description),
            manufacturerID: padded("rutoken-lab"),
            flags: info.flags,
            hardwareVersion: CK_VERSION { major: 0, minor: 0 },
            firmwareVersion: CK_VERSION { major: 0, minor: 0 },
        };
        // SAFETY: the caller's CK_SLOT_INFO.
        unsafe { put(pInfo, out) }
    })
}

/// `C_GetTokenInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetTokenInfo(slotID: CK_SLOT_ID, pInfo: *mut CK_TOKEN_INFO) -> CK_RV {
    entry(|| {
        if pInfo.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let info = with_module(|m| m.token_info(slotID))?;
        let out = CK_TOKEN_INFO {
            label: padded(&info.label),
            manufacturerID: padded("Aktiv Co. (emulated)"),
            model: padded("Rutoken ECP"),
            serialNumber: padded(&info.serial),
            flags: info.flags,
            ulMaxSessionCount: CK_EFFECTIVELY_INFINITE,
            ulSessionCount: info.sessions,
            ulMaxRwSessionCount: CK_EFFECTIVELY_INFINITE,
            ulRwSessionCount: info.rw_sessions,
            ulMaxPinLen: crate::module::MAX_PIN_LEN,
            ulMinPinLen: crate::module::MIN_PIN_LEN,
            ulTotalPublicMemory: CK_UNAVAILABLE_INFORMATION,
            ulFreePublicMemory: CK_UNAVAILABLE_INFORMATION,
            ulTotalPrivateMemory: CK_UNAVAILABLE_INFORMATION,
            ulFreePrivateMemory: CK_UNAVAILABLE_INFORMATION,
            hardwareVersion: CK_VERSION { major: 2, minor: 0 },
            firmwareVersion: CK_VERSION { major: 0, minor: 0 },
            utcTime: [b' '; 16],
        };
        // SAFETY: the caller's CK_TOKEN_INFO.
        unsafe { put(pInfo, out) }
    })
}

/// `C_GetMechanismList`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetMechanismList(
    slotID: CK_SLOT_ID,
    pMechanismList: *mut CK_MECHANISM_TYPE,
    pulCount: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        let list = with_module(|m| m.mechanism_list(slotID))?;
        // SAFETY: the caller's list and count.
        unsafe { output_list(pMechanismList, pulCount, &list) }
    })
}

/// `C_GetMechanismInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetMechanismInfo(
    slotID: CK_SLOT_ID,
    type_: CK_MECHANISM_TYPE,
    pInfo: *mut CK_MECHANISM_INFO,
) -> CK_RV {
    entry(|| {
        let m = with_module(|m| m.mechanism_info(slotID, type_))?;
        let out = CK_MECHANISM_INFO {
            ulMinKeySize: m.min_bits,
            ulMaxKeySize: m.max_bits,
            flags: m.flags,
        };
        // SAFETY: the caller's CK_MECHANISM_INFO.
        unsafe { put(pInfo, out) }
    })
}

/// `C_InitToken`: the vendor's format with the SO PIN, the label and the factory user PIN
/// (`extended::init::init_token`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_InitToken(
    slotID: CK_SLOT_ID,
    pPin: *mut CK_UTF8CHAR,
    ulPinLen: CK_ULONG,
    pLabel: *mut CK_UTF8CHAR,
) -> CK_RV {
    entry(|| {
        with_module(|m| m.slot_info(slotID))?;
        if pPin.is_null() || pLabel.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's SO PIN of ulPinLen bytes (PKCS#11 v2.40 §5.5).
        let pin = unsafe { bytes(pPin, ulPinLen) }?;
        // SAFETY: the caller's 32-byte blank-padded label (PKCS#11 v2.40 §5.5).
        let label = unsafe { get(pLabel as *const [u8; 32]) }?;
        crate::extended::init::init_token(slotID, pin, &label)
    })
}

/// `C_InitPIN`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_InitPIN(
    hSession: CK_SESSION_HANDLE,
    pPin: *mut CK_UTF8CHAR,
    ulPinLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's PIN buffer.
        let pin = zeroize::Zeroizing::new(unsafe { bytes(pPin, ulPinLen) }?.to_vec());
        with_module(|m| m.init_pin(hSession, &pin))
    })
}

/// `C_SetPIN`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetPIN(
    hSession: CK_SESSION_HANDLE,
    pOldPin: *mut CK_UTF8CHAR,
    ulOldLen: CK_ULONG,
    pNewPin: *mut CK_UTF8CHAR,
    ulNewLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's PIN buffers.
        let old = zeroize::Zeroizing::new(unsafe { bytes(pOldPin, ulOldLen) }?.to_vec());
        // SAFETY: as above.
        let new = zeroize::Zeroizing::new(unsafe { bytes(pNewPin, ulNewLen) }?.to_vec());
        with_module(|m| m.set_pin(hSession, &old, &new))
    })
}

// ---- sessions --------------------------------------------------------------------------------

/// `C_OpenSession` (notification callbacks are never called: slot events go to
/// `C_WaitForSlotEvent`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_OpenSession(
    slotID: CK_SLOT_ID,
    flags: CK_FLAGS,
    _pApplication: *mut c_void,
    _Notify: CK_NOTIFY,
    phSession: *mut CK_SESSION_HANDLE,
) -> CK_RV {
    entry(|| {
        if phSession.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let handle = with_module(|m| m.open_session(slotID, flags))?;
        // SAFETY: the caller's handle slot (checked non-null above).
        unsafe { put(phSession, handle) }
    })
}

/// `C_CloseSession`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CloseSession(hSession: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| with_module(|m| m.close_session(hSession)))
}

/// `C_CloseAllSessions`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CloseAllSessions(slotID: CK_SLOT_ID) -> CK_RV {
    entry(|| with_module(|m| m.close_all_sessions(slotID)))
}

/// `C_GetSessionInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetSessionInfo(
    hSession: CK_SESSION_HANDLE,
    pInfo: *mut CK_SESSION_INFO,
) -> CK_RV {
    entry(|| {
        let info = with_module(|m| m.session_info(hSession))?;
        let out = CK_SESSION_INFO {
            slotID: info.slot,
            state: info.state,
            flags: info.flags,
            ulDeviceError: 0,
        };
        // SAFETY: the caller's CK_SESSION_INFO.
        unsafe { put(pInfo, out) }
    })
}

/// `C_GetOperationState`: operations hold token state; not saveable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetOperationState(
    hSession: CK_SESSION_HANDLE,
    _p: *mut CK_BYTE,
    _l: *mut CK_ULONG,
) -> CK_RV {
    unsupported(hSession)
}

/// `C_SetOperationState`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetOperationState(
    hSession: CK_SESSION_HANDLE,
    _p: *mut CK_BYTE,
    _l: CK_ULONG,
    _e: CK_OBJECT_HANDLE,
    _a: CK_OBJECT_HANDLE,
) -> CK_RV {
    unsupported(hSession)
}

/// `C_Login`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Login(
    hSession: CK_SESSION_HANDLE,
    userType: CK_USER_TYPE,
    pPin: *mut CK_UTF8CHAR,
    ulPinLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's PIN buffer.
        let pin = zeroize::Zeroizing::new(unsafe { bytes(pPin, ulPinLen) }?.to_vec());
        with_module(|m| m.login(hSession, userType, &pin))
    })
}

/// `C_Logout`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Logout(hSession: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| with_module(|m| m.logout(hSession)))
}

// ---- objects ---------------------------------------------------------------------------------

/// `C_CreateObject`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CreateObject(
    hSession: CK_SESSION_HANDLE,
    pTemplate: *mut CK_ATTRIBUTE,
    ulCount: CK_ULONG,
    phObject: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        if phObject.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's template.
        let t = unsafe { template(pTemplate, ulCount) }?;
        let handle = with_module(|m| m.create_object(hSession, &t))?;
        // SAFETY: checked non-null above.
        unsafe { put(phObject, handle) }
    })
}

/// `C_CopyObject`: token objects are not copyable (`CKA_COPYABLE` false).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CopyObject(
    hSession: CK_SESSION_HANDLE,
    _o: CK_OBJECT_HANDLE,
    _t: *mut CK_ATTRIBUTE,
    _c: CK_ULONG,
    _n: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        with_module(|m| m.check_session(hSession))?;
        fail(CKR_ACTION_PROHIBITED)
    })
}

/// `C_DestroyObject`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DestroyObject(
    hSession: CK_SESSION_HANDLE,
    hObject: CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| with_module(|m| m.destroy_object(hSession, hObject)))
}

/// `C_GetObjectSize`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetObjectSize(
    hSession: CK_SESSION_HANDLE,
    hObject: CK_OBJECT_HANDLE,
    pulSize: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pulSize.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let size = with_module(|m| m.object_size(hSession, hObject))?;
        // SAFETY: checked non-null above.
        unsafe { put(pulSize, size) }
    })
}

/// `C_GetAttributeValue` (PKCS#11 v2.40 §5.7: every attribute is answered; the return value
/// is one of the per-attribute failures, if any).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetAttributeValue(
    hSession: CK_SESSION_HANDLE,
    hObject: CK_OBJECT_HANDLE,
    pTemplate: *mut CK_ATTRIBUTE,
    ulCount: CK_ULONG,
) -> CK_RV {
    entry(|| {
        let count = template_count(ulCount)?;
        if pTemplate.is_null() && count > 0 {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let attrs: &mut [CK_ATTRIBUTE] = if count == 0 {
            &mut []
        } else {
            // SAFETY: non-null, `count` attributes the caller lets us write (their lengths).
            unsafe { std::slice::from_raw_parts_mut(pTemplate, count) }
        };
        let kinds: Vec<CK_ATTRIBUTE_TYPE> = attrs.iter().map(|a| a.type_).collect();
        let values = with_module(|m| m.attributes(hSession, hObject, &kinds))?;
        let mut rv = CKR_OK;
        for (a, value) in attrs.iter_mut().zip(values) {
            match value {
                Err(Missing::Invalid) => {
                    a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                    rv = CKR_ATTRIBUTE_TYPE_INVALID;
                }
                Err(Missing::Sensitive) => {
                    a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                    rv = CKR_ATTRIBUTE_SENSITIVE;
                }
                Ok(v) if a.pValue.is_null() => a.ulValueLen = v.len() as CK_ULONG,
                Ok(v) if a.ulValueLen < v.len() as CK_ULONG => {
                    a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                    rv = CKR_BUFFER_TOO_SMALL;
                }
                Ok(v) => {
                    // SAFETY: pValue has ulValueLen >= v.len() writable bytes (caller's
                    // contract); ours is a fresh Vec, so they do not overlap.
                    unsafe {
                        std::ptr::copy_nonoverlapping(v.as_ptr(), a.pValue as *mut u8, v.len())
                    };
                    a.ulValueLen = v.len() as CK_ULONG;
                }
            }
        }
        if rv == CKR_OK { Ok(()) } else { fail(rv) }
    })
}

/// `C_SetAttributeValue`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SetAttributeValue(
    hSession: CK_SESSION_HANDLE,
    hObject: CK_OBJECT_HANDLE,
    pTemplate: *mut CK_ATTRIBUTE,
    ulCount: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's template.
        let t = unsafe { template(pTemplate, ulCount) }?;
        with_module(|m| m.set_attributes(hSession, hObject, &t))
    })
}

/// `C_FindObjectsInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjectsInit(
    hSession: CK_SESSION_HANDLE,
    pTemplate: *mut CK_ATTRIBUTE,
    ulCount: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's template.
        let t = unsafe { template(pTemplate, ulCount) }?;
        with_module(|m| m.find_init(hSession, &t))
    })
}

/// `C_FindObjects`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjects(
    hSession: CK_SESSION_HANDLE,
    phObject: *mut CK_OBJECT_HANDLE,
    ulMaxObjectCount: CK_ULONG,
    pulObjectCount: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        let max = to_usize(ulMaxObjectCount)?;
        if pulObjectCount.is_null() || (phObject.is_null() && max > 0) {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let found = with_module(|m| m.find(hSession, max))?;
        if !found.is_empty() {
            // SAFETY: phObject has room for `max >= found.len()` handles.
            unsafe { std::ptr::copy_nonoverlapping(found.as_ptr(), phObject, found.len()) };
        }
        // SAFETY: checked non-null above.
        unsafe { put(pulObjectCount, found.len() as CK_ULONG) }
    })
}

/// `C_FindObjectsFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_FindObjectsFinal(hSession: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| with_module(|m| m.find_final(hSession)))
}

// ---- what the module does not offer ----------------------------------------------------------

fn unsupported(session: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| {
        with_module(|m| m.check_session(session))?;
        fail(CKR_FUNCTION_NOT_SUPPORTED)
    })
}

macro_rules! not_supported {
    ($($name:ident ( $($arg:ident : $ty:ty),* );)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: not offered (GOST signatures only).")]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(hSession: CK_SESSION_HANDLE, $($arg: $ty),*) -> CK_RV {
            $(let _ = $arg;)*
            unsupported(hSession)
        }
    )*};
}

/// Functions taking a mechanism first: a null one is `CKR_ARGUMENTS_BAD` (checked before
/// "not supported", as callers probing argument checks expect).
macro_rules! not_supported_with_mechanism {
    ($($name:ident ( $($arg:ident : $ty:ty),* );)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: not offered (GOST signatures only).")]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(hSession: CK_SESSION_HANDLE, pMechanism: *mut CK_MECHANISM, $($arg: $ty),*) -> CK_RV {
            $(let _ = $arg;)*
            if pMechanism.is_null() {
                return entry(|| {
                    with_module(|m| m.check_session(hSession))?;
                    fail(CKR_ARGUMENTS_BAD)
                });
            }
            unsupported(hSession)
        }
    )*};
}

not_supported_with_mechanism! {
    C_SignRecoverInit(k: CK_OBJECT_HANDLE);
    C_VerifyRecoverInit(k: CK_OBJECT_HANDLE);
}

not_supported! {
    C_SignRecover(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
    C_VerifyRecover(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
    C_DigestEncryptUpdate(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
    C_DecryptDigestUpdate(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
    C_SignEncryptUpdate(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
    C_DecryptVerifyUpdate(d: *mut CK_BYTE, l: CK_ULONG, o: *mut CK_BYTE, ol: *mut CK_ULONG);
}

/// `C_DigestKey`: keys never leave the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestKey(
    hSession: CK_SESSION_HANDLE,
    _hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        with_module(|m| m.check_session(hSession))?;
        fail(CKR_KEY_INDIGESTIBLE)
    })
}

/// `C_SeedRandom`: the host CSPRNG takes no seed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SeedRandom(
    hSession: CK_SESSION_HANDLE,
    _pSeed: *mut CK_BYTE,
    _ulSeedLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        with_module(|m| m.check_session(hSession))?;
        fail(CKR_RANDOM_SEED_NOT_SUPPORTED)
    })
}

/// `C_GetFunctionStatus`: legacy, always "not parallel".
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GetFunctionStatus(hSession: CK_SESSION_HANDLE) -> CK_RV {
    not_parallel(hSession)
}

fn not_parallel(session: CK_SESSION_HANDLE) -> CK_RV {
    entry(|| {
        with_module(|m| m.check_session(session))?;
        fail(CKR_FUNCTION_NOT_PARALLEL)
    })
}

/// `C_CancelFunction`: legacy, always "not parallel".
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CancelFunction(hSession: CK_SESSION_HANDLE) -> CK_RV {
    not_parallel(hSession)
}

/// `C_WaitForSlotEvent`: a token inserted or pulled (pcscd's card events); `CKF_DONT_BLOCK`
/// answers `CKR_NO_EVENT` when none is pending, otherwise the call waits (`C_Finalize` ends
/// the wait).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_WaitForSlotEvent(
    flags: CK_FLAGS,
    pSlot: *mut CK_SLOT_ID,
    pReserved: *mut c_void,
) -> CK_RV {
    entry(|| {
        if pSlot.is_null() || !pReserved.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let slot = with_module(|m| m.wait_for_slot_event(flags & CKF_DONT_BLOCK != 0))?;
        // SAFETY: the caller's slot ID (checked non-null above).
        unsafe { put(pSlot, slot) }
    })
}

// ---- digests, signatures, random -------------------------------------------------------------

/// `C_DigestInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestInit(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's mechanism.
        let (kind, _) = unsafe { mechanism(pMechanism) }?;
        with_module(|m| m.digest_init(hSession, kind))
    })
}

/// `C_Digest`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Digest(
    hSession: CK_SESSION_HANDLE,
    pData: *mut CK_BYTE,
    ulDataLen: CK_ULONG,
    pDigest: *mut CK_BYTE,
    pulDigestLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's data.
        let data = unsafe { bytes(pData, ulDataLen) }?;
        // SAFETY: the caller's output (see `finish`).
        unsafe {
            finish(hSession, pDigest, pulDigestLen, Module::digest_len, |m| {
                m.digest(hSession, Some(data))
            })
        }
    })
}

/// `C_DigestUpdate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestUpdate(
    hSession: CK_SESSION_HANDLE,
    pPart: *mut CK_BYTE,
    ulPartLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's data.
        let data = unsafe { bytes(pPart, ulPartLen) }?;
        with_module(|m| m.digest_update(hSession, data))
    })
}

/// `C_DigestFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestFinal(
    hSession: CK_SESSION_HANDLE,
    pDigest: *mut CK_BYTE,
    pulDigestLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's output (see `finish`).
        unsafe {
            finish(hSession, pDigest, pulDigestLen, Module::digest_len, |m| {
                m.digest(hSession, None)
            })
        }
    })
}

/// A single- or multi-part finish with the output convention: a length query or a short
/// buffer leaves the operation running; otherwise `run` ends it.
///
/// # Safety
/// As [`output`].
unsafe fn finish(
    session: CK_SESSION_HANDLE,
    out: *mut u8,
    len_ptr: *mut CK_ULONG,
    len_of: fn(&Module, CK_SESSION_HANDLE) -> Result<usize, Error>,
    run: impl FnOnce(&Module) -> Result<Vec<u8>, Error>,
) -> Result<(), Error> {
    if len_ptr.is_null() {
        return fail(CKR_ARGUMENTS_BAD);
    }
    let len = with_module(|m| len_of(m, session))?;
    // SAFETY: contract of `output`; no data yet: only the length and room are checked.
    if !unsafe { output(out, len_ptr, len, None) }? {
        return Ok(());
    }
    let data = with_module(run)?;
    // SAFETY: as above, now with the bytes (their length is `len`).
    unsafe { output(out, len_ptr, data.len(), Some(&data)) }.map(|_| ())
}

/// `C_SignInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignInit(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's mechanism.
        let (kind, parameter) = unsafe { mechanism(pMechanism) }?;
        with_module(|m| m.sign_init(hSession, kind, &parameter, hKey))
    })
}

/// `C_Sign`. With a hashing mechanism this blocks until the SafeTouch's press.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Sign(
    hSession: CK_SESSION_HANDLE,
    pData: *mut CK_BYTE,
    ulDataLen: CK_ULONG,
    pSignature: *mut CK_BYTE,
    pulSignatureLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's data.
        let data = unsafe { bytes(pData, ulDataLen) }?;
        // SAFETY: the caller's output (see `finish`).
        unsafe {
            finish(
                hSession,
                pSignature,
                pulSignatureLen,
                Module::sign_len,
                |m| m.sign(hSession, Some(data)),
            )
        }
    })
}

/// `C_SignUpdate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignUpdate(
    hSession: CK_SESSION_HANDLE,
    pPart: *mut CK_BYTE,
    ulPartLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's data.
        let data = unsafe { bytes(pPart, ulPartLen) }?;
        with_module(|m| m.sign_update(hSession, data))
    })
}

/// `C_SignFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignFinal(
    hSession: CK_SESSION_HANDLE,
    pSignature: *mut CK_BYTE,
    pulSignatureLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's output (see `finish`).
        unsafe {
            finish(
                hSession,
                pSignature,
                pulSignatureLen,
                Module::sign_len,
                |m| m.sign(hSession, None),
            )
        }
    })
}

/// `C_VerifyInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyInit(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's mechanism.
        let (kind, parameter) = unsafe { mechanism(pMechanism) }?;
        with_module(|m| m.verify_init(hSession, kind, &parameter, hKey))
    })
}

/// `C_Verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Verify(
    hSession: CK_SESSION_HANDLE,
    pData: *mut CK_BYTE,
    ulDataLen: CK_ULONG,
    pSignature: *mut CK_BYTE,
    ulSignatureLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's buffers.
        let data = unsafe { bytes(pData, ulDataLen) }?;
        // SAFETY: as above.
        let signature = unsafe { bytes(pSignature, ulSignatureLen) }?;
        with_module(|m| m.verify(hSession, Some(data), signature))
    })
}

/// `C_VerifyUpdate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyUpdate(
    hSession: CK_SESSION_HANDLE,
    pPart: *mut CK_BYTE,
    ulPartLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's data.
        let data = unsafe { bytes(pPart, ulPartLen) }?;
        with_module(|m| m.verify_update(hSession, data))
    })
}

/// `C_VerifyFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_VerifyFinal(
    hSession: CK_SESSION_HANDLE,
    pSignature: *mut CK_BYTE,
    ulSignatureLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's signature.
        let signature = unsafe { bytes(pSignature, ulSignatureLen) }?;
        with_module(|m| m.verify(hSession, None, signature))
    })
}

/// `C_GenerateKeyPair`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateKeyPair(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    pPublicKeyTemplate: *mut CK_ATTRIBUTE,
    ulPublicKeyAttributeCount: CK_ULONG,
    pPrivateKeyTemplate: *mut CK_ATTRIBUTE,
    ulPrivateKeyAttributeCount: CK_ULONG,
    phPublicKey: *mut CK_OBJECT_HANDLE,
    phPrivateKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        if phPublicKey.is_null() || phPrivateKey.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's mechanism and templates.
        let (kind, _) = unsafe { mechanism(pMechanism) }?;
        // SAFETY: as above.
        let public = unsafe { template(pPublicKeyTemplate, ulPublicKeyAttributeCount) }?;
        // SAFETY: as above.
        let private = unsafe { template(pPrivateKeyTemplate, ulPrivateKeyAttributeCount) }?;
        let (pub_handle, priv_handle) =
            with_module(|m| m.generate_key_pair(hSession, kind, &public, &private))?;
        // SAFETY: both checked non-null above.
        unsafe { put(phPublicKey, pub_handle) }?;
        // SAFETY: as above.
        unsafe { put(phPrivateKey, priv_handle) }
    })
}

/// `C_GenerateRandom`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateRandom(
    hSession: CK_SESSION_HANDLE,
    RandomData: *mut CK_BYTE,
    ulRandomLen: CK_ULONG,
) -> CK_RV {
    entry(|| {
        let len = to_usize(ulRandomLen)?;
        if RandomData.is_null() && len > 0 {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let random = with_module(|m| m.random(hSession, len))?;
        if len > 0 {
            // SAFETY: RandomData has `len` writable bytes (caller's contract), non-null.
            unsafe { std::ptr::copy_nonoverlapping(random.as_ptr(), RandomData, len) };
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template of up to `MAX_TEMPLATE` attributes is taken whole; one more is
    /// `CKR_ARGUMENTS_BAD` (the bound against counts such as 2^32, not against real templates).
    #[test]
    fn a_template_count_is_taken_up_to_the_bound() {
        assert_eq!(template_count(0), Ok(0));
        assert_eq!(template_count(3), Ok(3));
        assert_eq!(template_count(4096), Ok(4096));
        assert_eq!(template_count(4097), fail(CKR_ARGUMENTS_BAD));
        assert_eq!(template_count(CK_ULONG::MAX), fail(CKR_ARGUMENTS_BAD));
    }

    /// Fixed-size text fields (`CK_INFO`, `CK_SLOT_INFO`, `CK_TOKEN_INFO`) are blank-padded, and
    /// a text too long is cut at a character boundary, never inside a UTF-8 sequence.
    #[test]
    fn padded_text_is_blank_filled_and_cut_at_a_character() {
        assert_eq!(&padded::<6>("abc"), b"abc   ");
        assert_eq!(&padded::<3>("abcdef"), b"abc");
        // "аб" is 4 bytes (2 each): 3 bytes hold one letter and a blank.
        assert_eq!(&padded::<3>("аб"), &[0xD0, 0xB0, b' ']);
    }
}
