//! GOST 28147-89 and VKO cross-checked both ways with OpenSSL's gost engine (the `openssl`
//! command line, Debian's libengine-gost-openssl): CFB (`-gost89`, every S-box through the
//! engine's `CRYPT_PARAMS`), the counter mode (`-gost89-cnt`, `-gost89-cnt-12`), ECB (through
//! `-gost89-cbc`, which is ECB of each block XOR the previous ciphertext, without meshing),
//! the MAC (`gost-mac`, `gost-mac-12`, sizes 1-8), VKO (`pkeyutl -derive`), the key transport
//! (`pkeyutl -encrypt/-decrypt`). Lengths cross the 1024-byte meshing boundary. Prints
//! `skipped: ...` when `openssl` or the engine is missing.
#![allow(clippy::unwrap_used)]

mod support;

use der::Encode;
use gost::gost28147::{Cfb, Cnt, Direction, Mac, ecb_decrypt, ecb_encrypt};
use gost::key_transport::KeyTransport;
use gost::spki::to_spki_like;
use gost::{CipherParams, KeyAlgorithm, ParamSet, Rng, SigningKey, Vko, vko};
use support::openssl::{OpenSsl, openssl_or_skip, s};

const LENGTHS: [usize; 6] = [1, 8, 13, 1024, 1031, 3000];

fn random(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

fn key_iv(rng: &mut Rng) -> ([u8; 32], [u8; 8]) {
    let mut key = [0u8; 32];
    let mut iv = [0u8; 8];
    rng.fill_bytes(&mut key);
    rng.fill_bytes(&mut iv);
    (key, iv)
}

/// `openssl enc` over a file, returning the output bytes.
fn enc(
    ossl: &OpenSsl,
    cipher: &str,
    decrypt: bool,
    params: Option<CipherParams>,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Vec<u8> {
    let (input, output) = (ossl.path("enc.in"), ossl.path("enc.out"));
    std::fs::write(&input, data).unwrap();
    let (k, v) = (hex::encode(key), hex::encode(iv));
    let mut args = vec![
        "enc",
        cipher,
        if decrypt { "-d" } else { "-e" },
        "-nopad",
        "-K",
        &k,
        "-iv",
        &v,
        "-in",
        s(&input),
        "-out",
        s(&output),
    ];
    if iv.is_empty() {
        args.truncate(args.len() - 6);
        args.extend(["-in", s(&input), "-out", s(&output)]);
    }
    let env: Vec<(&str, &str)> = params
        .map(|p| ("CRYPT_PARAMS", p.name()))
        .into_iter()
        .collect();
    ossl.run_env_ok(&env, &args);
    std::fs::read(&output).unwrap()
}

#[test]
fn cfb_both_ways_every_sbox() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(28147);
    for params in CipherParams::ALL {
        for len in LENGTHS {
            let (key, iv) = key_iv(&mut rng);
            let plain = random(&mut rng, len);
            let ours = Cfb::apply(params, &key, &iv, Direction::Encrypt, &plain);
            let theirs = enc(&ossl, "-gost89", false, Some(params), &key, &iv, &plain);
            if params == CipherParams::Test && len > 1024 {
                // RFC 4357 §11.2 gives the test set no key meshing; the engine meshes with
                // every S-box. So the two agree up to the first 1024 bytes only.
                assert_eq!(ours[..1024], theirs[..1024], "{params:?} {len}");
                assert_ne!(
                    ours[1024..],
                    theirs[1024..],
                    "{params:?} {len}: the engine did not mesh"
                );
                continue;
            }
            assert!(ours == theirs, "{params:?} {len}: ciphertexts differ");
            // Theirs decrypts ours, ours decrypts theirs; a flipped bit garbles its block.
            assert_eq!(
                enc(&ossl, "-gost89", true, Some(params), &key, &iv, &ours),
                plain
            );
            assert_eq!(
                Cfb::apply(params, &key, &iv, Direction::Decrypt, &theirs),
                plain
            );
            let mut bad = theirs.clone();
            bad[len / 2] ^= 4;
            assert_ne!(
                Cfb::apply(params, &key, &iv, Direction::Decrypt, &bad),
                plain
            );
        }
    }
}

#[test]
fn cnt_both_ways() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(89);
    for (cipher, params) in [
        ("-gost89-cnt", CipherParams::CryptoProA),
        ("-gost89-cnt-12", CipherParams::Tc26Z),
    ] {
        for len in LENGTHS {
            let (key, iv) = key_iv(&mut rng);
            let plain = random(&mut rng, len);
            let mut ours = plain.clone();
            Cnt::new(params, &key, &iv).apply_keystream(&mut ours);
            assert_eq!(
                enc(&ossl, cipher, true, None, &key, &iv, &ours),
                plain,
                "{cipher} {len}"
            );
            let mut theirs = enc(&ossl, cipher, false, None, &key, &iv, &plain);
            assert_eq!(theirs, ours, "{cipher} {len}");
            Cnt::new(params, &key, &iv).apply_keystream(&mut theirs);
            assert_eq!(theirs, plain);
        }
    }
}

/// The engine has no ECB on its command line; CBC is ECB of P_i ^ C_(i-1) (no meshing in its
/// CBC), so: their CBC ciphertext is our ECB of the chained blocks, and their CBC decryption of
/// our ECB output gives back each block XOR the previous ECB output.
#[test]
fn ecb_both_ways_through_cbc() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(2815);
    for params in CipherParams::ALL {
        let (key, _) = key_iv(&mut rng);
        let plain = random(&mut rng, 8 * 150);
        let zero_iv = [0u8; 8];
        let theirs = enc(
            &ossl,
            "-gost89-cbc",
            false,
            Some(params),
            &key,
            &zero_iv,
            &plain,
        );
        let mut chained = plain.clone();
        for i in 1..chained.len() / 8 {
            for j in 0..8 {
                chained[8 * i + j] ^= theirs[8 * (i - 1) + j];
            }
        }
        let mut ours = chained.clone();
        ecb_encrypt(params, &key, &mut ours).unwrap();
        assert_eq!(ours, theirs, "{params:?}: ECB of the chained blocks");
        let mut back = theirs.clone();
        ecb_decrypt(params, &key, &mut back).unwrap();
        assert_eq!(back, chained, "{params:?}: our ECB decrypts theirs");

        let mut ours_only = plain.clone();
        ecb_encrypt(params, &key, &mut ours_only).unwrap();
        let decrypted = enc(
            &ossl,
            "-gost89-cbc",
            true,
            Some(params),
            &key,
            &zero_iv,
            &ours_only,
        );
        for i in 0..plain.len() / 8 {
            for j in 0..8 {
                let prev = if i == 0 {
                    0
                } else {
                    ours_only[8 * (i - 1) + j]
                };
                assert_eq!(
                    decrypted[8 * i + j] ^ prev,
                    plain[8 * i + j],
                    "{params:?} block {i}"
                );
            }
        }
    }
}

#[test]
fn mac_matches_the_engine() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(5);
    let input = ossl.path("mac.in");
    for (mac, params) in [
        ("gost-mac", CipherParams::CryptoProA),
        ("gost-mac", CipherParams::CryptoProC),
        ("gost-mac-12", CipherParams::Tc26Z),
    ] {
        for (len, size) in [
            (0usize, 4usize),
            (1, 4),
            (8, 4),
            (9, 8),
            (16, 1),
            (1023, 4),
            (1025, 6),
            (3000, 8),
        ] {
            let (key, _) = key_iv(&mut rng);
            let data = random(&mut rng, len);
            std::fs::write(&input, &data).unwrap();
            let hexkey = format!("hexkey:{}", hex::encode(key));
            let paramset = format!("paramset:{}", params.oid());
            let size_opt = format!("size:{size}");
            let out = ossl.run_env_ok(
                &[],
                &[
                    "dgst",
                    "-mac",
                    mac,
                    "-macopt",
                    &hexkey,
                    "-macopt",
                    &paramset,
                    "-macopt",
                    &size_opt,
                    "-r",
                    s(&input),
                ],
            );
            let text = String::from_utf8(out).unwrap();
            let theirs = hex::decode(text.split_whitespace().next().unwrap()).unwrap();
            let mut ours = Mac::new(params, &key);
            ours.update(&data);
            assert_eq!(
                *ours.finalize(size).unwrap(),
                theirs,
                "{mac} {params:?} len {len} size {size}"
            );
        }
    }
}

/// An OpenSSL key pair: its PEM, its private key and algorithm as ours, its SPKI.
fn openssl_key(
    ossl: &OpenSsl,
    algorithm: &str,
    paramset: &str,
    name: &str,
) -> (
    std::path::PathBuf,
    SigningKey,
    KeyAlgorithm,
    spki::SubjectPublicKeyInfoOwned,
) {
    let pem = ossl.path(&format!("{name}.pem"));
    let paramset = format!("paramset:{paramset}");
    ossl.run_ok(&[
        "genpkey",
        "-algorithm",
        algorithm,
        "-pkeyopt",
        &paramset,
        "-out",
        s(&pem),
    ]);
    let (private, alg, spki) = ossl.private_key(&pem);
    (pem, private, alg, spki)
}

#[test]
fn vko_equals_pkeyutl_derive() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(7836);
    // (algorithm, paramset, our set, [(the `vko` option, what it computes)]).
    type Case<'a> = (&'a str, &'a str, ParamSet, &'a [(&'a str, Vko)]);
    let cases: [Case; 5] = [
        (
            "gost2012_256",
            "A",
            ParamSet::Gost256B,
            &[
                ("", Vko::Gost2012_256),
                ("256", Vko::Gost2012_256),
                ("512", Vko::Gost2012_512),
            ],
        ),
        (
            "gost2012_256",
            "TCA",
            ParamSet::Gost256A,
            &[("", Vko::Gost2012_256), ("512", Vko::Gost2012_512)],
        ),
        (
            "gost2012_512",
            "A",
            ParamSet::Gost512A,
            &[("", Vko::Gost2012_256), ("512", Vko::Gost2012_512)],
        ),
        (
            "gost2012_512",
            "C",
            ParamSet::Gost512C,
            &[("256", Vko::Gost2012_256), ("512", Vko::Gost2012_512)],
        ),
        ("gost2001", "A", ParamSet::Gost256B, &[("", Vko::Gost2001)]),
    ];
    for (algorithm, paramset, param, vkos) in cases {
        let (their_pem, their_private, _, their_spki) =
            openssl_key(&ossl, algorithm, paramset, "a");
        assert_eq!(their_private.param_set(), param);
        let ours = SigningKey::generate(param, &mut rng).unwrap();
        let our_pub = ossl.path("b.pub.pem");
        // Under their key's AlgorithmIdentifier: the engine compares the parameter OIDs.
        let spki = to_spki_like(&ours.verifying_key(), &their_spki)
            .to_der()
            .unwrap();
        std::fs::write(
            &our_pub,
            der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &spki).unwrap(),
        )
        .unwrap();
        for &(vko_opt, kind) in vkos {
            let mut ukm = [0u8; 8];
            rng.fill_bytes(&mut ukm);
            let ukm_opt = format!("ukmhex:{}", hex::encode(ukm));
            let out = ossl.path("derived.bin");
            let vko_arg = format!("vko:{vko_opt}");
            let mut args = vec![
                "pkeyutl",
                "-derive",
                "-inkey",
                s(&their_pem),
                "-peerkey",
                s(&our_pub),
                "-pkeyopt",
                &ukm_opt,
                "-out",
                s(&out),
            ];
            if !vko_opt.is_empty() {
                args.extend(["-pkeyopt", &vko_arg]);
            }
            ossl.run_ok(&args);
            let theirs = std::fs::read(&out).unwrap();
            let ours_kek = vko(kind, &ours, &their_private.verifying_key(), &ukm).unwrap();
            assert_eq!(
                *ours_kek, theirs,
                "{algorithm} {paramset} vko:{vko_opt}: ours (our key) = theirs"
            );
            let with_their_key = vko(kind, &their_private, &ours.verifying_key(), &ukm).unwrap();
            assert_eq!(
                *with_their_key, theirs,
                "{algorithm} {paramset}: ours with their private key"
            );
        }
    }
}

#[test]
fn key_transport_both_ways() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(4357);
    for (algorithm, paramset) in [
        ("gost2012_256", "A"),
        ("gost2012_256", "TCA"),
        ("gost2012_512", "A"),
        ("gost2012_512", "C"),
        ("gost2001", "A"),
    ] {
        let (pem, private, alg, spki) = openssl_key(&ossl, algorithm, paramset, "r");
        let pub_pem = ossl.path("r.pub.pem");
        ossl.run_ok(&["pkey", "-in", s(&pem), "-pubout", "-out", s(&pub_pem)]);
        let (cek_file, kt_file, out_file) = (
            ossl.path("cek.bin"),
            ossl.path("kt.der"),
            ossl.path("cek.out"),
        );
        // Theirs sealed, ours opens.
        let mut cek = [0u8; 32];
        rng.fill_bytes(&mut cek);
        std::fs::write(&cek_file, cek).unwrap();
        ossl.run_ok(&[
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-inkey",
            s(&pub_pem),
            "-in",
            s(&cek_file),
            "-out",
            s(&kt_file),
        ]);
        let kt = KeyTransport::from_der(&std::fs::read(&kt_file).unwrap()).unwrap();
        assert_eq!(
            kt.params,
            gost::key_transport::transport_choice(alg).1,
            "{algorithm} {paramset}: S-box"
        );
        assert_eq!(
            *kt.open(&private, alg).unwrap(),
            cek,
            "{algorithm} {paramset}: ours opens theirs"
        );
        // Ours sealed, theirs opens.
        rng.fill_bytes(&mut cek);
        let ours = KeyTransport::seal(&cek, &spki, &mut rng).unwrap();
        std::fs::write(&kt_file, ours.to_der().unwrap()).unwrap();
        ossl.run_ok(&[
            "pkeyutl",
            "-decrypt",
            "-inkey",
            s(&pem),
            "-in",
            s(&kt_file),
            "-out",
            s(&out_file),
        ]);
        assert_eq!(
            std::fs::read(&out_file).unwrap(),
            cek,
            "{algorithm} {paramset}: theirs opens ours"
        );
        // A flipped MAC bit: the engine refuses it too.
        let mut bad = ours.clone();
        bad.mac[2] ^= 1;
        std::fs::write(&kt_file, bad.to_der().unwrap()).unwrap();
        let refused = ossl.run(&[
            "pkeyutl",
            "-decrypt",
            "-inkey",
            s(&pem),
            "-in",
            s(&kt_file),
            "-out",
            s(&out_file),
        ]);
        assert!(
            !refused.status.success(),
            "{algorithm} {paramset}: the engine accepted a bad MAC"
        );
    }
}
