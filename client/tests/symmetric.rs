//! The client's GOST 28147-89 and VKO operations against the simulator's token, in process:
//! every mode equal to the host engine (`gost::gost28147`) for lengths across blocks, pieces
//! and the 1024-byte meshing; key wrap and unwrap round trips and a tampered blob refused with
//! no object left; the CMS-style flow (host ephemeral key, VKO on the token, CryptoPro unwrap,
//! content decrypted on the token); CFB and counter mode both ways with `openssl enc` (gost
//! engine).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use gost::gost28147::{self, Cfb, Cnt, Direction, KeyWrap, Mac};
use gost::{CipherParams, ParamSet, Rng, SigningKey, VerifyingKey, Vko};
use rutoken_client::transport::InProcess;
use rutoken_client::{CipherMode, Client, ClientConfig, ClientError, PinRole};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

type TestClient = Client<InProcess<Token>>;

fn client() -> TestClient {
    let profile = DeviceProfile::default();
    let token = Token::in_memory(Fixture::Personalised, 5, profile.token.clone()).unwrap();
    let mut client = Client::new(InProcess::new(token), ClientConfig::from_profile(&profile));
    client.attach().unwrap();
    client.verify_pin(PinRole::User, "12345678").unwrap();
    client
}

fn random(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

#[test]
fn every_mode_equals_the_host_engine() {
    let mut c = client();
    let mut rng = Rng::from_seed(23);
    for params in [
        CipherParams::CryptoProA,
        CipherParams::Tc26Z,
        CipherParams::Test,
    ] {
        let value: [u8; 32] = random(&mut rng, 32).try_into().unwrap();
        let key = c.import_secret_key(params, &value).unwrap();
        let iv: [u8; 8] = random(&mut rng, 8).try_into().unwrap();
        for len in [0, 1, 8, 13, 248, 1024, 1031, 3000] {
            let data = random(&mut rng, len);
            let what = format!("{params:?} {len} bytes");
            let cfb = c.encrypt(key, CipherMode::Cfb(iv), &data).unwrap();
            assert_eq!(
                cfb,
                Cfb::apply(params, &value, &iv, Direction::Encrypt, &data),
                "CFB {what}"
            );
            assert_eq!(c.decrypt(key, CipherMode::Cfb(iv), &cfb).unwrap(), data);
            let mut cnt = data.clone();
            Cnt::new(params, &value, &iv).apply_keystream(&mut cnt);
            assert_eq!(
                c.encrypt(key, CipherMode::Cnt(iv), &data).unwrap(),
                cnt,
                "CNT {what}"
            );
            if len % 8 == 0 {
                let mut ecb = data.clone();
                gost28147::ecb_encrypt(params, &value, &mut ecb).unwrap();
                assert_eq!(
                    c.encrypt(key, CipherMode::Ecb, &data).unwrap(),
                    ecb,
                    "ECB {what}"
                );
                assert_eq!(c.decrypt(key, CipherMode::Ecb, &ecb).unwrap(), data);
            } else {
                assert!(matches!(
                    c.encrypt(key, CipherMode::Ecb, &data),
                    Err(ClientError::UnexpectedStatus { .. })
                ));
            }
            let mut mac = Mac::with_iv(params, &value, &iv);
            mac.update(&data);
            assert_eq!(
                c.mac(key, Some(iv), &data).unwrap(),
                mac.finalize_4(),
                "MAC {what}"
            );
            assert_eq!(
                c.mac(key, None, &data).unwrap(),
                Mac::compute(params, &value, &data),
                "MAC, zero IV, {what}"
            );
        }
    }
}

#[test]
fn wrap_unwrap_round_trip_and_a_tampered_blob() {
    let mut c = client();
    let params = CipherParams::CryptoProA;
    let kek = c.generate_secret_key(params).unwrap();
    let cek = c.generate_secret_key(params).unwrap();
    let data = b"the same plaintext under the original and the unwrapped key".to_vec();
    let iv = [9u8; 8];
    let want = c.encrypt(cek, CipherMode::Cfb(iv), &data).unwrap();
    for kind in [KeyWrap::Gost28147, KeyWrap::CryptoPro] {
        let wrapped = c
            .wrap_secret_key(kek, kind, Some([1, 2, 3, 4, 5, 6, 7, 8]), cek)
            .unwrap();
        assert_eq!(wrapped.len(), gost28147::WRAPPED_LEN);
        assert_eq!(&wrapped[..8], &[1, 2, 3, 4, 5, 6, 7, 8], "the UKM leads");
        let copy = c.unwrap_secret_key(kek, kind, &wrapped, params).unwrap();
        assert_ne!(copy.reference, cek.reference);
        assert_eq!(c.encrypt(copy, CipherMode::Cfb(iv), &data).unwrap(), want);
        let free = c.free_secret_key_reference().unwrap();
        let mut bad = wrapped.clone();
        bad[20] ^= 0x40;
        assert!(c.unwrap_secret_key(kek, kind, &bad, params).is_err());
        assert_eq!(
            c.free_secret_key_reference().unwrap(),
            free,
            "no object left"
        );
        c.delete_secret_key(copy.reference).unwrap();
    }
    // Without a UKM the token draws one: two wraps differ.
    let a = c
        .wrap_secret_key(kek, KeyWrap::CryptoPro, None, cek)
        .unwrap();
    let b = c
        .wrap_secret_key(kek, KeyWrap::CryptoPro, None, cek)
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn cms_style_decryption_with_vko_on_the_token() {
    let mut c = client();
    let mut rng = Rng::from_seed(7);
    for param in [ParamSet::Gost256A, ParamSet::Gost512A] {
        let pair = c.generate_key_pair(param, "vko").unwrap();
        let token_public = VerifyingKey::from_le_bytes(param, &pair.public_key).unwrap();
        // The sender: an ephemeral key, VKO 2012-256, a CryptoPro wrap of the content key.
        let ephemeral = SigningKey::generate(param, &mut rng).unwrap();
        let ukm: [u8; 8] = random(&mut rng, 8).try_into().unwrap();
        let kek = gost::vko(Vko::Gost2012_256, &ephemeral, &token_public, &ukm).unwrap();
        let kek: [u8; 32] = kek[..].try_into().unwrap();
        let cek: [u8; 32] = random(&mut rng, 32).try_into().unwrap();
        let params = CipherParams::CryptoProA;
        let wrapped = gost28147::wrap(KeyWrap::CryptoPro, params, &kek, &ukm, &cek);
        let iv = [0x42; 8];
        let content = random(&mut rng, 2500);
        let sealed = Cfb::apply(params, &cek, &iv, Direction::Encrypt, &content);
        // The recipient: VKO on the token, unwrap on the token, decrypt on the token.
        let peer = ephemeral.verifying_key().to_le_bytes();
        let derived = c
            .derive_vko(pair.reference, Vko::Gost2012_256, &peer, &ukm, params)
            .unwrap();
        let content_key = c
            .unwrap_secret_key(derived, KeyWrap::CryptoPro, &wrapped, params)
            .unwrap();
        let opened = c
            .decrypt(content_key, CipherMode::Cfb(iv), &sealed)
            .unwrap();
        assert!(
            opened == content,
            "{param:?}: content decrypted on the token"
        );
        // Another UKM gives another KEK: the unwrap's MAC fails.
        let wrong = c
            .derive_vko(pair.reference, Vko::Gost2012_256, &peer, &[1; 8], params)
            .unwrap();
        assert!(
            c.unwrap_secret_key(wrong, KeyWrap::CryptoPro, &wrapped, params)
                .is_err()
        );
        // VKO 2012-512 makes no GOST 28147-89 key; the failed derivation leaves no object.
        let free = c.free_secret_key_reference().unwrap();
        assert!(
            c.derive_vko(pair.reference, Vko::Gost2012_512, &peer, &ukm, params)
                .is_err()
        );
        assert_eq!(c.free_secret_key_reference().unwrap(), free);
    }
}

#[test]
fn vko_to_the_host_equals_the_senders_kek_and_leaves_no_object() {
    let mut c = client();
    let mut rng = Rng::from_seed(11);
    for param in [ParamSet::Gost256A, ParamSet::Gost512A] {
        let pair = c.generate_key_pair(param, "vko-host").unwrap();
        let token_public = VerifyingKey::from_le_bytes(param, &pair.public_key).unwrap();
        let peer_key = SigningKey::generate(param, &mut rng).unwrap();
        let peer = peer_key.verifying_key().to_le_bytes();
        let ukm: [u8; 8] = random(&mut rng, 8).try_into().unwrap();
        // The peer's side, on the host: VKO of its private key with the token's public key.
        let want = gost::vko(Vko::Gost2012_256, &peer_key, &token_public, &ukm).unwrap();
        let free = c.free_secret_key_reference().unwrap();
        let got = c
            .derive_vko_value(pair.reference, Vko::Gost2012_256, &peer, &ukm)
            .unwrap();
        assert!(
            got[..] == want[..32],
            "{param:?}: the token's KEK is the peer's"
        );
        assert_eq!(c.free_secret_key_reference().unwrap(), free, "no object");
        // The same VKO into an object gives the same key: its MAC is the returned key's.
        let params = CipherParams::CryptoProA;
        let object = c
            .derive_vko(pair.reference, Vko::Gost2012_256, &peer, &ukm, params)
            .unwrap();
        assert_eq!(
            c.mac(object, None, b"same key").unwrap(),
            Mac::compute(params, &got, b"same key")
        );
        // VKO 2012-512 makes no GOST 28147-89 key.
        assert!(
            c.derive_vko_value(pair.reference, Vko::Gost2012_512, &peer, &ukm)
                .is_err()
        );
    }
    // The private key's use condition: the user's PIN.
    let pair = c.generate_key_pair(ParamSet::Gost256A, "vko-host").unwrap();
    c.logout().unwrap();
    let peer = SigningKey::generate(ParamSet::Gost256A, &mut rng)
        .unwrap()
        .verifying_key()
        .to_le_bytes();
    assert!(matches!(
        c.derive_vko_value(pair.reference, Vko::Gost2012_256, &peer, &[1; 8]),
        Err(ClientError::NotLoggedIn { .. })
    ));
}

#[test]
fn operations_need_the_login() {
    let mut c = client();
    let key = c.generate_secret_key(CipherParams::CryptoProA).unwrap();
    c.logout().unwrap();
    assert!(c.encrypt(key, CipherMode::Ecb, &[0; 8]).is_err());
    assert!(c.mac(key, None, b"x").is_err());
    assert!(c.generate_secret_key(CipherParams::CryptoProA).is_err());
}

/// `openssl enc` with the gost engine over `data` in a temporary directory; `None` when
/// OpenSSL or its gost engine is missing.
fn openssl_enc(
    cipher: &str,
    params: CipherParams,
    decrypt: bool,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("rutoken-lab-client-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, data).ok()?;
    let out = std::process::Command::new("openssl")
        .args([
            "enc",
            "-engine",
            "gost",
            cipher,
            if decrypt { "-d" } else { "-e" },
            "-nopad",
        ])
        .args(["-K", &hex_of(key), "-iv", &hex_of(iv), "-in"])
        .arg(&input)
        .arg("-out")
        .arg(&output)
        .env("CRYPT_PARAMS", params.name())
        .output()
        .ok()?;
    let result = out
        .status
        .success()
        .then(|| std::fs::read(&output).ok())
        .flatten();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The token's CFB (every CryptoPro set and Z) and counter mode (A and Z, the engine's) against
/// `openssl enc -gost89` / `-gost89-cnt` / `-gost89-cnt-12` (gost engine), both ways, across
/// the 1024-byte meshing.
#[test]
fn token_and_openssl_both_ways() {
    let probe = std::process::Command::new("openssl")
        .args(["engine", "gost"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        println!(
            "skipped: OpenSSL's gost engine is not installed (Debian: libengine-gost-openssl)"
        );
        return;
    }
    let mut c = client();
    let mut rng = Rng::from_seed(89);
    for params in [
        CipherParams::CryptoProA,
        CipherParams::CryptoProB,
        CipherParams::CryptoProC,
        CipherParams::CryptoProD,
        CipherParams::Tc26Z,
    ] {
        let value: [u8; 32] = random(&mut rng, 32).try_into().unwrap();
        let key = c.import_secret_key(params, &value).unwrap();
        let iv: [u8; 8] = random(&mut rng, 8).try_into().unwrap();
        let data = random(&mut rng, 2100);
        // The engine's counter mode is fixed to a set (`-gost89-cnt` CryptoPro A,
        // `-gost89-cnt-12` Z); its CFB takes CRYPT_PARAMS.
        let mut runs = vec![("-gost89", CipherMode::Cfb(iv))];
        match params {
            CipherParams::CryptoProA => runs.push(("-gost89-cnt", CipherMode::Cnt(iv))),
            CipherParams::Tc26Z => runs.push(("-gost89-cnt-12", CipherMode::Cnt(iv))),
            _ => {}
        }
        for (cipher, mode) in runs {
            let ours = c.encrypt(key, mode, &data).unwrap();
            let theirs = openssl_enc(cipher, params, false, &value, &iv, &data).unwrap();
            assert!(
                ours == theirs,
                "{params:?} {cipher}: the token's and OpenSSL's differ"
            );
            let back = openssl_enc(cipher, params, true, &value, &iv, &ours).unwrap();
            assert!(
                back == data,
                "{params:?} {cipher}: OpenSSL opens the token's"
            );
            assert!(
                c.decrypt(key, mode, &theirs).unwrap() == data,
                "{params:?} {cipher}: the token opens OpenSSL's"
            );
        }
        c.delete_secret_key(key.reference).unwrap();
    }
}
