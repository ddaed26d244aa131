//! Cross-checks with OpenSSL's gost engine, both ways, through the `openssl` command line:
//! our signatures verify with `openssl dgst -verify` and `openssl pkeyutl -verify`, and keys
//! and signatures made by `openssl genpkey` / `dgst -sign` / `pkeyutl -sign` verify with ours.
//!
//! Byte orders found by experiment (OpenSSL 3.0 + libengine-gost-openssl): `pkeyutl` takes the
//! digest in wire order (the bytes `openssl dgst -binary` prints) and writes `s ‖ r` big-endian,
//! the same as the X.509 signature value. The tests skip (printing why) when `openssl` or the
//! engine is missing.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
#![allow(clippy::unwrap_used)]

mod support;
use support::openssl::{openssl_or_skip, s};

use gost::spki::{from_spki_der, to_spki_der};
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet, Rng, Signature, SigningKey};

fn md_name(param: ParamSet) -> &'static str {
    match KeyAlgorithm::gost2012_for(param) {
        KeyAlgorithm::Gost2012_512 => "-md_gost12_512",
        _ => "-md_gost12_256",
    }
}

#[test]
fn ours_sign_openssl_verifies() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(2012);
    for param in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost512A,
        ParamSet::Gost512C,
    ] {
        let key = SigningKey::generate(param, &mut rng).unwrap();
        let alg = KeyAlgorithm::gost2012_for(param);
        let mut msg = vec![0u8; 777];
        rng.fill_bytes(&mut msg);
        let digest = alg.digest().digest(&msg);
        let sig = key.sign_digest(&digest, &mut rng).unwrap();

        let spki = to_spki_der(&key.verifying_key(), alg);
        let pem = der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &spki).unwrap();
        let (pub_pem, msg_bin, dgst_bin, sig_bin) = (
            ossl.path("pub.pem"),
            ossl.path("msg.bin"),
            ossl.path("dgst.bin"),
            ossl.path("sig.bin"),
        );
        std::fs::write(&pub_pem, pem).unwrap();
        std::fs::write(&msg_bin, &msg).unwrap();
        std::fs::write(&dgst_bin, &digest).unwrap();
        std::fs::write(&sig_bin, sig.to_x509_bytes()).unwrap();

        // OpenSSL hashes the message itself: also checks our Streebog and e = LE(digest).
        let out = ossl.run_ok(&[
            "dgst",
            md_name(param),
            "-verify",
            s(&pub_pem),
            "-signature",
            s(&sig_bin),
            s(&msg_bin),
        ]);
        assert!(out.contains("Verified OK"), "{param:?}: {out}");
        let out = ossl.run_ok(&[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            s(&pub_pem),
            "-in",
            s(&dgst_bin),
            "-sigfile",
            s(&sig_bin),
        ]);
        assert!(
            out.contains("Signature Verified Successfully"),
            "{param:?}: {out}"
        );

        // OpenSSL really checks: r and s swapped (the classic byte-order bug) is refused.
        let mut swapped = sig.r_be().to_vec();
        swapped.extend_from_slice(sig.s_be());
        std::fs::write(&sig_bin, swapped).unwrap();
        let out = ossl.run(&[
            "dgst",
            md_name(param),
            "-verify",
            s(&pub_pem),
            "-signature",
            s(&sig_bin),
            s(&msg_bin),
        ]);
        assert!(!out.status.success(), "{param:?}: openssl accepted r||s");
    }
}

#[test]
fn openssl_signs_ours_verifies() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let cases = [
        ("gost2012_256", "A", ParamSet::Gost256B), // CryptoPro-A
        ("gost2012_256", "TCA", ParamSet::Gost256A),
        ("gost2012_512", "A", ParamSet::Gost512A),
        ("gost2012_512", "C", ParamSet::Gost512C),
    ];
    let mut rng = Rng::from_seed(94);
    for (algorithm, paramset, expected) in cases {
        let (key_pem, pub_der, msg_bin, dgst_bin, sig_bin, sig2_bin) = (
            ossl.path("key.pem"),
            ossl.path("pub.der"),
            ossl.path("msg.bin"),
            ossl.path("dgst.bin"),
            ossl.path("sig.bin"),
            ossl.path("sig2.bin"),
        );
        ossl.run_ok(&[
            "genpkey",
            "-algorithm",
            algorithm,
            "-pkeyopt",
            &format!("paramset:{paramset}"),
            "-out",
            s(&key_pem),
        ]);
        ossl.run_ok(&[
            "pkey",
            "-in",
            s(&key_pem),
            "-pubout",
            "-outform",
            "DER",
            "-out",
            s(&pub_der),
        ]);
        let mut msg = vec![0u8; 1000];
        rng.fill_bytes(&mut msg);
        std::fs::write(&msg_bin, &msg).unwrap();
        ossl.run_ok(&[
            "dgst",
            md_name(expected),
            "-sign",
            s(&key_pem),
            "-out",
            s(&sig_bin),
            s(&msg_bin),
        ]);
        ossl.run_ok(&[
            "dgst",
            md_name(expected),
            "-binary",
            "-out",
            s(&dgst_bin),
            s(&msg_bin),
        ]);
        ossl.run_ok(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            s(&key_pem),
            "-in",
            s(&dgst_bin),
            "-out",
            s(&sig2_bin),
        ]);

        let (alg, key) = from_spki_der(&std::fs::read(&pub_der).unwrap()).unwrap();
        assert_eq!(key.param_set(), expected);
        assert_eq!(alg, KeyAlgorithm::gost2012_for(expected));
        let digest = alg.digest().digest(&msg);
        assert_eq!(
            digest,
            std::fs::read(&dgst_bin).unwrap(),
            "Streebog differs from OpenSSL's"
        );
        for file in [&sig_bin, &sig2_bin] {
            let sig = Signature::from_x509_bytes(&std::fs::read(file).unwrap()).unwrap();
            key.verify_digest(&digest, &sig).unwrap();
            let mut other = digest.clone();
            other[0] ^= 1;
            assert!(key.verify_digest(&other, &sig).is_err());
        }
    }
}

#[test]
fn streebog_matches_openssl() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let msg_bin = ossl.path("m.bin");
    let msg: Vec<u8> = (0..3000u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&msg_bin, &msg).unwrap();
    for (alg, name) in [
        (DigestAlgorithm::Streebog256, "-md_gost12_256"),
        (DigestAlgorithm::Streebog512, "-md_gost12_512"),
        (DigestAlgorithm::Gost94CryptoPro, "-md_gost94"),
    ] {
        let out = ossl.run_ok(&["dgst", name, "-r", s(&msg_bin)]);
        let hex_digest = out.split_whitespace().next().unwrap().to_owned();
        assert_eq!(hex_digest, hex::encode(alg.digest(&msg)), "{alg:?}");
    }
}
