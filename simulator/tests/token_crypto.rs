//! GOST keys through CREATE / GENERATE KEY / MSE / PSO: every key code (2001 A–C, 2012-256 A–D,
//! 2012-512 A–C), 128-byte keys and signatures for 512-bit sets, on-token hashing equal to the
//! `gost` crate's, the one-shot hashed signature, and private keys that no answer ever carries.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
use gost::{DigestAlgorithm, ParamSet, Signature, VerifyingKey};
use proptest::prelude::*;
use rutoken_sim::Card;
use rutoken_sim::token::key::KeySpec;
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

const VERIFY_USER: &str = "00 20 00 02 08 3132333435363738";

/// A factory token with a generated key pair of `code` at reference `kk`; returns the public key.
fn token_with_key(code: u8, kk: u8) -> (Token, Vec<u8>) {
    let mut t = Token::in_memory(Fixture::Factory, 11, TokenProfile::default()).expect("token");
    let public = add_key(&mut t, code, kk);
    (t, public)
}

fn add_key(t: &mut Token, code: u8, kk: u8) -> Vec<u8> {
    ok(t, VERIFY_USER);
    let (private_size, public_size) = if code & 0x0F == 2 {
        ("0040", "0080")
    } else {
        ("0020", "0040")
    };
    ok(
        t,
        &format!(
            "00 E0 00 00 27 6F25 8002 {private_size} 8202 1000 8302 00{kk:02X} 8506 03{code:02X}00AA0000 860F 460002020000000200000000000000"
        ),
    );
    ok(
        t,
        &format!(
            "00 E0 00 00 27 6F25 8002 {public_size} 8202 1000 8302 00{kk:02X} 8506 13{code:02X}00AA0000 860F 460002000000000200000000000000"
        ),
    );
    ok(t, &format!("00 46 80 {kk:02X} 00"))
}

fn spec(code: u8) -> KeySpec {
    KeySpec::from_code(&TokenProfile::default(), code).expect("code")
}

fn sign(t: &mut Token, kk: u8, digest: &[u8]) -> (Vec<u8>, u16) {
    ok(t, &format!("00 22 41 B6 03 8401{kk:02X}"));
    let mut cmd = vec![0x00, 0x2A, 0x9E, 0x9A, digest.len() as u8];
    cmd.extend_from_slice(digest);
    cmd.push(0x00);
    tx(t, &cmd)
}

#[test]
fn every_key_code_generates_and_signs() {
    for (name, code) in TokenProfile::default().gost_key_codes {
        let spec = spec(code);
        let (mut t, public) = token_with_key(code, 1);
        let n = spec.scalar_len();
        assert_eq!(public.len(), 2 * n, "{name}: public key X_le‖Y_le");
        let vk = VerifyingKey::from_le_bytes(spec.param_set, &public).expect("on the curve");
        let digest: Vec<u8> = (0..n as u8).collect();
        let (sig, sw) = sign(&mut t, 1, &digest);
        assert_eq!((sw, sig.len()), (0x9000, 2 * n), "{name}");
        vk.verify_digest(&digest, &Signature::from_token_bytes(&sig).expect("sig"))
            .expect(&name);
        assert_eq!(
            sign(&mut t, 1, &digest[..n - 1]).1,
            0x6700,
            "{name}: digest of the wrong size"
        );
        assert!(
            t.summary()
                .keys
                .iter()
                .any(|k| k.algorithm == name && k.generated)
        );
    }
}

/// The token keeps the last key it built for signing (issue 25): a signature must always come
/// from the key the object holds now, across a second key, a key generated again over the
/// first, and an import.
#[test]
fn every_signature_is_made_with_the_key_the_object_holds_now() {
    let code = 0x11;
    let n = spec(code).scalar_len();
    let digest: Vec<u8> = (0..n as u8).collect();
    let verifies = |public: &[u8], sig: &[u8]| {
        VerifyingKey::from_le_bytes(spec(code).param_set, public)
            .expect("on the curve")
            .verify_digest(&digest, &Signature::from_token_bytes(sig).expect("sig"))
            .is_ok()
    };
    let (mut t, first) = token_with_key(code, 1);
    let second = add_key(&mut t, code, 2);
    for (kk, public, other) in [
        (1, &first, &second),
        (2, &second, &first),
        (1, &first, &second),
    ] {
        let (sig, sw) = sign(&mut t, kk, &digest);
        assert_eq!(sw, 0x9000);
        assert!(verifies(public, &sig), "key {kk}");
        assert!(!verifies(other, &sig), "key {kk}, not the other");
    }
    let again = ok(&mut t, "00 46 80 01 00");
    assert_ne!(again, first);
    let (sig, _) = sign(&mut t, 1, &digest);
    assert!(
        verifies(&again, &sig) && !verifies(&first, &sig),
        "generated again"
    );
    // Import d = 1 into private key object 1, selected by its path: Q = P.
    ok(&mut t, "00 A4 08 0C 08 1000 1000 6002 0001");
    let mut d = vec![0u8; n];
    d[0] = 1;
    let mut import = vec![0x00, 0x24, 0x01, 0x00, (n + 2) as u8, 0xA5, n as u8];
    import.extend_from_slice(&d);
    let (_, sw) = tx(&mut t, &import);
    assert_eq!(sw, 0x9000, "import");
    let base = gost::SigningKey::from_le_bytes(spec(code).param_set, &d)
        .expect("d = 1")
        .verifying_key()
        .to_le_bytes();
    let (sig, _) = sign(&mut t, 1, &digest);
    assert!(verifies(&base, &sig) && !verifies(&again, &sig), "imported");
}

#[test]
fn signing_needs_the_user_pin_once_finalised() {
    let (mut t, _) = token_with_key(0x11, 1);
    ok(&mut t, "80 40 00 00");
    assert_eq!(sign(&mut t, 1, &[7; 32]).1, 0x6982);
    assert_eq!(
        tx(&mut t, &h("00 46 80 01 00")).1,
        0x6982,
        "regenerating needs the User PIN too"
    );
}

#[test]
fn on_token_hash_equals_gost_and_signs_once() {
    let message: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
    for (code, digest_algorithm) in [
        (0x20u8, DigestAlgorithm::Gost94CryptoPro),
        (0x11, DigestAlgorithm::Streebog256),
        (0x12, DigestAlgorithm::Streebog512),
    ] {
        let (mut t, public) = token_with_key(code, 3);
        ok(&mut t, "00 22 41 B6 03 840103");
        // Chained pieces (CLA 10) of up to 255 bytes, then the last piece with Le.
        let pieces: Vec<&[u8]> = message.chunks(255).collect();
        for piece in &pieces[..pieces.len() - 1] {
            let mut cmd = vec![0x10, 0x2A, 0x90, 0x80, piece.len() as u8];
            cmd.extend_from_slice(piece);
            assert_eq!(tx(&mut t, &cmd), (vec![], 0x9000));
        }
        let last = pieces[pieces.len() - 1];
        let mut cmd = vec![0x00, 0x2A, 0x90, 0x80, last.len() as u8];
        cmd.extend_from_slice(last);
        cmd.push(0x00);
        let (digest, sw) = tx(&mut t, &cmd);
        assert_eq!(sw, 0x9000);
        assert_eq!(
            digest,
            digest_algorithm.digest(&message),
            "{digest_algorithm:?}"
        );
        let (sig, sw) = tx(&mut t, &h("00 2A 9E 9A 00"));
        assert_eq!(sw, 0x9000);
        let vk = VerifyingKey::from_le_bytes(spec(code).param_set, &public).expect("key");
        vk.verify_digest(&digest, &Signature::from_token_bytes(&sig).expect("sig"))
            .expect("verifies");
        assert_eq!(
            tx(&mut t, &h("00 2A 9E 9A 00")).1,
            0x6985,
            "the kept digest signs once"
        );
        // Without Le the hash answers no data but is kept all the same.
        let mut cmd = vec![0x00, 0x2A, 0x90, 0x80, 3];
        cmd.extend_from_slice(b"abc");
        assert_eq!(tx(&mut t, &cmd), (vec![], 0x9000));
        let (sig, _) = tx(&mut t, &h("00 2A 9E 9A 00"));
        let abc = digest_algorithm.digest(b"abc");
        vk.verify_digest(&abc, &Signature::from_token_bytes(&sig).expect("sig"))
            .expect("verifies");
    }
}

#[test]
fn hashing_needs_a_key_and_is_dropped_by_other_commands() {
    let (mut t, _) = token_with_key(0x11, 1);
    assert_eq!(
        tx(&mut t, &h("00 2A 90 80 03 616263")).1,
        0x6985,
        "no MSE yet"
    );
    ok(&mut t, "00 22 41 B6 03 840101");
    assert_eq!(tx(&mut t, &h("10 2A 90 80 03 616263")).1, 0x9000);
    ok(&mut t, "00 A4 00 00 02 3F00 00");
    // The chain was dropped: this is a new hash of "def" alone.
    let (digest, _) = tx(&mut t, &h("00 2A 90 80 03 646566 00"));
    assert_eq!(digest, DigestAlgorithm::Streebog256.digest(b"def"));
}

/// Every answer a host can get by walking and reading the whole tree.
fn read_everything(t: &mut Token) -> Vec<Vec<u8>> {
    let summary = t.summary();
    let mut answers = Vec::new();
    let mut path: Vec<u16> = Vec::new();
    for file in &summary.files {
        path.truncate(file.depth.saturating_sub(1));
        if file.depth > 0 {
            path.push(file.fid);
        }
        let mut cmd = vec![0x00, 0xA4, 0x08, 0x00, (2 * path.len()) as u8];
        cmd.extend(path.iter().flat_map(|f| f.to_be_bytes()));
        cmd.push(0);
        if path.is_empty() {
            cmd = h("00 A4 00 00 02 3F00 00");
        }
        answers.push(t.transmit(&cmd));
        for offset in (0..usize::from(file.size.max(1))).step_by(256) {
            answers.push(t.transmit(&[0x00, 0xB0, (offset >> 8) as u8, offset as u8, 0x00]));
        }
    }
    answers
}

#[test]
fn private_keys_never_leave_the_token() {
    let (mut t, _) = token_with_key(0x12, 1);
    add_key(&mut t, 0x20, 2);
    ok(&mut t, VERIFY_ADMIN_AFTER_LOGOUT.0);
    ok(&mut t, VERIFY_ADMIN_AFTER_LOGOUT.1);
    // The secrets as the image stores them (hex in the JSON body).
    let image = t.snapshot().expect("snapshot");
    let body: serde_json::Value = serde_json::from_slice(&image[20..]).expect("json");
    let mut secrets = Vec::new();
    collect_private(&body, &mut secrets);
    assert_eq!(secrets.len(), 2);
    for answer in read_everything(&mut t) {
        for d in &secrets {
            assert!(
                !answer.windows(d.len()).any(|w| w == d.as_slice()),
                "a private key in an answer"
            );
            let reversed: Vec<u8> = d.iter().rev().copied().collect();
            assert!(!answer.windows(d.len()).any(|w| w == reversed.as_slice()));
        }
    }
}

const VERIFY_ADMIN_AFTER_LOGOUT: (&str, &str) = ("80 40 00 00", "00 20 00 01 08 3837363534333231");

fn collect_private(value: &serde_json::Value, out: &mut Vec<Vec<u8>>) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("class") == Some(&serde_json::json!(3))
                && let Some(serde_json::Value::String(hex_d)) = map.get("material")
            {
                out.push(hex::decode(hex_d).expect("hex"));
            }
            map.values().for_each(|v| collect_private(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_private(v, out)),
        _ => {}
    }
}

#[test]
fn personalised_fixture_signs_with_its_listed_key() {
    let mut t = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).expect("token");
    let summary = t.summary();
    let key = summary
        .keys
        .iter()
        .find(|k| k.half == "private")
        .expect("a private key");
    assert_eq!(key.reference, 1);
    assert!(
        key.algorithm.starts_with("gost2012-256-"),
        "{}",
        key.algorithm
    );
    let spec = KeySpec::from_name(&key.algorithm).expect("spec");
    // The public key as OpenSC stores it: EF 5000/0200 = 04 40 X_le‖Y_le.
    ok(&mut t, "00 A4 08 00 04 5000 0200 00");
    let public_ef = ok(&mut t, "00 B0 00 00 42");
    assert_eq!(&public_ef[..2], &[0x04, 0x40]);
    ok(&mut t, VERIFY_USER);
    ok(&mut t, "00 A4 08 00 08 1000 1000 6002 0001 00");
    let digest = [0x42u8; 32];
    let (sig, sw) = sign(&mut t, 1, &digest);
    assert_eq!(sw, 0x9000);
    let vk = VerifyingKey::from_le_bytes(spec.param_set, &public_ef[2..]).expect("key");
    vk.verify_digest(&digest, &Signature::from_token_bytes(&sig).expect("sig"))
        .expect("verifies");
    assert_eq!(summary.serial, "000000002EEA3ED3");
    // The owner's certificate, read back the way OpenSC reads it (256-byte chunks).
    let owner = rutoken_pki::fixtures::owner_current().expect("pki fixture");
    let der = owner.cert.to_der();
    ok(&mut t, "00 A4 08 00 04 5000 0300 00");
    let mut read = Vec::new();
    for offset in (0..der.len()).step_by(256) {
        let le = (der.len() - offset).min(256) as u8;
        read.extend(ok(
            &mut t,
            &format!("00 B0 {:02X} {:02X} {le:02X}", offset >> 8, offset & 0xFF),
        ));
    }
    assert_eq!(read, der);
    let cert = &summary.certificates[0];
    assert_eq!(
        (cert.path.as_str(), cert.serial.as_str()),
        ("3F00/5000/0300", "010101D1010201B6")
    );
    assert!(
        cert.subject.contains("CN=Иванов Иван Иванович"),
        "{}",
        cert.subject
    );
    let shown = summary.to_string();
    assert!(
        !shown.contains("12345678")
            && !shown.contains(&hex::encode_upper(owner.key.key.to_le_bytes().as_slice()))
    );
    assert_eq!(owner.key.key.verifying_key().to_le_bytes(), public_ef[2..]);
    assert_ne!(ParamSet::from_name("256-A").ok(), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn signatures_over_random_digests_verify(digest in proptest::collection::vec(any::<u8>(), 32)) {
        let (mut t, public) = token_with_key(0x21, 1);
        let (sig, sw) = sign(&mut t, 1, &digest);
        prop_assert_eq!(sw, 0x9000);
        let vk = VerifyingKey::from_le_bytes(ParamSet::Gost256B, &public).expect("key");
        prop_assert!(vk.verify_digest(&digest, &Signature::from_token_bytes(&sig).expect("sig")).is_ok());
    }
}
