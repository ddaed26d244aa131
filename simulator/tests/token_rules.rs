//! Rules a real token keeps: access conditions, the initialisation relaxation, PIN counters and
//! blocking, login state across connections, key objects never readable, ISO status words for
//! malformed commands with no change of state.

use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fn tx(token: &mut Token, apdu: &str) -> (Vec<u8>, u16) {
    let bytes = hex::decode(apdu.split_whitespace().collect::<String>()).expect("hex");
    let mut answer = token.transmit(&bytes);
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

fn sw(token: &mut Token, apdu: &str) -> u16 {
    tx(token, apdu).1
}

fn factory() -> Token {
    Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).expect("token")
}

const VERIFY_USER: &str = "00 20 00 02 08 3132333435363738";
const VERIFY_ADMIN: &str = "00 20 00 01 08 3837363534333231";
/// CREATE EF 0101, 16 bytes: read always, update Admin, delete Admin.
const CREATE_EF_ADMIN_UPDATE: &str =
    "00 E0 00 00 1F 6F 1D 8002 0010 8202 0100 8302 0101 860F 430001000000000100000000000000";

#[test]
fn access_conditions_are_enforced_once_finalised() {
    let mut t = factory();
    assert_eq!(sw(&mut t, "00 A4 00 00 02 3F00 00"), 0x9000);
    assert_eq!(
        sw(&mut t, CREATE_EF_ADMIN_UPDATE),
        0x6982,
        "MF create needs the User PIN"
    );
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    assert_eq!(sw(&mut t, CREATE_EF_ADMIN_UPDATE), 0x9000);
    assert_eq!(sw(&mut t, CREATE_EF_ADMIN_UPDATE), 0x6A89, "exists");
    assert_eq!(
        sw(&mut t, "00 D6 00 00 02 CAFE"),
        0x6982,
        "update needs the Admin PIN"
    );
    assert_eq!(
        sw(&mut t, VERIFY_ADMIN),
        0x6F86,
        "the User is still logged in"
    );
    assert_eq!(sw(&mut t, "80 40 00 00"), 0x9000);
    assert_eq!(sw(&mut t, VERIFY_ADMIN), 0x9000);
    assert_eq!(sw(&mut t, "00 D6 00 00 02 CAFE"), 0x9000);
    assert_eq!(tx(&mut t, "00 B0 00 00 02"), (vec![0xCA, 0xFE], 0x9000));
    assert_eq!(
        tx(&mut t, "00 B0 00 0E 00"),
        (vec![0, 0], 0x6282),
        "short read"
    );
    assert_eq!(sw(&mut t, "00 B0 00 10 01"), 0x6B00);
    assert_eq!(sw(&mut t, "00 D6 00 0F 02 0102"), 0x6700);
    assert_eq!(sw(&mut t, "00 E4 00 00 02 0101"), 0x9000);
    assert_eq!(sw(&mut t, "00 A4 08 00 02 0101 00"), 0x6A82);
}

#[test]
fn no_access_conditions_between_erase_and_init_end() {
    let mut t = factory();
    assert_eq!(sw(&mut t, "80 8A 00 00"), 0x9000);
    assert_eq!(
        sw(&mut t, "00 A4 00 00 02 3F00 00"),
        0x6A82,
        "the MF is gone"
    );
    assert_eq!(
        sw(
            &mut t,
            "00 E0 00 00 1F 6F1D 8002 0000 8202 3800 8302 3F00 860F 470202010000 00FF00000000000000"
        ),
        0x9000
    );
    assert_eq!(sw(&mut t, CREATE_EF_ADMIN_UPDATE), 0x9000);
    assert_eq!(sw(&mut t, "00 D6 00 00 01 01"), 0x9000, "no PIN needed yet");
    // Another P1-P2 is not INIT END: refused by the command table, nothing finalised.
    assert_eq!(sw(&mut t, "80 84 4E 18"), 0x6A86);
    assert_eq!(
        sw(&mut t, "00 D6 00 00 01 01"),
        0x9000,
        "still no PIN needed"
    );
    assert_eq!(sw(&mut t, "80 84 4E 19"), 0x9000);
    assert_eq!(
        sw(&mut t, "00 D6 00 00 01 01"),
        0x6982,
        "finalised: the Admin PIN is needed"
    );
}

#[test]
fn wrong_pins_count_down_block_and_reset() {
    let mut t = factory();
    for left in (0..10u16).rev() {
        assert_eq!(sw(&mut t, "00 20 00 02 08 3030303030303030"), 0x63C0 | left);
    }
    assert_eq!(
        sw(&mut t, VERIFY_USER),
        0x6983,
        "blocked, even with the right PIN"
    );
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x6983);
    assert_eq!(sw(&mut t, "00 2C 03 02"), 0x6982, "unblock needs the Admin");
    assert_eq!(sw(&mut t, VERIFY_ADMIN), 0x9000);
    assert_eq!(sw(&mut t, "00 2C 03 02"), 0x9000);
    assert_eq!(sw(&mut t, "80 40 00 00"), 0x9000);
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x63CA, "counter back to 10");
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x9000, "verified");
    assert!(t.summary().to_string().contains("02 User  tries 10/10 ok"));
}

#[test]
fn change_reference_data_sets_and_changes() {
    let mut t = factory();
    assert_eq!(
        sw(&mut t, "00 24 01 02 0E 8002 0008 A508 3131323233333434"),
        0x6982,
        "not logged in"
    );
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    assert_eq!(
        sw(&mut t, "00 24 01 02 05 A503 313131"),
        0x6A80,
        "shorter than the minimum"
    );
    assert_eq!(
        sw(&mut t, "00 24 01 02 0E 8002 0008 A508 3131323233333434"),
        0x9000
    );
    assert_eq!(sw(&mut t, "80 40 00 00"), 0x9000);
    assert_eq!(sw(&mut t, VERIFY_USER), 0x63C9);
    assert_eq!(sw(&mut t, "00 20 00 02 08 3131323233333434"), 0x9000);
    assert_eq!(
        sw(&mut t, "00 24 01 01 0A A508 3030303030303030"),
        0x6982,
        "the User cannot change the Admin PIN"
    );
}

#[test]
fn login_survives_connections_not_power() {
    let mut t = factory();
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    // A PC/SC disconnect with SCARD_LEAVE_CARD is invisible to the card: nothing to do.
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x9000);
    t.power_off();
    t.power_on();
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x63CA);
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    t.reset();
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x63CA);
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    assert_eq!(sw(&mut t, "80 40 00 00"), 0x9000);
    assert_eq!(sw(&mut t, "00 20 00 02"), 0x63CA);
}

#[test]
fn key_objects_are_never_read_or_written_as_files() {
    let mut t = factory();
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    // A 2012-256 A private key object (code 0x11) filed into …/6002 by its class.
    let create = "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0001 8506 031100AA0000 860F 460002020000000200000000000000";
    assert_eq!(sw(&mut t, create), 0x9000);
    assert_eq!(sw(&mut t, "00 A4 08 00 08 1000 1000 6002 0001 00"), 0x9000);
    for op in ["00 B0 00 00 00", "00 B0 00 00 20"] {
        assert_eq!(sw(&mut t, op), 0x6981, "READ BINARY on a key object");
    }
    assert_eq!(sw(&mut t, "00 D6 00 00 01 00"), 0x6981);
    // Unknown key code, unknown class: refused.
    assert_eq!(
        sw(&mut t, &create.replace("031100AA0000", "03EE00AA0000")),
        0x6A80
    );
    assert_eq!(
        sw(&mut t, &create.replace("031100AA0000", "770000AA0000")),
        0x6A80
    );
    assert_eq!(sw(&mut t, "00 46 80 07 00"), 0x6A88, "no such key");
    assert_eq!(sw(&mut t, "00 22 41 B6 03 840107"), 0x6A88);
}

#[test]
fn malformed_and_unknown_commands_get_iso_status_words_and_change_nothing() {
    let mut t = factory();
    assert_eq!(sw(&mut t, VERIFY_USER), 0x9000);
    let before = t.snapshot().expect("snapshot");
    for (apdu, want) in [
        ("00 A4", 0x6700),
        ("00 A4 08 00 03 1000 10", 0x6700),
        ("00 A4 08 00 05 1000 10", 0x6700),
        ("00 42 00 00", 0x6D00),
        ("80 A4 00 00 02 3F00", 0x6E00),
        ("FF A4 00 00", 0x6E00),
        ("01 A4 00 00", 0x6881),
        ("00 A4 07 00 02 3F00", 0x6A86),
        ("00 CA 01 82 00", 0x6A88),
        ("00 2A 9E 9A 00", 0x6985),
        ("00 2A 12 34", 0x6A86),
        ("80 84 00 00", 0x6A86),
        ("00 20 00 09 01 31", 0x6A88),
        ("00 E0 00 00 03 6F 01 80", 0x6A80),
        ("00 E4 00 00 02 3F00", 0x6985),
        ("10 B0 00 00 01 00", 0x6884),
    ] {
        assert_eq!(sw(&mut t, apdu), want, "{apdu}");
        assert_eq!(
            t.snapshot().expect("snapshot"),
            before,
            "{apdu} changed the state"
        );
    }
    assert_eq!(tx(&mut t, "00 CA 01 81 04"), (vec![], 0x6C08));
    assert_eq!(
        tx(&mut t, "00 CA 01 81 00").0,
        [0, 0, 0, 0, 0x2E, 0xEA, 0x3E, 0xD3]
    );
}

#[test]
fn list_files_walks_children_in_fid_order() {
    let mut t = factory();
    assert_eq!(sw(&mut t, "00 A4 08 00 02 1000 00"), 0x9000);
    let mut fids = Vec::new();
    let (fcp, s) = tx(&mut t, "00 A4 00 00 00");
    assert_eq!(s, 0x9000);
    let mut fid = [fcp[12], fcp[13]];
    fids.push(hex::encode_upper(fid));
    assert_eq!(sw(&mut t, "00 A4 03 00 00"), 0x9000);
    loop {
        let (fcp, s) = tx(&mut t, &format!("00 A4 00 02 02 {} 00", hex::encode(fid)));
        if s == 0x6A82 {
            break;
        }
        fid = [fcp[12], fcp[13]];
        fids.push(hex::encode_upper(fid));
        assert_eq!(sw(&mut t, "00 A4 03 00 00"), 0x9000);
    }
    assert_eq!(fids, ["1000", "1001", "1002", "1003", "1004"]);
}
