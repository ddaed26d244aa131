//! Runs OpenSSL's command line with the gost engine loaded from a private config (no system
//! configuration is changed); `openssl_or_skip` prints `skipped: <why>` when the tool or the
//! engine (Debian: libengine-gost-openssl) is missing.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temp dir with an OpenSSL config that loads the gost engine.
pub struct OpenSsl {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl OpenSsl {
    /// `Err(reason)` when the tool or the engine is not available.
    pub fn setup() -> Result<Self, String> {
        let version = Command::new("openssl")
            .arg("version")
            .arg("-e")
            .output()
            .map_err(|e| format!("no openssl binary ({e})"))?;
        let text = String::from_utf8_lossy(&version.stdout);
        let engines = text
            .split('"')
            .nth(1)
            .ok_or_else(|| format!("cannot find ENGINESDIR in {text:?}"))?
            .to_owned();
        let engine = Path::new(&engines).join("gost.so");
        if !engine.exists() {
            return Err(format!(
                "{} missing (Debian: libengine-gost-openssl)",
                engine.display()
            ));
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let config = dir.path().join("gost.cnf");
        std::fs::write(
            &config,
            format!(
                "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n\
                 [engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\n\
                 dynamic_path = {}\ndefault_algorithms = ALL\n",
                engine.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        let me = OpenSsl { dir, config };
        let probe = me.run(&["list", "-digest-algorithms"]);
        if !String::from_utf8_lossy(&probe.stdout).contains("md_gost12_256") {
            return Err("the gost engine does not load".into());
        }
        Ok(me)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .args(args)
            .env("OPENSSL_CONF", &self.config)
            .output()
            .unwrap()
    }

    /// `run` with extra environment variables (the engine reads `CRYPT_PARAMS` from there).
    pub fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        Command::new("openssl")
            .args(args)
            .envs(env.iter().copied())
            .env("OPENSSL_CONF", &self.config)
            .output()
            .unwrap()
    }

    /// `run_env`, asserting success; the stdout bytes.
    pub fn run_env_ok(&self, env: &[(&str, &str)], args: &[&str]) -> Vec<u8> {
        let out = self.run_env(env, args);
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

pub fn openssl_or_skip() -> Option<OpenSsl> {
    match OpenSsl::setup() {
        Ok(o) => Some(o),
        Err(reason) => {
            eprintln!("skipped: {reason}");
            None
        }
    }
}

impl OpenSsl {
    /// The private key of an OpenSSL PEM key file as ours, with its key algorithm: d from
    /// `openssl pkey -text` (printed big-endian), checked against the public key OpenSSL
    /// exports for it (whose SubjectPublicKeyInfo comes third).
    pub fn private_key(
        &self,
        pem: &Path,
    ) -> (
        gost::SigningKey,
        gost::KeyAlgorithm,
        spki::SubjectPublicKeyInfoOwned,
    ) {
        let der = self.path("private-key.pub.der");
        self.run_ok(&[
            "pkey",
            "-in",
            s(pem),
            "-pubout",
            "-outform",
            "DER",
            "-out",
            s(&der),
        ]);
        let der = std::fs::read(&der).unwrap();
        let (alg, public) = gost::spki::from_spki_der(&der).unwrap();
        let spki = <spki::SubjectPublicKeyInfoOwned as der::Decode>::from_der(&der).unwrap();
        let text = self.run_ok(&["pkey", "-in", s(pem), "-text", "-noout"]);
        let hex_d = text
            .split("Private key:")
            .nth(1)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .trim();
        let width = 2 * public.param_set().scalar_len();
        let d = hex::decode(format!("{hex_d:0>width$}")).unwrap();
        let private = gost::SigningKey::from_be_bytes(public.param_set(), &d).unwrap();
        assert_eq!(
            private.verifying_key(),
            public,
            "the printed private key is the key's"
        );
        (private, alg, spki)
    }
}

/// A path as `&str` (the temp dirs are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
