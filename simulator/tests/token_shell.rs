//! A session of the `apdu` shell (pinned with insta): hex in, `> `/`< ` out, status word and
//! meaning on every answer, PINs masked, malformed lines reported and skipped.

use rutoken_sim::token::{Fixture, Token, TokenProfile, shell};

const SCRIPT: &str = "\
# select the MF, log in, read the serial
00 A4 00 00 02 3F 00 00
00 20 00 02 08 31 32 33 34 35 36 37 38   # VERIFY User
00 20 00 02
00 CA 01 81 00
this is not hex
00 A4 08 00 04 1000 1000 00
00 A4 00 00 00
00 b0 00 00 10
00 24 01 02 0E 80 02 00 08 A5 08 3131323233333434
00 2C 03 02
00 42 00 00
reset
00 20 00 02
";

#[test]
fn shell_session() {
    let mut token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).expect("token");
    let mut out = Vec::new();
    let bad = shell::run(&mut token, SCRIPT.as_bytes(), &mut out).expect("run");
    assert_eq!(bad, 1);
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        !text.contains("31 32 33 34"),
        "a PIN leaked into the transcript"
    );
    assert!(
        !text.contains("31 31 32 32"),
        "a PIN leaked into the transcript"
    );
    insta::assert_snapshot!(text);
}
