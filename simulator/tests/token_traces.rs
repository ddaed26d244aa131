//! Replays the host side of every OpenSC 0.23 trace (`tests/data/opensc-traces/`, copied from
//! `shared/spec/opensc-traces/`) against the token and checks its answers. The card side of the
//! traces is a model: status words, FCPs and file contents must match; serials, keys,
//! signatures and random bytes only in length; signatures must verify (with `gost`, and with
//! OpenSSL's gost engine when it is installed).

use std::path::Path;
use std::process::Command;

use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/opensc-traces");

/// One step of a trace.
enum Step {
    Reset,
    Exchange { command: Vec<u8>, expected: Vec<u8> },
}

fn hex_line(line: &str) -> Vec<u8> {
    hex::decode(line.split_whitespace().collect::<String>()).expect("trace hex")
}

fn load(name: &str) -> Vec<Step> {
    let text =
        std::fs::read_to_string(Path::new(TRACES).join(format!("{name}.log"))).expect("trace");
    let mut steps = Vec::new();
    let mut pending = None;
    for line in text.lines() {
        if line.starts_with("# power-on/reset") {
            steps.push(Step::Reset);
        } else if let Some(rest) = line.strip_prefix("> ") {
            pending = Some(hex_line(rest));
        } else if let Some(rest) = line.strip_prefix("< ") {
            let command = pending.take().expect("answer without command");
            steps.push(Step::Exchange {
                command,
                expected: hex_line(rest),
            });
        }
    }
    steps
}

/// What the replay saw that later checks need.
#[derive(Default)]
struct Seen {
    /// GENERATE KEY answers by key reference.
    public_keys: Vec<(u8, Vec<u8>)>,
    /// (key reference selected by MSE, digest, signature) of every PSO CDS.
    signatures: Vec<(u8, Vec<u8>, Vec<u8>)>,
}

fn replay(token: &mut Token, name: &str, seen: &mut Seen) {
    let mut se_key = 0u8;
    for (i, step) in load(name).into_iter().enumerate() {
        let Step::Exchange { command, expected } = step else {
            token.reset();
            continue;
        };
        let answer = token.transmit(&command);
        let context = format!("{name} step {i}: > {}", hex::encode_upper(&command));
        let (data, sw) = answer.split_at(answer.len() - 2);
        let (want_data, want_sw) = expected.split_at(expected.len() - 2);
        assert_eq!(
            hex::encode_upper(sw),
            hex::encode_upper(want_sw),
            "{context}: status word"
        );
        let ins = command[1];
        match (command[0], ins) {
            // GET DATA serial: ours is 8 bytes (Aktiv's UEFI sample), the model's 16.
            (0x00, 0xCA) => assert_eq!(data.len(), 8, "{context}"),
            // GET CHALLENGE: random, same length.
            (0x00, 0x84) => assert_eq!(data.len(), want_data.len(), "{context}"),
            (0x00, 0x46) => {
                assert_eq!(data.len(), 64, "{context}: GOST public key X_le‖Y_le");
                seen.public_keys.push((command[3], data.to_vec()));
            }
            (0x00, 0x22) => se_key = command[7],
            (0x00, 0x2A) => {
                assert_eq!(data.len(), 64, "{context}: r_le‖s_le");
                seen.signatures.push((
                    se_key,
                    command[5..5 + usize::from(command[4])].to_vec(),
                    data.to_vec(),
                ));
            }
            _ => assert_eq!(
                hex::encode_upper(data),
                hex::encode_upper(want_data),
                "{context}: data"
            ),
        }
    }
}

fn openssl_verify(public_le: &[u8], digest: &[u8], signature_token: &[u8]) {
    let gost_engine = Command::new("openssl").args(["engine", "gost"]).output();
    if !matches!(&gost_engine, Ok(out) if out.status.success()) {
        eprintln!("skipped: OpenSSL gost engine not available (Debian: libengine-gost-openssl)");
        return;
    }
    let vk =
        gost::VerifyingKey::from_le_bytes(gost::ParamSet::Gost256B, public_le).expect("public key");
    let spki = gost::spki::to_spki_der(&vk, gost::KeyAlgorithm::Gost2001);
    let sig = gost::Signature::from_token_bytes(signature_token).expect("signature");
    let dir = tempfile::tempdir().expect("tempdir");
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64(&spki)
    );
    std::fs::write(dir.path().join("pub.pem"), pem).expect("write");
    std::fs::write(dir.path().join("hash.bin"), digest).expect("write");
    // OpenSC hands out the token's r_le‖s_le reversed as a whole: s‖r big-endian.
    std::fs::write(dir.path().join("sig.bin"), sig.to_x509_bytes()).expect("write");
    let out = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", "pub.pem", "-in",
            "hash.bin", "-sigfile", "sig.bin",
        ])
        .output()
        .expect("openssl");
    let mut flipped = digest.to_vec();
    flipped[0] ^= 1;
    std::fs::write(dir.path().join("other.bin"), flipped).expect("write");
    let negative = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "pkeyutl",
            "-engine",
            "gost",
            "-verify",
            "-pubin",
            "-inkey",
            "pub.pem",
            "-in",
            "other.bin",
            "-sigfile",
            "sig.bin",
        ])
        .output()
        .expect("openssl");
    assert!(
        !negative.status.success(),
        "openssl accepted the signature over another digest"
    );
    assert!(
        out.status.success(),
        "openssl did not verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn opensc_traces_replay_on_one_card() {
    let mut token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).expect("token");
    let mut seen = Seen::default();
    for name in [
        "01_atr",
        "02_serial",
        "03_erase",
        "04_create",
        "05_storepin",
        "06_genkey",
        "07_p11_L",
        "08_p11_M",
        "09_p11_O",
        "10_kpg2012",
        "10b_kpg2012B",
        "11_kpg2001",
        "12_sign12",
        "12b_signwith",
        "13_signraw",
        "14_storecert",
        "15_wrongpin",
        "16_listpins",
        "17_changepin",
        "18_unblock",
        "19_initpin",
        "20_changeback",
        "21_rng",
    ] {
        replay(&mut token, name, &mut seen);
    }
    // 22 and 23 ran on an erased card: a second token, erased.
    let mut erased = Token::in_memory(Fixture::Factory, 1, TokenProfile::default()).expect("token");
    assert_eq!(erased.transmit(&[0x80, 0x8A, 0, 0]), [0x90, 0x00]);
    replay(&mut erased, "22_fresh_L", &mut Seen::default());
    replay(&mut erased, "23_fresh_dump", &mut Seen::default());
    replay(&mut token, "24_ls", &mut seen);
    replay(&mut token, "25_delete", &mut seen);

    assert_eq!(
        token.atr(),
        hex_line("3B 8B 01 52 75 74 6F 6B 65 6E 20 45 43 50 A0")
    );
    assert_eq!(
        seen.public_keys.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(seen.signatures.len(), 1, "13_signraw signs once");
    for (key_ref, digest, signature) in &seen.signatures {
        let public = &seen
            .public_keys
            .iter()
            .find(|(r, _)| r == key_ref)
            .expect("key")
            .1;
        // gost2001 paramset A (attribute 85 byte 1 = 0x20) is CryptoPro A = tc26 256-B.
        let vk = gost::VerifyingKey::from_le_bytes(gost::ParamSet::Gost256B, public).expect("key");
        let sig = gost::Signature::from_token_bytes(signature).expect("sig");
        vk.verify_digest(digest, &sig)
            .expect("the token's signature verifies");
        let mut flipped = digest.clone();
        flipped[0] ^= 1;
        assert!(
            vk.verify_digest(&flipped, &sig).is_err(),
            "and not over another digest"
        );
        openssl_verify(public, digest, signature);
    }
}

#[test]
fn trace_22_on_the_factory_token_also_says_not_recognized() {
    // The factory token has no PKCS#15 application: OpenSC's bind SELECTs all get 6A82.
    let mut token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).expect("token");
    replay(&mut token, "22_fresh_L", &mut Seen::default());
}
