//! VKO answered to the host (GENERAL AUTHENTICATE `00 86 vko kk`, docs/assumptions.md "VKO to
//! the host"): through the APDU driver the key is the peer's own VKO on the host, and the
//! client takes only an answer of exactly `7C 22 82 20 KEK` — a scripted token answering
//! another shape is refused with the length it should have had, never read as a key.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use gost::{ParamSet, Rng, SigningKey, VerifyingKey, Vko};
use rutoken_client::driver::{Driver, KeySpec};
use rutoken_client::{Client, ClientConfig, ClientError, Transport, TransportError};
use rutoken_sim::profile::DeviceProfile;
use support::logged_in_driver;

#[test]
fn the_drivers_key_is_the_peers_vko() {
    let mut d = logged_in_driver(3);
    let key = d
        .generate_key(KeySpec {
            algorithm: gost::KeyAlgorithm::Gost2012_256,
            param_set: ParamSet::Gost256A,
            label: "vko",
            exchange: true,
        })
        .unwrap();
    let token_public =
        VerifyingKey::from_le_bytes(ParamSet::Gost256A, key.public_key.as_deref().unwrap())
            .unwrap();
    let mut rng = Rng::from_seed(5);
    let peer_key = SigningKey::generate(ParamSet::Gost256A, &mut rng).unwrap();
    let peer = peer_key.verifying_key().to_le_bytes();
    for ukm in [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [0xA5, 0x17, 0, 0x42, 9, 0xFE, 0x80, 1],
    ] {
        let want = gost::vko(Vko::Gost2012_256, &peer_key, &token_public, &ukm).unwrap();
        let got = d
            .derive_vko_value(&key, Vko::Gost2012_256, &peer, &ukm)
            .unwrap();
        assert!(got[..] == want[..32], "ukm {ukm:02x?}");
    }
}

/// Answers GENERAL AUTHENTICATE with `answer` and 9000.
struct Answers {
    answer: Vec<u8>,
}

impl Transport for Answers {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        assert_eq!(
            command[..2],
            [0x00, 0x86],
            "only GENERAL AUTHENTICATE is expected"
        );
        let mut out = self.answer.clone();
        out.extend_from_slice(&[0x90, 0x00]);
        Ok(out)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(vec![0x3B])
    }
}

fn derive(answer: Vec<u8>) -> Result<[u8; 32], ClientError> {
    let profile = DeviceProfile::default();
    let mut c = Client::new(Answers { answer }, ClientConfig::from_profile(&profile));
    c.derive_vko_value(1, Vko::Gost2012_256, &[7; 64], &[1; 8])
        .map(|k| *k)
}

fn answer(outer: u8, inner: u8, kek: &[u8]) -> Vec<u8> {
    let len = u8::try_from(kek.len()).unwrap();
    let mut a = vec![outer, len + 2, inner, len];
    a.extend_from_slice(kek);
    a
}

#[test]
fn only_a_32_byte_response_object_is_a_key() {
    let kek: Vec<u8> = (1..=32).collect();
    assert_eq!(derive(answer(0x7C, 0x82, &kek)).unwrap()[..], kek[..]);
    for (what, bad) in [
        ("another template", answer(0x7D, 0x82, &kek)),
        ("another object", answer(0x7C, 0x83, &kek)),
        ("a short key", answer(0x7C, 0x82, &kek[..31])),
        ("a long key", answer(0x7C, 0x82, &[9; 33])),
    ] {
        let len = bad.len();
        match derive(bad) {
            Err(ClientError::WrongAnswerLength {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (36, len), "{what}"),
            other => panic!("{what}: expected WrongAnswerLength, got {other:?}"),
        }
    }
}
