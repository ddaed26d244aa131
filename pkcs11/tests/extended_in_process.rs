//! The vendor's extended calls (`C_EX_…`, Aktiv's `rtpkcs11.h`) and `C_InitToken` through the
//! module's C ABI in process, over the emulator's personalised token (user PIN 12345678, 4 bytes
//! at least, 5 tries; SO PIN 87654321, 8 bytes at least, 10 tries; one GOST 2012-256 key pair
//! with the owner's certificate of `fixtures/`, issued by the test CA): extended token
//! information, the token name, the format (`C_EX_InitToken`, `C_InitToken`), the user PIN's
//! unblocking, PKCS#7 signatures checked by `C_EX_PKCS7Verify*` against the test CA, the
//! certificate text and PKCS#10 requests. No PC/SC: these are the crate's own tests of those
//! calls (the pcscd ones run the same calls against a real stack, in `extended_token.rs`).
#![allow(unsafe_code, reason = "the test calls the module through its C ABI")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use std::mem::{offset_of, size_of};
use std::ptr::{null, null_mut};

use cryptoki_sys::*;
use gost::Rng;
use rutoken_pkcs11::attribute::{Template, bool, ulong};
use rutoken_pkcs11::extended::types::*;
use rutoken_pki::ca::TestCa;
use rutoken_pki::ext::RequestedExtensions;
use rutoken_pki::{Request, RequestInfo};
use rutoken_sim::Card;
use rutoken_sim::control::TokenSlot;
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use support::c_abi::{Installed, install};
use support::in_process::{RW, USER_PIN, module, template as t};

/// The fixture's SO PIN.
const SO_PIN: &[u8] = b"87654321";

/// The C ABI over a fresh personalised token.
struct Lab {
    c: Installed,
    slot: TokenSlot,
}

fn lab() -> Lab {
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let slot = TokenSlot::new(token);
    let c = install(module(&slot));
    Lab { c, slot }
}

impl Lab {
    /// A read-write session with the user logged in.
    fn user(&self) -> CK_SESSION_HANDLE {
        let s = self.c.m.open_session(0, RW).unwrap();
        self.c.m.login(s, CKU_USER, USER_PIN).unwrap();
        s
    }

    fn find(&self, s: CK_SESSION_HANDLE, template: &Template) -> Vec<CK_OBJECT_HANDLE> {
        self.c.m.find_init(s, template).unwrap();
        let found = self.c.m.find(s, 100).unwrap();
        self.c.m.find_final(s).unwrap();
        found
    }

    fn one(&self, s: CK_SESSION_HANDLE, class: CK_OBJECT_CLASS) -> CK_OBJECT_HANDLE {
        let found = self.find(s, &t(&[(CKA_CLASS, ulong(class))]));
        assert_eq!(found.len(), 1, "one object of class {class:#x}");
        found[0]
    }

    /// `C_EX_GetTokenInfoExtended` into a structure of `size` bytes (the rest of it 0xEE).
    fn info(&self, size: usize) -> (CK_RV, CK_TOKEN_INFO_EXTENDED) {
        let mut raw = [0xEEu8; size_of::<CK_TOKEN_INFO_EXTENDED>()];
        raw[..size_of::<CK_ULONG>()].copy_from_slice(&(size as CK_ULONG).to_ne_bytes());
        // SAFETY: the structure is plain C data; any bytes are a value of it.
        let mut info: CK_TOKEN_INFO_EXTENDED = unsafe { std::mem::transmute(raw) };
        // SAFETY: a structure of at least `size` bytes.
        let rv = unsafe { self.c.x.C_EX_GetTokenInfoExtended.unwrap()(0, &mut info) };
        (rv, info)
    }

    /// The full extended information (asserting the call's success).
    fn full_info(&self) -> CK_TOKEN_INFO_EXTENDED {
        let (rv, info) = self.info(size_of::<CK_TOKEN_INFO_EXTENDED>());
        assert_eq!(rv, CKR_OK);
        info
    }

    /// `C_EX_GetTokenName` with a buffer of `room` bytes (`None`: a NULL buffer): the answer,
    /// the length given back, and the buffer.
    fn token_name(&self, s: CK_SESSION_HANDLE, room: Option<usize>) -> (CK_RV, CK_ULONG, Vec<u8>) {
        let mut buffer = vec![0u8; room.unwrap_or(0)];
        let mut len = buffer.len() as CK_ULONG;
        let ptr = if room.is_some() {
            buffer.as_mut_ptr()
        } else {
            null_mut()
        };
        // SAFETY: `ptr` is NULL or `len` writable bytes.
        let rv = unsafe { self.c.x.C_EX_GetTokenName.unwrap()(s, ptr, &mut len) };
        (rv, len, buffer)
    }

    fn set_token_name(&self, s: CK_SESSION_HANDLE, name: &[u8]) -> CK_RV {
        // SAFETY: `name.len()` readable bytes.
        unsafe { self.c.x.C_EX_SetTokenName.unwrap()(s, name.as_ptr(), name.len() as CK_ULONG) }
    }

    /// Copies a buffer the module handed out and frees it (`C_EX_FreeBuffer`).
    fn take(&self, ptr: *mut u8, len: CK_ULONG) -> Vec<u8> {
        assert!(!ptr.is_null());
        // SAFETY: the module's buffer of `len` bytes, alive until freed below.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len as usize) }.to_vec();
        // SAFETY: a buffer the module gave.
        assert_eq!(unsafe { self.c.x.C_EX_FreeBuffer.unwrap()(ptr) }, CKR_OK);
        bytes
    }

    /// `C_EX_PKCS7Sign`: the CMS, or the answer.
    fn pkcs7_sign(
        &self,
        s: CK_SESSION_HANDLE,
        data: &[u8],
        cert: CK_OBJECT_HANDLE,
        key: CK_OBJECT_HANDLE,
        extra: &[CK_OBJECT_HANDLE],
        flags: CK_ULONG,
    ) -> Result<Vec<u8>, CK_RV> {
        let mut envelope = null_mut();
        let mut len: CK_ULONG = 0;
        // SAFETY: every pointer valid for the lengths given.
        let rv = unsafe {
            self.c.x.C_EX_PKCS7Sign.unwrap()(
                s,
                data.as_ptr(),
                data.len() as CK_ULONG,
                cert,
                &mut envelope,
                &mut len,
                key,
                if extra.is_empty() {
                    null()
                } else {
                    extra.as_ptr()
                },
                extra.len() as CK_ULONG,
                flags,
            )
        };
        if rv != CKR_OK {
            return Err(rv);
        }
        Ok(self.take(envelope, len))
    }

    /// `C_EX_PKCS7VerifyInit` with a store of `trusted` and `certificates` (no CRLs).
    fn verify_init(
        &self,
        s: CK_SESSION_HANDLE,
        cms: &[u8],
        trusted: &[&[u8]],
        certificates: &[&[u8]],
        flags: CK_FLAGS,
    ) -> CK_RV {
        let buffers = |list: &[&[u8]]| -> Vec<CK_VENDOR_BUFFER> {
            list.iter()
                .map(|b| CK_VENDOR_BUFFER {
                    pData: b.as_ptr() as *mut u8,
                    ulSize: b.len() as CK_ULONG,
                })
                .collect()
        };
        let (trusted, certificates) = (buffers(trusted), buffers(certificates));
        let store = CK_VENDOR_X509_STORE {
            pTrustedCertificates: trusted.as_ptr(),
            ulTrustedCertificatesCount: trusted.len() as CK_ULONG,
            pCertificates: certificates.as_ptr(),
            ulCertificatesCount: certificates.len() as CK_ULONG,
            pCrls: null(),
            ulCrlsCount: 0,
        };
        // SAFETY: the CMS and a store whose arrays outlive the call.
        unsafe {
            self.c.x.C_EX_PKCS7VerifyInit.unwrap()(
                s,
                cms.as_ptr(),
                cms.len() as CK_ULONG,
                &store,
                OPTIONAL_CRL_CHECK,
                flags,
            )
        }
    }

    /// The signer certificates `C_EX_PKCS7Verify*` handed out, copied and freed.
    fn signers(&self, array: *mut CK_VENDOR_BUFFER, count: CK_ULONG) -> Vec<Vec<u8>> {
        // SAFETY: the module's array of `count` buffers.
        let list = unsafe { std::slice::from_raw_parts(array, count as usize) }.to_vec();
        let out = list.iter().map(|b| self.take(b.pData, b.ulSize)).collect();
        self.take(array as *mut u8, 0);
        out
    }

    /// `C_EX_PKCS7Verify` (attached): the content and the signer certificates.
    fn verify_attached(&self, s: CK_SESSION_HANDLE) -> Result<(Vec<u8>, Vec<Vec<u8>>), CK_RV> {
        let (mut data, mut len, mut certs, mut count) = (null_mut(), 0, null_mut(), 0);
        // SAFETY: valid out pointers.
        let rv = unsafe {
            self.c.x.C_EX_PKCS7Verify.unwrap()(s, &mut data, &mut len, &mut certs, &mut count)
        };
        if rv != CKR_OK {
            return Err(rv);
        }
        Ok((self.take(data, len), self.signers(certs, count)))
    }

    /// `C_EX_PKCS7VerifyUpdate` for each part, then `C_EX_PKCS7VerifyFinal`.
    fn verify_detached(
        &self,
        s: CK_SESSION_HANDLE,
        parts: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CK_RV> {
        for part in parts {
            // SAFETY: `part.len()` readable bytes.
            let rv = unsafe {
                self.c.x.C_EX_PKCS7VerifyUpdate.unwrap()(s, part.as_ptr(), part.len() as CK_ULONG)
            };
            if rv != CKR_OK {
                return Err(rv);
            }
        }
        let (mut certs, mut count) = (null_mut(), 0);
        // SAFETY: valid out pointers.
        let rv = unsafe { self.c.x.C_EX_PKCS7VerifyFinal.unwrap()(s, &mut certs, &mut count) };
        if rv != CKR_OK {
            return Err(rv);
        }
        Ok(self.signers(certs, count))
    }

    /// A session certificate object of `der` under `id`.
    fn session_certificate(&self, s: CK_SESSION_HANDLE, der: &[u8], id: &[u8]) -> CK_OBJECT_HANDLE {
        self.c
            .m
            .create_object(
                s,
                &t(&[
                    (CKA_CLASS, ulong(CKO_CERTIFICATE)),
                    (CKA_CERTIFICATE_TYPE, ulong(CKC_X_509)),
                    (CKA_TOKEN, bool(false)),
                    (CKA_ID, id.to_vec()),
                    (CKA_VALUE, der.to_vec()),
                ]),
            )
            .unwrap()
    }

    /// The ID of the token's key pair (its private key's `CKA_ID`).
    fn key_id(&self, s: CK_SESSION_HANDLE) -> Vec<u8> {
        let key = self.one(s, CKO_PRIVATE_KEY);
        self.c.m.attributes(s, key, &[CKA_ID]).unwrap()[0]
            .clone()
            .unwrap()
    }
}

/// A certificate for the fixture owner's key (the token's key pair) that is valid now: the
/// fixture's own expired in 2020. The test CA issues it for a request signed in software with
/// the owner's test key.
fn current_certificate() -> Vec<u8> {
    let owner = rutoken_pki::fixtures::owner_current().unwrap();
    let (algorithm, public) = owner.cert.public_key().unwrap();
    let request = RequestInfo::new(
        owner.cert.subject().clone(),
        &public,
        algorithm,
        &RequestedExtensions::default(),
    )
    .unwrap()
    .sign_with_key(&owner.key.key, &mut Rng::from_seed(5))
    .unwrap();
    let mut ca = TestCa::fixture(31).unwrap();
    ca.issue(&request, time::OffsetDateTime::now_utc())
        .unwrap()
        .to_der()
        .to_vec()
}

/// The test CA's certificate (self-signed, valid to 2034).
fn ca_certificate() -> Vec<u8> {
    rutoken_pki::fixtures::ca().unwrap().cert.to_der().to_vec()
}

/// `CKR_CERT_CHAIN_NOT_VERIFIED` is `CKR_VENDOR_DEFINED + 9` (`rtpkcs11t.h`), with
/// `CKR_VENDOR_DEFINED` 0x80000000 (PKCS#11 v2.40 §3.6).
const CHAIN_NOT_VERIFIED: CK_RV = 0x8000_0009;

// ---- extended token information -------------------------------------------------------------

/// The shortest PINs come from the token's PIN objects, not from the device profile: a factory
/// token made with other minimums (7 for the administrator, 6 for the user) reports those where
/// the module's profile says 8 and 4.
#[test]
fn extended_token_info_reads_the_shortest_pins_from_the_token() {
    let profile = TokenProfile {
        factory_admin_pin_min_len: 7,
        factory_user_pin_min_len: 6,
        ..TokenProfile::default()
    };
    let token = Token::in_memory(Fixture::Factory, 7, profile).unwrap();
    let slot = TokenSlot::new(token);
    let l = Lab {
        c: install(module(&slot)),
        slot,
    };
    let info = l.full_info();
    assert_eq!((info.ulMinAdminPinLen, info.ulMinUserPinLen), (7, 6));
}

/// `C_EX_GetTokenInfoExtended` on the personalised token: the fixture's PIN policy (shortest
/// PINs 8 and 4, tries 10 and 5, none spent), the serial as `C_GetTokenInfo` numbers it, the
/// reader's ATR, the profile's memory, the ECP type and class.
#[test]
fn extended_token_info_reports_the_fixture() {
    let l = lab();
    let info = l.full_info();
    assert_eq!(
        info.ulSizeofThisStructure as usize,
        size_of::<CK_TOKEN_INFO_EXTENDED>()
    );
    assert_eq!(info.ulTokenType, TOKEN_TYPE_RUTOKEN_ECP);
    assert_eq!(info.ulTokenClass, TOKEN_CLASS_ECP);
    assert_eq!(
        (info.ulMinAdminPinLen, info.ulMinUserPinLen),
        (8, 4),
        "the fixture's PIN objects"
    );
    assert_eq!(
        (info.ulMaxAdminRetryCount, info.ulMaxUserRetryCount),
        (10, 5)
    );
    assert_eq!(
        (info.ulAdminRetryCountLeft, info.ulUserRetryCountLeft),
        (10, 5)
    );
    // The longest PIN is C_GetTokenInfo's ulMaxPinLen for both.
    assert_eq!(info.ulMaxUserPinLen, rutoken_pkcs11::module::MAX_PIN_LEN);
    assert_eq!(info.ulMaxAdminPinLen, rutoken_pkcs11::module::MAX_PIN_LEN);
    // The serial is big-endian, right-aligned in its 8 bytes: its last 4 bytes are the device
    // number C_GetTokenInfo shows in decimal.
    let tail = u32::from_be_bytes(info.serialNumber[4..].try_into().unwrap());
    assert_eq!(format!("{tail:010}"), l.c.m.token_info(0).unwrap().serial);
    assert_ne!(info.serialNumber, [0; 8]);
    let atr = l.slot.atr();
    assert_eq!(info.ulATRLen as usize, atr.len());
    assert_eq!(&info.ATR[..atr.len()], &atr[..]);
    assert!(info.ATR[atr.len()..].iter().all(|b| *b == 0));
    assert_eq!(
        info.ulTotalMemory,
        CK_ULONG::from(
            rutoken_sim::profile::DeviceProfile::default()
                .token
                .memory_bytes
        )
    );
    assert_eq!(info.ulFreeMemory, CK_UNAVAILABLE_INFORMATION);
    // Both may change the user PIN (C_InitPIN, C_SetPIN); the SafeTouch has a button; no
    // journal (C_EX_GetJournal is not supported) and no firmware checksum (the field is 0).
    assert_eq!(
        info.flags,
        TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN
            | TOKEN_FLAGS_USER_CHANGE_USER_PIN
            | TOKEN_FLAGS_HAS_BUTTON
            | TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE
    );
    assert_eq!(info.ulFirmwareChecksum, 0);
}

/// A caller's structure of the vendor's older, shorter layout (up to `ulATRLen`) is filled up to
/// its size and told so; the bytes after it are not written; a size below that is
/// `CKR_ARGUMENTS_BAD`.
#[test]
fn a_short_extended_info_structure_is_filled_to_its_size() {
    let l = lab();
    let short = offset_of!(CK_TOKEN_INFO_EXTENDED, ulTokenClass);
    let (rv, info) = l.info(short);
    assert_eq!(rv, CKR_OK);
    assert_eq!(info.ulSizeofThisStructure as usize, short);
    assert_eq!(info.ulATRLen as usize, l.slot.atr().len());
    assert_eq!(info.ulTokenClass, CK_ULONG::from_ne_bytes([0xEE; 8]));
    assert_eq!(info.ulBatteryFlags, CK_ULONG::from_ne_bytes([0xEE; 8]));
    let (rv, _) = l.info(short - 1);
    assert_eq!(rv, CKR_ARGUMENTS_BAD);
}

/// Wrong user PINs count down in the extended information and in `C_GetTokenInfo`'s flags
/// (PKCS#11 v2.40 §5.5: COUNT_LOW after a wrong try, FINAL_TRY at one left, LOCKED at none);
/// `C_EX_UnblockUserPIN` as the SO gives the tries back and keeps the PIN.
#[test]
fn wrong_user_pins_count_down_and_the_so_unblocks() {
    let l = lab();
    let m = &l.c.m;
    let s = m.open_session(0, RW).unwrap();
    let flags = || {
        m.token_info(0).unwrap().flags
            & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)
    };
    assert_eq!(flags(), 0);
    for left in (1..5).rev() {
        assert_eq!(
            m.login(s, CKU_USER, b"0000").unwrap_err().rv(),
            CKR_PIN_INCORRECT
        );
        assert_eq!(l.full_info().ulUserRetryCountLeft, left);
        let want = if left == 1 {
            CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY
        } else {
            CKF_USER_PIN_COUNT_LOW
        };
        assert_eq!(flags(), want, "{left} left");
    }
    let last = m.login(s, CKU_USER, b"0000").unwrap_err().rv();
    assert!(
        last == CKR_PIN_LOCKED || last == CKR_PIN_INCORRECT,
        "{last:#x}"
    );
    assert_eq!(flags(), CKF_USER_PIN_LOCKED);
    assert_eq!(l.full_info().ulUserRetryCountLeft, 0);
    assert_eq!(
        m.login(s, CKU_USER, USER_PIN).unwrap_err().rv(),
        CKR_PIN_LOCKED
    );
    let unblock = |s| {
        // SAFETY: the call takes a session handle, nothing else.
        unsafe { l.c.x.C_EX_UnblockUserPIN.unwrap()(s) }
    };
    assert_eq!(unblock(s), CKR_USER_NOT_LOGGED_IN);
    m.login(s, CKU_SO, SO_PIN).unwrap();
    assert_eq!(unblock(s), CKR_OK);
    m.logout(s).unwrap();
    assert_eq!(l.full_info().ulUserRetryCountLeft, 5);
    assert_eq!(flags(), 0);
    m.login(s, CKU_USER, USER_PIN).unwrap();
    // As the user, or from a read-only session, it is refused.
    assert_eq!(unblock(s), CKR_USER_NOT_LOGGED_IN);
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(unblock(ro), CKR_SESSION_READ_ONLY);
}

// ---- the token name -------------------------------------------------------------------------

/// `C_EX_SetTokenName` then `C_EX_GetTokenName` by PKCS#11's size protocol (NULL buffer: the
/// length; one byte short: `CKR_BUFFER_TOO_SMALL` and the length; exact: the name), and the
/// name is `C_GetTokenInfo`'s label.
#[test]
fn the_token_name_is_set_read_back_and_labels_the_token() {
    let l = lab();
    let s = l.user();
    let name = b"Bank token";
    assert_eq!(l.set_token_name(s, name), CKR_OK);
    let (rv, len, _) = l.token_name(s, None);
    assert_eq!((rv, len), (CKR_OK, 10));
    let (rv, len, _) = l.token_name(s, Some(9));
    assert_eq!((rv, len), (CKR_BUFFER_TOO_SMALL, 10));
    let (rv, len, buffer) = l.token_name(s, Some(10));
    assert_eq!((rv, len), (CKR_OK, 10));
    assert_eq!(buffer, name);
    assert_eq!(l.c.m.token_info(0).unwrap().label, "Bank token");
    // 32 bytes (CK_TOKEN_INFO.label's size) is the longest name.
    let longest = [b'N'; 32];
    assert_eq!(l.set_token_name(s, &longest), CKR_OK);
    assert_eq!(l.token_name(s, Some(32)).2, longest);
    assert_eq!(l.set_token_name(s, &[b'N'; 33]), CKR_ARGUMENTS_BAD);
    assert_eq!(l.set_token_name(s, b""), CKR_ARGUMENTS_BAD);
    assert_eq!(l.set_token_name(s, &[0xFF, 0xFE]), CKR_ARGUMENTS_BAD);
    assert_eq!(l.token_name(s, Some(32)).2, longest, "unchanged");
}

/// "R/W User Functions" only: a read-only session or one without the user's login may not
/// rename the token; any session may read the name.
#[test]
fn renaming_the_token_needs_a_read_write_user_session() {
    let l = lab();
    let m = &l.c.m;
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let rw = m.open_session(0, RW).unwrap();
    assert_eq!(l.set_token_name(rw, b"x"), CKR_USER_NOT_LOGGED_IN);
    m.login(rw, CKU_USER, USER_PIN).unwrap();
    assert_eq!(l.set_token_name(ro, b"x"), CKR_SESSION_READ_ONLY);
    assert_eq!(l.set_token_name(rw, b"Renamed"), CKR_OK);
    m.logout(rw).unwrap();
    let (rv, len, name) = l.token_name(ro, Some(16));
    assert_eq!((rv, len), (CKR_OK, 7));
    assert_eq!(&name[..7], b"Renamed");
}

// ---- formatting -----------------------------------------------------------------------------

/// `C_InitToken`'s 32-byte blank-padded label.
fn label32(text: &str) -> [u8; 32] {
    let mut label = [b' '; 32];
    label[..text.len()].copy_from_slice(text.as_bytes());
    label
}

fn c_init_token(l: &Lab, pin: &[u8], label: &[u8; 32]) -> CK_RV {
    // SAFETY: the PIN's bytes and a 32-byte label.
    unsafe {
        l.c.f.C_InitToken.unwrap()(
            0,
            pin.as_ptr() as *mut u8,
            pin.len() as CK_ULONG,
            label.as_ptr() as *mut u8,
        )
    }
}

/// `C_InitToken` (PKCS#11 v2.40 §5.5): a wrong SO PIN is `CKR_PIN_INCORRECT` and an open
/// session `CKR_SESSION_EXISTS`, nothing changed; with the SO PIN the token is emptied, named
/// by the label, and the user PIN is the factory one again.
#[test]
fn c_init_token_checks_the_so_pin_then_formats() {
    let l = lab();
    let m = &l.c.m;
    assert_eq!(
        c_init_token(&l, b"00000000", &label32("Formatted")),
        CKR_PIN_INCORRECT
    );
    let s = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        c_init_token(&l, SO_PIN, &label32("Formatted")),
        CKR_SESSION_EXISTS
    );
    // Nothing changed: the key pair and the certificate are there.
    m.login(s, CKU_USER, USER_PIN).unwrap();
    assert_eq!(l.find(s, &Template::default()).len(), 3);
    let old_cert = l.one(s, CKO_CERTIFICATE);
    let old = m.attributes(s, old_cert, &[CKA_ID, CKA_VALUE]).unwrap();
    let (old_id, old_der) = (old[0].clone().unwrap(), old[1].clone().unwrap());
    m.close_session(s).unwrap();

    assert_eq!(c_init_token(&l, SO_PIN, &label32("Formatted")), CKR_OK);
    assert_eq!(m.token_info(0).unwrap().label, "Formatted");
    let s = m.open_session(0, RW).unwrap();
    // The objects' handles went with them (a certificate is public: no login needed to see it).
    assert_eq!(
        m.attributes(s, old_cert, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    m.login(s, CKU_USER, USER_PIN).unwrap();
    // The same certificate written again (before anything lists the token) is a new object:
    // a new handle, not the old one.
    let again = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ulong(CKO_CERTIFICATE)),
                (CKA_CERTIFICATE_TYPE, ulong(CKC_X_509)),
                (CKA_TOKEN, bool(true)),
                (CKA_ID, old_id),
                (CKA_VALUE, old_der),
            ]),
        )
        .unwrap();
    assert_ne!(again, old_cert);
    assert_eq!(
        l.find(s, &Template::default()),
        vec![again],
        "emptied but for it"
    );
    m.close_session(s).unwrap();
    // An all-blank label keeps the name.
    assert_eq!(c_init_token(&l, SO_PIN, &[b' '; 32]), CKR_OK);
    assert_eq!(m.token_info(0).unwrap().label, "Formatted");
}

/// A change to an init parameter.
type Change = dyn Fn(&mut CK_RUTOKEN_INIT_PARAM);

/// `CK_RUTOKEN_INIT_PARAM` matching the token's PIN policy as the extended information reports
/// it, with new PINs and a label.
fn init_param(
    info: &CK_TOKEN_INFO_EXTENDED,
    user: &[u8],
    admin: &[u8],
    label: &[u8],
) -> CK_RUTOKEN_INIT_PARAM {
    CK_RUTOKEN_INIT_PARAM {
        ulSizeofThisStructure: size_of::<CK_RUTOKEN_INIT_PARAM>() as CK_ULONG,
        UseRepairMode: 0,
        pNewAdminPin: admin.as_ptr(),
        ulNewAdminPinLen: admin.len() as CK_ULONG,
        pNewUserPin: user.as_ptr(),
        ulNewUserPinLen: user.len() as CK_ULONG,
        ChangeUserPINPolicy: TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN | TOKEN_FLAGS_USER_CHANGE_USER_PIN,
        ulMinAdminPinLen: info.ulMinAdminPinLen,
        ulMinUserPinLen: info.ulMinUserPinLen,
        ulMaxAdminRetryCount: info.ulMaxAdminRetryCount,
        ulMaxUserRetryCount: info.ulMaxUserRetryCount,
        pTokenLabel: label.as_ptr(),
        ulLabelLen: label.len() as CK_ULONG,
        ulSmMode: 0,
    }
}

fn ex_init_token(l: &Lab, admin: &[u8], p: &CK_RUTOKEN_INIT_PARAM) -> CK_RV {
    // SAFETY: the PIN's bytes and a full structure whose pointers outlive the call.
    unsafe { l.c.x.C_EX_InitToken.unwrap()(0, admin.as_ptr(), admin.len() as CK_ULONG, p) }
}

/// `C_EX_InitToken`: the documented ranges of `CK_RUTOKEN_INIT_PARAM` (shortest PINs 1..=31,
/// SO tries 3..=10, user tries 1..=10, a policy of the two flags) are checked first
/// (`CKR_ARGUMENTS_BAD`); a policy in range but not the token's is `CKR_FUNCTION_NOT_SUPPORTED`;
/// PINs shorter than the policy or longer than 32 bytes `CKR_PIN_LEN_RANGE`; then the format
/// sets the new PINs and the label.
#[test]
fn ex_init_token_checks_its_parameters_then_formats() {
    let l = lab();
    let info = l.full_info();
    let ok = init_param(&info, b"1234", b"", b"Bank");
    let with = |f: &Change| {
        let mut p = ok;
        f(&mut p);
        ex_init_token(&l, SO_PIN, &p)
    };
    let cases: [(&str, &Change, CK_RV); 14] = [
        (
            "no policy",
            &|p| p.ChangeUserPINPolicy = 0,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "unknown policy bit",
            &|p| p.ChangeUserPINPolicy |= 4,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "admin min 0",
            &|p| p.ulMinAdminPinLen = 0,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "admin min 32",
            &|p| p.ulMinAdminPinLen = 32,
            CKR_ARGUMENTS_BAD,
        ),
        ("user min 0", &|p| p.ulMinUserPinLen = 0, CKR_ARGUMENTS_BAD),
        (
            "user min 32",
            &|p| p.ulMinUserPinLen = 32,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "admin tries 2",
            &|p| p.ulMaxAdminRetryCount = 2,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "admin tries 11",
            &|p| p.ulMaxAdminRetryCount = 11,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "user tries 0",
            &|p| p.ulMaxUserRetryCount = 0,
            CKR_ARGUMENTS_BAD,
        ),
        (
            "user tries 11",
            &|p| p.ulMaxUserRetryCount = 11,
            CKR_ARGUMENTS_BAD,
        ),
        // In range, not the token's policy.
        (
            "admin only",
            &|p| p.ChangeUserPINPolicy = TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN,
            CKR_FUNCTION_NOT_SUPPORTED,
        ),
        (
            "user tries 3",
            &|p| p.ulMaxUserRetryCount = 3,
            CKR_FUNCTION_NOT_SUPPORTED,
        ),
        (
            "repair mode",
            &|p| p.UseRepairMode = 1,
            CKR_FUNCTION_NOT_SUPPORTED,
        ),
        (
            "structure too short",
            &|p| p.ulSizeofThisStructure -= 1,
            CKR_ARGUMENTS_BAD,
        ),
    ];
    for (what, f, rv) in cases {
        assert_eq!(with(f), rv, "{what}");
    }
    let short_user = init_param(&info, b"123", b"", b"Bank");
    assert_eq!(ex_init_token(&l, SO_PIN, &short_user), CKR_PIN_LEN_RANGE);
    let long_user = [b'1'; 33];
    let long_user = init_param(&info, &long_user, b"", b"Bank");
    assert_eq!(ex_init_token(&l, SO_PIN, &long_user), CKR_PIN_LEN_RANGE);
    let short_admin = init_param(&info, b"1234", b"7654321", b"Bank");
    assert_eq!(ex_init_token(&l, SO_PIN, &short_admin), CKR_PIN_LEN_RANGE);
    let long_label = init_param(&info, b"1234", b"", &[b'L'; 33]);
    assert_eq!(ex_init_token(&l, SO_PIN, &long_label), CKR_ARGUMENTS_BAD);
    // Nothing has changed so far: the factory user PIN still logs in.
    let m = &l.c.m;
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, USER_PIN).unwrap();
    assert_eq!(ex_init_token(&l, SO_PIN, &ok), CKR_SESSION_EXISTS);
    m.close_session(s).unwrap();

    let new_admin = init_param(&info, b"1234", b"11223344", b"Bank");
    assert_eq!(ex_init_token(&l, SO_PIN, &new_admin), CKR_OK);
    let s = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.login(s, CKU_USER, USER_PIN).unwrap_err().rv(),
        CKR_PIN_INCORRECT
    );
    m.login(s, CKU_USER, b"1234").unwrap();
    assert!(l.find(s, &Template::default()).is_empty(), "emptied");
    assert_eq!(l.token_name(s, Some(32)).1, 4);
    m.logout(s).unwrap();
    m.login(s, CKU_SO, b"11223344").unwrap();
}

// ---- PKCS#7 ---------------------------------------------------------------------------------

/// `C_EX_PKCS7Sign` with the token's key and a certificate of it valid now, each way (hashed on
/// the host or on the token, attached or detached), checked by `C_EX_PKCS7Verify*` against the
/// test CA: the content and the signer's certificate come back; a changed document is
/// `CKR_SIGNATURE_INVALID`.
#[test]
fn pkcs7_signatures_verify_against_the_test_ca() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let data = b"payment order 17: 100.00 RUB".to_vec();
    for hardware in [0, USE_HARDWARE_HASH] {
        let cms = l.pkcs7_sign(s, &data, cert, 0, &[], hardware).unwrap();
        assert_eq!(l.verify_init(s, &cms, &[&ca], &[], 0), CKR_OK);
        let (content, signers) = l.verify_attached(s).unwrap();
        assert_eq!(content, data);
        assert_eq!(signers, vec![der.clone()], "flags {hardware:#x}");

        let detached = l
            .pkcs7_sign(s, &data, cert, 0, &[], hardware | PKCS7_DETACHED_SIGNATURE)
            .unwrap();
        assert!(detached.len() < cms.len(), "without the content");
        assert_eq!(l.verify_init(s, &detached, &[&ca], &[], 0), CKR_OK);
        let (first, rest) = data.split_at(7);
        assert_eq!(
            l.verify_detached(s, &[first, rest]).unwrap(),
            vec![der.clone()]
        );
        assert_eq!(l.verify_init(s, &detached, &[&ca], &[], 0), CKR_OK);
        assert_eq!(
            l.verify_detached(s, &[b"payment order 17: 999.00 RUB"]),
            Err(CKR_SIGNATURE_INVALID)
        );
    }
}

/// The chain rules of `C_EX_PKCS7VerifyInit`'s flags: the signer's certificate alone trusted is
/// no chain (it is not self-issued) unless `CKF_VENDOR_ALLOW_PARTIAL_CHAINS`; no trust at all is
/// `CKR_CERT_CHAIN_NOT_VERIFIED`; with `CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS` the signer's
/// certificate must come from the store.
#[test]
fn pkcs7_verification_follows_the_chain_flags() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let cms = l.pkcs7_sign(s, b"document", cert, 0, &[], 0).unwrap();
    let verify = |trusted: &[&[u8]], certificates: &[&[u8]], flags| {
        assert_eq!(l.verify_init(s, &cms, trusted, certificates, flags), CKR_OK);
        l.verify_attached(s).map(|(_, signers)| signers)
    };
    assert_eq!(verify(&[], &[], 0), Err(CHAIN_NOT_VERIFIED));
    assert_eq!(verify(&[&der], &[], 0), Err(CHAIN_NOT_VERIFIED));
    assert_eq!(
        verify(&[&der], &[], CKF_VENDOR_ALLOW_PARTIAL_CHAINS),
        Ok(vec![der.clone()])
    );
    assert_eq!(
        verify(&[&ca], &[], CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS),
        Err(CHAIN_NOT_VERIFIED)
    );
    assert_eq!(
        verify(&[&ca], &[&der], CKF_VENDOR_DO_NOT_USE_INTERNAL_CMS_CERTS),
        Ok(vec![der.clone()])
    );
    // Another self-signed CA is no anchor for this chain.
    let foreign = rutoken_pki::fixtures::foreign_ca()
        .unwrap()
        .cert
        .to_der()
        .to_vec();
    assert_eq!(verify(&[&foreign], &[], 0), Err(CHAIN_NOT_VERIFIED));
    // An impostor under the test CA's name (the foreign CA's key, issued by the foreign CA) is
    // no issuer of the signer's certificate, trusted or not: an issuer is the certificate whose
    // key verifies the signature, not one whose name matches.
    let impostor = impostor_of_the_test_ca();
    assert_eq!(
        verify(&[&impostor], &[&impostor], CKF_VENDOR_ALLOW_PARTIAL_CHAINS),
        Err(CHAIN_NOT_VERIFIED)
    );
}

/// A certificate named as the test CA but holding the foreign CA's key, signed by the foreign
/// CA, valid when the test CA is.
fn impostor_of_the_test_ca() -> Vec<u8> {
    use rutoken_pki::ca::{CertTemplate, IssuancePolicy};
    let real = rutoken_pki::fixtures::ca().unwrap().cert;
    let foreign = rutoken_pki::fixtures::foreign_ca().unwrap();
    let template = CertTemplate {
        serial: vec![0x01, 0x77],
        issuer: foreign.cert.subject().clone(),
        subject: real.subject().clone(),
        not_before: real.not_before().unwrap(),
        not_after: real.not_after().unwrap(),
        public_key: foreign.cert.spki().clone(),
        extensions: Vec::new(),
    };
    let mut signer =
        rutoken_pki::ca::TestCa::new(foreign.cert, foreign.key, IssuancePolicy::default(), 5)
            .unwrap();
    signer.sign(&template).unwrap().to_der().to_vec()
}

/// The fixture's own certificate expired in 2020: a signature with it verifies as a signature
/// but its chain does not (`CKR_CERT_CHAIN_NOT_VERIFIED`, the vendor's value 0x80000009), even
/// with the test CA trusted. `hPrivKey` 0 finds the key by the certificate's `CKA_ID`.
#[test]
fn an_expired_signer_certificate_is_no_chain() {
    assert_eq!(CKR_CERT_CHAIN_NOT_VERIFIED, CHAIN_NOT_VERIFIED);
    let l = lab();
    let s = l.user();
    let cert = l.one(s, CKO_CERTIFICATE);
    let cms = l.pkcs7_sign(s, b"document", cert, 0, &[], 0).unwrap();
    assert_eq!(l.verify_init(s, &cms, &[&ca_certificate()], &[], 0), CKR_OK);
    assert_eq!(l.verify_attached(s), Err(CHAIN_NOT_VERIFIED));
}

/// Which key signs: the private key named must be of the certificate's pair, by `CKA_ID` (a
/// handle of a key whose ID is not the certificate's is `CKR_KEY_HANDLE_INVALID`, even when the
/// key would match) and by the certificate's public key (a certificate of another key under
/// the key's ID is refused too); a public key's handle is `CKR_KEY_TYPE_INCONSISTENT`; with
/// `hPrivKey` 0 the key is looked up by the certificate's ID.
#[test]
fn pkcs7_sign_takes_only_the_certificate_s_own_key() {
    let l = lab();
    let s = l.user();
    let id = l.key_id(s);
    let private = l.one(s, CKO_PRIVATE_KEY);
    let public = l.one(s, CKO_PUBLIC_KEY);
    let der = current_certificate();
    let good = l.session_certificate(s, &der, &id);
    assert!(l.pkcs7_sign(s, b"d", good, private, &[], 0).is_ok());
    assert!(l.pkcs7_sign(s, b"d", good, 0, &[], 0).is_ok());
    // The same certificate under another ID.
    let other_id = l.session_certificate(s, &der, b"another id");
    assert_eq!(
        l.pkcs7_sign(s, b"d", other_id, private, &[], 0),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        l.pkcs7_sign(s, b"d", other_id, 0, &[], 0),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    // Another owner's certificate under the key's ID.
    let stranger = rutoken_pki::fixtures::second_owner()
        .unwrap()
        .cert
        .to_der()
        .to_vec();
    let stranger = l.session_certificate(s, &stranger, &id);
    assert_eq!(
        l.pkcs7_sign(s, b"d", stranger, private, &[], 0),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        l.pkcs7_sign(s, b"d", good, public, &[], 0),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        l.pkcs7_sign(s, b"d", good, 0x7777, &[], 0),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    // The certificate handle must be a certificate.
    assert_eq!(
        l.pkcs7_sign(s, b"d", public, private, &[], 0),
        Err(CKR_ARGUMENTS_BAD)
    );
    // An unknown flag, and no user logged in.
    assert_eq!(
        l.pkcs7_sign(s, b"d", good, 0, &[], 4),
        Err(CKR_ARGUMENTS_BAD)
    );
    l.c.m.logout(s).unwrap();
    assert_eq!(
        l.pkcs7_sign(s, b"d", good, 0, &[], 0),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
}

/// Certificates given in `phCertificates` go into the CMS after the signer's, once each: with
/// the CA's certificate inside, trusting that certificate (partial chains allowed) needs no
/// store certificates even when the CMS's own are the only source.
#[test]
fn pkcs7_sign_includes_the_extra_certificates_once() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let ca_object = l.session_certificate(s, &ca, b"ca");
    let plain = l.pkcs7_sign(s, b"x", cert, 0, &[], 0).unwrap();
    let with_ca = l
        .pkcs7_sign(s, b"x", cert, 0, &[ca_object, cert, ca_object], 0)
        .unwrap();
    // The CA's certificate once, the signer's not again (signingTime may change a byte's
    // length at most, never by a certificate's size).
    let grown = with_ca.len() - plain.len();
    assert!(grown >= ca.len() && grown < ca.len() + 8, "{grown}");
    let count = |cms: &[u8], what: &[u8]| cms.windows(what.len()).filter(|w| *w == what).count();
    assert_eq!(count(&with_ca, &ca), 1);
    assert_eq!(count(&with_ca, &der), 1);
    assert_eq!(l.verify_init(s, &with_ca, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_attached(s).unwrap().1, vec![der.clone()]);
}

/// The verification's own rules: a detached CMS does not end in `C_EX_PKCS7Verify` nor an
/// attached one in `…Final`; a second init while one runs is `CKR_OPERATION_ACTIVE`; the calls
/// without an init are `CKR_OPERATION_NOT_INITIALIZED`; no user, `CKR_USER_NOT_LOGGED_IN`.
#[test]
fn pkcs7_verification_keeps_its_operation_rules() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let attached = l.pkcs7_sign(s, b"x", cert, 0, &[], 0).unwrap();
    let detached = l
        .pkcs7_sign(s, b"x", cert, 0, &[], PKCS7_DETACHED_SIGNATURE)
        .unwrap();
    assert_eq!(l.verify_attached(s), Err(CKR_OPERATION_NOT_INITIALIZED));
    assert_eq!(
        l.verify_detached(s, &[]),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    assert_eq!(l.verify_init(s, &detached, &[&ca], &[], 0), CKR_OK);
    assert_eq!(
        l.verify_init(s, &attached, &[&ca], &[], 0),
        CKR_OPERATION_ACTIVE
    );
    assert_eq!(l.verify_attached(s), Err(CKR_ARGUMENTS_BAD));
    assert_eq!(l.verify_init(s, &attached, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_detached(s, &[b"x"]), Err(CKR_ARGUMENTS_BAD));
    // Not DER, or not SignedData.
    assert_eq!(
        l.verify_init(s, b"\x30\x00", &[&ca], &[], 0),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(l.verify_init(s, &ca, &[&ca], &[], 0), CKR_ARGUMENTS_BAD);
    assert_eq!(
        l.verify_init(s, &attached, &[&ca], &[], 4),
        CKR_ARGUMENTS_BAD
    );
    l.c.m.logout(s).unwrap();
    assert_eq!(
        l.verify_init(s, &attached, &[&ca], &[], 0),
        CKR_USER_NOT_LOGGED_IN
    );
}

// ---- certificate text and requests ----------------------------------------------------------

/// `C_EX_GetCertificateInfoText` of the fixture's certificate: the fields `fixtures/README.md`
/// gives (subject, the test CA as issuer, serial 010101D1010201B6, validity 2019-06-04 to
/// 2020-09-04, a 2012-256 key), NUL-terminated, freed once.
#[test]
fn certificate_text_names_the_fixture_certificate() {
    let l = lab();
    let s = l.c.m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let cert = l.one(s, CKO_CERTIFICATE);
    let (mut ptr, mut len) = (null_mut(), 0);
    // SAFETY: valid out pointers.
    let rv = unsafe { l.c.x.C_EX_GetCertificateInfoText.unwrap()(s, cert, &mut ptr, &mut len) };
    assert_eq!(rv, CKR_OK);
    // SAFETY: the text and its NUL.
    let nul = unsafe { *ptr.add(len as usize) };
    assert_eq!(nul, 0);
    let text = String::from_utf8(l.take(ptr, len)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("Subject: ") && lines[0].contains("CN=Иванов Иван Иванович"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("Issuer: ") && lines[1].contains("УЦ НотариПро"),
        "{text}"
    );
    assert_eq!(lines[2], "Serial number: 01:01:01:D1:01:02:01:B6");
    assert!(lines[3].starts_with("Not before: 2019-06-04"), "{text}");
    assert!(lines[4].starts_with("Not after: 2020-09-04"), "{text}");
    assert_eq!(lines[5], "Public key: GOST R 34.10-2012 256 bit");
    // SAFETY: a pointer freed already, which the module must refuse without touching.
    let again = unsafe { l.c.x.C_EX_FreeBuffer.unwrap()(ptr) };
    assert_eq!(again, CKR_ARGUMENTS_BAD);
    // A key is no certificate.
    let key = l.one(s, CKO_PUBLIC_KEY);
    // SAFETY: valid out pointers.
    let rv = unsafe { l.c.x.C_EX_GetCertificateInfoText.unwrap()(s, key, &mut ptr, &mut len) };
    assert_eq!(rv, CKR_ARGUMENTS_BAD);
}

/// C strings for `C_EX_CreateCSR`'s arrays: the pointers, and the strings they point into.
struct Strings {
    ptrs: Vec<*const u8>,
    _owned: Vec<std::ffi::CString>,
}

fn strings(list: &[&str]) -> Strings {
    let owned: Vec<_> = list
        .iter()
        .map(|s| std::ffi::CString::new(*s).unwrap())
        .collect();
    let ptrs = owned.iter().map(|c| c.as_ptr() as *const u8).collect();
    Strings {
        ptrs,
        _owned: owned,
    }
}

fn create_csr(
    l: &Lab,
    s: CK_SESSION_HANDLE,
    public: CK_OBJECT_HANDLE,
    dn: &[&str],
    extensions: &[&str],
) -> Result<Vec<u8>, CK_RV> {
    let (dn, ext) = (strings(dn), strings(extensions));
    let (mut ptr, mut len) = (null_mut(), 0);
    // SAFETY: arrays of C strings of the lengths given, valid out pointers.
    let rv = unsafe {
        l.c.x.C_EX_CreateCSR.unwrap()(
            s,
            public,
            dn.ptrs.as_ptr(),
            dn.ptrs.len() as CK_ULONG,
            &mut ptr,
            &mut len,
            0,
            null(),
            0,
            ext.ptrs.as_ptr(),
            ext.ptrs.len() as CK_ULONG,
        )
    };
    if rv != CKR_OK {
        return Err(rv);
    }
    Ok(l.take(ptr, len))
}

/// `C_EX_CreateCSR`: a PKCS#10 request for the token's key, signed by it (the request verifies),
/// with the subject in the caller's order and each keyUsage bit asked for (RFC 5280 §4.2.1.3's
/// names as OpenSSL spells them); an odd DN count or an unknown bit name is `CKR_ARGUMENTS_BAD`.
#[test]
fn a_request_carries_the_subject_and_each_key_usage_bit() {
    let l = lab();
    let s = l.user();
    let public = l.one(s, CKO_PUBLIC_KEY);
    let owner = rutoken_pki::fixtures::owner_current().unwrap();
    let names = [
        ("digitalSignature", 0),
        ("nonRepudiation", 1),
        ("keyEncipherment", 2),
        ("dataEncipherment", 3),
        ("keyAgreement", 4),
        ("keyCertSign", 5),
        ("cRLSign", 6),
        ("encipherOnly", 7),
        ("decipherOnly", 8),
    ];
    for (name, bit) in names {
        let der = create_csr(
            &l,
            s,
            public,
            &["CN", "Test", "C", "RU"],
            &["keyUsage", name],
        )
        .unwrap();
        let request = Request::parse(&der).unwrap();
        request.verify().unwrap();
        assert_eq!(
            request.public_key().unwrap().1,
            owner.cert.public_key().unwrap().1,
            "the token's key"
        );
        // CN (2.5.4.3) then C (2.5.4.6), as given.
        let order: Vec<String> = request
            .subject()
            .iter()
            .map(|a| a.oid.to_string())
            .collect();
        assert_eq!(order, ["2.5.4.3", "2.5.4.6"]);
        let ku = request
            .requested_extensions()
            .unwrap()
            .key_usage
            .unwrap()
            .0
            .bits();
        assert_eq!(ku, 1 << bit, "{name}");
    }
    assert_eq!(
        create_csr(&l, s, public, &["CN", "Test", "C"], &[]),
        Err(CKR_ARGUMENTS_BAD)
    );
    assert_eq!(
        create_csr(&l, s, public, &["CN", "Test"], &["keyUsage", "everything"]),
        Err(CKR_ARGUMENTS_BAD)
    );
    let private = l.one(s, CKO_PRIVATE_KEY);
    assert_eq!(
        create_csr(&l, s, private, &["CN", "Test"], &[]),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
}

/// `CKA_ID` of a certificate imported without one whose key is no GOST key the token could
/// file it under: the SHA-1 of its subjectPublicKey's bits (RFC 5280 §4.2.1.2 method 1, as
/// OpenSC). The test's certificate is the test CA's with its key's OCTET STRING tag made a
/// SEQUENCE's, which no GOST key is (the DER stays a certificate).
#[test]
fn a_foreign_certificate_is_filed_under_its_key_s_sha1() {
    use sha1::Digest;
    let l = lab();
    let s = l.user();
    let mut der = ca_certificate();
    let key_bits = [0x03, 0x43, 0x00, 0x04, 0x40];
    let at = der
        .windows(key_bits.len())
        .position(|w| w == key_bits)
        .expect("the CA's 2012-256 key");
    der[at + 3] = 0x30;
    let bits = &der[at + 3..at + 3 + 0x42];
    let want = sha1::Sha1::digest(bits).to_vec();
    let cert =
        l.c.m
            .create_object(
                s,
                &t(&[
                    (CKA_CLASS, ulong(CKO_CERTIFICATE)),
                    (CKA_CERTIFICATE_TYPE, ulong(CKC_X_509)),
                    (CKA_TOKEN, bool(true)),
                    (CKA_LABEL, b"foreign".to_vec()),
                    (CKA_VALUE, der.clone()),
                ]),
            )
            .unwrap();
    assert_eq!(
        l.c.m.attributes(s, cert, &[CKA_ID, CKA_VALUE]).unwrap(),
        vec![Ok(want), Ok(der)]
    );
}

/// A self-issued certificate ends a chain only when trusted: the test CA's certificate given
/// among the store's plain certificates (not trusted) leaves the chain unverified.
#[test]
fn an_untrusted_root_ends_no_chain() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let cms = l.pkcs7_sign(s, b"document", cert, 0, &[], 0).unwrap();
    assert_eq!(l.verify_init(s, &cms, &[], &[&ca], 0), CKR_OK);
    assert_eq!(l.verify_attached(s), Err(CHAIN_NOT_VERIFIED));
    assert_eq!(l.verify_init(s, &cms, &[&ca], &[&ca], 0), CKR_OK);
    assert_eq!(l.verify_attached(s).unwrap().1, vec![der]);
}

/// Verifications are per session: two sessions verifying at once each get their own CMS's
/// content back, whichever ends first.
#[test]
fn two_sessions_verify_at_once() {
    let l = lab();
    let s1 = l.user();
    let s2 = l.c.m.open_session(0, RW).unwrap();
    let der = current_certificate();
    let cert = l.session_certificate(s1, &der, &l.key_id(s1));
    let ca = ca_certificate();
    let first = l.pkcs7_sign(s1, b"first", cert, 0, &[], 0).unwrap();
    let second = l.pkcs7_sign(s1, b"second", cert, 0, &[], 0).unwrap();
    assert_eq!(l.verify_init(s1, &first, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_init(s2, &second, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_attached(s1).unwrap().0, b"first");
    assert_eq!(l.verify_attached(s2).unwrap().0, b"second");
}

/// A session object that is no certificate (here a data object) is `CKR_ARGUMENTS_BAD` as
/// `hCert`, as a token key is.
#[test]
fn a_session_data_object_is_no_certificate() {
    let l = lab();
    let s = l.user();
    let data =
        l.c.m
            .create_object(
                s,
                &t(&[
                    (CKA_CLASS, ulong(CKO_DATA)),
                    (CKA_TOKEN, bool(false)),
                    (CKA_VALUE, current_certificate()),
                ]),
            )
            .unwrap();
    assert_eq!(
        l.pkcs7_sign(s, b"d", data, 0, &[], 0),
        Err(CKR_ARGUMENTS_BAD)
    );
}

/// The SO PIN's flags in `C_GetTokenInfo` (PKCS#11 v2.40 §5.5) follow its own counter (10 tries
/// on this token), apart from the user's: a wrong SO PIN sets `CKF_SO_PIN_COUNT_LOW` only, and
/// the token's fixed flags stay.
#[test]
fn a_wrong_so_pin_lowers_the_so_count_only() {
    let l = lab();
    let m = &l.c.m;
    let s = m.open_session(0, RW).unwrap();
    let fixed = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
    assert_eq!(m.token_info(0).unwrap().flags, fixed);
    assert_eq!(
        m.login(s, CKU_SO, b"00000000").unwrap_err().rv(),
        CKR_PIN_INCORRECT
    );
    assert_eq!(m.token_info(0).unwrap().flags, fixed | CKF_SO_PIN_COUNT_LOW);
    assert_eq!(l.full_info().ulAdminRetryCountLeft, 9);
    m.login(s, CKU_SO, SO_PIN).unwrap();
    assert_eq!(m.token_info(0).unwrap().flags, fixed);
}

/// `C_SetPIN` changes the PIN of whoever is logged in (the SO's when the SO is), `C_InitPIN`
/// sets the user's as the SO; both take PINs of 4 to 32 bytes (`CKR_PIN_LEN_RANGE` otherwise)
/// in a read-write session only.
#[test]
fn set_pin_and_init_pin_change_the_right_pin() {
    let l = lab();
    let m = &l.c.m;
    let s = m.open_session(0, RW).unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.set_pin(ro, USER_PIN, b"5555").unwrap_err().rv(),
        CKR_SESSION_READ_ONLY
    );
    assert_eq!(
        m.init_pin(s, b"5555").unwrap_err().rv(),
        CKR_USER_NOT_LOGGED_IN
    );
    m.close_session(ro).unwrap();
    m.login(s, CKU_SO, SO_PIN).unwrap();
    for bad in [&b"123"[..], &[b'1'; 33][..]] {
        assert_eq!(
            m.set_pin(s, SO_PIN, bad).unwrap_err().rv(),
            CKR_PIN_LEN_RANGE
        );
        assert_eq!(m.init_pin(s, bad).unwrap_err().rv(), CKR_PIN_LEN_RANGE);
    }
    // The SO's own PIN changes (32 bytes, the longest).
    let new_so = [b'8'; 32];
    m.set_pin(s, SO_PIN, &new_so).unwrap();
    // The user's PIN set by the SO (4 bytes, the shortest).
    m.init_pin(s, b"4321").unwrap();
    m.logout(s).unwrap();
    assert_eq!(
        m.login(s, CKU_SO, SO_PIN).unwrap_err().rv(),
        CKR_PIN_INCORRECT
    );
    m.login(s, CKU_SO, &new_so).unwrap();
    m.logout(s).unwrap();
    m.login(s, CKU_USER, b"4321").unwrap();
    // And the user's own C_SetPIN changes the user's.
    m.set_pin(s, b"4321", b"12121212").unwrap();
    m.logout(s).unwrap();
    m.login(s, CKU_USER, b"12121212").unwrap();
}

/// `bytes` with the first `from` replaced by `to` (the same length).
fn replace_first(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the bytes to replace");
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

/// `C_EX_PKCS7VerifyInit` takes a SignedData (RFC 5652 §5.1) of id-data content only: another
/// outer content type, another encapsulated content type, a constructed (BER) OCTET STRING
/// are `CKR_ARGUMENTS_BAD`; CRLs and CRL modes are not supported; an unknown mode is
/// `CKR_ARGUMENTS_BAD`.
#[test]
fn pkcs7_verify_init_takes_signed_data_of_data_only() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let cms = l.pkcs7_sign(s, b"document", cert, 0, &[], 0).unwrap();
    // 1.2.840.113549.1.7.x: 2 signedData, 1 data, 3 envelopedData.
    let pkcs7 = |x: u8| {
        [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, x,
        ]
    };
    let enveloped = replace_first(&cms, &pkcs7(2), &pkcs7(3));
    assert_eq!(
        l.verify_init(s, &enveloped, &[&ca], &[], 0),
        CKR_ARGUMENTS_BAD
    );
    let outer_data = replace_first(&cms, &pkcs7(2), &pkcs7(1));
    assert_eq!(
        l.verify_init(s, &outer_data, &[&ca], &[], 0),
        CKR_ARGUMENTS_BAD
    );
    let inner = replace_first(&cms, &pkcs7(1), &pkcs7(3));
    assert_eq!(l.verify_init(s, &inner, &[&ca], &[], 0), CKR_ARGUMENTS_BAD);
    // The content [0] { OCTET STRING "document" } with the OCTET STRING's tag constructed.
    let octets = [&[0x04, 0x08][..], b"document"].concat();
    let constructed = replace_first(&cms, &octets, &[&[0x24, 0x08][..], b"document"].concat());
    assert_eq!(
        l.verify_init(s, &constructed, &[&ca], &[], 0),
        CKR_ARGUMENTS_BAD
    );
    // The CMS as it was still verifies (none of the above started an operation).
    assert_eq!(l.verify_init(s, &cms, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_attached(s).unwrap().0, b"document");

    let init = |mode, crls: &[&[u8]]| {
        let trusted = [CK_VENDOR_BUFFER {
            pData: ca.as_ptr() as *mut u8,
            ulSize: ca.len() as CK_ULONG,
        }];
        let crls: Vec<_> = crls
            .iter()
            .map(|c| CK_VENDOR_BUFFER {
                pData: c.as_ptr() as *mut u8,
                ulSize: c.len() as CK_ULONG,
            })
            .collect();
        let store = CK_VENDOR_X509_STORE {
            pTrustedCertificates: trusted.as_ptr(),
            ulTrustedCertificatesCount: 1,
            pCertificates: null(),
            ulCertificatesCount: 0,
            pCrls: crls.as_ptr(),
            ulCrlsCount: crls.len() as CK_ULONG,
        };
        // SAFETY: the CMS and a store whose arrays outlive the call.
        unsafe {
            l.c.x.C_EX_PKCS7VerifyInit.unwrap()(
                s,
                cms.as_ptr(),
                cms.len() as CK_ULONG,
                &store,
                mode,
                0,
            )
        }
    };
    assert_eq!(init(LEAF_CRL_CHECK, &[]), CKR_FUNCTION_NOT_SUPPORTED);
    assert_eq!(init(ALL_CRL_CHECK, &[]), CKR_FUNCTION_NOT_SUPPORTED);
    assert_eq!(
        init(OPTIONAL_CRL_CHECK, &[b"\x30\x00"]),
        CKR_FUNCTION_NOT_SUPPORTED
    );
    assert_eq!(init(ALL_CRL_CHECK + 1, &[]), CKR_ARGUMENTS_BAD);
}

/// `C_EX_PKCS7Sign`'s arguments: no data, or more than 64 extra certificates, are
/// `CKR_ARGUMENTS_BAD`; 64 (the same certificate, included once) are fine.
#[test]
fn pkcs7_sign_bounds_its_arguments() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    assert_eq!(
        l.pkcs7_sign(s, b"", cert, 0, &[], 0),
        Err(CKR_ARGUMENTS_BAD)
    );
    assert!(l.pkcs7_sign(s, b"d", cert, 0, &[cert; 64], 0).is_ok());
    assert_eq!(
        l.pkcs7_sign(s, b"d", cert, 0, &[cert; 65], 0),
        Err(CKR_ARGUMENTS_BAD)
    );
}

/// `C_GetTokenInfo`'s label is the token's name, except that a blank name or the model's name
/// alone (what OpenSC's personalisation writes) gives "Rutoken ECP" and the device number, so
/// two tokens stay apart.
#[test]
fn the_model_name_alone_labels_the_token_by_its_number() {
    let l = lab();
    let s = l.user();
    let info = l.c.m.token_info(0).unwrap();
    let numbered = format!("Rutoken ECP {}", info.serial);
    for (name, label) in [
        ("Rutoken ECP", numbered.as_str()),
        ("   ", numbered.as_str()),
        ("Rutoken ECP 2", "Rutoken ECP 2"),
        (" Mine ", " Mine "),
    ] {
        assert_eq!(l.set_token_name(s, name.as_bytes()), CKR_OK);
        assert_eq!(l.c.m.token_info(0).unwrap().label, label, "{name:?}");
    }
}

// ---- the standard C ABI's own answers -------------------------------------------------------

/// The functions the module does not offer answer as PKCS#11 v2.40 §5.1 says, after checking
/// the session: `CKR_FUNCTION_NOT_SUPPORTED` (recovery, dual-function), `CKR_FUNCTION_NOT_PARALLEL`
/// (the legacy `C_GetFunctionStatus`, `C_CancelFunction`); an unknown session is
/// `CKR_SESSION_HANDLE_INVALID` first.
#[test]
fn calls_not_offered_answer_after_the_session_check() {
    let l = lab();
    let s = l.c.m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let f = l.c.f;
    let (mut out, mut len) = ([0u8; 8], 8 as CK_ULONG);
    for session in [s, 0x7777] {
        let want = |rv| {
            if session == s {
                rv
            } else {
                CKR_SESSION_HANDLE_INVALID
            }
        };
        // SAFETY: valid buffers; the module reads none of them for these calls.
        let (recover, status, cancel) = unsafe {
            (
                f.C_SignRecover.unwrap()(session, out.as_mut_ptr(), 8, out.as_mut_ptr(), &mut len),
                f.C_GetFunctionStatus.unwrap()(session),
                f.C_CancelFunction.unwrap()(session),
            )
        };
        assert_eq!(recover, want(CKR_FUNCTION_NOT_SUPPORTED));
        assert_eq!(status, want(CKR_FUNCTION_NOT_PARALLEL));
        assert_eq!(cancel, want(CKR_FUNCTION_NOT_PARALLEL));
    }
}

/// `C_GetInfo` and `C_GetTokenInfo` through the C ABI: PKCS#11 2.40, blank-padded texts
/// (PKCS#11 v2.40 §3.1, §3.2), the token's label and device number, PIN lengths 4 to 32.
#[test]
fn info_texts_are_blank_padded() {
    let l = lab();
    let f = l.c.f;
    // SAFETY: zeroed C structures are valid values; the calls fill them.
    let (mut info, mut token): (CK_INFO, CK_TOKEN_INFO) =
        unsafe { (std::mem::zeroed(), std::mem::zeroed()) };
    // SAFETY: valid out pointers.
    let (rv_info, rv_token) = unsafe {
        (
            f.C_GetInfo.unwrap()(&mut info),
            f.C_GetTokenInfo.unwrap()(0, &mut token),
        )
    };
    assert_eq!((rv_info, rv_token), (CKR_OK, CKR_OK));
    assert_eq!(
        (info.cryptokiVersion.major, info.cryptokiVersion.minor),
        (2, 40)
    );
    let padded = |text: &str, n: usize| {
        let mut v = text.as_bytes().to_vec();
        v.resize(n, b' ');
        v
    };
    assert_eq!(info.manufacturerID.to_vec(), padded("rutoken-lab", 32));
    let number = l.c.m.token_info(0).unwrap().serial;
    assert_eq!(
        token.serialNumber.to_vec(),
        padded(&number[..16.min(number.len())], 16)
    );
    assert_eq!(
        token.label.to_vec(),
        padded(&format!("Rutoken ECP {number}"), 32)
    );
    assert_eq!(token.model.to_vec(), padded("Rutoken ECP", 16));
    assert_eq!((token.ulMinPinLen, token.ulMaxPinLen), (4, 32));
}

/// A DER TLV at the start of `der`: its tag and content (one-byte tags, definite lengths).
fn tlv_content(der: &[u8]) -> (u8, &[u8]) {
    let (tag, content, _) = tlv_split(der);
    (tag, content)
}

/// A DER TLV at the start of `der`: its tag, its content and its whole length.
fn tlv_split(der: &[u8]) -> (u8, &[u8], usize) {
    let (len, header) = if der[1] < 0x80 {
        (usize::from(der[1]), 2)
    } else {
        let n = usize::from(der[1] & 0x7F);
        let len = der[2..2 + n]
            .iter()
            .fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, 2 + n)
    };
    (der[0], &der[header..header + len], header + len)
}

/// The TLVs of a constructed content, each whole.
fn tlv_children(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (_, _, whole) = tlv_split(content);
        out.push(content[..whole].to_vec());
        content = &content[whole..];
    }
    out
}

/// A DER TLV from a one-byte tag and its content.
fn tlv_encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The CMS with its one SignerInfo naming the signer by subjectKeyIdentifier (RFC 5652 §5.3:
/// `sid [0] SubjectKeyIdentifier`, version 3) instead of issuer and serial. The signature
/// covers the signed attributes only, so it stays valid.
fn with_ski_signer(cms: &[u8], ski: &[u8]) -> Vec<u8> {
    let (info_tag, info) = tlv_content(cms);
    let info_parts = tlv_children(info);
    let (explicit_tag, explicit) = tlv_content(&info_parts[1]);
    let (signed_tag, signed) = tlv_content(explicit);
    let mut signed_parts = tlv_children(signed);
    let last = signed_parts.len() - 1;
    let (set_tag, set) = tlv_content(&signed_parts[last]);
    let (signer_tag, signer) = tlv_content(set);
    let mut signer_parts = tlv_children(signer);
    signer_parts[0] = tlv_encode(0x02, &[3]);
    signer_parts[1] = tlv_encode(0x80, ski);
    signed_parts[last] = tlv_encode(set_tag, &tlv_encode(signer_tag, &signer_parts.concat()));
    let explicit = tlv_encode(
        explicit_tag,
        &tlv_encode(signed_tag, &signed_parts.concat()),
    );
    tlv_encode(info_tag, &[info_parts[0].clone(), explicit].concat())
}

/// A SignerInfo that names its signer by subjectKeyIdentifier (RFC 5652 §5.3) finds the
/// certificate with that key identifier; an identifier no certificate has leaves the signer
/// unknown (`CKR_CERT_CHAIN_NOT_VERIFIED`).
#[test]
fn a_signer_named_by_its_key_identifier_is_found() {
    let l = lab();
    let s = l.user();
    let der = current_certificate();
    let cert = l.session_certificate(s, &der, &l.key_id(s));
    let ca = ca_certificate();
    let cms = l.pkcs7_sign(s, b"document", cert, 0, &[], 0).unwrap();
    let ski = rutoken_pki::Cert::parse(&der)
        .unwrap()
        .subject_key_id()
        .unwrap()
        .expect("the test CA's certificates carry a subjectKeyIdentifier");
    let by_ski = with_ski_signer(&cms, &ski);
    assert_ne!(by_ski, cms);
    assert_eq!(l.verify_init(s, &by_ski, &[&ca], &[], 0), CKR_OK);
    let (content, signers) = l.verify_attached(s).unwrap();
    assert_eq!((content, signers), (b"document".to_vec(), vec![der]));
    let unknown = with_ski_signer(&cms, &[0xAA; 20]);
    assert_eq!(l.verify_init(s, &unknown, &[&ca], &[], 0), CKR_OK);
    assert_eq!(l.verify_attached(s), Err(CHAIN_NOT_VERIFIED));
}
