//! RSA keys through CREATE / GENERATE KEY / MSE / PSO, in process, with the APDUs OpenSC sends
//! (`card-rtecp.c`, `pkcs15-rtecp.c`): objects of class 23/33 sized for the modulus, the modulus
//! answered little-endian, raw signatures and deciphering on little-endian integers, 256-byte
//! inputs chained. Every result is checked with Python's integers (`pow`), not with the crate
//! the token uses; OpenSC and OpenSSL check the same paths in `pcsc_opensc_rsa.rs`.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::process::Command;

use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

const PYTHON: &str = "/usr/bin/python3";

fn tx(token: &mut Token, bytes: &[u8]) -> (Vec<u8>, u16) {
    let mut answer = token.transmit(bytes);
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

fn h(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).unwrap()
}

fn ok(token: &mut Token, text: &str) -> Vec<u8> {
    let (data, sw) = tx(token, &h(text));
    assert_eq!(sw, 0x9000, "{text}");
    data
}

/// CREATE FILE of an RSA key object as `rtecp_create_key` sends it (User = auth-id 02).
fn create(class: u8, size: u16, kk: u8) -> String {
    let sec = if class == 0x23 {
        "460002020000000200000000000000"
    } else {
        "460002000000000200000000000000"
    };
    format!(
        "00 E0 00 00 27 6F25 8002 {size:04X} 8202 1000 8302 00{kk:02X} 8506 {class:02X}0000AA0000 860F {sec}"
    )
}

/// A factory token, the User logged in, with an RSA pair of `bits` at `kk`; returns n
/// little-endian as GENERATE KEY answered it.
fn token_with_rsa(bits: u16, kk: u8) -> (Token, Vec<u8>) {
    let mut t = Token::in_memory(Fixture::Factory, 5, TokenProfile::default()).unwrap();
    ok(&mut t, "00 20 00 02 08 3132333435363738");
    ok(&mut t, &create(0x23, bits / 16 * 5 + 8, kk));
    ok(&mut t, &create(0x33, bits / 16 * 3, kk));
    let modulus = ok(&mut t, &format!("00 46 80 {kk:02X} 00"));
    (t, modulus)
}

/// Sends `data` with INS 2A and `p1p2`, chained (CLA 10) in 255-byte pieces as OpenSC does.
fn pso(t: &mut Token, p1p2: [u8; 2], data: &[u8]) -> (Vec<u8>, u16) {
    let mut pieces = data.chunks(255).peekable();
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        let mut cmd = vec![if last { 0x00 } else { 0x10 }, 0x2A, p1p2[0], p1p2[1]];
        cmd.push(piece.len() as u8);
        cmd.extend_from_slice(piece);
        if last {
            cmd.push(0x00);
            return tx(t, &cmd);
        }
        let (_, sw) = tx(t, &cmd);
        assert_eq!(sw, 0x9000, "chained piece");
    }
    unreachable!("no data")
}

/// Python's answer to an expression over the integers `n`, `x` (both given little-endian, hex).
fn python(expression: &str, n_le: &[u8], x_le: &[u8]) -> Option<String> {
    let script = format!(
        "import sys\nn = int.from_bytes(bytes.fromhex(sys.argv[1]), 'little')\n\
         x = int.from_bytes(bytes.fromhex(sys.argv[2]), 'little')\nprint({expression})"
    );
    let out = Command::new(PYTHON)
        .args(["-c", &script, &hex::encode(n_le), &hex::encode(x_le)])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A message representative below n: a PKCS#1 v1.5 type-1 block, little-endian as the card sees
/// it (OpenSC reverses the big-endian block).
fn block_le(k: usize, fill: u8) -> Vec<u8> {
    let mut be = vec![0xFF; k];
    be[0] = 0x00;
    be[1] = 0x01;
    be[k - 33] = 0x00;
    for (i, b) in be[k - 32..].iter_mut().enumerate() {
        *b = fill.wrapping_add(i as u8);
    }
    be.reverse();
    be
}

fn check_one_size(bits: u16) -> bool {
    let k = usize::from(bits / 8);
    let (mut t, n) = token_with_rsa(bits, 1);
    assert_eq!(n.len(), k, "{bits}: the modulus is n/8 bytes");
    let Some(width) = python("n.bit_length() * (n & 1)", &n, &[0]) else {
        eprintln!("skipped: {PYTHON} cannot run");
        return false;
    };
    assert_eq!(width, bits.to_string(), "{bits}: n odd and of full size");

    // Raw signature: s^e mod n gives the block back (e = 65537, what OpenSC assumes).
    ok(&mut t, "00 22 41 B6 03 840101");
    let m = block_le(k, 7);
    let (s, sw) = pso(&mut t, [0x9E, 0x9A], &m);
    assert_eq!((sw, s.len()), (0x9000, k), "{bits}: signature");
    let back = python(
        "pow(x, 65537, n).to_bytes(len(sys.argv[1]) // 2, 'little').hex()",
        &n,
        &s,
    );
    assert_eq!(back.unwrap(), hex::encode(&m), "{bits}: s^e = m");

    // Deciphering: c = m^e mod n from Python, the token gives m back.
    let c_hex = python(
        "pow(x, 65537, n).to_bytes(len(sys.argv[1]) // 2, 'little').hex()",
        &n,
        &m,
    );
    let c = hex::decode(c_hex.unwrap()).unwrap();
    assert_eq!(
        pso(&mut t, [0x80, 0x86], &c).1,
        0x6985,
        "{bits}: B6 does not choose a key for deciphering"
    );
    ok(&mut t, "00 22 41 B8 03 840101");
    let (plain, sw) = pso(&mut t, [0x80, 0x86], &c);
    assert_eq!((sw, plain), (0x9000, m.clone()), "{bits}: decipher");

    // An input ≥ n is refused; an input longer than n/8 bytes too.
    let (_, sw) = pso(&mut t, [0x80, 0x86], &n);
    assert_eq!(sw, 0x6A80, "{bits}: c = n");
    let mut long = m.clone();
    long.push(0);
    assert_eq!(pso(&mut t, [0x80, 0x86], &long).1, 0x6700, "{bits}");

    // The key survives an emulator restart and still signs the same (raw RSA is deterministic).
    let mut again = Token::from_snapshot(&t.snapshot().unwrap(), TokenProfile::default()).unwrap();
    ok(&mut again, "00 20 00 02 08 3132333435363738");
    ok(&mut again, "00 22 41 B6 03 840101");
    assert_eq!(pso(&mut again, [0x9E, 0x9A], &m), (s, 0x9000), "{bits}");
    let summary = again.summary().to_string();
    assert!(summary.contains(&format!("rsa-{bits}")), "{summary}");

    // Logged out: no use, no regeneration.
    ok(&mut t, "80 40 00 00");
    ok(&mut t, "00 22 41 B6 03 840101");
    assert_eq!(pso(&mut t, [0x9E, 0x9A], &m).1, 0x6982, "{bits}");
    assert_eq!(tx(&mut t, &h("00 46 80 01 00")).1, 0x6982, "{bits}");
    true
}

#[test]
fn rsa_512_and_2048_generate_sign_and_decipher() {
    for bits in [512, 2048] {
        if !check_one_size(bits) {
            return;
        }
    }
}

#[test]
fn rsa_objects_of_other_sizes_are_refused_and_gost_keys_do_not_decipher() {
    let mut t = Token::in_memory(Fixture::Factory, 5, TokenProfile::default()).unwrap();
    ok(&mut t, "00 20 00 02 08 3132333435363738");
    // 256 and 4096 bits: OpenSC offers them for the rtecp family, the ECP 2.0 does not.
    for bits in [256u16, 4096, 640] {
        let (_, sw) = tx(&mut t, &h(&create(0x23, bits / 16 * 5 + 8, 1)));
        assert_eq!(sw, 0x6A80, "{bits} bits");
    }
    // Newer OpenSC (0.24+) names the exponent; a 768-bit pair answers 96 bytes of modulus.
    ok(&mut t, &create(0x23, 768 / 16 * 5 + 8, 2));
    ok(&mut t, &create(0x33, 768 / 16 * 3, 2));
    assert_eq!(ok(&mut t, "00 46 80 02 08 A606940401000100 00").len(), 96);
    assert_eq!(tx(&mut t, &h("00 46 80 02 04 A6029400 00")).1, 0x6A80);
    // A GOST key chosen for deciphering: 6A81.
    ok(
        &mut t,
        "00 E0 00 00 27 6F25 8002 0020 8202 1000 8302 0003 8506 032000AA0000 860F 460002020000000200000000000000",
    );
    ok(
        &mut t,
        "00 E0 00 00 27 6F25 8002 0040 8202 1000 8302 0003 8506 132000AA0000 860F 460002000000000200000000000000",
    );
    ok(&mut t, "00 46 80 03 00");
    ok(&mut t, "00 22 41 B8 03 840103");
    assert_eq!(tx(&mut t, &h("00 2A 80 86 02 0102 00")).1, 0x6A81);
}
