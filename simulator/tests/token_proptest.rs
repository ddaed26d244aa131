//! Random APDUs: never a panic, every answer ends with a status word, a rejected command leaves
//! the image unchanged, and no answer carries a PIN value.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
use proptest::prelude::*;
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

/// Commands that move the token into interesting states (logins, selections, key objects).
const USEFUL: &[&str] = &[
    "00 20 00 02 08 3132333435363738",
    "00 20 00 01 08 3837363534333231",
    "80 40 00 00",
    "00 A4 00 00 02 3F00 00",
    "00 A4 08 00 04 1000 1000 00",
    "00 A4 08 00 06 1000 1000 6002 00",
    "00 A4 08 00 08 1000 1000 6002 0001 00",
    "00 A4 00 00 00",
    "00 A4 03 00 00",
    "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0001 8506 031100AA0000 860F 460002020000000200000000000000",
    "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0001 8506 131100AA0000 860F 460002000000000200000000000000",
    "00 E0 00 00 1F 6F1D 8002 0010 8202 0100 8302 0101 860F 430000000000000100000000000000",
    "00 D6 00 00 02 0102",
    "00 B0 00 00 00",
    "00 22 41 B6 03 840101",
    "80 8A 00 00",
    "80 84 4E 19",
];

const INS: &[u8] = &[
    0x20, 0x22, 0x24, 0x2A, 0x2C, 0x40, 0x46, 0x84, 0x8A, 0xA4, 0xB0, 0xCA, 0xD6, 0xE0, 0xE4,
];

fn random_apdu() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop_oneof![Just(0x00u8), Just(0x10), Just(0x80), any::<u8>()];
    let ins = prop_oneof![proptest::sample::select(INS), any::<u8>()];
    let tail = prop_oneof![
        Just(Vec::new()),
        any::<u8>().prop_map(|le| vec![le]),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|d| {
            let mut v = vec![d.len() as u8];
            v.extend(d);
            v
        }),
        proptest::collection::vec(any::<u8>(), 0..300),
    ];
    let structured =
        (cla, ins, any::<u8>(), any::<u8>(), tail).prop_map(|(cla, ins, p1, p2, tail)| {
            let mut v = vec![cla, ins, p1, p2];
            v.extend(tail);
            v
        });
    let useful = proptest::sample::select(USEFUL)
        .prop_map(|h| hex::decode(h.split_whitespace().collect::<String>()).expect("hex"));
    prop_oneof![3 => structured, 2 => useful, 1 => proptest::collection::vec(any::<u8>(), 0..12)]
}

/// Answers after which a changed image is allowed: success, a wrong PIN's spent try, a short read.
fn may_change(sw: u16) -> bool {
    sw == 0x9000 || sw == 0x6282 || sw == 0x6300 || (0x63C0..=0x63CF).contains(&sw)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_apdus_are_answered_without_panics_or_stray_changes(
        commands in proptest::collection::vec(random_apdu(), 1..24)
    ) {
        let mut token = Token::in_memory(Fixture::Factory, 3, TokenProfile::default()).expect("token");
        for command in commands {
            let before = token.snapshot().expect("snapshot");
            let answer = token.transmit(&command);
            prop_assert!(answer.len() >= 2, "no status word for {:02X?}", command);
            let sw = u16::from_be_bytes([answer[answer.len() - 2], answer[answer.len() - 1]]);
            prop_assert!(sw >> 8 == 0x90 || (0x61..=0x6F).contains(&(sw >> 8)), "odd SW {sw:04X}");
            if !may_change(sw) {
                prop_assert_eq!(token.snapshot().expect("snapshot"), before, "SW {:04X} for {:02X?} changed the image", sw, command);
            }
            for pin in [b"12345678", b"87654321"] {
                prop_assert!(!answer.windows(8).any(|w| w == pin), "a PIN in an answer");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// On the personalised token (a real key inside), no sequence of commands gets the owner's
    /// private key out, in either byte order.
    #[test]
    fn the_private_key_never_appears_in_an_answer(
        commands in proptest::collection::vec(random_apdu(), 1..24)
    ) {
        let owner = rutoken_pki::fixtures::owner_current().expect("pki fixture");
        let d = owner.key.key.to_le_bytes().to_vec();
        let d_be: Vec<u8> = d.iter().rev().copied().collect();
        let mut token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).expect("token");
        for command in commands {
            let answer = token.transmit(&command);
            prop_assert!(answer.len() >= 2);
            prop_assert!(!answer.windows(d.len()).any(|w| w == d.as_slice() || w == d_be.as_slice()));
        }
    }
}
