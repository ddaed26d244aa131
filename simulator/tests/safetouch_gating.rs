//! The SafeTouch around a minimal PSO: HASH / PSO: CDS card: what it shows, what it forwards,
//! and what the host gets for each press.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gost::{DigestAlgorithm, ParamSet, Signature, VerifyingKey};
use rutoken_sim::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{
    ChannelButtons, EventKind, HashOnlyPolicy, Press, SafeTouch, SafeTouchProfile, ScriptedButtons,
};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use testkit::reissue_document::reissue_document;

/// Answers PSO: HASH with `90 00` and PSO: CDS with 64 bytes + `90 00`; logs every command.
#[derive(Clone, Default)]
struct SigningCard {
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SigningCard {
    fn signed(&self) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c[1] == 0x2A && c[2] == 0x9E)
            .count()
    }
}

impl Card for SigningCard {
    fn atr(&self) -> Vec<u8> {
        vec![0x3B, 0x00]
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {}
    fn reset(&mut self) {}
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.seen.lock().unwrap().push(command.to_vec());
        if command[1] == 0x2A && command[2] == 0x9E {
            let mut r = vec![0x5A; 64];
            r.extend_from_slice(&[0x90, 0x00]);
            return r;
        }
        vec![0x90, 0x00]
    }
}

/// Sends `data` as PSO: HASH in chunks of `chunk` bytes (CLA 10 on all but the last).
fn hash_on_token(card: &mut impl Card, data: &[u8], chunk: usize) {
    let parts: Vec<&[u8]> = data.chunks(chunk).collect();
    for (i, part) in parts.iter().enumerate() {
        let cla = if i + 1 < parts.len() { 0x10 } else { 0x00 };
        let mut apdu = vec![cla, 0x2A, 0x90, 0x80, part.len() as u8];
        apdu.extend_from_slice(part);
        assert_eq!(card.transmit(&apdu), [0x90, 0x00]);
    }
}

const SIGN_HASHED: [u8; 5] = [0x00, 0x2A, 0x9E, 0x9A, 0x00];

fn safetouch(profile: SafeTouchProfile) -> (SafeTouch<SigningCard>, SigningCard, ScriptedButtons) {
    let card = SigningCard::default();
    let script = ScriptedButtons::new();
    (
        SafeTouch::new(card.clone(), profile, Box::new(script.clone())),
        card,
        script,
    )
}

#[test]
fn confirm_releases_the_signature_of_a_chained_document() {
    let (mut st, card, script) = safetouch(SafeTouchProfile::default());
    hash_on_token(&mut st, &reissue_document(), 16);
    script.push(Press::Confirm);
    let answer = st.transmit(&SIGN_HASHED);
    assert_eq!(answer.len(), 66);
    assert_eq!(&answer[64..], [0x90, 0x00]);
    assert_eq!(card.signed(), 1);
    let events = st.events();
    let EventKind::Shown { text } = &events[0].kind else {
        panic!("{events:?}")
    };
    let text = text.replace('\n', " ");
    assert!(text.contains("04.02.2020"), "{text}");
    assert!(text.contains("Иванов Иван"), "{text}");
    assert!(text.contains("Организация"), "{text}");
    assert_eq!(
        events[1].kind,
        EventKind::Pressed {
            press: Press::Confirm
        }
    );
    assert!(!st.screen().waiting);
}

#[test]
fn reject_and_timeout_answer_their_status_words_and_nothing_is_signed() {
    let profile = SafeTouchProfile {
        reject_sw: 0x6985,
        timeout_sw: 0x6FB1,
        ..SafeTouchProfile::default()
    };
    let (mut st, card, script) = safetouch(profile);
    hash_on_token(&mut st, &reissue_document(), 200);
    script.push(Press::Reject);
    assert_eq!(st.transmit(&SIGN_HASHED), [0x69, 0x85]);
    hash_on_token(&mut st, &reissue_document(), 200);
    // The script is empty: time-out.
    assert_eq!(st.transmit(&SIGN_HASHED), [0x6F, 0xB1]);
    assert_eq!(card.signed(), 0);
}

#[test]
fn host_hash_follows_the_policy() {
    let mut sign_hash = vec![0x00, 0x2A, 0x9E, 0x9A, 0x20];
    sign_hash.extend_from_slice(&[0xC3; 32]);
    sign_hash.push(0x40);

    let (mut st, card, script) = safetouch(SafeTouchProfile::default());
    script.push(Press::Confirm);
    assert_eq!(st.transmit(&sign_hash).len(), 66);
    let EventKind::Shown { text } = &st.events()[0].kind else {
        panic!()
    };
    assert!(text.starts_with("Подписать хэш?\nC3C3 C3C3"), "{text}");
    assert_eq!(card.signed(), 1);

    let refuse = SafeTouchProfile {
        hash_only_policy: HashOnlyPolicy::Refuse,
        ..SafeTouchProfile::default()
    };
    let (mut st, card, script) = safetouch(refuse);
    script.push(Press::Confirm);
    assert_eq!(st.transmit(&sign_hash), [0x6F, 0xB1]);
    assert_eq!((card.signed(), script.pending()), (0, 1));

    let pass = SafeTouchProfile {
        hash_only_policy: HashOnlyPolicy::Pass,
        ..SafeTouchProfile::default()
    };
    let (mut st, card, _) = safetouch(pass);
    assert_eq!(st.transmit(&sign_hash).len(), 66);
    assert_eq!(card.signed(), 1);
    assert!(st.events().is_empty());
}

#[test]
fn power_off_forgets_the_hashed_document() {
    let (mut st, _, script) = safetouch(SafeTouchProfile::default());
    hash_on_token(&mut st, &reissue_document(), 200);
    st.power_off();
    st.power_on();
    script.push(Press::Reject);
    st.transmit(&SIGN_HASHED);
    let EventKind::Shown { text } = &st.events()[0].kind else {
        panic!()
    };
    assert!(text.starts_with("Подписать хэш?"), "{text}");
}

#[test]
fn other_commands_pass_unchanged() {
    let (mut st, card, _) = safetouch(SafeTouchProfile::default());
    let verify = [0x00, 0x20, 0x00, 0x02, 0x02, 0x31, 0x32];
    assert_eq!(st.transmit(&verify), [0x90, 0x00]);
    assert_eq!(card.seen.lock().unwrap().as_slice(), [verify.to_vec()]);
    assert!(st.events().is_empty());
}

#[test]
fn a_person_presses_from_another_thread_while_the_screen_waits() {
    let (buttons, presses) = ChannelButtons::new();
    let card = SigningCard::default();
    let mut st = SafeTouch::new(card.clone(), SafeTouchProfile::default(), Box::new(buttons));
    let monitor = st.monitor();
    let person = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !monitor.screen().waiting {
            assert!(std::time::Instant::now() < deadline, "no screen appeared");
            std::thread::sleep(Duration::from_millis(5));
        }
        let text = monitor.screen().text();
        presses.press(&monitor.screen(), Press::Confirm).unwrap();
        text
    });
    hash_on_token(&mut st, &reissue_document(), 50);
    assert_eq!(st.transmit(&SIGN_HASHED).len(), 66);
    assert!(person.join().unwrap().contains("Владелец"));
}

#[test]
fn the_default_profile_file_loads_and_matches_the_defaults() {
    let text = include_str!("../../profiles/rutoken-ecp2-safetouch.yaml");
    let profile = DeviceProfile::from_yaml(text, "profile").unwrap();
    assert_eq!(profile.safetouch, SafeTouchProfile::default());
    assert_eq!(
        profile.latency,
        rutoken_sim::profile::LatencyProfile::default()
    );
}

#[test]
fn certificate_request_shows_the_title_and_the_common_name() {
    use std::str::FromStr;
    use x509_cert::der::Encode;
    use x509_cert::der::asn1::BitString;
    use x509_cert::name::Name;
    use x509_cert::request::{CertReqInfo, Version};
    use x509_cert::spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

    let info = CertReqInfo {
        version: Version::V1,
        subject: Name::from_str("CN=Иванов Иван Иванович,O=3867XXXXXXXXXX").unwrap(),
        public_key: SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.1"),
                parameters: None,
            },
            subject_public_key: BitString::from_bytes(&[0x04, 0x40, 1, 2, 3]).unwrap(),
        },
        attributes: Default::default(),
    };
    let der = info.to_der().unwrap();
    let (mut st, card, script) = safetouch(SafeTouchProfile::default());
    hash_on_token(&mut st, &der, 100);
    script.push(Press::Confirm);
    assert_eq!(st.transmit(&SIGN_HASHED).len(), 66);
    assert_eq!(card.signed(), 1);
    let EventKind::Shown { text } = &st.events()[0].kind else {
        panic!()
    };
    let text = text.replace('\n', " ");
    assert_eq!(
        text,
        "Запрос подписи запроса на сертификат Иванов Иван Иванович"
    );
}

#[test]
fn long_documents_are_paged_and_pages_turn_while_waiting() {
    let (buttons, presses) = ChannelButtons::new();
    let profile = SafeTouchProfile {
        rows: 2,
        ..SafeTouchProfile::default()
    };
    let mut st = SafeTouch::new(SigningCard::default(), profile, Box::new(buttons));
    let monitor = st.monitor();
    let person = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !monitor.screen().waiting {
            assert!(std::time::Instant::now() < deadline, "no screen appeared");
            std::thread::sleep(Duration::from_millis(5));
        }
        let first = monitor.screen();
        let pages = first.page_count();
        assert!(pages > 2, "{}", first.text());
        assert_eq!(first.current_page(), &first.lines[..2]);
        let second = monitor.turn_page();
        assert_eq!(
            (second.page, second.current_page()),
            (1, &first.lines[2..4])
        );
        for _ in 1..pages {
            monitor.turn_page();
        }
        assert_eq!(
            monitor.screen().page,
            0,
            "after the last page, the first again"
        );
        presses.press(&monitor.screen(), Press::Confirm).unwrap();
    });
    hash_on_token(&mut st, &reissue_document(), 200);
    assert_eq!(st.transmit(&SIGN_HASHED).len(), 66);
    person.join().unwrap();
}

/// Sends one APDU given in hex; returns data and status word.
fn send(card: &mut impl Card, text: &str) -> (Vec<u8>, u16) {
    let apdu = hex::decode(text.split_whitespace().collect::<String>()).unwrap();
    let mut answer = card.transmit(&apdu);
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

/// A real token (factory fixture, a generated GOST 2012-256 key at reference 1, User logged
/// in, the key chosen by MSE) inside a SafeTouch; returns it and the public key.
fn token_in_safetouch() -> (SafeTouch<Token>, ScriptedButtons, VerifyingKey) {
    let token = Token::in_memory(Fixture::Factory, 5, TokenProfile::default()).unwrap();
    let script = ScriptedButtons::new();
    let mut st = SafeTouch::new(token, SafeTouchProfile::default(), Box::new(script.clone()));
    for apdu in [
        "00 20 00 02 08 3132333435363738",
        "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0001 8506 032100AA0000 860F 460002020000000200000000000000",
        "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0001 8506 132100AA0000 860F 460002000000000200000000000000",
    ] {
        assert_eq!(send(&mut st, apdu).1, 0x9000, "{apdu}");
    }
    let (public, sw) = send(&mut st, "00 46 80 01 00");
    assert_eq!(sw, 0x9000);
    assert_eq!(send(&mut st, "00 22 41 B6 03 840101").1, 0x9000);
    let vk = VerifyingKey::from_le_bytes(ParamSet::Gost256B, &public).unwrap();
    (st, script, vk)
}

/// Any other APDU in the middle of a hash chain ends the chain in the token and in the
/// SafeTouch alike: the screen shows exactly the data the signature covers. (Before, the token
/// restarted its hash while the SafeTouch kept collecting, so a host could show the owner one
/// document and have another one signed.)
#[test]
fn an_interrupted_hash_chain_shows_what_the_token_signs() {
    let document = reissue_document();
    for interruption in [
        "00 B0 00 00 00",
        "00 A4",
        "00 42 00 00",
        "00 2A 90 80 05 01",
    ] {
        let (mut st, script, vk) = token_in_safetouch();
        // A prefix the owner never approves, chained, then something else, then the document.
        assert_eq!(send(&mut st, "10 2A 90 80 04 DEADBEEF").1, 0x9000);
        send(&mut st, interruption);
        hash_on_token(&mut st, &document, 50);
        script.push(Press::Confirm);
        let (signature, sw) = send(&mut st, "00 2A 9E 9A 00");
        assert_eq!(sw, 0x9000, "{interruption}");
        let events = st.events();
        let EventKind::Shown { text } = &events[0].kind else {
            panic!("{events:?}")
        };
        let text = text.replace('\n', " ");
        assert!(text.contains("Иванов Иван"), "{interruption}: {text}");
        let digest = DigestAlgorithm::Streebog256.digest(&document);
        let signature = Signature::from_token_bytes(&signature).unwrap();
        assert!(
            vk.verify_digest(&digest, &signature).is_ok(),
            "{interruption}: the signature is not over the shown document"
        );
    }
}

/// Data that is no document: the screen shows the Streebog digest the token signs, in groups
/// and paged, not the data; the host, which sent no Le, still gets `90 00` alone, and the
/// signature is over the digest shown (issue 23).
#[test]
fn the_hash_screen_shows_the_digest_the_token_signs() {
    let (mut st, script, vk) = token_in_safetouch();
    let data = b"not a reissue document, just bytes to sign".repeat(20);
    let parts: Vec<&[u8]> = data.chunks(200).collect();
    for (i, part) in parts.iter().enumerate() {
        let cla = if i + 1 < parts.len() { "10" } else { "00" };
        let apdu = format!("{cla} 2A 90 80 {:02X} {}", part.len(), hex::encode(part));
        assert_eq!(send(&mut st, &apdu), (Vec::new(), 0x9000), "piece {i}");
    }
    script.push(Press::Confirm);
    let (signature, sw) = send(&mut st, "00 2A 9E 9A 00");
    assert_eq!(sw, 0x9000);
    let digest = DigestAlgorithm::Streebog256.digest(&data);
    let groups: Vec<String> = digest.chunks(2).map(hex::encode_upper).collect();
    let EventKind::Shown { text } = &st.events()[0].kind else {
        panic!("{:?}", st.events())
    };
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Подписать хэш?");
    assert_eq!(lines[1..].join(" "), groups.join(" "), "{text}");
    assert!(lines.iter().all(|l| l.chars().count() <= 20), "{text}");
    assert!(!text.contains(&hex::encode_upper(&data[..4])), "{text}");
    let signature = Signature::from_token_bytes(&signature).unwrap();
    assert!(vk.verify_digest(&digest, &signature).is_ok());
}

/// A token that keeps its digest (answers PSO: HASH with `90 00` only): the SafeTouch has no
/// true hash to show, so it refuses rather than ask about something else.
#[test]
fn no_digest_from_the_token_is_refused() {
    let (mut st, card, script) = safetouch(SafeTouchProfile::default());
    hash_on_token(&mut st, b"plain bytes", 100);
    script.push(Press::Confirm);
    assert_eq!(st.transmit(&SIGN_HASHED), [0x6F, 0xB1]);
    assert_eq!((card.signed(), script.pending()), (0, 1));
    assert!(matches!(st.events()[0].kind, EventKind::Refused { .. }));
}

/// The commands a relay marks as holding a person's press: the last piece of PSO: COMPUTE
/// DIGITAL SIGNATURE only; not a chained piece, not PSO: HASH, not VERIFY, not garbage.
#[test]
fn only_the_signature_command_waits_for_a_press() {
    use rutoken_sim::safetouch::waits_for_press;
    assert!(waits_for_press(&[0x00, 0x2A, 0x9E, 0x9A, 0x00]));
    assert!(waits_for_press(&[
        0x00, 0x2A, 0x9E, 0x9A, 0x02, 0x01, 0x02, 0x00
    ]));
    assert!(!waits_for_press(&[
        0x10, 0x2A, 0x9E, 0x9A, 0x02, 0x01, 0x02
    ]));
    assert!(!waits_for_press(&[
        0x00, 0x2A, 0x90, 0x80, 0x02, 0x01, 0x02
    ]));
    assert!(!waits_for_press(&[0x00, 0x20, 0x00, 0x02, 0x01, 0x31]));
    assert!(!waits_for_press(&[0x00, 0x2A]));
}
