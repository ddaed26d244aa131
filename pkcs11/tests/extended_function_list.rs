//! `C_EX_GetFunctionListExtended` as bank code calls it: the symbol exported by the built
//! `librutoken_pkcs11.so`, a table of the vendor's layout (`rtpkcs11t.h` sizes on x86-64
//! Linux) with no NULL member, the unsupported calls answering `CKR_FUNCTION_NOT_SUPPORTED`,
//! and a NULL output pointer refused. No token needed: the table is there before
//! `C_Initialize`, as the vendor's is.
#![allow(unsafe_code, reason = "the test calls the module through its C ABI")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::mem::{offset_of, size_of};

use cryptoki_sys::*;
use rutoken_pkcs11::extended::types::*;

/// The table from the built module (and the library, which must outlive it).
fn table() -> Option<(libloading::Library, &'static CK_FUNCTION_LIST_EXTENDED)> {
    let path = support::lab::module_path();
    if !path.exists() {
        eprintln!("skipped: {} was not built", path.display());
        return None;
    }
    // SAFETY: our own module; loading runs no initialiser with preconditions.
    let library = unsafe { libloading::Library::new(&path) }.unwrap();
    let list = {
        // SAFETY: the vendor's signature of C_EX_GetFunctionListExtended.
        let get: libloading::Symbol<
            '_,
            unsafe extern "C" fn(*mut *const CK_FUNCTION_LIST_EXTENDED) -> CK_RV,
        > = unsafe { library.get(b"C_EX_GetFunctionListExtended\0") }.unwrap();
        let mut list: *const CK_FUNCTION_LIST_EXTENDED = std::ptr::null();
        // SAFETY: a valid out pointer.
        assert_eq!(unsafe { get(&mut list) }, CKR_OK);
        // SAFETY: a NULL out pointer, which the module must refuse without writing.
        assert_eq!(unsafe { get(std::ptr::null_mut()) }, CKR_ARGUMENTS_BAD);
        assert!(!list.is_null());
        // SAFETY: the module's static table, valid while the library stays loaded (the test
        // keeps it loaded to the end).
        unsafe { &*list }
    };
    Some((library, list))
}

#[test]
fn the_layouts_are_the_vendors() {
    // CK_ULONG and pointers are 8 bytes on x86-64 Linux; the vendor's header packs only on
    // Windows.
    assert_eq!(
        size_of::<CK_TOKEN_INFO_EXTENDED>(),
        14 * 8 + 8 + 2 * 8 + 64 + 7 * 8
    );
    assert_eq!(offset_of!(CK_TOKEN_INFO_EXTENDED, serialNumber), 14 * 8);
    assert_eq!(offset_of!(CK_TOKEN_INFO_EXTENDED, ATR), 14 * 8 + 8 + 16);
    assert_eq!(offset_of!(CK_TOKEN_INFO_EXTENDED, ulBatteryFlags), 248);
    assert_eq!(size_of::<CK_RUTOKEN_INIT_PARAM>(), 14 * 8);
    assert_eq!(offset_of!(CK_RUTOKEN_INIT_PARAM, pTokenLabel), 11 * 8);
    assert_eq!(size_of::<CK_VENDOR_X509_STORE>(), 6 * 8);
    assert_eq!(size_of::<CK_VENDOR_BUFFER>(), 16);
    // The version (2 bytes, padded to a pointer) and 31 function pointers.
    assert_eq!(size_of::<CK_FUNCTION_LIST_EXTENDED>(), 8 + 31 * 8);
    assert_eq!(
        offset_of!(CK_FUNCTION_LIST_EXTENDED, C_EX_CreateCSR),
        8 + 9 * 8
    );
    assert_eq!(
        offset_of!(CK_FUNCTION_LIST_EXTENDED, C_EX_FreeBuffer),
        8 + 10 * 8
    );
    assert_eq!(
        offset_of!(CK_FUNCTION_LIST_EXTENDED, C_EX_PKCS7VerifyFinal),
        8 + 30 * 8
    );
}

#[test]
fn every_member_is_set() {
    let Some((_library, list)) = table() else {
        return;
    };
    // SAFETY: the table is 8 + 31 pointer-sized words (checked above); reading them as
    // addresses reads plain data.
    let words: &[usize; 32] = unsafe { &*(list as *const _ as *const [usize; 32]) };
    for (i, w) in words.iter().enumerate().skip(1) {
        assert_ne!(*w, 0, "member {i} of CK_FUNCTION_LIST_EXTENDED is NULL");
    }
    let again = list.C_EX_GetFunctionListExtended.unwrap();
    let mut other: *const CK_FUNCTION_LIST_EXTENDED = std::ptr::null();
    // SAFETY: a valid out pointer.
    assert_eq!(unsafe { again(&mut other) }, CKR_OK);
    assert!(
        std::ptr::eq(other, list),
        "the table's own member gives the same table"
    );
}

#[test]
fn the_calls_an_ecp_2_has_no_use_for_are_not_supported() {
    let Some((_library, l)) = table() else {
        return;
    };
    let mut n: CK_ULONG = 0;
    let mut b = [0u8; 80];
    let null = std::ptr::null_mut();
    // SAFETY: each call with arguments of its declared types (buffers large enough, NULLs
    // where a pointer is optional); the module must not read them for these calls.
    let answers = unsafe {
        [
            (
                "C_EX_SetLicense",
                l.C_EX_SetLicense.unwrap()(1, 1, b.as_ptr(), 72),
            ),
            (
                "C_EX_GetLicense",
                l.C_EX_GetLicense.unwrap()(1, 1, b.as_mut_ptr(), &mut n),
            ),
            (
                "C_EX_SetLocalPIN",
                l.C_EX_SetLocalPIN.unwrap()(0, b.as_ptr(), 8, b.as_ptr(), 8, 3),
            ),
            (
                "C_EX_LoadActivationKey",
                l.C_EX_LoadActivationKey.unwrap()(1, b.as_ptr(), 32),
            ),
            (
                "C_EX_SetActivationPassword",
                l.C_EX_SetActivationPassword.unwrap()(0, b.as_ptr()),
            ),
            (
                "C_EX_GetVolumesInfo",
                l.C_EX_GetVolumesInfo.unwrap()(0, null, &mut n),
            ),
            ("C_EX_GetDriveSize", l.C_EX_GetDriveSize.unwrap()(0, &mut n)),
            (
                "C_EX_ChangeVolumeAttributes",
                l.C_EX_ChangeVolumeAttributes.unwrap()(0, CKU_USER, b.as_ptr(), 8, 1, 3, 0),
            ),
            (
                "C_EX_FormatDrive",
                l.C_EX_FormatDrive.unwrap()(0, CKU_SO, b.as_ptr(), 8, null, 0),
            ),
            ("C_EX_TokenManage", l.C_EX_TokenManage.unwrap()(1, 0, null)),
            (
                "C_EX_GenerateActivationPassword",
                l.C_EX_GenerateActivationPassword.unwrap()(1, 1, b.as_mut_ptr(), &mut n, 0),
            ),
            (
                "C_EX_SignInvisibleInit",
                l.C_EX_SignInvisibleInit.unwrap()(1, std::ptr::null(), 1),
            ),
            (
                "C_EX_SignInvisible",
                l.C_EX_SignInvisible.unwrap()(1, b.as_ptr(), 32, b.as_mut_ptr(), &mut n),
            ),
            ("C_EX_SlotManage", l.C_EX_SlotManage.unwrap()(0, 0, null)),
        ]
    };
    for (name, rv) in answers {
        assert_eq!(rv, CKR_FUNCTION_NOT_SUPPORTED, "{name}");
    }
}

#[test]
fn every_implemented_call_refuses_nulls_and_an_uninitialised_module_without_a_crash() {
    let Some((_library, l)) = table() else {
        return;
    };
    let mut n: CK_ULONG = 0;
    // SAFETY: NULL where the calls take pointers (the module must check them), valid out
    // pointers elsewhere; no C_Initialize (the module must say so, not crash).
    let answers = unsafe {
        [
            (
                "C_EX_InitToken",
                l.C_EX_InitToken.unwrap()(0, std::ptr::null(), 0, std::ptr::null()),
            ),
            (
                "C_EX_GetTokenInfoExtended",
                l.C_EX_GetTokenInfoExtended.unwrap()(0, std::ptr::null_mut()),
            ),
            ("C_EX_UnblockUserPIN", l.C_EX_UnblockUserPIN.unwrap()(1)),
            (
                "C_EX_SetTokenName",
                l.C_EX_SetTokenName.unwrap()(1, std::ptr::null(), 4),
            ),
            (
                "C_EX_GetTokenName",
                l.C_EX_GetTokenName.unwrap()(1, std::ptr::null_mut(), std::ptr::null_mut()),
            ),
            (
                "C_EX_GetCertificateInfoText",
                l.C_EX_GetCertificateInfoText.unwrap()(
                    1,
                    1,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
            ),
            (
                "C_EX_PKCS7Sign",
                l.C_EX_PKCS7Sign.unwrap()(
                    1,
                    std::ptr::null(),
                    4,
                    1,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    0,
                    std::ptr::null(),
                    3,
                    0,
                ),
            ),
            (
                "C_EX_CreateCSR",
                l.C_EX_CreateCSR.unwrap()(
                    1,
                    1,
                    std::ptr::null(),
                    2,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    0,
                    std::ptr::null(),
                    2,
                    std::ptr::null(),
                    2,
                ),
            ),
            (
                "C_EX_FreeBuffer",
                l.C_EX_FreeBuffer.unwrap()(std::ptr::null_mut()),
            ),
            (
                "C_EX_PKCS7VerifyInit",
                l.C_EX_PKCS7VerifyInit.unwrap()(1, std::ptr::null(), 10, std::ptr::null(), 0, 0),
            ),
            (
                "C_EX_PKCS7Verify",
                l.C_EX_PKCS7Verify.unwrap()(
                    1,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
            ),
            (
                "C_EX_PKCS7VerifyUpdate",
                l.C_EX_PKCS7VerifyUpdate.unwrap()(1, std::ptr::null(), 10),
            ),
            (
                "C_EX_PKCS7VerifyFinal",
                l.C_EX_PKCS7VerifyFinal.unwrap()(1, std::ptr::null_mut(), std::ptr::null_mut()),
            ),
            // Well-formed but before C_Initialize.
            (
                "C_EX_GetTokenName (valid)",
                l.C_EX_GetTokenName.unwrap()(1, std::ptr::null_mut(), &mut n),
            ),
            (
                "C_EX_UnblockUserPIN (valid)",
                l.C_EX_UnblockUserPIN.unwrap()(1),
            ),
        ]
    };
    for (name, rv) in answers {
        assert!(
            rv == CKR_ARGUMENTS_BAD || rv == CKR_CRYPTOKI_NOT_INITIALIZED,
            "{name}: {rv:#x}"
        );
    }
    assert_eq!(answers[13].1, CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_eq!(answers[8].1, CKR_ARGUMENTS_BAD, "FreeBuffer(NULL)");
}
