//! GOST 28147-89 and VKO on the token (our model of the ECP 2.0's commands,
//! `docs/assumptions.md` "GOST 28147-89 and VKO"): CryptoPro CSP's known answers (ECB, CFB with
//! meshing, CNT, MAC; the gost engine's test suite, `gost/tests/data/gost28147-cryptopro.txt`)
//! computed by the token in chained pieces; RFC 7836's VKO example into a secret-key object,
//! checked through an RFC 4357 key wrap; unwrap with a tampered MAC refused; access conditions;
//! secret keys surviving an image reload.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte"
)]

use gost::CipherParams;
use gost::gost28147::{self, KeyWrap, Mac};
use hex_literal::hex;
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fn tx(token: &mut Token, bytes: &[u8]) -> (Vec<u8>, u16) {
    let mut answer = token.transmit(bytes);
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

fn h(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).expect("hex")
}

fn ok(token: &mut Token, text: &str) -> Vec<u8> {
    let (data, sw) = tx(token, &h(text));
    assert_eq!(sw, 0x9000, "{text}");
    data
}

fn apdu(header: [u8; 4], data: &[u8], le: bool) -> Vec<u8> {
    let mut cmd = header.to_vec();
    if !data.is_empty() {
        cmd.push(data.len() as u8);
        cmd.extend_from_slice(data);
    }
    if le {
        cmd.push(0);
    }
    cmd
}

const VERIFY_USER: &str = "00 20 00 02 08 3132333435363738";

/// The profile's code of a parameter set (`gost28147-A` → 81).
fn code(params: CipherParams) -> u8 {
    let name = match params {
        CipherParams::Test => "gost28147-Test",
        CipherParams::CryptoProA => "gost28147-A",
        CipherParams::CryptoProB => "gost28147-B",
        CipherParams::CryptoProC => "gost28147-C",
        CipherParams::CryptoProD => "gost28147-D",
        CipherParams::Tc26Z => "gost28147-Z",
    };
    TokenProfile::default().gost28147_key_codes[name]
}

fn alg(name: &str) -> u8 {
    TokenProfile::default().symmetric_algorithm_refs[name]
}

/// CREATE FILE of an empty secret-key object `…/6003/00kk` (update, use and delete: User).
fn create_secret(t: &mut Token, kk: u8, params: CipherParams) {
    let (_, sw) = tx(
        t,
        &h(&format!(
            "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 00{kk:02X} 8506 43{:02X}00AA0000 860F 460002020000000200000000000000",
            code(params)
        )),
    );
    assert_eq!(sw, 0x9000, "create secret key {kk}");
}

/// Creates secret key `kk` and imports `key` into it (`24 01 00`, the object selected).
fn import_secret(t: &mut Token, kk: u8, params: CipherParams, key: &[u8; 32]) {
    create_secret(t, kk, params);
    ok(t, &format!("00 A4 08 00 08 1000 1000 6003 00{kk:02X} 00"));
    let mut data = vec![0x80, 0x02, 0x00, 0x20, 0xA5, 0x20];
    data.extend_from_slice(key);
    let (_, sw) = tx(t, &apdu([0, 0x24, 0x01, 0x00], &data, false));
    assert_eq!(sw, 0x9000, "import secret key {kk}");
}

fn token() -> Token {
    let mut t = Token::in_memory(Fixture::Factory, 7, TokenProfile::default()).unwrap();
    ok(&mut t, VERIFY_USER);
    t
}

/// MSE SET of a CT (`B8`) or CCT (`B4`) with secret key `kk`.
fn mse(t: &mut Token, p2: u8, kk: u8, algorithm: &str, iv: Option<&[u8]>) -> u16 {
    let mut data = vec![0x80, 0x01, alg(algorithm), 0x83, 0x01, kk];
    if let Some(iv) = iv {
        data.extend_from_slice(&[0x87, iv.len() as u8]);
        data.extend_from_slice(iv);
    }
    tx(t, &apdu([0, 0x22, 0x41, p2], &data, false)).1
}

/// A streaming PSO in `piece`-byte chained APDUs; the answers joined.
fn pso(t: &mut Token, p1p2: [u8; 2], data: &[u8], piece: usize) -> Result<Vec<u8>, u16> {
    let pieces: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(piece).collect()
    };
    let last = pieces.len() - 1;
    let mut out = Vec::new();
    for (i, p) in pieces.into_iter().enumerate() {
        let cla = if i < last { 0x10 } else { 0x00 };
        let (answer, sw) = tx(t, &apdu([cla, 0x2A, p1p2[0], p1p2[1]], p, true));
        if sw != 0x9000 {
            return Err(sw);
        }
        out.extend_from_slice(&answer);
    }
    Ok(out)
}

const ENCIPHER: [u8; 2] = [0x84, 0x80];
const DECIPHER: [u8; 2] = [0x80, 0x84];
const CHECKSUM: [u8; 2] = [0x8E, 0x80];

struct Case {
    mode: String,
    params: CipherParams,
    key: [u8; 32],
    iv: Option<[u8; 8]>,
    input: Vec<u8>,
    expected: Vec<u8>,
}

/// The CryptoPro cases of the gost engine's suite with the GOST 28147-89 parameter sets, up to
/// 64 KiB (the 5 MiB one would be 20 000 APDUs for no new path: the 1039-byte cases already
/// cross the 1024-byte key meshing).
fn cases() -> Vec<Case> {
    let text = include_str!("../../gost/tests/data/gost28147-cryptopro.txt");
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(params) = CipherParams::ALL.into_iter().find(|p| p.name() == f[1]) else {
            continue; // RFC 5831's steps use the GOST R 34.11-94 test S-box, no cipher set.
        };
        let len: usize = f[2].parse().unwrap();
        if len > 65536 {
            continue;
        }
        out.push(Case {
            mode: f[0].into(),
            params,
            key: hex::decode(f[4]).unwrap().try_into().unwrap(),
            iv: (f[5] != "-").then(|| hex::decode(f[5]).unwrap().try_into().unwrap()),
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
fn cryptopro_known_answers_on_the_token() {
    let mut checked = 0;
    for (i, case) in cases().into_iter().enumerate() {
        let mut t = token();
        let kk = (i + 1) as u8;
        import_secret(&mut t, kk, case.params, &case.key);
        let what = format!("{} {:?} {} bytes", case.mode, case.params, case.input.len());
        let (p2, name, p1p2) = match case.mode.as_str() {
            "ECB" => (0xB8, "gost28147-ecb", ENCIPHER),
            "CFB" => (0xB8, "gost28147-cfb", ENCIPHER),
            "CNT" => (0xB8, "gost28147-cnt", ENCIPHER),
            "IMIT" => (0xB4, "gost28147-mac", CHECKSUM),
            other => panic!("mode {other}"),
        };
        assert_eq!(
            mse(&mut t, p2, kk, name, case.iv.as_ref().map(|v| &v[..])),
            0x9000
        );
        // 248: a multiple of the block (ECB pieces must be), and not of 1024 (meshing falls
        // inside a piece).
        for piece in [248, 8, 255] {
            if case.mode == "ECB" && piece % 8 != 0 {
                continue;
            }
            let out = pso(&mut t, p1p2, &case.input, piece).unwrap();
            assert_eq!(out, case.expected, "{what}, {piece}-byte pieces");
            if case.mode != "IMIT" {
                let back = pso(&mut t, DECIPHER, &out, piece).unwrap();
                assert_eq!(back, case.input, "{what}: deciphered");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 14, "every CryptoPro case up to 64 KiB ran");
}

#[test]
fn generated_key_stays_on_the_token_and_round_trips() {
    let mut t = token();
    create_secret(&mut t, 1, CipherParams::CryptoProA);
    // Before GENERATE the object is empty: no operation.
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-ecb", None), 0x9000);
    assert_eq!(pso(&mut t, ENCIPHER, &[0; 8], 8), Err(0x6985));
    let (answer, sw) = tx(&mut t, &h("00 46 81 01"));
    assert_eq!((answer.len(), sw), (0, 0x9000), "GENERATE answers no key");
    let plain: Vec<u8> = (0..1500u32).map(|i| (i * 7) as u8).collect();
    let iv = hex!("0102030405060708");
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-cfb", Some(&iv)), 0x9000);
    let ct = pso(&mut t, ENCIPHER, &plain, 200).unwrap();
    assert_eq!(ct.len(), plain.len());
    assert_ne!(ct, plain);
    assert_eq!(pso(&mut t, DECIPHER, &ct, 123).unwrap(), plain);
    // ECB refuses a partial block and the stream ends.
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-ecb", None), 0x9000);
    assert_eq!(pso(&mut t, ENCIPHER, &[1, 2, 3], 8), Err(0x6700));
    // CFB without an IV, a MAC in a CT, ECB in a CCT: refused at MSE.
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-cfb", None), 0x6A80);
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-mac", None), 0x6A80);
    assert_eq!(mse(&mut t, 0xB4, 1, "gost28147-ecb", None), 0x6A80);
    // The key object cannot be read.
    ok(&mut t, "00 A4 08 00 08 1000 1000 6003 0001 00");
    assert_eq!(tx(&mut t, &h("00 B0 00 00 00")).1, 0x6981);
    // A wrong class of PSO for the environment.
    assert_eq!(mse(&mut t, 0xB4, 1, "gost28147-mac", None), 0x9000);
    assert_eq!(pso(&mut t, ENCIPHER, &[0; 8], 8), Err(0x6985));
}

#[test]
fn use_needs_the_user_pin() {
    let mut t = token();
    create_secret(&mut t, 1, CipherParams::CryptoProA);
    ok(&mut t, "00 46 81 01");
    assert_eq!(mse(&mut t, 0xB4, 1, "gost28147-mac", None), 0x9000);
    // A logout between pieces stops the stream.
    let (_, sw) = tx(&mut t, &apdu([0x10, 0x2A, 0x8E, 0x80], &[0; 16], false));
    assert_eq!(sw, 0x9000);
    ok(&mut t, "80 40 00 00");
    assert_eq!(pso(&mut t, CHECKSUM, &[0; 16], 16), Err(0x6982));
    assert_eq!(tx(&mut t, &h("00 46 81 01")).1, 0x6982);
    ok(&mut t, VERIFY_USER);
    assert_eq!(pso(&mut t, CHECKSUM, &[0; 16], 16).unwrap().len(), 4);
}

// RFC 7836 §A (R 50.1.113-2016 §A.9): parties A and B on id-tc26-gost-3410-12-512-paramSetA,
// keys and points little-endian as the gost engine's test_derive.c prints them.
const A_PRIV: [u8; 64] = hex!(
    "c990ecd972fce84ec4db022778f50fcac726f46708384b8d458304962d7147f8"
    "c2db41cef22c90b102f2968404f9b9be6d47c79692d81826b32b8daca43cb667"
);
const B_PUB: [u8; 128] = hex!(
    "192fe183b9713a077253c72c8735de2ea42a3dbc66ea317838b65fa32523cd5e"
    "fca974eda7c863f4954d1147f1f2b25c395fce1c129175e876d132e94ed5a651"
    "04883b414c9b592ec4dc84826f07d0b6d9006dda176ce48c391e3f97d102e03b"
    "b598bf132a228a45f7201aba08fc524a2d77e43a362ab022ad4028f75bde3b79"
);
const UKM: [u8; 8] = hex!("1d80603c8544c727");
/// VKO_GOSTR3410_2012_256 of A and B with UKM (RFC 7836 §A).
const KEK_256: [u8; 32] = hex!("c9a9a77320e2cc559ed72dce6f47e2192ccea95fa648670582c054c0ef36c221");

#[test]
fn rfc7836_vko_into_a_secret_key_then_wraps() {
    let mut t = token();
    // A's private key imported into a 2012-512 set A key object (code 12) at reference 1.
    let code_512a = TokenProfile::default().gost_key_codes["gost2012-512-A"];
    ok(
        &mut t,
        &format!(
            "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0001 8506 03{code_512a:02X}00AA0000 860F 460002020000000200000000000000"
        ),
    );
    ok(&mut t, "00 A4 08 00 08 1000 1000 6002 0001 00");
    let mut data = vec![0x80, 0x02, 0x00, 0x40, 0xA5, 0x40];
    data.extend_from_slice(&A_PRIV);
    assert_eq!(
        tx(&mut t, &apdu([0, 0x24, 0x01, 0x00], &data, false)).1,
        0x9000
    );
    let params = CipherParams::CryptoProA;
    create_secret(&mut t, 1, params);
    let kat = |t: &mut Token, vko: &str| {
        let data = [0x80, 0x01, alg(vko), 0x84, 0x01, 0x01, 0x83, 0x01, 0x01];
        tx(t, &apdu([0, 0x22, 0x41, 0xA6], &data, false)).1
    };
    let ga = |t: &mut Token, peer: &[u8], ukm: &[u8]| {
        let mut inner = vec![0x85, 0x81, peer.len() as u8];
        inner.extend_from_slice(peer);
        inner.extend_from_slice(&[0x81, ukm.len() as u8]);
        inner.extend_from_slice(ukm);
        let mut data = vec![0x7C, 0x81, inner.len() as u8];
        data.extend_from_slice(&inner);
        tx(t, &apdu([0, 0x86, 0x00, 0x00], &data, false)).1
    };
    // VKO 2001 is for 2001 keys; VKO 2012-512's KEK is no 28147 key.
    assert_eq!(kat(&mut t, "vko-2001"), 0x9000);
    assert_eq!(ga(&mut t, &B_PUB, &UKM), 0x6985);
    assert_eq!(kat(&mut t, "vko-2012-512"), 0x9000);
    assert_eq!(ga(&mut t, &B_PUB, &UKM), 0x6985);
    assert_eq!(kat(&mut t, "vko-2012-256"), 0x9000);
    assert_eq!(ga(&mut t, &B_PUB[..64], &UKM), 0x6A80, "a short point");
    assert_eq!(ga(&mut t, &B_PUB, &[0; 8]), 0x6A80, "a zero UKM");
    assert_eq!(ga(&mut t, &B_PUB, &UKM), 0x9000);

    // The KEK (never read back) wraps a known CEK exactly as RFC 4357 §6.1 with KEK_256 does.
    let cek: [u8; 32] = core::array::from_fn(|i| (i * 3 + 1) as u8);
    import_secret(&mut t, 2, params, &cek);
    let wrap_ukm = hex!("0011223344556677");
    for (name, kind) in [
        ("gost28147-key-wrap", KeyWrap::Gost28147),
        ("cryptopro-key-wrap", KeyWrap::CryptoPro),
    ] {
        assert_eq!(mse(&mut t, 0xB8, 1, name, Some(&wrap_ukm)), 0x9000);
        let wrapped = pso(&mut t, ENCIPHER, &h("830102"), 255).unwrap();
        let want = gost28147::wrap(kind, params, &KEK_256, &wrap_ukm, &cek);
        assert_eq!(wrapped, want.to_vec(), "{name}");
    }

    // Unwrap into an empty object: the host's wrap of another CEK goes in, its MAC comes out.
    let cek2: [u8; 32] = core::array::from_fn(|i| (255 - i) as u8);
    let wrapped = gost28147::wrap(KeyWrap::CryptoPro, params, &KEK_256, &UKM, &cek2);
    create_secret(&mut t, 3, params);
    create_secret(&mut t, 4, params);
    assert_eq!(mse(&mut t, 0xB8, 1, "cryptopro-key-wrap", None), 0x9000);
    let mut bad = wrapped;
    bad[43] ^= 1;
    for (target, blob, want) in [(4u8, bad, Err(0x6A80)), (3, wrapped, Ok(Vec::new()))] {
        let mut data = vec![0x83, 0x01, target, 0x86, 44];
        data.extend_from_slice(&blob);
        assert_eq!(
            pso(&mut t, DECIPHER, &data, 255),
            want,
            "unwrap into {target}"
        );
    }
    let message = b"GOST 28147-89 MAC of an unwrapped key";
    let mac = |t: &mut Token, kk: u8| {
        assert_eq!(mse(t, 0xB4, kk, "gost28147-mac", None), 0x9000);
        pso(t, CHECKSUM, message, 255)
    };
    assert_eq!(
        mac(&mut t, 3).unwrap(),
        Mac::compute(params, &cek2, message).to_vec()
    );
    assert_eq!(
        mac(&mut t, 4),
        Err(0x6985),
        "the refused unwrap left 4 empty"
    );
}

/// A's private key (RFC 7836 §A) imported at key reference 1 as a 2012-512 set A key.
fn import_a_key(t: &mut Token) {
    let code_512a = TokenProfile::default().gost_key_codes["gost2012-512-A"];
    ok(
        t,
        &format!(
            "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0001 8506 03{code_512a:02X}00AA0000 860F 460002020000000200000000000000"
        ),
    );
    ok(t, "00 A4 08 00 08 1000 1000 6002 0001 00");
    let mut data = vec![0x80, 0x02, 0x00, 0x40, 0xA5, 0x40];
    data.extend_from_slice(&A_PRIV);
    assert_eq!(tx(t, &apdu([0, 0x24, 0x01, 0x00], &data, false)).1, 0x9000);
}

/// The dynamic authentication template `7C { 85 peer, 81 ukm, [82 empty] }`.
fn ga_template(peer: &[u8], ukm: &[u8], ask_kek: bool) -> Vec<u8> {
    let mut inner = vec![0x85, 0x81, peer.len() as u8];
    inner.extend_from_slice(peer);
    inner.extend_from_slice(&[0x81, ukm.len() as u8]);
    inner.extend_from_slice(ukm);
    if ask_kek {
        inner.extend_from_slice(&[0x82, 0x00]);
    }
    let mut data = vec![0x7C, 0x81, inner.len() as u8];
    data.extend_from_slice(&inner);
    data
}

#[test]
fn rfc7836_vko_answered_to_the_host_and_a_sensitive_kek_never() {
    let mut t = token();
    import_a_key(&mut t);
    let host = |t: &mut Token, vko: &str, kk: u8, ask: bool, peer: &[u8], ukm: &[u8]| {
        tx(
            t,
            &apdu([0, 0x86, alg(vko), kk], &ga_template(peer, ukm, ask), true),
        )
    };
    // P1 the VKO, P2 the key, 82 asked for: the token answers 7C { 82 KEK } (RFC 7836 §A).
    let (answer, sw) = host(&mut t, "vko-2012-256", 1, true, &B_PUB, &UKM);
    assert_eq!(sw, 0x9000);
    let mut want = vec![0x7C, 0x22, 0x82, 0x20];
    want.extend_from_slice(&KEK_256);
    assert_eq!(answer, want);
    // Refusals: not asking for the KEK, a P1 that is no VKO, VKO 2001 or 2012-512 with a
    // 2012 key, no key at P2, a short point, a zero UKM.
    let refusals = [
        (
            "no 82",
            host(&mut t, "vko-2012-256", 1, false, &B_PUB, &UKM),
            0x6A80,
        ),
        (
            "not a VKO",
            host(&mut t, "gost28147-ecb", 1, true, &B_PUB, &UKM),
            0x6A86,
        ),
        (
            "VKO 2001",
            host(&mut t, "vko-2001", 1, true, &B_PUB, &UKM),
            0x6985,
        ),
        (
            "VKO 512",
            host(&mut t, "vko-2012-512", 1, true, &B_PUB, &UKM),
            0x6985,
        ),
        (
            "no key",
            host(&mut t, "vko-2012-256", 9, true, &B_PUB, &UKM),
            0x6A88,
        ),
        (
            "short point",
            host(&mut t, "vko-2012-256", 1, true, &B_PUB[..64], &UKM),
            0x6A80,
        ),
        (
            "zero UKM",
            host(&mut t, "vko-2012-256", 1, true, &B_PUB, &[0; 8]),
            0x6A80,
        ),
    ];
    for (what, (answer, sw), want) in refusals {
        assert_eq!((answer.len(), sw), (0, want), "{what}");
    }
    // The key's "use" condition holds for the host form too.
    ok(&mut t, "80 40 00 00");
    assert_eq!(
        host(&mut t, "vko-2012-256", 1, true, &B_PUB, &UKM).1,
        0x6982
    );
    ok(&mut t, VERIFY_USER);

    // The KAT form fills the object and answers nothing; asking it for the KEK is 6A80 and
    // leaves the object empty.
    create_secret(&mut t, 1, CipherParams::CryptoProA);
    let kat = [
        0x80,
        0x01,
        alg("vko-2012-256"),
        0x84,
        0x01,
        0x01,
        0x83,
        0x01,
        0x01,
    ];
    ok(
        &mut t,
        &hex::encode([&[0, 0x22, 0x41, 0xA6, 9][..], &kat].concat()),
    );
    let (answer, sw) = tx(
        &mut t,
        &apdu([0, 0x86, 0, 0], &ga_template(&B_PUB, &UKM, true), true),
    );
    assert_eq!((answer.len(), sw), (0, 0x6A80));
    assert_eq!(mse(&mut t, 0xB4, 1, "gost28147-mac", None), 0x9000);
    assert_eq!(
        pso(&mut t, CHECKSUM, &[0; 8], 8),
        Err(0x6985),
        "still empty"
    );
    ok(
        &mut t,
        &hex::encode([&[0, 0x22, 0x41, 0xA6, 9][..], &kat].concat()),
    );
    let (answer, sw) = tx(
        &mut t,
        &apdu([0, 0x86, 0, 0], &ga_template(&B_PUB, &UKM, false), true),
    );
    assert_eq!((answer, sw), (Vec::new(), 0x9000));
    // The object holds the same KEK the host form answered: its MAC is KEK_256's.
    assert_eq!(mse(&mut t, 0xB4, 1, "gost28147-mac", None), 0x9000);
    let mac = pso(&mut t, CHECKSUM, &[0x5A; 16], 16).unwrap();
    assert_eq!(
        mac,
        Mac::compute(CipherParams::CryptoProA, &KEK_256, &[0x5A; 16]).to_vec()
    );
}

#[test]
fn secret_keys_survive_an_image_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.img");
    let profile = TokenProfile::default();
    let plain = b"persisted secret keys, 32 bytes!".to_vec();
    let ct = {
        let mut t = Token::create_image(&path, Fixture::Factory, 3, profile.clone()).unwrap();
        ok(&mut t, VERIFY_USER);
        create_secret(&mut t, 5, CipherParams::CryptoProB);
        ok(&mut t, "00 46 81 05");
        assert_eq!(mse(&mut t, 0xB8, 5, "gost28147-ecb", None), 0x9000);
        pso(&mut t, ENCIPHER, &plain, 8).unwrap()
    };
    let mut t = Token::open_image(&path, profile).unwrap();
    t.power_on();
    ok(&mut t, VERIFY_USER);
    assert_eq!(mse(&mut t, 0xB8, 5, "gost28147-ecb", None), 0x9000);
    assert_eq!(pso(&mut t, DECIPHER, &ct, 16).unwrap(), plain);
}

#[test]
fn a_refused_mse_set_still_drops_the_environment() {
    let mut t = token();
    create_secret(&mut t, 1, CipherParams::CryptoProA);
    ok(&mut t, "00 46 81 01");
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-ecb", None), 0x9000);
    assert_eq!(pso(&mut t, ENCIPHER, &[0; 8], 8).map(|c| c.len()), Ok(8));
    // Wrong P1 (6A86), then a CRT without its key (6A80): each answer is the fields' and each
    // drops the environment, as an accepted MSE SET would.
    assert_eq!(tx(&mut t, &h("00 22 07 B6 03 840101")).1, 0x6A86);
    assert_eq!(pso(&mut t, ENCIPHER, &[0; 8], 8), Err(0x6985));
    assert_eq!(mse(&mut t, 0xB8, 1, "gost28147-ecb", None), 0x9000);
    assert_eq!(tx(&mut t, &h("00 22 41 B4 03 830101")).1, 0x6A80);
    assert_eq!(pso(&mut t, ENCIPHER, &[0; 8], 8), Err(0x6985));
}
