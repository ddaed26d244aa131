//! CMS EnvelopedData with GOST 28147-89 and GOST R 34.10-2012 key transport, both ways with
//! OpenSSL's gost engine: `openssl cms -encrypt -gost89` to a certificate whose key we hold,
//! opened by the small function below with this crate's primitives (the recipe the plugin's
//! `cmsDecrypt` follows), and EnvelopedData made here opened by `openssl cms -decrypt`.
//! Prints `skipped: ...` when `openssl` or the engine is missing.
#![allow(clippy::unwrap_used)]

mod support;

use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use gost::gost28147::{Cfb, Direction};
use gost::key_transport::{ContentParams, ID_GOST28147_89, KeyTransport};
use gost::spki::from_spki;
use gost::{CipherParams, KeyAlgorithm, Rng, SigningKey};
use spki::AlgorithmIdentifierOwned;
use support::openssl::{OpenSsl, openssl_or_skip, s};
use x509_cert::Certificate;

use rutoken_pki::enveloped::{
    ContentInfo, EncryptedContentInfo, EnvelopedData, ID_DATA, ID_ENVELOPED_DATA,
    IssuerAndSerialNumber, KeyTransRecipientInfo,
};

/// What the plugin's `cmsDecrypt` does with our primitives: the first KeyTransRecipientInfo's
/// GostR3410-KeyTransport opened with the recipient key (VKO + CryptoPro unwrap), then the
/// content decrypted in CFB with the S-box and IV of Gost28147-89-Parameters.
fn open_enveloped(der: &[u8], key: &SigningKey, algorithm: KeyAlgorithm) -> Vec<u8> {
    let ci = ContentInfo::from_der(der).unwrap();
    assert_eq!(ci.content_type, ID_ENVELOPED_DATA);
    let ed: EnvelopedData = ci.content.decode_as().unwrap();
    let ktri: KeyTransRecipientInfo = ed.recipient_infos.get(0).unwrap().decode_as().unwrap();
    assert_eq!(
        ktri.key_encryption_algorithm.oid,
        algorithm.oid(),
        "keyEncryptionAlgorithm"
    );
    let kt = KeyTransport::from_der(ktri.encrypted_key.as_bytes()).unwrap();
    let cek = kt.open(key, algorithm).unwrap();
    let eci = ed.encrypted_content_info;
    assert_eq!(eci.content_encryption_algorithm.oid, ID_GOST28147_89);
    let params = eci
        .content_encryption_algorithm
        .parameters
        .unwrap()
        .to_der()
        .unwrap();
    let cp = ContentParams::from_der(&params).unwrap();
    let content = eci.encrypted_content.unwrap();
    Cfb::apply(
        cp.params,
        &cek,
        &cp.iv,
        Direction::Decrypt,
        content.as_bytes(),
    )
}

/// EnvelopedData for one recipient certificate, made with our primitives the way the engine
/// makes it (the module documentation of `gost::key_transport`).
fn make_enveloped(cert: &Certificate, msg: &[u8], rng: &mut Rng) -> Vec<u8> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let mut cek = [0u8; 32];
    rng.fill_bytes(&mut cek);
    let kt = KeyTransport::seal(&cek, spki, rng).unwrap();
    let rid = IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    };
    let ktri = KeyTransRecipientInfo {
        version: 0,
        rid: Any::from_der(&rid.to_der().unwrap()).unwrap(),
        key_encryption_algorithm: spki.algorithm.clone(),
        encrypted_key: OctetString::new(kt.to_der().unwrap()).unwrap(),
    };
    let mut iv = [0u8; 8];
    rng.fill_bytes(&mut iv);
    let cp = ContentParams {
        iv,
        params: CipherParams::Tc26Z,
    };
    let ciphertext = Cfb::apply(cp.params, &cek, &iv, Direction::Encrypt, msg);
    let ed = EnvelopedData {
        version: 0,
        recipient_infos: SetOfVec::try_from(vec![Any::from_der(&ktri.to_der().unwrap()).unwrap()])
            .unwrap(),
        encrypted_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_encryption_algorithm: AlgorithmIdentifierOwned {
                oid: ID_GOST28147_89,
                parameters: Some(Any::from_der(&cp.to_der().unwrap()).unwrap()),
            },
            encrypted_content: Some(OctetString::new(ciphertext).unwrap()),
        },
    };
    ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::from_der(&ed.to_der().unwrap()).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// A self-signed certificate and key made by OpenSSL, the key read back as ours.
fn recipient(
    ossl: &OpenSsl,
    algorithm: &str,
    paramset: &str,
) -> (SigningKey, KeyAlgorithm, Certificate) {
    let (key, cert) = (ossl.path("k.pem"), ossl.path("c.pem"));
    let pkeyopt = format!("paramset:{paramset}");
    ossl.run_ok(&[
        "req",
        "-x509",
        "-newkey",
        algorithm,
        "-pkeyopt",
        &pkeyopt,
        "-nodes",
        "-keyout",
        s(&key),
        "-out",
        s(&cert),
        "-subj",
        "/CN=rutoken-lab CMS test",
        "-days",
        "1",
    ]);
    let cert_der = ossl.path("c.der");
    ossl.run_ok(&[
        "x509",
        "-in",
        s(&cert),
        "-outform",
        "DER",
        "-out",
        s(&cert_der),
    ]);
    let cert = Certificate::from_der(&std::fs::read(&cert_der).unwrap()).unwrap();
    let (private, alg, _) = ossl.private_key(&key);
    let (_, public) = from_spki(cert.tbs_certificate().subject_public_key_info()).unwrap();
    assert_eq!(
        private.verifying_key(),
        public,
        "the certificate is the key's"
    );
    (private, alg, cert)
}

#[test]
fn openssl_cms_encrypt_opened_by_ours_and_back() {
    let Some(ossl) = openssl_or_skip() else {
        return;
    };
    let mut rng = Rng::from_seed(5652);
    for (algorithm, paramset) in [
        ("gost2012_256", "A"),
        ("gost2012_256", "TCA"),
        ("gost2012_512", "A"),
        ("gost2012_512", "C"),
    ] {
        let (key, alg, cert) = recipient(&ossl, algorithm, paramset);
        for len in [0usize, 5, 1024, 3001] {
            let mut msg = vec![0u8; len];
            rng.fill_bytes(&mut msg);
            let (msg_file, env_file, out_file) =
                (ossl.path("m.bin"), ossl.path("e.der"), ossl.path("o.bin"));
            std::fs::write(&msg_file, &msg).unwrap();
            ossl.run_ok(&[
                "cms",
                "-encrypt",
                "-binary",
                "-gost89",
                "-in",
                s(&msg_file),
                "-outform",
                "DER",
                "-out",
                s(&env_file),
                s(&ossl.path("c.pem")),
            ]);
            let theirs = std::fs::read(&env_file).unwrap();
            assert_eq!(
                open_enveloped(&theirs, &key, alg),
                msg,
                "{algorithm} {paramset} {len}: ours opens theirs"
            );

            let ours = make_enveloped(&cert, &msg, &mut rng);
            assert_eq!(open_enveloped(&ours, &key, alg), msg);
            std::fs::write(&env_file, &ours).unwrap();
            ossl.run_ok(&[
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                s(&env_file),
                "-inkey",
                s(&ossl.path("k.pem")),
                "-recip",
                s(&ossl.path("c.pem")),
                "-out",
                s(&out_file),
            ]);
            assert_eq!(
                std::fs::read(&out_file).unwrap(),
                msg,
                "{algorithm} {paramset} {len}: theirs opens ours"
            );
        }
    }
}
