//! The reissue flow's two SafeTouch screens with the real token, through a private pcscd and
//! vpcd, driven by pyscard: screen 1 (the PKCS#10 `CertificationRequestInfo`) and screen 2 (the
//! reissue request document in SafeTouch TLV). Reject and time-out answer `6F B1` and give no
//! signature; Confirm releases a signature that verifies under the token's public key.
//! Skipped (with the reason printed) when not root or when pcscd, vpcd or pyscard are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Read;
use std::process::Stdio;
use std::str::FromStr;
use std::time::Duration;

use gost::{DigestAlgorithm, ParamSet, Signature, VerifyingKey};
use rutoken_sim::safetouch::{ChannelButtons, Press, SafeTouch, SafeTouchProfile};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use testkit::reissue_document::reissue_document;
use testkit::require_pcscd;
use testkit::{Emulator, Pcscd, wait_until};
use x509_cert::der::Encode;
use x509_cert::der::asn1::BitString;
use x509_cert::name::Name;
use x509_cert::request::{CertReqInfo, Version};
use x509_cert::spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

fn certification_request_info() -> Vec<u8> {
    CertReqInfo {
        version: Version::V1,
        subject: Name::from_str("CN=Иванов Иван Иванович,O=3867XXXXXXXXXX,L=Тюмень").unwrap(),
        public_key: SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.1"),
                parameters: None,
            },
            subject_public_key: BitString::from_bytes(&[0x04, 0x40, 0x11, 0x22]).unwrap(),
        },
        attributes: Default::default(),
    }
    .to_der()
    .unwrap()
}

/// The bank client's side: VERIFY, read the public key, MSE SET key 01, then for each document
/// PSO: HASH (chained) and PSO: CDS with no data; prints the public key, then "sig-hex sw" lines.
fn client_script(documents: &[Vec<u8>]) -> String {
    let docs: Vec<String> = documents
        .iter()
        .map(|d| format!("'{}'", hex::encode_upper(d)))
        .collect();
    format!(
        r#"
import sys, time
from smartcard.System import readers
from smartcard.util import toBytes
reader = [r for r in readers() if 'Virtual PCD' in str(r)][0]
deadline = time.time() + 15
while True:
    try:
        c = reader.createConnection(); c.connect(); break
    except Exception:
        if time.time() > deadline: raise
        time.sleep(0.1)
def tx(apdu):
    data, sw1, sw2 = c.transmit(list(apdu))
    return bytes(data), '%02X%02X' % (sw1, sw2)
assert tx(bytes.fromhex('0020000208') + b'12345678')[1] == '9000'
assert tx(bytes.fromhex('00A40800045000020000'))[1] == '9000'
pub, sw = tx(bytes.fromhex('00B0000042'))
assert sw == '9000'
print(pub.hex().upper()); sys.stdout.flush()
assert tx(bytes.fromhex('002241B603840101'))[1] == '9000'
for doc in [{docs}]:
    data = bytes.fromhex(doc)
    chunks = [data[i:i + 200] for i in range(0, len(data), 200)]
    for i, chunk in enumerate(chunks):
        cla = 0x10 if i + 1 < len(chunks) else 0x00
        assert tx(bytes([cla, 0x2A, 0x90, 0x80, len(chunk)]) + chunk)[1] == '9000'
    sig, sw = tx(bytes.fromhex('002A9E9A00'))
    print(sig.hex().upper() or '-', sw); sys.stdout.flush()
"#,
        docs = docs.join(", ")
    )
}

/// The parameter set and digest of a key named as `token show` names it (`gost2012-256-B`).
fn key_parameters(algorithm: &str) -> (ParamSet, DigestAlgorithm) {
    if let Some(set) = algorithm.strip_prefix("gost2001-") {
        let param = ParamSet::from_name(&format!("cryptopro-{set}")).unwrap();
        return (param, DigestAlgorithm::Gost94CryptoPro);
    }
    let rest = algorithm.strip_prefix("gost2012-").unwrap();
    let digest = if rest.starts_with("512") {
        DigestAlgorithm::Streebog512
    } else {
        DigestAlgorithm::Streebog256
    };
    (ParamSet::from_name(rest).unwrap(), digest)
}

#[test]
fn the_reissue_screens_gate_real_signatures() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).unwrap();
    let algorithm = token
        .summary()
        .keys
        .iter()
        .find(|k| k.reference == 1 && k.half == "private")
        .map(|k| k.algorithm.clone())
        .unwrap();
    let (param_set, digest_algorithm) = key_parameters(&algorithm);
    let (buttons, presses) = ChannelButtons::new();
    let profile = SafeTouchProfile {
        timeout_ms: 1500,
        ..SafeTouchProfile::default()
    };
    let safetouch = SafeTouch::new(token, profile, Box::new(buttons));
    let monitor = safetouch.monitor();
    let emulator = Emulator::attach(Box::new(safetouch), pcscd.port);

    let request = certification_request_info();
    let document = reissue_document();
    // Screen 1 rejected, screen 1 timed out, screen 1 confirmed, screen 2 confirmed.
    let documents = [
        request.clone(),
        request.clone(),
        request.clone(),
        document.clone(),
    ];
    let plan = [
        Some(Press::Reject),
        None,
        Some(Press::Confirm),
        Some(Press::Confirm),
    ];
    let mut client = pcscd
        .enter(testkit::PYTHON)
        .args(["-c", &client_script(&documents)])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut texts = Vec::new();
    let mut last = 0;
    for press in plan {
        wait_until(Duration::from_secs(30), "a new screen", || {
            let screen = monitor.screen();
            screen.waiting && screen.id > last
        });
        let screen = monitor.screen();
        last = screen.id;
        texts.push(screen.text().replace('\n', " "));
        if let Some(press) = press {
            presses.press(&screen, press).unwrap();
        }
    }
    let mut out = String::new();
    client
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(client.wait().unwrap().success(), "client failed:\n{out}");

    let screen_1 = "Запрос подписи запроса на сертификат Иванов Иван Иванович";
    assert_eq!(texts[..3], [screen_1, screen_1, screen_1]);
    for field in [
        "Дата: 04.02.2020",
        "Владелец: Иванов Иван Иванович",
        "Организация: 3867XXXXXXXXXX",
    ] {
        assert!(texts[3].contains(field), "{field} not in {}", texts[3]);
    }

    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let public = hex::decode(lines[0]).unwrap();
    // The public-key EF: 04 len X‖Y (BER length: 40, or 81 80 for 512-bit keys).
    let xy = match public.as_slice() {
        [0x04, 0x81, 0x80, xy @ ..] | [0x04, 0x40, xy @ ..] => xy,
        other => panic!("not a public-key EF: {other:02X?}"),
    };
    let key = VerifyingKey::from_le_bytes(param_set, xy).unwrap();
    assert_eq!(lines[1], "- 6FB1", "Reject must give no signature");
    assert_eq!(lines[2], "- 6FB1", "time-out must give no signature");
    for (line, data) in [(lines[3], &request), (lines[4], &document)] {
        let (sig, sw) = line.split_once(' ').unwrap();
        assert_eq!(sw, "9000");
        let signature = Signature::from_token_bytes(&hex::decode(sig).unwrap()).unwrap();
        let digest = digest_algorithm.digest(data);
        key.verify_digest(&digest, &signature).unwrap();
        let mut other = digest.clone();
        other[0] ^= 1;
        assert!(key.verify_digest(&other, &signature).is_err());
    }
    emulator.stop();
}
