//! GOST 28147-89 and VKO through the PKCS#11 module (issue 23 item 3):
//! - in process (the module's Rust API over the client crate and the emulated token): CryptoPro
//!   CSP's known answers (the gost engine's suite, `gost/tests/data/gost28147-cryptopro.txt`)
//!   with `C_CreateObject` keys, `CKM_GOST28147_ECB`, `CKM_GOST28147` (IV parameter),
//!   `CKM_GOST28147_MAC` through `C_Sign`/`C_Verify`; multi-part; `C_GenerateKey`; key wrap
//!   and unwrap; `CKM_GOSTR3410_12_DERIVE` checked against the host's VKO; session keys gone
//!   from the token after `C_DestroyObject`, the session's close and `C_Logout`;
//! - through the C ABI behind the private pcscd: pkcs11-tool lists the mechanisms (it cannot
//!   use GOST 28147-89 keys); python-pkcs11 encrypts with an imported key, cross-checked both
//!   ways with OpenSSL's gost engine (`openssl enc -gost89`), and round-trips, MACs, wraps and
//!   unwraps with a generated one.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use cryptoki_sys::*;
use gost::gost28147::{self, Cfb, Direction, KeyWrap, Mac};
use gost::{CipherParams, ParamSet, Rng, SigningKey, VerifyingKey, Vko};
use rutoken_pkcs11::attribute::{Attribute, Template, ulong};
use rutoken_pkcs11::module::Module;
use rutoken_pkcs11::module::derive::DeriveParams;
use rutoken_pkcs11::symmetric::{CKM_GOSTR3410_12_DERIVE, CKM_KDF_GOSTR3411_2012_256};
use rutoken_sim::control::TokenSlot;
use support::in_process::{RW, USER_PIN, module, personalised, template as t};

fn lab() -> (Module, TokenSlot, CK_SESSION_HANDLE) {
    personalised()
}

fn secret_template(params: CipherParams, value: Option<&[u8]>) -> Template {
    let mut attrs = vec![
        (CKA_CLASS, ulong(CKO_SECRET_KEY)),
        (CKA_KEY_TYPE, ulong(CKK_GOST28147)),
        (CKA_GOST28147_PARAMS, params.to_der()),
        (CKA_LABEL, b"k".to_vec()),
    ];
    if let Some(v) = value {
        attrs.push((CKA_VALUE, v.to_vec()));
    }
    t(&attrs)
}

/// A GOST 28147-89 session key (CryptoPro A) the module generates.
fn session_key(m: &Module, s: CK_SESSION_HANDLE) -> CK_OBJECT_HANDLE {
    m.generate_key(
        s,
        CKM_GOST28147_KEY_GEN,
        &[],
        &secret_template(CipherParams::CryptoProA, None),
    )
    .unwrap()
}

/// Another module over the token (another application, as far as the token knows), a session
/// logged in as the user, and the secret keys it finds.
fn secret_keys_in_another_module(
    slot: &TokenSlot,
) -> (Module, CK_SESSION_HANDLE, Vec<CK_OBJECT_HANDLE>) {
    let other = module(slot);
    let s = other.open_session(0, RW).unwrap();
    other.login(s, CKU_USER, USER_PIN).unwrap();
    other
        .find_init(s, &t(&[(CKA_CLASS, ulong(CKO_SECRET_KEY))]))
        .unwrap();
    let found = other.find(s, 10).unwrap();
    other.find_final(s).unwrap();
    (other, s, found)
}

/// How many secret-key objects the token holds (`…/6003`'s children).
fn secret_objects(slot: &TokenSlot) -> usize {
    slot.with(|token| {
        token
            .summary()
            .keys
            .iter()
            .filter(|k| k.half == "secret")
            .count()
    })
}

struct Case {
    mode: String,
    params: CipherParams,
    key: Vec<u8>,
    iv: Option<Vec<u8>>,
    input: Vec<u8>,
    expected: Vec<u8>,
}

/// The CryptoPro cases with a cipher parameter set, up to 2 KiB.
fn cases() -> Vec<Case> {
    let text = include_str!("../../gost/tests/data/gost28147-cryptopro.txt");
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(params) = CipherParams::ALL.into_iter().find(|p| p.name() == f[1]) else {
            continue;
        };
        if f[2].parse::<usize>().unwrap() > 2048 || f[0] == "CNT" {
            continue; // CNT is no PKCS#11 v2.40 mechanism.
        }
        out.push(Case {
            mode: f[0].into(),
            params,
            key: hex::decode(f[4]).unwrap(),
            iv: (f[5] != "-").then(|| hex::decode(f[5]).unwrap()),
            input: if f[6] == "-" {
                Vec::new()
            } else {
                hex::decode(f[6]).unwrap()
            },
            expected: hex::decode(f[7]).unwrap(),
        });
    }
    out
}

#[test]
fn cryptopro_known_answers_through_the_module() {
    let (m, slot, s) = lab();
    let mut checked = 0;
    for case in cases() {
        let key = m
            .create_object(s, &secret_template(case.params, Some(&case.key)))
            .unwrap();
        let iv = case.iv.clone().unwrap_or_default();
        match case.mode.as_str() {
            "ECB" | "CFB" => {
                let mech = if case.mode == "ECB" {
                    CKM_GOST28147_ECB
                } else {
                    CKM_GOST28147
                };
                m.cipher_init(s, mech, &iv, key, false).unwrap();
                assert_eq!(
                    m.cipher_len(s, Some(case.input.len()), false).unwrap(),
                    case.input.len()
                );
                let ct = m.cipher(s, Some(&case.input), false).unwrap();
                assert_eq!(ct, case.expected, "{} {:?}", case.mode, case.params);
                // Multi-part decryption in uneven parts.
                m.cipher_init(s, mech, &iv, key, true).unwrap();
                for part in ct.chunks(24) {
                    m.cipher_update(s, part, true).unwrap();
                }
                assert_eq!(m.cipher(s, None, true).unwrap(), case.input);
            }
            "IMIT" => {
                m.sign_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
                assert_eq!(m.sign_len(s).unwrap(), 4);
                let mac = m.sign(s, Some(&case.input)).unwrap();
                assert_eq!(
                    mac,
                    case.expected,
                    "MAC {:?} {}",
                    case.params,
                    case.input.len()
                );
                m.verify_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
                m.verify(s, Some(&case.input), &mac).unwrap();
                let mut bad = mac.clone();
                bad[0] ^= 1;
                m.verify_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
                assert_eq!(
                    m.verify(s, Some(&case.input), &bad).unwrap_err().rv(),
                    CKR_SIGNATURE_INVALID
                );
            }
            other => panic!("{other}"),
        }
        // Its value never comes back.
        assert_eq!(
            m.attributes(s, key, &[CKA_VALUE, CKA_SENSITIVE]).unwrap(),
            vec![Err(rutoken_pkcs11::object::Missing::Sensitive), Ok(vec![1])]
        );
        m.destroy_object(s, key).unwrap();
        checked += 1;
    }
    assert_eq!(checked, 12, "every CryptoPro ECB/CFB/MAC case up to 2 KiB");
    assert_eq!(secret_objects(&slot), 0, "destroyed on the token too");
}

#[test]
fn generated_keys_wrap_unwrap_and_bad_input() {
    let (m, slot, s) = lab();
    let template = secret_template(CipherParams::CryptoProA, None);
    let kek = session_key(&m, s);
    let cek = session_key(&m, s);
    assert_eq!(
        m.attributes(s, kek, &[CKA_LOCAL, CKA_KEY_GEN_MECHANISM])
            .unwrap(),
        vec![Ok(vec![1]), Ok(ulong(CKM_GOST28147_KEY_GEN))]
    );
    let ukm = [7u8; 8];
    let wrapped = m
        .wrap_key(s, CKM_GOST28147_KEY_WRAP, &ukm, kek, cek)
        .unwrap();
    assert_eq!(wrapped.len(), 44);
    assert_eq!(&wrapped[..8], &ukm);
    let copy = m
        .unwrap_key(s, CKM_GOST28147_KEY_WRAP, &[], kek, &wrapped, &template)
        .unwrap();
    let iv = [3u8; 8];
    let data = vec![0x5A; 3000];
    let enc = |key| {
        m.cipher_init(s, CKM_GOST28147, &iv, key, false).unwrap();
        m.cipher(s, Some(&data), false).unwrap()
    };
    assert_eq!(enc(cek), enc(copy), "the unwrapped key is the wrapped one");
    let mut bad = wrapped.clone();
    bad[30] ^= 1;
    let before = secret_objects(&slot);
    assert_eq!(
        m.unwrap_key(s, CKM_GOST28147_KEY_WRAP, &[], kek, &bad, &template)
            .unwrap_err()
            .rv(),
        CKR_WRAPPED_KEY_INVALID
    );
    assert_eq!(
        secret_objects(&slot),
        before,
        "nothing left by a refused unwrap"
    );
    // Argument checks.
    let rv = |r: Result<(), rutoken_pkcs11::Error>| r.unwrap_err().rv();
    assert_eq!(
        rv(m.cipher_init(s, CKM_GOST28147, &[1, 2], cek, false)),
        CKR_MECHANISM_PARAM_INVALID
    );
    assert_eq!(
        rv(m.cipher_init(s, CKM_GOST28147_ECB, &[1; 8], cek, false)),
        CKR_MECHANISM_PARAM_INVALID
    );
    m.cipher_init(s, CKM_GOST28147_ECB, &[], cek, false)
        .unwrap();
    assert_eq!(
        m.cipher(s, Some(&[0; 7]), false).unwrap_err().rv(),
        CKR_DATA_LEN_RANGE
    );
    assert_eq!(
        m.generate_key(
            s,
            CKM_GOST28147_KEY_GEN,
            &[],
            &t(&[(CKA_EXTRACTABLE, vec![1])])
        )
        .unwrap_err()
        .rv(),
        CKR_TEMPLATE_INCONSISTENT
    );
    let no_encrypt = t(&[(CKA_ENCRYPT, vec![0])]);
    let limited = m
        .generate_key(s, CKM_GOST28147_KEY_GEN, &[], &no_encrypt)
        .unwrap();
    assert_eq!(
        rv(m.cipher_init(s, CKM_GOST28147_ECB, &[], limited, false)),
        CKR_KEY_FUNCTION_NOT_PERMITTED
    );
    // Session keys leave the token with their session; logout destroys the rest.
    let s2 = m.open_session(0, RW).unwrap();
    m.generate_key(s2, CKM_GOST28147_KEY_GEN, &[], &template)
        .unwrap();
    let with_s2 = secret_objects(&slot);
    m.close_session(s2).unwrap();
    assert_eq!(secret_objects(&slot), with_s2 - 1);
    m.logout(s).unwrap();
    assert_eq!(secret_objects(&slot), 0);
    assert_eq!(
        m.attributes(s, kek, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    // C_Finalize deletes what the sessions still hold.
    m.login(s, CKU_USER, USER_PIN).unwrap();
    m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &template)
        .unwrap();
    let s3 = m.open_session(0, RW).unwrap();
    m.generate_key(s3, CKM_GOST28147_KEY_GEN, &[], &template)
        .unwrap();
    assert_eq!(secret_objects(&slot), 2);
    m.finalize();
    assert_eq!(secret_objects(&slot), 0, "nothing left after C_Finalize");
}

#[test]
fn derive_matches_the_host_vko() {
    let (m, _slot, s) = lab();
    let mut rng = Rng::from_seed(5);
    for (mech, param) in [
        (CKM_GOSTR3410_KEY_PAIR_GEN, ParamSet::Gost256A),
        (
            rutoken_pkcs11::vendor::CKM_GOSTR3410_512_KEY_PAIR_GEN,
            ParamSet::Gost512A,
        ),
    ] {
        let params_der = der::Encode::to_der(&param.oid()).unwrap();
        let (public, private) = m
            .generate_key_pair(s, mech, &t(&[(CKA_GOSTR3410_PARAMS, params_der)]), &t(&[]))
            .unwrap();
        let value = m
            .attributes(s, public, &[CKA_VALUE])
            .unwrap()
            .remove(0)
            .unwrap();
        let token_public = VerifyingKey::from_le_bytes(param, &value).unwrap();
        let ephemeral = SigningKey::generate(param, &mut rng).unwrap();
        let ukm = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        let derive = |kdf| DeriveParams {
            kdf,
            public: ephemeral.verifying_key().to_le_bytes(),
            ukm: ukm.to_vec(),
        };
        let template = secret_template(CipherParams::CryptoProA, None);
        let kek = m
            .derive_key(
                s,
                CKM_GOSTR3410_12_DERIVE,
                &derive(CKM_KDF_GOSTR3411_2012_256),
                private,
                &template,
            )
            .unwrap();
        // The host's KEK for the same pair and UKM.
        let host = gost::vko(Vko::Gost2012_256, &ephemeral, &token_public, &ukm).unwrap();
        let host: [u8; 32] = host[..].try_into().unwrap();
        // A known key wrapped on the token under the derived KEK unwraps on the host.
        let known: [u8; 32] = core::array::from_fn(|i| i as u8);
        let cek = m
            .create_object(s, &secret_template(CipherParams::CryptoProA, Some(&known)))
            .unwrap();
        let wrapped = m
            .wrap_key(s, CKM_GOST28147_KEY_WRAP, &ukm, kek, cek)
            .unwrap();
        let opened = gost28147::unwrap(
            KeyWrap::Gost28147,
            CipherParams::CryptoProA,
            &host,
            &wrapped,
        )
        .unwrap();
        assert_eq!(
            *opened, known,
            "{param:?}: the token's KEK is the host's VKO"
        );
        // And the host's wrap of a content key opens on the token; its MAC agrees.
        let content: [u8; 32] = [0xC3; 32];
        let sealed = gost28147::wrap(
            KeyWrap::Gost28147,
            CipherParams::CryptoProA,
            &host,
            &ukm,
            &content,
        );
        let unwrapped = m
            .unwrap_key(s, CKM_GOST28147_KEY_WRAP, &[], kek, &sealed, &template)
            .unwrap();
        m.sign_init(s, CKM_GOST28147_MAC, &[], unwrapped).unwrap();
        assert_eq!(
            m.sign(s, Some(b"data")).unwrap(),
            Mac::compute(CipherParams::CryptoProA, &content, b"data").to_vec()
        );
        // Bad parameters: a KDF not offered, a short point, a public key as base.
        let rv = |r: Result<CK_OBJECT_HANDLE, rutoken_pkcs11::Error>| r.unwrap_err().rv();
        assert_eq!(
            rv(m.derive_key(
                s,
                CKM_GOSTR3410_12_DERIVE,
                &derive(0xD432_1025),
                private,
                &template
            )),
            CKR_MECHANISM_PARAM_INVALID
        );
        let mut short = derive(CKD_NULL);
        short.public.truncate(10);
        assert_eq!(
            rv(m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &short, private, &template)),
            CKR_MECHANISM_PARAM_INVALID
        );
        let mut off_curve = derive(CKD_NULL);
        off_curve.public[0] ^= 1;
        assert_eq!(
            rv(m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &off_curve, private, &template)),
            CKR_MECHANISM_PARAM_INVALID
        );
        assert_eq!(
            rv(m.derive_key(
                s,
                CKM_GOSTR3410_12_DERIVE,
                &derive(CKD_NULL),
                public,
                &template
            )),
            CKR_KEY_TYPE_INCONSISTENT
        );
        // CKD_NULL on a 2012 key is the same VKO.
        let again = m
            .derive_key(
                s,
                CKM_GOSTR3410_12_DERIVE,
                &derive(CKD_NULL),
                private,
                &template,
            )
            .unwrap();
        let wrapped2 = m
            .wrap_key(s, CKM_GOST28147_KEY_WRAP, &ukm, again, cek)
            .unwrap();
        assert_eq!(wrapped2, wrapped);
    }
}

#[test]
fn a_derived_key_is_readable_only_when_non_sensitive_and_extractable() {
    let (m, slot, s) = lab();
    let mut rng = Rng::from_seed(6);
    let sensitive = rutoken_pkcs11::object::Missing::Sensitive;
    for (mech, param) in [
        (CKM_GOSTR3410_KEY_PAIR_GEN, ParamSet::Gost256A),
        (
            rutoken_pkcs11::vendor::CKM_GOSTR3410_512_KEY_PAIR_GEN,
            ParamSet::Gost512A,
        ),
    ] {
        let params_der = der::Encode::to_der(&param.oid()).unwrap();
        let (public, private) = m
            .generate_key_pair(s, mech, &t(&[(CKA_GOSTR3410_PARAMS, params_der)]), &t(&[]))
            .unwrap();
        let value = m
            .attributes(s, public, &[CKA_VALUE])
            .unwrap()
            .remove(0)
            .unwrap();
        let token_public = VerifyingKey::from_le_bytes(param, &value).unwrap();
        let peer = SigningKey::generate(param, &mut rng).unwrap();
        let ukm = [0xA1, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08];
        let derive = DeriveParams {
            kdf: CKM_KDF_GOSTR3411_2012_256,
            public: peer.verifying_key().to_le_bytes(),
            ukm: ukm.to_vec(),
        };
        let host = gost::vko(Vko::Gost2012_256, &peer, &token_public, &ukm).unwrap();
        let with = |extra: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]| {
            let mut tpl = secret_template(CipherParams::CryptoProA, None);
            tpl.0.extend(t(extra).0);
            tpl
        };
        let clear = with(&[(CKA_SENSITIVE, vec![0]), (CKA_EXTRACTABLE, vec![1])]);
        let before = secret_objects(&slot);
        let key = m
            .derive_key(s, CKM_GOSTR3410_12_DERIVE, &derive, private, &clear)
            .unwrap();
        // CKA_VALUE is the peer's VKO; the flags say so.
        assert_eq!(
            m.attributes(
                s,
                key,
                &[
                    CKA_VALUE,
                    CKA_SENSITIVE,
                    CKA_EXTRACTABLE,
                    CKA_ALWAYS_SENSITIVE
                ]
            )
            .unwrap(),
            vec![
                Ok(host[..32].to_vec()),
                Ok(vec![0]),
                Ok(vec![1]),
                Ok(vec![0])
            ],
            "{param:?}"
        );
        // The key works on the token (it went into a token object): its MAC is the value's.
        assert_eq!(secret_objects(&slot), before + 1);
        m.sign_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
        let host_key: [u8; 32] = host[..32].try_into().unwrap();
        assert_eq!(
            m.sign(s, Some(b"data")).unwrap(),
            Mac::compute(CipherParams::CryptoProA, &host_key, b"data").to_vec()
        );
        // The default (sensitive) derivation of the same VKO: its value is never read.
        let kept = m
            .derive_key(s, CKM_GOSTR3410_12_DERIVE, &derive, private, &with(&[]))
            .unwrap();
        assert_eq!(
            m.attributes(s, kept, &[CKA_VALUE, CKA_SENSITIVE, CKA_EXTRACTABLE])
                .unwrap(),
            vec![Err(sensitive), Ok(vec![1]), Ok(vec![0])]
        );
        // One flag without the other, or a token key, stays refused; so does a non-sensitive
        // C_GenerateKey.
        let rv = |r: Result<CK_OBJECT_HANDLE, rutoken_pkcs11::Error>| r.unwrap_err().rv();
        for tpl in [
            with(&[(CKA_SENSITIVE, vec![0])]),
            with(&[(CKA_EXTRACTABLE, vec![1])]),
            with(&[
                (CKA_SENSITIVE, vec![0]),
                (CKA_EXTRACTABLE, vec![1]),
                (CKA_TOKEN, vec![1]),
            ]),
        ] {
            assert_eq!(
                rv(m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &derive, private, &tpl)),
                CKR_TEMPLATE_INCONSISTENT
            );
        }
        assert_eq!(
            rv(m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &clear)),
            CKR_TEMPLATE_INCONSISTENT
        );
        // A point off the curve is refused before any object is made.
        let objects = secret_objects(&slot);
        let mut off_curve = derive.clone();
        off_curve.public[0] ^= 1;
        assert_eq!(
            rv(m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &off_curve, private, &clear)),
            CKR_MECHANISM_PARAM_INVALID
        );
        assert_eq!(secret_objects(&slot), objects);
    }
    // Closing the session deletes its keys from the token, the readable ones too.
    m.close_session(s).unwrap();
    assert_eq!(secret_objects(&slot), 0);
}

#[test]
fn mechanisms_are_listed() {
    let (m, _slot, _s) = lab();
    let list = m.mechanism_list(0).unwrap();
    for mech in [
        CKM_GOST28147_KEY_GEN,
        CKM_GOST28147_ECB,
        CKM_GOST28147,
        CKM_GOST28147_MAC,
        CKM_GOST28147_KEY_WRAP,
        CKM_GOSTR3410_12_DERIVE,
        CKM_GOSTR3410_DERIVE,
    ] {
        assert!(list.contains(&mech), "{mech:#x}");
    }
    // VKO 2001, which C_DeriveKey takes with 2001 keys (256 bits only), is described as such.
    let vko_2001 = m.mechanism_info(0, CKM_GOSTR3410_DERIVE).unwrap();
    assert_eq!(
        (
            vko_2001.min_bits,
            vko_2001.max_bits,
            vko_2001.flags & CKF_DERIVE
        ),
        (256, 256, CKF_DERIVE)
    );
}

/// pkcs11-tool's mechanism list; python-pkcs11 through the C ABI behind the private pcscd: an
/// imported key encrypts with
/// `CKM_GOST28147` what `openssl enc -gost89` (gost engine, CryptoPro A, CFB with meshing)
/// decrypts, and decrypts what OpenSSL encrypts; a generated key round-trips and MACs.
#[cfg(feature = "pcsc")]
#[test]
fn python_and_openssl_both_ways() {
    // The gost engine's CFB with CryptoPro A's S-box and meshing; no padding (a stream).
    const OPENSSL_GOST89: &str = "CRYPT_PARAMS=id-Gost28147-89-CryptoPro-A-ParamSet \
        openssl enc -engine gost -gost89 -nopad";
    use std::time::Duration;
    use support::lab::{self, Lab};
    require_lab!();
    let python = lab::venv().join("bin/python");
    if !std::process::Command::new(&python)
        .args(["-c", "import pkcs11"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: python-pkcs11 is not in {}", lab::venv().display());
        return;
    }
    let lab = Lab::start(Duration::from_secs(30));
    // OpenSC's pkcs11-tool names the mechanisms (it cannot use them: `--keygen --key-type
    // GOST28147:32` is "Unknown key type" in 0.23; python-pkcs11 below does).
    let listing = lab.ok("pkcs11-tool --module \"$MODULE\" -M");
    for line in [
        "GOST28147-KEY-GEN, keySize={256,256}, hw, generate",
        "GOST28147-ECB, keySize={256,256}, hw, encrypt, decrypt",
        "GOST28147, keySize={256,256}, hw, encrypt, decrypt",
        "GOST28147-MAC, keySize={256,256}, hw, sign, verify",
        "GOST28147-KEY-WRAP, keySize={256,256}, hw, wrap, unwrap",
        "GOSTR3410-12-DERIVE, keySize={256,512}, hw, derive",
    ] {
        assert!(listing.contains(line), "{line} in:\n{listing}");
    }
    let key = "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff";
    let iv = "0102030405060708";
    let plain: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 251) as u8).collect();
    lab.write("plain.bin", &plain);
    lab.write("test.py", include_bytes!("data/gost28147.py").as_slice());
    lab.ok(&format!(
        "{OPENSSL_GOST89} -e -K {key} -iv {iv} -in plain.bin -out openssl.bin"
    ));
    // The peer of the VKO 2001 check: a key on CryptoPro A (= TC26 256-B), its UKM.
    let ephemeral = SigningKey::generate(ParamSet::Gost256B, &mut Rng::from_seed(2001)).unwrap();
    let ukm = "0102030405060708";
    let out = lab.ok(&format!(
        "{} test.py \"$MODULE\" {} {key} {iv} plain.bin openssl.bin token.bin {} {ukm}",
        python.display(),
        lab::USER_PIN,
        hex::encode(ephemeral.verifying_key().to_le_bytes())
    ));
    assert!(out.contains("done"), "{out}");
    assert!(out.contains("short-peer MechanismParamInvalid"), "{out}");
    let field = |name: &str| {
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {out}"));
        hex::decode(line.trim()).unwrap()
    };
    let token_public =
        VerifyingKey::from_le_bytes(ParamSet::Gost256B, &field("token-public")).unwrap();
    let kek = gost::vko(
        Vko::Gost2001,
        &ephemeral,
        &token_public,
        &hex::decode(ukm).unwrap(),
    )
    .unwrap();
    let kek: [u8; 32] = kek[..].try_into().unwrap();
    let opened = gost28147::unwrap(
        KeyWrap::Gost28147,
        CipherParams::CryptoProA,
        &kek,
        &field("kek-wrapped"),
    )
    .unwrap();
    assert_eq!(
        hex::encode(*opened),
        key,
        "the KEK C_DeriveKey made is the host's VKO 2001"
    );
    // The token's ciphertext opens with OpenSSL and equals the host engine's.
    lab.ok(&format!(
        "{OPENSSL_GOST89} -d -K {key} -iv {iv} -in token.bin -out back.bin"
    ));
    assert_eq!(lab.read("back.bin"), plain);
    let k: [u8; 32] = hex::decode(key).unwrap().try_into().unwrap();
    let v: [u8; 8] = hex::decode(iv).unwrap().try_into().unwrap();
    assert_eq!(
        lab.read("token.bin"),
        Cfb::apply(CipherParams::CryptoProA, &k, &v, Direction::Encrypt, &plain)
    );
}

#[test]
fn token_keys_outlive_the_session_and_the_module() {
    let (m, slot, s) = lab();
    let mut template = secret_template(CipherParams::CryptoProB, None);
    template.0.push(Attribute {
        kind: CKA_TOKEN,
        value: vec![1],
    });
    template.0.push(Attribute {
        kind: CKA_ID,
        value: vec![0x28, 0x14, 0x70],
    });
    template.0.push(Attribute {
        kind: CKA_DECRYPT,
        value: vec![0],
    });
    // Not in a read-only session.
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.generate_key(ro, CKM_GOST28147_KEY_GEN, &[], &template)
            .unwrap_err()
            .rv(),
        CKR_SESSION_READ_ONLY
    );
    let key = m
        .generate_key(s, CKM_GOST28147_KEY_GEN, &[], &template)
        .unwrap();
    let iv = [5u8; 8];
    let data = b"kept on the token across applications".to_vec();
    m.cipher_init(s, CKM_GOST28147, &iv, key, false).unwrap();
    let ct = m.cipher(s, Some(&data), false).unwrap();
    m.close_session(s).unwrap();
    m.close_session(ro).unwrap();
    assert_eq!(secret_objects(&slot), 1, "a token key outlives its session");

    // Another application finds it (after the login: it is private) with its attributes.
    let other = module(&slot);
    let s2 = other.open_session(0, RW).unwrap();
    let find = |m: &Module, s| {
        m.find_init(s, &t(&[(CKA_ID, vec![0x28, 0x14, 0x70])]))
            .unwrap();
        let found = m.find(s, 10).unwrap();
        m.find_final(s).unwrap();
        found
    };
    assert!(find(&other, s2).is_empty(), "private: not before the login");
    other.login(s2, CKU_USER, USER_PIN).unwrap();
    let found = find(&other, s2);
    assert_eq!(found.len(), 1);
    let k = found[0];
    assert_eq!(
        other
            .attributes(
                s2,
                k,
                &[
                    CKA_TOKEN,
                    CKA_LABEL,
                    CKA_GOST28147_PARAMS,
                    CKA_DECRYPT,
                    CKA_LOCAL
                ]
            )
            .unwrap(),
        vec![
            Ok(vec![1]),
            Ok(b"k".to_vec()),
            Ok(CipherParams::CryptoProB.to_der()),
            Ok(vec![0]),
            Ok(vec![1]),
        ]
    );
    other.cipher_init(s2, CKM_GOST28147, &iv, k, false).unwrap();
    assert_eq!(
        other.cipher(s2, Some(&data), false).unwrap(),
        ct,
        "the same key"
    );
    assert_eq!(
        other
            .cipher_init(s2, CKM_GOST28147, &iv, k, true)
            .unwrap_err()
            .rv(),
        CKR_KEY_FUNCTION_NOT_PERMITTED,
        "CKA_DECRYPT false came back"
    );
    // A logout keeps it; C_DestroyObject removes the key and its record.
    other.logout(s2).unwrap();
    assert_eq!(secret_objects(&slot), 1);
    other.login(s2, CKU_USER, USER_PIN).unwrap();
    other.destroy_object(s2, k).unwrap();
    assert_eq!(secret_objects(&slot), 0);
    assert!(find(&other, s2).is_empty());
    other
        .find_init(s2, &t(&[(CKA_CLASS, ulong(CKO_DATA))]))
        .unwrap();
    assert!(
        other.find(s2, 10).unwrap().is_empty(),
        "no record left as a data object"
    );
    other.find_final(s2).unwrap();
}

/// The usage attributes a secret key is made with (PKCS#11 v2.40 §4.10: CKA_ENCRYPT … CKA_UNWRAP)
/// read back as given, each on its own: on a session key, and on a token key as a second module
/// reads it from the token's record of it.
#[test]
fn a_secret_key_reads_back_each_usage_flag() {
    let (m, slot, s) = lab();
    let usage = [
        CKA_ENCRYPT,
        CKA_DECRYPT,
        CKA_SIGN,
        CKA_VERIFY,
        CKA_WRAP,
        CKA_UNWRAP,
    ];
    // Alternating, then its complement: every flag is seen both true and false.
    for pattern in [[1u8, 0, 0, 1, 0, 1], [0, 1, 1, 0, 1, 0]] {
        for token in [false, true] {
            let mut template = secret_template(CipherParams::CryptoProA, None);
            template.0.push(Attribute {
                kind: CKA_TOKEN,
                value: vec![u8::from(token)],
            });
            for (kind, on) in usage.iter().zip(pattern) {
                template.0.push(Attribute {
                    kind: *kind,
                    value: vec![on],
                });
            }
            let key = m
                .generate_key(s, CKM_GOST28147_KEY_GEN, &[], &template)
                .unwrap();
            let want: Vec<_> = pattern.iter().map(|b| Ok(vec![*b])).collect();
            assert_eq!(m.attributes(s, key, &usage).unwrap(), want, "token {token}");
            // No GOST 28147-89 key derives here: CKA_DERIVE reads false, never "invalid".
            assert_eq!(
                m.attributes(s, key, &[CKA_DERIVE]).unwrap(),
                vec![Ok(vec![0])]
            );
            if token {
                let (other, s2, found) = secret_keys_in_another_module(&slot);
                assert_eq!(found.len(), 1, "the one token key");
                assert_eq!(other.attributes(s2, found[0], &usage).unwrap(), want);
                m.destroy_object(s, key).unwrap();
            }
        }
    }
}

/// A secret key's `CKA_ID` is kept in its token record with a one-byte length: 255 bytes is the
/// longest ID, kept whole; 256 is `CKR_ATTRIBUTE_VALUE_INVALID`, nothing made.
#[test]
fn a_secret_key_id_of_255_bytes_is_kept_and_256_refused() {
    let (m, slot, s) = lab();
    let with_id = |len: usize| {
        let mut template = secret_template(CipherParams::CryptoProA, None);
        template.0.push(Attribute {
            kind: CKA_ID,
            value: vec![0xA5; len],
        });
        template.0.push(Attribute {
            kind: CKA_TOKEN,
            value: vec![1],
        });
        template
    };
    let before = secret_objects(&slot);
    assert_eq!(
        m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &with_id(256))
            .unwrap_err()
            .rv(),
        CKR_ATTRIBUTE_VALUE_INVALID
    );
    assert_eq!(secret_objects(&slot), before, "nothing made");
    let key = m
        .generate_key(s, CKM_GOST28147_KEY_GEN, &[], &with_id(255))
        .unwrap();
    assert_eq!(
        m.attributes(s, key, &[CKA_ID]).unwrap()[0],
        Ok(vec![0xA5; 255])
    );
    // A second module reads the whole ID back from the token's record.
    let other = module(&slot);
    let s2 = other.open_session(0, RW).unwrap();
    other.login(s2, CKU_USER, USER_PIN).unwrap();
    other
        .find_init(s2, &t(&[(CKA_ID, vec![0xA5; 255])]))
        .unwrap();
    assert_eq!(other.find(s2, 10).unwrap().len(), 1);
}

/// `C_SetAttributeValue` on a session secret key: a new `CKA_LABEL` and `CKA_ID` are taken; a
/// usage attribute is `CKR_ATTRIBUTE_READ_ONLY` (also next to a label, nothing changed); on a
/// token key (whose attributes are its record on the token) even the label is read-only.
#[test]
fn a_session_secret_key_takes_a_new_label_and_id_and_nothing_else() {
    let (m, _slot, s) = lab();
    let key = session_key(&m, s);
    m.set_attributes(
        s,
        key,
        &t(&[(CKA_LABEL, b"renamed".to_vec()), (CKA_ID, vec![7, 7])]),
    )
    .unwrap();
    assert_eq!(
        m.attributes(s, key, &[CKA_LABEL, CKA_ID]).unwrap(),
        vec![Ok(b"renamed".to_vec()), Ok(vec![7, 7])]
    );
    assert_eq!(
        m.set_attributes(
            s,
            key,
            &t(&[(CKA_LABEL, b"again".to_vec()), (CKA_ENCRYPT, vec![0])])
        )
        .unwrap_err()
        .rv(),
        CKR_ATTRIBUTE_READ_ONLY
    );
    assert_eq!(
        m.attributes(s, key, &[CKA_LABEL, CKA_ENCRYPT]).unwrap(),
        vec![Ok(b"renamed".to_vec()), Ok(vec![1])]
    );
    let mut token_template = secret_template(CipherParams::CryptoProA, None);
    token_template.0.push(Attribute {
        kind: CKA_TOKEN,
        value: vec![1],
    });
    let token_key = m
        .generate_key(s, CKM_GOST28147_KEY_GEN, &[], &token_template)
        .unwrap();
    assert_eq!(
        m.set_attributes(s, token_key, &t(&[(CKA_LABEL, b"x".to_vec())]))
            .unwrap_err()
            .rv(),
        CKR_ATTRIBUTE_READ_ONLY
    );
    assert_eq!(
        m.attributes(s, token_key, &[CKA_LABEL]).unwrap()[0],
        Ok(b"k".to_vec())
    );
}

/// `C_Verify` of a GOST 28147-89 MAC compares every byte: a MAC with two bytes changed the
/// same way (which an XOR of the differences would miss) is `CKR_SIGNATURE_INVALID`; a MAC of
/// another length than 4 bytes `CKR_SIGNATURE_LEN_RANGE`; a one-part `C_Sign` after
/// `C_SignUpdate` `CKR_OPERATION_ACTIVE`.
#[test]
fn mac_verification_compares_every_byte() {
    let (m, _slot, s) = lab();
    let key = session_key(&m, s);
    let data = b"sixteen byte msg".repeat(2);
    m.sign_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
    assert_eq!(m.sign_len(s).unwrap(), 4);
    let mac = m.sign(s, Some(&data)).unwrap();
    assert_eq!(mac.len(), 4);
    let mut twice = mac.clone();
    twice[0] ^= 0x01;
    twice[1] ^= 0x01;
    for (signature, rv) in [
        (twice, CKR_SIGNATURE_INVALID),
        (mac[..3].to_vec(), CKR_SIGNATURE_LEN_RANGE),
        ([&mac[..], &[0]].concat(), CKR_SIGNATURE_LEN_RANGE),
    ] {
        m.verify_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
        assert_eq!(
            m.verify(s, Some(&data), &signature).unwrap_err().rv(),
            rv,
            "{signature:02x?}"
        );
    }
    m.verify_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
    m.verify(s, Some(&data), &mac).unwrap();
    m.sign_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
    m.sign_update(s, &data[..5]).unwrap();
    assert_eq!(
        m.sign(s, Some(&data)).unwrap_err().rv(),
        CKR_OPERATION_ACTIVE
    );
    // Multi-part gives the one-part MAC.
    m.sign_init(s, CKM_GOST28147_MAC, &[], key).unwrap();
    m.sign_update(s, &data[..5]).unwrap();
    m.sign_update(s, &data[5..]).unwrap();
    assert_eq!(m.sign(s, None).unwrap(), mac);
}

/// `C_DeriveKey`'s checks before the token is asked: the mechanism must be a GOST derive one
/// (`CKR_MECHANISM_INVALID`); the 2001 mechanism `CKM_GOSTR3410_DERIVE` takes no 2012 key
/// (`CKR_KEY_TYPE_INCONSISTENT`); a UKM is 1 to 64 bytes (`CKR_MECHANISM_PARAM_INVALID`; the
/// token's VKO takes up to the key's scalar length: 64 bytes with a 512-bit key).
#[test]
fn derive_checks_the_mechanism_key_and_ukm() {
    let (m, slot, s) = lab();
    let param = ParamSet::Gost256A;
    let params_der = der::Encode::to_der(&param.oid()).unwrap();
    let (_, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &t(&[(CKA_GOSTR3410_PARAMS, params_der)]),
            &t(&[]),
        )
        .unwrap();
    let peer = SigningKey::generate(param, &mut Rng::from_seed(9)).unwrap();
    let derive = |ukm: Vec<u8>| DeriveParams {
        kdf: CKM_KDF_GOSTR3411_2012_256,
        public: peer.verifying_key().to_le_bytes(),
        ukm,
    };
    let template = secret_template(CipherParams::CryptoProA, None);
    let rv = |r: Result<CK_OBJECT_HANDLE, rutoken_pkcs11::Error>| r.unwrap_err().rv();
    assert_eq!(
        rv(m.derive_key(
            s,
            CKM_GOST28147_KEY_GEN,
            &derive(vec![1; 8]),
            private,
            &template
        )),
        CKR_MECHANISM_INVALID
    );
    assert_eq!(
        rv(m.derive_key(
            s,
            CKM_GOSTR3410_DERIVE,
            &derive(vec![1; 8]),
            private,
            &template
        )),
        CKR_KEY_TYPE_INCONSISTENT
    );
    let before = secret_objects(&slot);
    for bad in [Vec::new(), vec![1; 65]] {
        assert_eq!(
            rv(m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &derive(bad), private, &template)),
            CKR_MECHANISM_PARAM_INVALID
        );
    }
    assert_eq!(secret_objects(&slot), before, "nothing made on the token");
    m.derive_key(
        s,
        CKM_GOSTR3410_12_DERIVE,
        &derive(vec![1]),
        private,
        &template,
    )
    .unwrap();
    // 64 bytes: a 512-bit key's scalar, the longest UKM its VKO takes.
    let param = ParamSet::Gost512A;
    let (_, private) = m
        .generate_key_pair(
            s,
            rutoken_pkcs11::vendor::CKM_GOSTR3410_512_KEY_PAIR_GEN,
            &t(&[(
                CKA_GOSTR3410_PARAMS,
                der::Encode::to_der(&param.oid()).unwrap(),
            )]),
            &t(&[]),
        )
        .unwrap();
    let peer = SigningKey::generate(param, &mut Rng::from_seed(10)).unwrap();
    let long = DeriveParams {
        kdf: CKM_KDF_GOSTR3411_2012_256,
        public: peer.verifying_key().to_le_bytes(),
        ukm: vec![1; 64],
    };
    m.derive_key(s, CKM_GOSTR3410_12_DERIVE, &long, private, &template)
        .unwrap();
}

/// `C_Finalize` deletes the session keys from the token (they end with the application) and
/// keeps the token keys.
#[test]
fn finalize_deletes_session_keys_only() {
    let (m, slot, s) = lab();
    let before = secret_objects(&slot);
    let mut token_template = secret_template(CipherParams::CryptoProA, None);
    token_template.0.push(Attribute {
        kind: CKA_TOKEN,
        value: vec![1],
    });
    m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &token_template)
        .unwrap();
    m.generate_key(
        s,
        CKM_GOST28147_KEY_GEN,
        &[],
        &secret_template(CipherParams::CryptoProA, None),
    )
    .unwrap();
    assert_eq!(secret_objects(&slot), before + 2);
    m.finalize();
    assert_eq!(secret_objects(&slot), before + 1, "the token key stays");
}

/// A secret-key template naming another class or another key type than GOST 28147-89's is
/// `CKR_TEMPLATE_INCONSISTENT`, each on its own.
#[test]
fn a_secret_key_template_of_another_class_or_type_is_refused() {
    let (m, _slot, s) = lab();
    for (kind, value) in [
        (CKA_CLASS, ulong(CKO_DATA)),
        (CKA_KEY_TYPE, ulong(CKK_GOSTR3410)),
    ] {
        let mut template = secret_template(CipherParams::CryptoProA, None);
        template.0.retain(|a| a.kind != kind);
        template.0.push(Attribute { kind, value });
        assert_eq!(
            m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &template)
                .unwrap_err()
                .rv(),
            CKR_TEMPLATE_INCONSISTENT,
            "{kind:#x}"
        );
    }
}

/// `C_UnwrapKey` with the UKM given as the mechanism parameter: it must be the one the wrapped
/// key starts with (RFC 4357 §6.1: `UKM ‖ CEK_ENC ‖ CEK_MAC`), else
/// `CKR_WRAPPED_KEY_INVALID`; the right one unwraps.
#[test]
fn unwrap_checks_a_given_ukm_against_the_wrapped_key() {
    let (m, _slot, s) = lab();
    let template = secret_template(CipherParams::CryptoProA, None);
    let kek = session_key(&m, s);
    let cek = session_key(&m, s);
    let ukm = [9u8; 8];
    let wrapped = m
        .wrap_key(s, CKM_GOST28147_KEY_WRAP, &ukm, kek, cek)
        .unwrap();
    assert_eq!(
        m.unwrap_key(
            s,
            CKM_GOST28147_KEY_WRAP,
            &[8u8; 8],
            kek,
            &wrapped,
            &template
        )
        .unwrap_err()
        .rv(),
        CKR_WRAPPED_KEY_INVALID
    );
    m.unwrap_key(s, CKM_GOST28147_KEY_WRAP, &ukm, kek, &wrapped, &template)
        .unwrap();
}

/// Two token keys keep a record each: making the second (and clearing what a deleted key of
/// its reference left) leaves the first one's record, so another application finds both
/// under their own labels.
#[test]
fn a_second_token_key_leaves_the_first_one_s_record() {
    let (m, slot, s) = lab();
    for label in [&b"first"[..], b"second"] {
        let mut template = secret_template(CipherParams::CryptoProA, None);
        template.0.retain(|a| a.kind != CKA_LABEL);
        template.0.push(Attribute {
            kind: CKA_LABEL,
            value: label.to_vec(),
        });
        template.0.push(Attribute {
            kind: CKA_TOKEN,
            value: vec![1],
        });
        m.generate_key(s, CKM_GOST28147_KEY_GEN, &[], &template)
            .unwrap();
    }
    let (other, s2, found) = secret_keys_in_another_module(&slot);
    let mut labels: Vec<Vec<u8>> = found
        .iter()
        .map(|h| {
            other.attributes(s2, *h, &[CKA_LABEL]).unwrap()[0]
                .clone()
                .unwrap()
        })
        .collect();
    labels.sort();
    assert_eq!(labels, vec![b"first".to_vec(), b"second".to_vec()]);
}
