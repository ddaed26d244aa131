//! The client's PKCS#15 objects as OpenSC reads them: `rutoken-lab run --target pcsc` plays
//! `reissue-happy-path` against `rutoken-lab sim` through a private pcscd and vpcd, then
//! OpenSC's `pkcs15-tool -D` (a client nobody here wrote) must list both key pairs and both
//! certificates, the new certificate under the new key's ID, every ID being OpenSC's own
//! (SHA-1 of the public key); `pkcs11-tool -O` shows both key pairs. Skips with a printed reason when not root or pcscd, vpcd or
//! OpenSC are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use testkit::process;
use testkit::{require_pcscd, require_tools};

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
/// vpcd's first slot.
const READER: &str = "Virtual PCD 00 00";

/// One object `pkcs15-tool -D` printed: its heading line and its `ID` field.
#[derive(Debug)]
struct Listed {
    heading: String,
    id: String,
}

/// The objects of `pkcs15-tool -D`: a heading at column 0, then tab-indented fields.
fn listed(dump: &str) -> Vec<Listed> {
    let mut out: Vec<Listed> = Vec::new();
    for line in dump.lines() {
        if !line.starts_with(['\t', ' ']) && !line.trim().is_empty() {
            out.push(Listed {
                heading: line.trim().to_owned(),
                id: String::new(),
            });
        } else if let Some(last) = out.last_mut() {
            let field = line.trim();
            if let Some(value) = field.strip_prefix("ID")
                && let Some((_, id)) = value.split_once(':')
            {
                last.id = id.trim().to_ascii_lowercase();
            }
        }
    }
    out
}

#[test]
fn after_the_reissue_opensc_pairs_the_new_key_and_certificate() {
    require_pcscd!();
    require_tools!(["pkcs15-tool"], "Debian: opensc");
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join("control.sock");
    let sim_log = dir.path().join("sim.log");
    let control_arg = control.to_str().unwrap();
    let args = ["--fixture", "personalised", "--control", control_arg];
    let _sim = process::start_lab_sim(BIN, pcscd.port, &args, &sim_log);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reissue-happy-path.yaml");
    let out = pcscd
        .enter("timeout")
        .args(["300", BIN, "run", "--target", "pcsc", "--reader", READER])
        .arg("--control")
        .arg(&control)
        .args(["--seed", "11"])
        .arg(&scenario)
        .output()
        .unwrap();
    let context = |extra: &str| {
        format!(
            "run stdout:\n{}\nrun stderr:\n{}\n{extra}\nsim:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&sim_log).unwrap_or_default(),
        )
    };
    assert_eq!(out.status.code(), Some(0), "{}", context(""));

    let dump = pcscd.run("pkcs15-tool", &["--reader", READER, "-D"]);
    let text = String::from_utf8_lossy(&dump.stdout).into_owned();
    let why = context(&format!(
        "pkcs15-tool -D:\n{text}\n{}",
        String::from_utf8_lossy(&dump.stderr)
    ));
    assert!(dump.status.success(), "{why}");
    eprintln!("pkcs15-tool -D after the reissue:\n{text}");
    let objects = listed(&text);
    let of_kind = |prefix: &str| -> Vec<&Listed> {
        objects
            .iter()
            .filter(|o| o.heading.starts_with(prefix))
            .collect()
    };
    let private = of_kind("Private ");
    let public = of_kind("Public ");
    let certificates = of_kind("X.509 Certificate");
    assert_eq!(private.len(), 2, "private keys\n{why}");
    assert_eq!(public.len(), 2, "public keys\n{why}");
    assert_eq!(certificates.len(), 2, "certificates\n{why}");
    // The client labels the key pair with the scenario's key name (`new`).
    let new_key = private
        .iter()
        .find(|k| k.heading.contains("[new]"))
        .unwrap_or_else(|| panic!("no private key labelled new\n{why}"));
    assert_eq!(new_key.id.len(), 40, "a 20-byte SHA-1 ID\n{why}");
    assert!(
        public.iter().any(|p| p.id == new_key.id),
        "the new public key under the new key's ID\n{why}"
    );
    let new_certificate = certificates
        .iter()
        .find(|c| !c.heading.contains("Owner certificate"))
        .unwrap_or_else(|| panic!("no new certificate\n{why}"));
    assert_eq!(new_certificate.id, new_key.id, "{why}");
    // The fixture's pair follows the same rule: every certificate pairs with a key.
    for c in &certificates {
        assert!(
            private.iter().any(|k| k.id == c.id),
            "certificate {} has no key\n{why}",
            c.heading
        );
    }
    assert_ne!(private[0].id, private[1].id, "{why}");

    // OpenSC's PKCS#11 module sees both key pairs (the issue: `pkcs11-tool -O` showed one).
    // It lists no certificate objects for these GOST 2012 certificates, the fixture's included
    // (seen with OpenSC 0.23; cause not investigated), so certificates are checked above only.
    let p11 = pcscd.run("pkcs11-tool", &["-O", "-l", "-p", "12345678"]);
    let p11_text = String::from_utf8_lossy(&p11.stdout).into_owned();
    assert!(
        p11.status.success(),
        "pkcs11-tool -O:\n{p11_text}\n{}\n{why}",
        String::from_utf8_lossy(&p11.stderr)
    );
    for kind in ["Private Key Object", "Public Key Object"] {
        assert_eq!(
            p11_text.matches(kind).count(),
            2,
            "{kind} in pkcs11-tool -O:\n{p11_text}"
        );
    }
    let new_id_lines = p11_text
        .lines()
        .filter(|l| l.trim_start().starts_with("ID:"))
        .filter(|l| l.trim_start().trim_start_matches("ID:").trim() == new_key.id)
        .count();
    assert_eq!(
        new_id_lines, 2,
        "the new private and public key under one ID\n{p11_text}"
    );

    // The ID is OpenSC's rule, checked with tools of its own: the public key OpenSC exports
    // (SubjectPublicKeyInfo ending in the OCTET STRING `04 40 X‖Y`), hashed by sha1sum.
    let script = format!(
        "cd '{}' && pkcs15-tool --reader '{READER}' --read-public-key {} -o new.pem >/dev/null \
         && sed '1d;$d' new.pem | base64 -d | tail -c 66 | sha1sum",
        dir.path().display(),
        new_key.id
    );
    let hashed = pcscd.run("sh", &["-c", &script]);
    let sha1 = String::from_utf8_lossy(&hashed.stdout);
    assert!(
        hashed.status.success(),
        "{}\n{why}",
        String::from_utf8_lossy(&hashed.stderr)
    );
    assert_eq!(
        sha1.split_whitespace().next(),
        Some(new_key.id.as_str()),
        "{why}"
    );
}
