//! The vendor's extended calls on the emulated token behind the private pcscd, called as bank
//! code calls them: through `C_EX_GetFunctionListExtended` of the dlopened module, raw C ABI.
//! The reissue's calls in order — extended token information, the token name, a PKCS#10 by
//! `C_EX_CreateCSR` confirmed on the SafeTouch (and rejected), the certificate the test CA
//! issues for it imported under the key's ID, `C_EX_PKCS7Sign` hashed on the host and with
//! `USE_HARDWARE_HASH` (the SafeTouch shows the document), attached and detached, checked by
//! `C_EX_PKCS7Verify*` and by OpenSSL (`openssl req -verify`, `openssl cms -verify`) — with the
//! bad input of each call on the way (NULL pointers, short buffers, odd DN counts, unknown
//! types, bad flags, wrong key kinds), and `C_EX_InitToken` last. Skipped (with the reason
//! printed) when not root or when a lab part is missing.
#![cfg(feature = "pcsc")]
#![allow(unsafe_code, reason = "the test calls the module through its C ABI")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;
use support::lab::{CONTROL_ENV, MODULE_ENV};

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::Duration;

use cryptoki_sys::*;
use rutoken_pkcs11::extended::types::*;
use testkit::control::Control;

use lab::{Lab, SO_PIN, USER_PIN};

#[test]
fn the_extended_calls_run_a_reissue_on_the_emulated_token() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(120));
    let text = lab.run_inside("inside_the_namespace", 300);
    eprintln!("{text}");
}

/// The module's two tables.
struct Api {
    _library: libloading::Library,
    f: &'static CK_FUNCTION_LIST,
    x: &'static CK_FUNCTION_LIST_EXTENDED,
}

fn load(module: &Path) -> Api {
    // SAFETY: our own module.
    let library = unsafe { libloading::Library::new(module) }.unwrap();
    // SAFETY: PKCS#11's and the vendor's signatures; the tables are static in the module,
    // which stays loaded while `Api` lives.
    unsafe {
        let get: libloading::Symbol<'_, unsafe extern "C" fn(*mut *mut CK_FUNCTION_LIST) -> CK_RV> =
            library.get(b"C_GetFunctionList\0").unwrap();
        let mut f = std::ptr::null_mut();
        assert_eq!(get(&mut f), CKR_OK);
        let getx: libloading::Symbol<
            '_,
            unsafe extern "C" fn(*mut *const CK_FUNCTION_LIST_EXTENDED) -> CK_RV,
        > = library.get(b"C_EX_GetFunctionListExtended\0").unwrap();
        let mut x = std::ptr::null();
        assert_eq!(getx(&mut x), CKR_OK);
        Api {
            f: &*f,
            x: &*x,
            _library: library,
        }
    }
}

fn attr<T>(kind: CK_ATTRIBUTE_TYPE, value: &T, len: usize) -> CK_ATTRIBUTE {
    CK_ATTRIBUTE {
        type_: kind,
        pValue: value as *const T as *mut std::ffi::c_void,
        ulValueLen: len as CK_ULONG,
    }
}

impl Api {
    fn find(&self, session: CK_SESSION_HANDLE, class: CK_OBJECT_CLASS) -> Vec<CK_OBJECT_HANDLE> {
        let t = [attr(
            CKA_CLASS,
            &class,
            std::mem::size_of::<CK_OBJECT_CLASS>(),
        )];
        let mut out = [0; 32];
        let mut n = 0;
        // SAFETY: a template of one attribute, an output array of 32 handles.
        unsafe {
            assert_eq!(
                self.f.C_FindObjectsInit.unwrap()(session, t.as_ptr() as *mut _, 1),
                CKR_OK
            );
            assert_eq!(
                self.f.C_FindObjects.unwrap()(session, out.as_mut_ptr(), 32, &mut n),
                CKR_OK
            );
            assert_eq!(self.f.C_FindObjectsFinal.unwrap()(session), CKR_OK);
        }
        out[..n as usize].to_vec()
    }

    fn session(&self, slot: CK_SLOT_ID, rw: bool) -> CK_SESSION_HANDLE {
        let mut s = 0;
        let flags = CKF_SERIAL_SESSION | if rw { CKF_RW_SESSION } else { 0 };
        // SAFETY: a valid out pointer.
        let rv = unsafe {
            self.f.C_OpenSession.unwrap()(slot, flags, std::ptr::null_mut(), None, &mut s)
        };
        assert_eq!(rv, CKR_OK);
        s
    }

    fn login(&self, session: CK_SESSION_HANDLE, user: CK_USER_TYPE, pin: &str) -> CK_RV {
        // SAFETY: the PIN's bytes.
        unsafe {
            self.f.C_Login.unwrap()(session, user, pin.as_ptr() as *mut _, pin.len() as CK_ULONG)
        }
    }

    /// A module buffer's bytes, then the buffer freed (a second free refused).
    fn take(&self, ptr: *mut CK_BYTE, len: CK_ULONG) -> Vec<u8> {
        // SAFETY: a buffer the module handed out, `len` bytes.
        let v = unsafe { std::slice::from_raw_parts(ptr, len as usize) }.to_vec();
        // SAFETY: the module's buffer.
        unsafe {
            assert_eq!(self.x.C_EX_FreeBuffer.unwrap()(ptr), CKR_OK);
            assert_eq!(self.x.C_EX_FreeBuffer.unwrap()(ptr), CKR_ARGUMENTS_BAD);
        }
        v
    }
}

/// C strings (kept alive here) and the pointer array the vendor's calls take.
struct Strings(
    #[allow(dead_code, reason = "owns what the pointers point at")] Vec<CString>,
    Vec<*const CK_CHAR>,
);

fn strings(list: &[&str]) -> Strings {
    let owned: Vec<CString> = list.iter().map(|s| CString::new(*s).unwrap()).collect();
    let ptrs = owned.iter().map(|s| s.as_ptr() as *const CK_CHAR).collect();
    Strings(owned, ptrs)
}

/// Runs `call` while another thread presses `button` on the screen it raises; the screen's
/// lines and the call's result.
fn pressing<T>(control: &Control, button: &str, call: impl FnOnce() -> T) -> (Vec<String>, T) {
    thread::scope(|s| {
        let presser = s.spawn(|| {
            let lines = control.wait_for_screen();
            control.press(button);
            lines
        });
        let out = call();
        (presser.join().unwrap(), out)
    })
}

fn openssl(dir: &Path, args: &str) -> (bool, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("openssl {args}"))
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn squeeze(lines: &[String]) -> String {
    lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
}

/// Run by the outer test inside pcscd's namespace.
#[test]
#[ignore = "run by the_extended_calls_run_a_reissue_on_the_emulated_token inside pcscd's namespace"]
#[allow(clippy::too_many_lines, reason = "one reissue, in order")]
fn inside_the_namespace() {
    let control = Control::new(&PathBuf::from(
        std::env::var_os(CONTROL_ENV).expect("run by the outer test"),
    ));
    let api = load(&PathBuf::from(std::env::var_os(MODULE_ENV).unwrap()));
    let (f, x) = (api.f, api.x);
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: calls through the module's tables with arguments of the declared types;
    // buffers and out pointers are locals that outlive the calls.
    unsafe {
        assert_eq!(f.C_Initialize.unwrap()(std::ptr::null_mut()), CKR_OK);
        let mut slots = [0; 8];
        let mut n = 8;
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_TRUE, slots.as_mut_ptr(), &mut n),
            CKR_OK
        );
        let slot = slots[0];

        // -- C_EX_GetTokenInfoExtended ---------------------------------------------------
        let info_fn = x.C_EX_GetTokenInfoExtended.unwrap();
        assert_eq!(info_fn(slot, std::ptr::null_mut()), CKR_ARGUMENTS_BAD);
        let mut info: CK_TOKEN_INFO_EXTENDED = std::mem::zeroed();
        info.ulSizeofThisStructure = 8;
        assert_eq!(
            info_fn(slot, &mut info),
            CKR_ARGUMENTS_BAD,
            "a size below the first layout"
        );
        info.ulSizeofThisStructure = std::mem::size_of::<CK_TOKEN_INFO_EXTENDED>() as CK_ULONG;
        assert_eq!(info_fn(99, &mut info), CKR_SLOT_ID_INVALID);
        assert_eq!(info_fn(slot, &mut info), CKR_OK);
        eprintln!(
            "extended info: type {} class {} flags {:#x} user {}/{} admin {}/{} pins {}..{} ATR {} bytes memory {}",
            info.ulTokenType,
            info.ulTokenClass,
            info.flags,
            info.ulUserRetryCountLeft,
            info.ulMaxUserRetryCount,
            info.ulAdminRetryCountLeft,
            info.ulMaxAdminRetryCount,
            info.ulMinUserPinLen,
            info.ulMaxUserPinLen,
            info.ulATRLen,
            info.ulTotalMemory
        );
        assert_eq!(info.ulSizeofThisStructure, 256);
        assert_eq!(
            (info.ulTokenType, info.ulTokenClass),
            (TOKEN_TYPE_RUTOKEN_ECP, TOKEN_CLASS_ECP)
        );
        assert_ne!(info.flags & TOKEN_FLAGS_HAS_BUTTON, 0, "a SafeTouch");
        assert_eq!(info.flags & TOKEN_FLAGS_SUPPORT_JOURNAL, 0);
        // The personalised token's PIN RSF says 5 tries (the profile's factory 10 is not it).
        assert_eq!(
            (info.ulMaxUserRetryCount, info.ulUserRetryCountLeft),
            (5, 5)
        );
        assert_eq!(info.ulATRLen, 15);
        assert_eq!(&info.ATR[1..10], b"\x8B\x01Rutoken");
        let mut standard: CK_TOKEN_INFO = std::mem::zeroed();
        assert_eq!(f.C_GetTokenInfo.unwrap()(slot, &mut standard), CKR_OK);
        let number = u32::from_be_bytes(info.serialNumber[4..].try_into().unwrap());
        assert_eq!(
            format!("{number:010}").as_bytes(),
            &standard.serialNumber[..10]
        );
        // An older caller's shorter structure: filled up to its size only.
        let mut short: CK_TOKEN_INFO_EXTENDED = std::mem::zeroed();
        short.ulSizeofThisStructure = 208;
        short.ulTokenClass = 0xDEAD;
        assert_eq!(info_fn(slot, &mut short), CKR_OK);
        assert_eq!(
            (short.ulSizeofThisStructure, short.ulTokenClass),
            (208, 0xDEAD)
        );

        // -- the token name ---------------------------------------------------------------
        let ro = api.session(slot, false);
        let get_name = x.C_EX_GetTokenName.unwrap();
        let mut len: CK_ULONG = 0;
        assert_eq!(
            get_name(ro, std::ptr::null_mut(), std::ptr::null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(get_name(ro, std::ptr::null_mut(), &mut len), CKR_OK);
        assert_eq!(len, 11, "«Rutoken ECP»");
        let mut name = [0u8; 64];
        let mut short_len = len - 1;
        assert_eq!(
            get_name(ro, name.as_mut_ptr(), &mut short_len),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(short_len, len);
        assert_eq!(get_name(ro, name.as_mut_ptr(), &mut len), CKR_OK);
        assert_eq!(&name[..len as usize], b"Rutoken ECP");
        let set_name = x.C_EX_SetTokenName.unwrap();
        let bank = "Банк-клиент";
        assert_eq!(
            set_name(ro, bank.as_ptr(), bank.len() as CK_ULONG),
            CKR_SESSION_READ_ONLY
        );
        let s = api.session(slot, true);
        assert_eq!(
            set_name(s, bank.as_ptr(), bank.len() as CK_ULONG),
            CKR_USER_NOT_LOGGED_IN
        );
        assert_eq!(api.login(s, CKU_USER, USER_PIN), CKR_OK);
        assert_eq!(set_name(s, std::ptr::null(), 4), CKR_ARGUMENTS_BAD);
        assert_eq!(
            set_name(s, [b'x'; 33].as_ptr(), 33),
            CKR_ARGUMENTS_BAD,
            "over 32 bytes"
        );
        assert_eq!(set_name(s, bank.as_ptr(), bank.len() as CK_ULONG), CKR_OK);
        len = 64;
        assert_eq!(get_name(ro, name.as_mut_ptr(), &mut len), CKR_OK);
        assert_eq!(std::str::from_utf8(&name[..len as usize]).unwrap(), bank);
        assert_eq!(
            x.C_EX_UnblockUserPIN.unwrap()(s,),
            CKR_USER_NOT_LOGGED_IN,
            "the user is no SO"
        );

        // -- C_EX_CreateCSR -----------------------------------------------------------------
        let public = api.find(s, CKO_PUBLIC_KEY);
        let private = api.find(s, CKO_PRIVATE_KEY);
        let certs = api.find(s, CKO_CERTIFICATE);
        assert!(
            !public.is_empty() && !private.is_empty() && !certs.is_empty(),
            "the fixture's pair and certificate"
        );
        let (public, private) = (public[0], private[0]);
        let dn = strings(&[
            "CN",
            "Иванов Иван Иванович",
            "C",
            "RU",
            "2.5.4.5",
            "12312312312",
            "1.2.840.113549.1.9.1",
            "ivanov@mail.ru",
            "O",
            "3867XXXXXXXXXX",
        ]);
        let exts = strings(&[
            "keyUsage",
            "digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment",
            "extendedKeyUsage",
            "1.2.643.2.2.34.6,1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4",
        ]);
        let csr_fn = x.C_EX_CreateCSR.unwrap();
        let mut csr: *mut CK_BYTE = std::ptr::null_mut();
        let mut csr_len: CK_ULONG = 0;
        let call = |dn: &Strings,
                    count: CK_ULONG,
                    out: *mut *mut CK_BYTE,
                    pubkey: CK_OBJECT_HANDLE,
                    exts: &Strings,
                    ext_count: CK_ULONG,
                    csr_len: *mut CK_ULONG| {
            csr_fn(
                s,
                pubkey,
                dn.1.as_ptr(),
                count,
                out,
                csr_len,
                0,
                std::ptr::null(),
                0,
                exts.1.as_ptr(),
                ext_count,
            )
        };
        // Bad input, before the token is asked anything (no screen comes up).
        assert_eq!(
            call(&dn, 9, &mut csr, public, &exts, 4, &mut csr_len),
            CKR_ARGUMENTS_BAD,
            "odd DN count"
        );
        assert_eq!(
            call(
                &strings(&["XX", "y"]),
                2,
                &mut csr,
                public,
                &exts,
                4,
                &mut csr_len
            ),
            CKR_ARGUMENTS_BAD,
            "unknown DN type"
        );
        assert_eq!(
            call(
                &strings(&["C", "RUS"]),
                2,
                &mut csr,
                public,
                &exts,
                4,
                &mut csr_len
            ),
            CKR_ARGUMENTS_BAD,
            "a country of three letters"
        );
        assert_eq!(
            call(
                &dn,
                10,
                std::ptr::null_mut(),
                public,
                &exts,
                4,
                &mut csr_len
            ),
            CKR_ARGUMENTS_BAD,
            "NULL ppCsr"
        );
        assert_eq!(
            call(&dn, 10, &mut csr, public, &exts, 4, std::ptr::null_mut()),
            CKR_ARGUMENTS_BAD,
            "NULL pulCsrLength"
        );
        assert_eq!(
            call(
                &dn,
                10,
                &mut csr,
                public,
                &strings(&["keyUsage", "everything"]),
                2,
                &mut csr_len
            ),
            CKR_ARGUMENTS_BAD,
            "unknown key usage"
        );
        assert_eq!(
            call(&dn, 10, &mut csr, private, &exts, 4, &mut csr_len),
            CKR_KEY_TYPE_INCONSISTENT,
            "a private key as the public"
        );
        assert_eq!(
            call(&dn, 10, &mut csr, certs[0], &exts, 4, &mut csr_len),
            CKR_KEY_TYPE_INCONSISTENT,
            "a certificate as the key"
        );
        assert_eq!(
            call(&dn, 10, &mut csr, 0xDEAD, &exts, 4, &mut csr_len),
            CKR_KEY_HANDLE_INVALID
        );
        assert!(control.waiting_screen().is_none());
        // Rejected on the SafeTouch.
        let (screen, rv) = pressing(&control, "reject", || {
            call(&dn, 10, &mut csr, public, &exts, 4, &mut csr_len)
        });
        assert_eq!(rv, CKR_FUNCTION_REJECTED, "{screen:?}");
        // Confirmed.
        let (screen, rv) = pressing(&control, "confirm", || {
            call(&dn, 10, &mut csr, public, &exts, 4, &mut csr_len)
        });
        assert_eq!(rv, CKR_OK);
        let shown = squeeze(&screen);
        eprintln!("CreateCSR screen: {shown}");
        assert!(
            shown.contains("Запрос подписи") && shown.contains("сертификат"),
            "{shown}"
        );
        let csr = api.take(csr, csr_len);
        std::fs::write(dir.path().join("req.der"), &csr).unwrap();
        let (ok, out) = openssl(
            dir.path(),
            "req -engine gost -inform DER -in req.der -verify -noout -text",
        );
        assert!(ok && out.contains("verify OK"), "{out}");
        assert!(
            out.contains("Digital Signature") && out.contains("TLS Web Client Authentication"),
            "{out}"
        );
        eprintln!("openssl req -verify: OK, {} bytes", csr.len());

        // -- the issued certificate, imported under the key's ID ----------------------------
        let request = rutoken_pki::request::Request::parse(&csr).unwrap();
        request.verify().unwrap();
        let mut ca = rutoken_pki::ca::TestCa::fixture(23).unwrap();
        let issued = ca.issue(&request, time::OffsetDateTime::now_utc()).unwrap();
        let mut id = [0u8; 64];
        let mut id_attr = [CK_ATTRIBUTE {
            type_: CKA_ID,
            pValue: id.as_mut_ptr() as *mut std::ffi::c_void,
            ulValueLen: 64,
        }];
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(s, public, id_attr.as_mut_ptr(), 1),
            CKR_OK
        );
        let id = id[..id_attr[0].ulValueLen as usize].to_vec();
        let (class, cert_type, yes) = (CKO_CERTIFICATE, CKC_X_509, CK_TRUE);
        let der = issued.to_der();
        let label = b"issued";
        let template = [
            attr(CKA_CLASS, &class, 8),
            attr(CKA_CERTIFICATE_TYPE, &cert_type, 8),
            attr(CKA_TOKEN, &yes, 1),
            attr(CKA_ID, &*id.as_ptr(), id.len()),
            attr(CKA_LABEL, &label[0], label.len()),
            attr(CKA_VALUE, &der[0], der.len()),
        ];
        let mut cert = 0;
        assert_eq!(
            f.C_CreateObject.unwrap()(s, template.as_ptr() as *mut _, 6, &mut cert),
            CKR_OK
        );
        let mut text: *mut CK_CHAR = std::ptr::null_mut();
        let mut text_len = 0;
        let info_text = x.C_EX_GetCertificateInfoText.unwrap();
        assert_eq!(
            info_text(s, cert, std::ptr::null_mut(), &mut text_len),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            info_text(s, public, &mut text, &mut text_len),
            CKR_ARGUMENTS_BAD,
            "not a certificate"
        );
        assert_eq!(info_text(s, cert, &mut text, &mut text_len), CKR_OK);
        let text = String::from_utf8(api.take(text, text_len)).unwrap();
        eprintln!("certificate text:\n{text}");
        assert!(
            text.contains("Subject: CN=Иванов Иван Иванович") && text.contains("GOST R 34.10-2012"),
            "{text}"
        );

        // -- C_EX_PKCS7Sign -----------------------------------------------------------------
        let sign = x.C_EX_PKCS7Sign.unwrap();
        // A document the SafeTouch can show: its TLV (tag, 2-byte length, value; the device
        // profile's tags: 01 document type, 92 organisation, 93 number).
        let mut document = vec![0x01, 0x00, 0x02, b'P', b'P'];
        for (tag, value) in [(0x92u8, "ООО «Ромашка»"), (0x93, "42")] {
            document.push(tag);
            document.extend_from_slice(&(value.len() as u16).to_be_bytes());
            document.extend_from_slice(value.as_bytes());
        }
        let document = document.as_slice();
        let mut env: *mut CK_BYTE = std::ptr::null_mut();
        let mut env_len = 0;
        let sign_call = |flags: CK_ULONG,
                         key: CK_OBJECT_HANDLE,
                         cert: CK_OBJECT_HANDLE,
                         env: *mut *mut CK_BYTE,
                         env_len: *mut CK_ULONG| {
            sign(
                s,
                document.as_ptr(),
                document.len() as CK_ULONG,
                cert,
                env,
                env_len,
                key,
                std::ptr::null(),
                0,
                flags,
            )
        };
        assert_eq!(
            sign_call(0x80, 0, cert, &mut env, &mut env_len),
            CKR_ARGUMENTS_BAD,
            "an unknown flag"
        );
        assert_eq!(
            sign_call(0, 0, cert, std::ptr::null_mut(), &mut env_len),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            sign_call(0, public, cert, &mut env, &mut env_len),
            CKR_KEY_TYPE_INCONSISTENT,
            "a public key to sign"
        );
        assert_eq!(
            sign_call(0, 0, public, &mut env, &mut env_len),
            CKR_ARGUMENTS_BAD,
            "a key as the certificate"
        );
        assert!(control.waiting_screen().is_none());
        let mut envelopes = Vec::new();
        for (flags, name) in [
            (0, "attached"),
            (PKCS7_DETACHED_SIGNATURE, "detached"),
            (USE_HARDWARE_HASH, "hardware hash"),
            (
                USE_HARDWARE_HASH | PKCS7_DETACHED_SIGNATURE,
                "hardware hash, detached",
            ),
        ] {
            let (screen, rv) = pressing(&control, "confirm", || {
                sign_call(flags, 0, cert, &mut env, &mut env_len)
            });
            assert_eq!(rv, CKR_OK, "{name}");
            let shown = squeeze(&screen);
            eprintln!("PKCS7Sign {name}: screen «{shown}»");
            if flags & USE_HARDWARE_HASH != 0 {
                assert!(
                    shown.contains("Документ PP") && shown.contains("Ромашка"),
                    "the SafeTouch shows the document: {shown}"
                );
            }
            let cms = api.take(env, env_len);
            let file = format!("cms-{}.der", envelopes.len());
            std::fs::write(dir.path().join(&file), &cms).unwrap();
            std::fs::write(dir.path().join("doc.txt"), document).unwrap();
            let content = if flags & PKCS7_DETACHED_SIGNATURE != 0 {
                "-content doc.txt"
            } else {
                ""
            };
            let (ok, out) = openssl(
                dir.path(),
                &format!(
                    "cms -engine gost -verify -binary -inform DER -in {file} {content} -noverify -out out.txt"
                ),
            );
            assert!(ok, "openssl cms -verify ({name}): {out}");
            assert_eq!(
                std::fs::read(dir.path().join("out.txt")).unwrap(),
                document,
                "{name}"
            );
            eprintln!("openssl cms -verify ({name}): OK, {} bytes", cms.len());
            envelopes.push((flags, cms));
        }
        // Rejected on the SafeTouch.
        let (_, rv) = pressing(&control, "reject", || {
            sign_call(USE_HARDWARE_HASH, 0, cert, &mut env, &mut env_len)
        });
        assert_eq!(rv, CKR_FUNCTION_REJECTED);
        // Another certificate flagged for the CMS (the fixture's old one), and a handle that
        // is no certificate refused among them.
        let chain = [certs[0]];
        let (_, rv) = pressing(&control, "confirm", || {
            sign(
                s,
                document.as_ptr(),
                document.len() as CK_ULONG,
                cert,
                &mut env,
                &mut env_len,
                0,
                chain.as_ptr(),
                1,
                0,
            )
        });
        assert_eq!(rv, CKR_OK);
        let cms = api.take(env, env_len);
        std::fs::write(dir.path().join("chain.der"), &cms).unwrap();
        let (ok, out) = openssl(
            dir.path(),
            "pkcs7 -inform DER -in chain.der -print_certs -noout",
        );
        assert!(ok, "{out}");
        assert_eq!(
            out.matches("subject=").count(),
            2,
            "the signer's and the flagged one: {out}"
        );
        let not_a_cert = [public];
        let rv = sign(
            s,
            document.as_ptr(),
            document.len() as CK_ULONG,
            cert,
            &mut env,
            &mut env_len,
            0,
            not_a_cert.as_ptr(),
            1,
            0,
        );
        assert_eq!(rv, CKR_ARGUMENTS_BAD, "a key among the certificates");
        assert!(control.waiting_screen().is_none());
        // The private key named (not found by the certificate's ID), and a 1 MiB document
        // hashed on the token (chained PSO: HASH), detached, timed.
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let start = std::time::Instant::now();
        let (_, rv) = pressing(&control, "confirm", || {
            sign(
                s,
                big.as_ptr(),
                big.len() as CK_ULONG,
                cert,
                &mut env,
                &mut env_len,
                private,
                std::ptr::null(),
                0,
                USE_HARDWARE_HASH | PKCS7_DETACHED_SIGNATURE,
            )
        });
        let took = start.elapsed();
        assert_eq!(rv, CKR_OK);
        let cms = api.take(env, env_len);
        std::fs::write(dir.path().join("big.der"), &cms).unwrap();
        std::fs::write(dir.path().join("big.bin"), &big).unwrap();
        let (ok, out) = openssl(
            dir.path(),
            "cms -engine gost -verify -binary -inform DER -in big.der -content big.bin -noverify -out /dev/null",
        );
        assert!(ok, "openssl cms -verify (1 MiB): {out}");
        eprintln!("PKCS7Sign 1 MiB, hashed on the token, with the press: {took:?}");

        // -- C_EX_PKCS7Verify* --------------------------------------------------------------
        let ca_der = ca.certificate().to_der().to_vec();
        let trusted = [CK_VENDOR_BUFFER {
            pData: ca_der.as_ptr() as *mut _,
            ulSize: ca_der.len() as CK_ULONG,
        }];
        let store = CK_VENDOR_X509_STORE {
            pTrustedCertificates: trusted.as_ptr(),
            ulTrustedCertificatesCount: 1,
            pCertificates: std::ptr::null(),
            ulCertificatesCount: 0,
            pCrls: std::ptr::null(),
            ulCrlsCount: 0,
        };
        let empty = CK_VENDOR_X509_STORE {
            ulTrustedCertificatesCount: 0,
            pTrustedCertificates: std::ptr::null(),
            ..store
        };
        let (init, verify, update, fin) = (
            x.C_EX_PKCS7VerifyInit.unwrap(),
            x.C_EX_PKCS7Verify.unwrap(),
            x.C_EX_PKCS7VerifyUpdate.unwrap(),
            x.C_EX_PKCS7VerifyFinal.unwrap(),
        );
        let mut signers: *mut CK_VENDOR_BUFFER = std::ptr::null_mut();
        let mut count = 0;
        let mut data: *mut CK_BYTE = std::ptr::null_mut();
        let mut data_len = 0;
        for (flags, cms) in &envelopes {
            let cms_len = cms.len() as CK_ULONG;
            assert_eq!(
                init(s, cms.as_ptr(), cms_len, &store, 0, 0x10),
                CKR_ARGUMENTS_BAD,
                "an unknown flag"
            );
            assert_eq!(
                init(s, cms.as_ptr(), cms_len, &store, 7, 0),
                CKR_ARGUMENTS_BAD,
                "an unknown CRL mode"
            );
            assert_eq!(
                init(s, cms.as_ptr(), cms_len, &store, LEAF_CRL_CHECK, 0),
                CKR_FUNCTION_NOT_SUPPORTED
            );
            assert_eq!(
                init(s, cms.as_ptr(), 10, &store, 0, 0),
                CKR_ARGUMENTS_BAD,
                "a cut CMS"
            );
            assert_eq!(init(s, cms.as_ptr(), cms_len, &store, 0, 0), CKR_OK);
            assert_eq!(
                init(s, cms.as_ptr(), cms_len, &store, 0, 0),
                CKR_OPERATION_ACTIVE
            );
            let rv = if flags & PKCS7_DETACHED_SIGNATURE != 0 {
                assert_eq!(update(s, document.as_ptr(), 5), CKR_OK);
                assert_eq!(
                    update(s, document[5..].as_ptr(), document.len() as CK_ULONG - 5),
                    CKR_OK
                );
                fin(s, &mut signers, &mut count)
            } else {
                let rv = verify(s, &mut data, &mut data_len, &mut signers, &mut count);
                if rv == CKR_OK {
                    assert_eq!(api.take(data, data_len), document);
                }
                rv
            };
            assert_eq!(rv, CKR_OK, "flags {flags}");
            assert_eq!(count, 1);
            let list = std::slice::from_raw_parts(signers, 1);
            assert_eq!(api.take(list[0].pData, list[0].ulSize), der);
            assert_eq!(x.C_EX_FreeBuffer.unwrap()(signers as *mut u8), CKR_OK);
            // The same CMS without the CA trusted, and (detached) over other data.
            assert_eq!(init(s, cms.as_ptr(), cms_len, &empty, 0, 0), CKR_OK);
            let rv = if flags & PKCS7_DETACHED_SIGNATURE != 0 {
                assert_eq!(
                    update(s, document.as_ptr(), document.len() as CK_ULONG),
                    CKR_OK
                );
                fin(s, &mut signers, &mut count)
            } else {
                verify(s, &mut data, &mut data_len, &mut signers, &mut count)
            };
            assert_eq!(
                rv, CKR_CERT_CHAIN_NOT_VERIFIED,
                "no trusted CA, flags {flags}"
            );
            if flags & PKCS7_DETACHED_SIGNATURE != 0 {
                assert_eq!(init(s, cms.as_ptr(), cms_len, &store, 0, 0), CKR_OK);
                assert_eq!(update(s, b"other".as_ptr(), 5), CKR_OK);
                assert_eq!(fin(s, &mut signers, &mut count), CKR_SIGNATURE_INVALID);
            }
        }
        assert_eq!(
            fin(s, &mut signers, &mut count),
            CKR_OPERATION_NOT_INITIALIZED
        );
        eprintln!("C_EX_PKCS7Verify*: {} envelopes verified", envelopes.len());

        // -- C_EX_UnblockUserPIN and C_EX_InitToken, last ----------------------------------
        assert_eq!(f.C_Logout.unwrap()(s), CKR_OK);
        // The SO logs in with no read-only session open (PKCS#11 v2.40 §5.6 C_Login).
        assert_eq!(f.C_CloseSession.unwrap()(ro), CKR_OK);
        assert_eq!(api.login(s, CKU_SO, SO_PIN), CKR_OK);
        assert_eq!(x.C_EX_UnblockUserPIN.unwrap()(s), CKR_OK);
        let new_user = "11112222";
        let new_label = "Отформатирован";
        let mut params = CK_RUTOKEN_INIT_PARAM {
            ulSizeofThisStructure: std::mem::size_of::<CK_RUTOKEN_INIT_PARAM>() as CK_ULONG,
            UseRepairMode: 0,
            pNewAdminPin: std::ptr::null(),
            ulNewAdminPinLen: 0,
            pNewUserPin: new_user.as_ptr(),
            ulNewUserPinLen: new_user.len() as CK_ULONG,
            ChangeUserPINPolicy: TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN
                | TOKEN_FLAGS_USER_CHANGE_USER_PIN,
            ulMinAdminPinLen: info.ulMinAdminPinLen,
            ulMinUserPinLen: info.ulMinUserPinLen,
            ulMaxAdminRetryCount: info.ulMaxAdminRetryCount,
            ulMaxUserRetryCount: info.ulMaxUserRetryCount,
            pTokenLabel: new_label.as_ptr(),
            ulLabelLen: new_label.len() as CK_ULONG,
            ulSmMode: 0,
        };
        let init_token = x.C_EX_InitToken.unwrap();
        let so = SO_PIN.as_ptr();
        let so_len = SO_PIN.len() as CK_ULONG;
        assert_eq!(init_token(slot, so, so_len, &params), CKR_SESSION_EXISTS);
        assert_eq!(f.C_CloseAllSessions.unwrap()(slot), CKR_OK);
        assert_eq!(
            init_token(slot, so, so_len, std::ptr::null()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            init_token(slot, std::ptr::null(), 0, &params),
            CKR_ARGUMENTS_BAD
        );
        params.ulSizeofThisStructure = 8;
        assert_eq!(
            init_token(slot, so, so_len, &params),
            CKR_ARGUMENTS_BAD,
            "a short structure"
        );
        params.ulSizeofThisStructure = std::mem::size_of::<CK_RUTOKEN_INIT_PARAM>() as CK_ULONG;
        params.ChangeUserPINPolicy = 4;
        assert_eq!(
            init_token(slot, so, so_len, &params),
            CKR_ARGUMENTS_BAD,
            "an unknown policy flag"
        );
        params.ChangeUserPINPolicy = 3;
        params.ulMaxAdminRetryCount = 2;
        assert_eq!(
            init_token(slot, so, so_len, &params),
            CKR_ARGUMENTS_BAD,
            "fewer than 3 admin tries"
        );
        params.ulMaxAdminRetryCount = if info.ulMaxAdminRetryCount == 5 { 6 } else { 5 };
        assert_eq!(
            init_token(slot, so, so_len, &params),
            CKR_FUNCTION_NOT_SUPPORTED,
            "another policy"
        );
        params.ulMaxAdminRetryCount = info.ulMaxAdminRetryCount;
        params.ulNewUserPinLen = 2;
        assert_eq!(init_token(slot, so, so_len, &params), CKR_PIN_LEN_RANGE);
        params.ulNewUserPinLen = new_user.len() as CK_ULONG;
        // Nothing changed so far: the old user PIN still logs in, the objects are there.
        let s = api.session(slot, true);
        assert_eq!(api.login(s, CKU_USER, USER_PIN), CKR_OK);
        assert!(!api.find(s, CKO_PRIVATE_KEY).is_empty());
        assert_eq!(f.C_CloseAllSessions.unwrap()(slot), CKR_OK);
        let new_admin = "99887766";
        params.pNewAdminPin = new_admin.as_ptr();
        params.ulNewAdminPinLen = new_admin.len() as CK_ULONG;
        assert_eq!(init_token(slot, so, so_len, &params), CKR_OK);
        let s = api.session(slot, true);
        assert_eq!(api.login(s, CKU_SO, SO_PIN), CKR_PIN_INCORRECT);
        assert_eq!(api.login(s, CKU_SO, new_admin), CKR_OK);
        assert_eq!(f.C_Logout.unwrap()(s), CKR_OK);
        assert_eq!(api.login(s, CKU_USER, USER_PIN), CKR_PIN_INCORRECT);
        assert_eq!(api.login(s, CKU_USER, new_user), CKR_OK);
        assert!(api.find(s, CKO_PRIVATE_KEY).is_empty(), "the keys are gone");
        assert!(
            api.find(s, CKO_CERTIFICATE).is_empty(),
            "the certificates are gone"
        );
        let mut len = 64;
        let mut name = [0u8; 64];
        assert_eq!(get_name(s, name.as_mut_ptr(), &mut len), CKR_OK);
        assert_eq!(
            std::str::from_utf8(&name[..len as usize]).unwrap(),
            new_label
        );
        eprintln!("C_EX_InitToken: formatted, new PINs and label in place");
        assert_eq!(f.C_Finalize.unwrap()(std::ptr::null_mut()), CKR_OK);
    }
}
