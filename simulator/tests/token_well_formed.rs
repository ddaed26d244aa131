//! Every answer of the token engine to any APDU is well formed: random bytes, every instruction
//! of the command table with random P1/P2/data/Le, chained pieces, before and after logins, on
//! the factory and the personalised token. For each answer:
//! - a status word, and SW1 is 90, 61..6F;
//! - at most 256 data bytes (the token takes short APDUs only);
//! - an APDU that does not parse is answered with exactly its parse error, no data;
//! - an error status (64..6F) carries no data;
//! - 9000 carries only what the instruction answers (no garbage): an FCP that is one BER-TLV
//!   `62` whose children fill it exactly (82/83 two bytes, 86 fifteen), 8 bytes of serial, Le
//!   random bytes, a public key or signature of 64 or 128 bytes, a digest of 32 or 64 bytes, up
//!   to Le bytes of a file, or nothing.
//!
//! And a command whose table row is not `mutating` (no rollback) never changes the image.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;
use rutoken_sim::Card;
use rutoken_sim::token::command::Request;
use rutoken_sim::token::command::{Class, Command, Params};
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fn h(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).expect("hex")
}

/// Logins, selections, key objects, a key generation, an MSE: states worth being in.
const SETUP: &[&str] = &[
    "00 20 00 02 08 3132333435363738",
    "00 20 00 01 08 3837363534333231",
    "80 40 00 00",
    "00 A4 00 00 02 3F00 00",
    "00 A4 08 00 04 1000 1000 00",
    "00 A4 08 00 06 1000 1000 6002 00",
    "00 A4 08 00 08 1000 1000 6002 0001 00",
    "00 A4 08 00 04 5000 6004 00",
    "00 A4 00 00 00",
    "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0002 8506 032100AA0000 860F 460002020000000200000000000000",
    "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0002 8506 132100AA0000 860F 460002000000000200000000000000",
    "00 46 80 02 00",
    "00 22 41 B6 03 840101",
    "00 22 41 B6 03 840102",
    "00 2A 90 80 03 616263 00",
    "00 2A 9E 9A 00",
    "00 B0 00 00 00",
    "00 CA 01 81 00",
];

/// P1-P2 values an instruction is used with (`rutoken-ecp-apdu.md` §4), so that random
/// commands reach the handlers' success paths and not only their parameter checks.
fn usual_params(command: Command) -> &'static [(u8, u8)] {
    match command {
        Command::Select => &[(0, 0), (8, 0), (9, 0), (3, 0), (0, 2), (0, 0x0C)],
        Command::ReadBinary | Command::UpdateBinary => &[(0, 0), (0, 1), (0, 0x10)],
        Command::GetData => &[(1, 0x81)],
        Command::Verify => &[(0, 1), (0, 2)],
        Command::ChangeReferenceData => &[(1, 1), (1, 2)],
        Command::ResetRetryCounter => &[(3, 2)],
        Command::ManageSecurityEnvironment => &[(0x41, 0xB6), (0x41, 0xB8)],
        Command::GenerateKey => &[(0x80, 1), (0x80, 2)],
        _ => &[(0, 0)],
    }
}

/// A command of the table with random parameters: its class (sometimes with the chaining
/// bit), its INS, P1-P2 as its row names them, as it is usually sent, or random; random data
/// (often short) and Le.
fn from_table() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::select(Command::ALL),
        prop_oneof![3 => Just(false), 1 => Just(true)],
        0..3u8,
        any::<(u8, u8, proptest::sample::Index)>(),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..=8),
            proptest::collection::vec(any::<u8>(), 0..=255),
        ],
        proptest::option::of(any::<u8>()),
    )
        .prop_map(|(command, chained, params, (p1, p2, pick), data, le)| {
            let spec = command.spec();
            let mut cla = match spec.class {
                Class::Iso => 0x00,
                Class::Proprietary => 0x80,
            };
            if chained {
                cla |= 0x10;
            }
            let (p1, p2) = match (params, spec.params) {
                (0, _) => (p1, p2),
                (_, Params::P1P2(v)) => (v.to_be_bytes()[0], v.to_be_bytes()[1]),
                (_, Params::P2(v)) => (p1, v),
                (_, Params::Any) => *pick.get(usual_params(command)),
            };
            let mut apdu = vec![cla, spec.ins, p1, p2];
            if !data.is_empty() {
                apdu.push(u8::try_from(data.len()).expect("short"));
                apdu.extend_from_slice(&data);
            }
            apdu.extend(le);
            apdu
        })
}

/// One command's data split into a chain: CLA 10 on every piece but the last.
fn chain() -> impl Strategy<Value = Vec<Vec<u8>>> {
    (
        proptest::sample::select(vec![
            (0x2A, 0x90, 0x80),
            (0x2A, 0x9E, 0x9A),
            (0xE0, 0, 0),
            (0x24, 1, 2),
            (0x24, 1, 0),
            (0xB0, 0, 0),
        ]),
        proptest::collection::vec(any::<u8>(), 1..700),
        1usize..=255,
    )
        .prop_map(|((ins, p1, p2), data, piece)| {
            let pieces: Vec<&[u8]> = data.chunks(piece).collect();
            pieces
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    let cla = if i + 1 < pieces.len() { 0x10 } else { 0x00 };
                    let mut apdu = vec![cla, ins, p1, p2, u8::try_from(part.len()).expect("short")];
                    apdu.extend_from_slice(part);
                    apdu
                })
                .collect()
        })
}

/// Logged in as the User with a key pair at reference 2 chosen for signing, a hash signed
/// (and, on the personalised token, key 1 in reserve).
const PREFIX: &[&str] = &[
    "00 20 00 02 08 3132333435363738",
    "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0002 8506 032100AA0000 860F 460002020000000200000000000000",
    "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0002 8506 132100AA0000 860F 460002000000000200000000000000",
    "00 46 80 02 00",
    "00 22 41 B6 03 840102",
    "00 2A 90 80 03 616263 00",
    "00 2A 9E 9A 00",
];

/// Random bytes, structured commands, setup commands and chains, flattened; half the sessions
/// start logged in with a key ready.
fn session() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let one = prop_oneof![
        3 => from_table().prop_map(|a| vec![a]),
        2 => proptest::sample::select(SETUP).prop_map(|s| vec![h(s)]),
        1 => chain(),
        1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(|a| vec![a]),
        1 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(|a| vec![a]),
    ];
    (any::<bool>(), proptest::collection::vec(one, 1..20)).prop_map(|(prefix, v)| {
        let start = if prefix { PREFIX } else { &[] };
        start
            .iter()
            .map(|s| h(s))
            .chain(v.into_iter().flatten())
            .collect()
    })
}

/// The children of an FCP, each a (tag, value), when the FCP is well formed.
fn fcp_children(fcp: &[u8]) -> Result<Vec<(u32, usize)>, String> {
    let outer = tlv::parse_one(fcp, "FCP").map_err(|e| format!("not one TLV: {e}"))?;
    if outer.tag != 0x62 {
        return Err(format!("template {:X}", outer.tag));
    }
    let mut r = Reader::new(outer.value);
    let mut children = Vec::new();
    while r.any_left() {
        let t = tlv::read(&mut r, "attribute").map_err(|e| format!("child: {e}"))?;
        children.push((t.tag, t.value.len()));
    }
    for (tag, want) in [(0x82, 2), (0x83, 2), (0x86, 15)] {
        match children.iter().find(|(t, _)| *t == tag) {
            Some((_, len)) if *len == want => {}
            other => return Err(format!("tag {tag:X}: {other:?}")),
        }
    }
    Ok(children)
}

/// The properties of the module docs for one exchange.
fn check(apdu: &[u8], answer: &[u8]) -> Result<(), TestCaseError> {
    let Some((sw, data)) = answer
        .split_last_chunk::<2>()
        .map(|(d, sw)| (u16::from_be_bytes(*sw), d))
    else {
        return Err(TestCaseError::fail(format!(
            "no status word for {apdu:02X?}"
        )));
    };
    let sw1 = sw >> 8;
    prop_assert!(
        sw1 == 0x90 || (0x61..=0x6F).contains(&sw1),
        "SW {sw:04X} for {apdu:02X?}"
    );
    prop_assert!(data.len() <= 256, "{} bytes for {apdu:02X?}", data.len());
    if (0x64..=0x6F).contains(&sw1) {
        prop_assert!(data.is_empty(), "error {sw:04X} with data for {apdu:02X?}");
    }
    let request = match Request::parse(apdu) {
        Ok(r) => r,
        Err(parse) => {
            prop_assert_eq!(answer, &parse.to_bytes()[..], "{:02X?}", apdu);
            return Ok(());
        }
    };
    if sw != 0x9000 {
        return Ok(());
    }
    let le = request.le;
    let ok = match request.command {
        _ if request.chained => data.is_empty(),
        Command::Select => {
            data.is_empty() || {
                fcp_children(data).map_err(|e| TestCaseError::fail(format!("{e}: {data:02X?}")))?;
                true
            }
        }
        Command::GetData => data.len() == 8,
        Command::GetChallenge => Some(data.len()) == le,
        Command::ReadBinary => Some(data.len()) == le,
        Command::GenerateKey | Command::ComputeDigitalSignature => matches!(data.len(), 64 | 128),
        Command::Hash => matches!(data.len(), 0 | 32 | 64),
        _ => data.is_empty(),
    };
    prop_assert!(
        ok,
        "9000 with {} bytes for {:?} {apdu:02X?}",
        data.len(),
        request.command
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn every_answer_is_well_formed(personalised in any::<bool>(), commands in session()) {
        let fixture = if personalised { Fixture::Personalised } else { Fixture::Factory };
        let mut token = Token::in_memory(fixture, 9, TokenProfile::default()).expect("token");
        for apdu in commands {
            let answer = token.transmit(&apdu);
            check(&apdu, &answer)?;
        }
    }
}

proptest! {
    // Each watched command costs two image encodings: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A command whose row does not say `mutating` gets no backup and no rollback: it must
    /// never change the persistent state (VERIFY writes its counter itself, by design).
    #[test]
    fn commands_not_marked_mutating_never_change_the_image(
        personalised in any::<bool>(),
        commands in session(),
    ) {
        let fixture = if personalised { Fixture::Personalised } else { Fixture::Factory };
        let mut token = Token::in_memory(fixture, 9, TokenProfile::default()).expect("token");
        for apdu in commands {
            let watched = Request::parse(&apdu)
                .ok()
                .map(|r| r.command)
                .filter(|c| !c.spec().mutating && *c != Command::Verify);
            let before = watched.map(|_| token.snapshot().expect("snapshot"));
            token.transmit(&apdu);
            if let (Some(command), Some(before)) = (watched, before) {
                prop_assert_eq!(
                    token.snapshot().expect("snapshot"),
                    before,
                    "{:?} is not marked mutating but changed the state",
                    command
                );
            }
        }
    }
}

/// The checker itself rejects what it must: an FCP whose length byte lies (the issue #9 shape),
/// a 9000 with stray data, data on an error, an answer over 256 bytes.
#[test]
fn the_checker_catches_malformed_answers() {
    let select = h("00 A4 00 00 02 3F00 00");
    let good = h("621D800200008202380083023F00860F47020201000000FF00000000000000 9000");
    assert!(check(&select, &good).is_ok());
    let mut lying = good.clone();
    lying[1] = 0x01;
    assert!(check(&select, &lying).is_err());
    assert!(check(&h("80 40 00 00"), &h("00 9000")).is_err());
    assert!(check(&h("00 B0 00 00 00"), &h("01 6982")).is_err());
    let mut long = vec![0u8; 257];
    long.extend_from_slice(&[0x90, 0x00]);
    assert!(check(&h("00 84 00 00 00"), &long).is_err());
    assert!(check(&h("00 42 00 00"), &h("9000")).is_err());
}
