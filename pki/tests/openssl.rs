//! Interoperability with OpenSSL 3 and its gost engine (Debian: libengine-gost-openssl): OpenSSL
//! verifies our requests and certificates; we parse and verify OpenSSL's; keys go both ways.
//! Each test prints `skipped: …` and passes when `openssl` or the engine is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;
use support::keys;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gost::ParamSet;
use rutoken_pki::ca::{RequestForm, TestCa};
use rutoken_pki::fixtures::{self, REISSUE_DATE};
use rutoken_pki::{Cert, PrivateKey, Request};

/// A temporary directory with an OpenSSL config that loads the gost engine.
struct OpenSsl {
    dir: tempfile::TempDir,
}

const CONFIG: &str = "openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
";

impl OpenSsl {
    fn new() -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        std::fs::write(dir.path().join("gost.cnf"), CONFIG).ok()?;
        let ssl = OpenSsl { dir };
        match ssl.run(&["engine", "gost", "-t"]) {
            Some(out)
                if out.status.success()
                    && String::from_utf8_lossy(&out.stdout).contains("available") =>
            {
                Some(ssl)
            }
            Some(out) => {
                eprintln!(
                    "skipped: the OpenSSL gost engine does not load: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                None
            }
            None => {
                eprintln!("skipped: no `openssl` binary");
                None
            }
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Option<Output> {
        Command::new("openssl")
            .args(args)
            .env("OPENSSL_CONF", self.dir.path().join("gost.cnf"))
            .current_dir(self.dir.path())
            .output()
            .ok()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    fn fails(&self, args: &[&str]) -> bool {
        !self.run(args).expect("openssl runs").status.success()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.path(name), bytes).unwrap();
        name.to_owned()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn openssl_verifies_our_requests() {
    let Some(ssl) = OpenSsl::new() else { return };
    for (i, param) in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost256C,
        ParamSet::Gost256D,
        ParamSet::Gost512A,
        ParamSet::Gost512B,
        ParamSet::Gost512C,
    ]
    .into_iter()
    .enumerate()
    {
        let (_, request) = keys::request(param, 300 + i as u64, keys::subject());
        let file = ssl.write(
            &format!("req-{i}.pem"),
            request.to_pem().unwrap().as_bytes(),
        );
        let out = ssl.ok(&["req", "-verify", "-noout", "-in", &file]);
        assert!(out.contains("verify OK"), "{param:?}: {out}");
        // And a tampered signature fails, so the check above can fail.
        let mut bad = request.to_der().to_vec();
        *bad.last_mut().unwrap() ^= 1;
        let bad_file = ssl.write(&format!("bad-{i}.der"), &bad);
        // OpenSSL 3.0 exits 0 even when `req -verify` fails, so look at what it says.
        let out = ssl
            .run(&[
                "req", "-verify", "-noout", "-inform", "DER", "-in", &bad_file,
            ])
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !said.contains("verify OK") && said.contains("verify failure"),
            "{param:?}: {said}"
        );
    }
}

#[test]
fn openssl_verifies_our_certificates() {
    let Some(ssl) = OpenSsl::new() else { return };
    let ca_file = ssl.write(
        "ca.pem",
        fixtures::ca().unwrap().cert.to_pem().unwrap().as_bytes(),
    );
    let at = REISSUE_DATE.unix_timestamp().to_string();
    let owner = ssl.write(
        "owner.pem",
        fixtures::owner_current()
            .unwrap()
            .cert
            .to_pem()
            .unwrap()
            .as_bytes(),
    );
    let out = ssl.ok(&["verify", "-attime", &at, "-CAfile", &ca_file, &owner]);
    assert!(out.contains("OK"), "{out}");

    let mut ca = TestCa::fixture(3).unwrap();
    let form = RequestForm {
        subject: fixtures::owner_subject().unwrap(),
    };
    for (i, param) in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost512A,
        ParamSet::Gost512C,
    ]
    .into_iter()
    .enumerate()
    {
        let (_, request) = keys::request(param, 400 + i as u64, fixtures::owner_subject().unwrap());
        let cert = ca.issue_new(request.to_der(), &form, REISSUE_DATE).unwrap();
        let file = ssl.write(
            &format!("issued-{i}.pem"),
            cert.to_pem().unwrap().as_bytes(),
        );
        let out = ssl.ok(&["verify", "-attime", &at, "-CAfile", &ca_file, &file]);
        assert!(out.contains(": OK"), "{param:?}: {out}");
        let text = ssl.ok(&["x509", "-noout", "-text", "-nameopt", "utf8", "-in", &file]);
        assert!(text.contains("Иванов Иван Иванович"), "{text}");
    }
    // A certificate of the foreign CA does not verify under ours.
    let foreign = ssl.write(
        "foreign.pem",
        fixtures::owner_foreign()
            .unwrap()
            .cert
            .to_pem()
            .unwrap()
            .as_bytes(),
    );
    assert!(ssl.fails(&["verify", "-attime", &at, "-CAfile", &ca_file, &foreign]));
}

#[test]
fn we_verify_openssl_requests_certificates_and_keys() {
    let Some(ssl) = OpenSsl::new() else { return };
    for (alg, paramset) in [
        ("gost2012_256", "A"),
        ("gost2012_256", "TCA"),
        ("gost2012_512", "A"),
        ("gost2012_512", "C"),
        ("gost2001", "A"),
    ] {
        let key = ssl.path(&format!("{alg}-{paramset}.key"));
        let req = ssl.path(&format!("{alg}-{paramset}.csr"));
        let crt = ssl.path(&format!("{alg}-{paramset}.crt"));
        ssl.ok(&[
            "genpkey",
            "-algorithm",
            alg,
            "-pkeyopt",
            &format!("paramset:{paramset}"),
            "-out",
            s(&key),
        ]);
        let subj = "/C=RU/L=Тюмень/O=3867XXXXXXXXXX/CN=Иванов Иван Иванович";
        ssl.ok(&[
            "req",
            "-new",
            "-utf8",
            "-key",
            s(&key),
            "-subj",
            subj,
            "-out",
            s(&req),
        ]);
        ssl.ok(&[
            "req",
            "-x509",
            "-new",
            "-utf8",
            "-key",
            s(&key),
            "-subj",
            subj,
            "-days",
            "30",
            "-out",
            s(&crt),
        ]);

        let request = Request::parse(&std::fs::read(&req).unwrap()).unwrap();
        let verified = request
            .verify()
            .unwrap_or_else(|e| panic!("{alg} {paramset}: {e}"));
        let cert = Cert::parse(&std::fs::read(&crt).unwrap()).unwrap();
        cert.verify_issued_by(&cert)
            .unwrap_or_else(|e| panic!("{alg} {paramset}: {e}"));
        assert_eq!(
            rutoken_pki::name::get(cert.subject(), rutoken_pki::name::Attribute::CommonName)
                .as_deref(),
            Some("Иванов Иван Иванович")
        );
        let private = PrivateKey::parse(&std::fs::read(&key).unwrap()).unwrap();
        assert_eq!(
            private.key.verifying_key(),
            verified.key,
            "{alg} {paramset}: our reading of OpenSSL's key"
        );
    }
}

#[test]
fn openssl_reads_our_private_keys() {
    let Some(ssl) = OpenSsl::new() else { return };
    let owner = fixtures::owner_current().unwrap();
    let key_file = ssl.write(
        "owner.key",
        fixtures::file("owner-current.key.pem").unwrap(),
    );
    ssl.ok(&["pkey", "-in", &key_file, "-noout"]);
    // OpenSSL signs a request with our key; the request carries our public key and verifies.
    ssl.ok(&[
        "req",
        "-new",
        "-key",
        &key_file,
        "-subj",
        "/CN=x",
        "-out",
        "from-our-key.csr",
    ]);
    let request = Request::parse(&std::fs::read(ssl.path("from-our-key.csr")).unwrap()).unwrap();
    assert_eq!(request.verify().unwrap().key, owner.key.key.verifying_key());
    // 512-bit too.
    let (alg, key) = keys::key(ParamSet::Gost512A, 5);
    let pem = PrivateKey {
        algorithm: alg,
        key,
    }
    .to_pem()
    .unwrap();
    let key512 = ssl.write("k512.key", pem.as_bytes());
    ssl.ok(&[
        "req", "-new", "-key", &key512, "-subj", "/CN=x", "-out", "k512.csr",
    ]);
    let request = Request::parse(&std::fs::read(ssl.path("k512.csr")).unwrap()).unwrap();
    request.verify().unwrap();
    // And a GOST R 34.10-2001 key.
    let (_, key) = keys::key(ParamSet::Gost256B, 6);
    let pem = PrivateKey {
        algorithm: gost::KeyAlgorithm::Gost2001,
        key,
    }
    .to_pem()
    .unwrap();
    let key2001 = ssl.write("k2001.key", pem.as_bytes());
    ssl.ok(&[
        "req",
        "-new",
        "-key",
        &key2001,
        "-subj",
        "/CN=x",
        "-out",
        "k2001.csr",
    ]);
    let request = Request::parse(&std::fs::read(ssl.path("k2001.csr")).unwrap()).unwrap();
    assert_eq!(
        request.verify().unwrap().algorithm,
        gost::KeyAlgorithm::Gost2001
    );
}
