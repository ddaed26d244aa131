//! What `token show` prints: the file tree, PIN counters, keys (algorithm, parameter set) and
//! certificates (subject, serial). Never a PIN value or a private key.

use std::fmt;

use super::fs::{self, Body, Node};
use super::key::KeySpec;
use super::profile::TokenProfile;
use super::rsa;
use super::state::State;

/// One file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Depth below the MF (0 = MF).
    pub depth: usize,
    /// FID.
    pub fid: u16,
    /// `DF`, `EF`, `PIN` or `KEY`.
    pub kind: &'static str,
    /// Size (tag 80).
    pub size: u16,
    /// The first 8 bytes of tag 86, hex.
    pub access: String,
}

/// A PIN's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinEntry {
    /// Reference (01 Admin, 02 User): the object's FID.
    pub reference: u16,
    /// Tries left.
    pub tries_left: u8,
    /// Tries after a reset.
    pub max_tries: u8,
    /// Whether a value is set.
    pub set: bool,
}

/// A key object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// Key reference: the object's FID (`00kk`).
    pub reference: u16,
    /// `private` or `public`.
    pub half: &'static str,
    /// Profile name of the algorithm and set (`gost2012-256-A`).
    pub algorithm: String,
    /// Whether key material is present.
    pub generated: bool,
}

/// A certificate found in an EF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEntry {
    /// Path of the EF (`3F00/5000/0300`).
    pub path: String,
    /// Subject DN (`rutoken_pki::name::display`: `CN=…, T=…`).
    pub subject: String,
    /// Serial number, hex.
    pub serial: String,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The 8-byte serial, hex.
    pub serial: String,
    /// The serial in decimal (the device number PIN dialogs show).
    pub device_number: String,
    /// True after INIT END.
    pub finalised: bool,
    /// Files, depth first.
    pub files: Vec<FileEntry>,
    /// PINs.
    pub pins: Vec<PinEntry>,
    /// Keys.
    pub keys: Vec<KeyEntry>,
    /// Certificates.
    pub certificates: Vec<CertificateEntry>,
}

fn certificate(data: &[u8]) -> Option<(String, String)> {
    // The EF is zero-padded: decode exactly the DER length the header announces.
    let len = match data {
        [0x30, 0x82, hi, lo, ..] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
        [0x30, 0x81, l, ..] => 3 + usize::from(*l),
        _ => return None,
    };
    let cert = rutoken_pki::Cert::parse(data.get(..len)?).ok()?;
    Some((
        rutoken_pki::name::display(cert.subject()),
        cert.serial_hex(),
    ))
}

/// Builds the summary of a state.
pub fn summarise(state: &State, profile: &TokenProfile) -> Summary {
    let mut summary = Summary {
        serial: hex::encode_upper(state.serial),
        device_number: format!("{:010}", u64::from_be_bytes(state.serial)),
        finalised: state.finalised,
        files: Vec::new(),
        pins: Vec::new(),
        keys: Vec::new(),
        certificates: Vec::new(),
    };
    let Some(mf) = &state.mf else { return summary };
    let mut path = Vec::new();
    fs::walk(mf, &mut path, &mut |path: &[u16], node: &Node| {
        let kind = match &node.body {
            Body::Df { .. } => "DF",
            Body::Ef { data } => {
                if let Some((subject, serial)) = certificate(data) {
                    let mut p = String::from("3F00");
                    for fid in path {
                        p.push_str(&format!("/{fid:04X}"));
                    }
                    summary.certificates.push(CertificateEntry {
                        path: p,
                        subject,
                        serial,
                    });
                }
                "EF"
            }
            Body::Pin(pin) => {
                summary.pins.push(PinEntry {
                    reference: node.fid,
                    tries_left: pin.tries_left,
                    max_tries: pin.max_tries,
                    set: pin.value.is_some(),
                });
                "PIN"
            }
            Body::Key(key) => {
                summary.keys.push(KeyEntry {
                    reference: node.fid,
                    half: if key.class == profile.secret_key_class {
                        "secret"
                    } else if key.is_private() {
                        "private"
                    } else {
                        "public"
                    },
                    algorithm: if key.class == profile.secret_key_class {
                        profile
                            .gost28147_key_codes
                            .iter()
                            .find(|(_, c)| **c == key.code)
                            .map_or_else(|| format!("code {:02X}", key.code), |(n, _)| n.clone())
                    } else if key.is_rsa() {
                        let allowed = &profile.rsa_modulus_bits;
                        rsa::bits_of_private(node.size, allowed)
                            .or_else(|| rsa::bits_of_public(node.size, allowed))
                            .map_or_else(|| "rsa".to_owned(), |bits| format!("rsa-{bits}"))
                    } else {
                        KeySpec::from_code(profile, key.code)
                            .map_or_else(|| format!("code {:02X}", key.code), |s| s.name(profile))
                    },
                    generated: key.material.is_some(),
                });
                "KEY"
            }
        };
        summary.files.push(FileEntry {
            depth: path.len(),
            fid: node.fid,
            kind,
            size: node.size,
            access: hex::encode_upper(&node.sec[..8]),
        });
    });
    summary
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "serial:        {} (device number {})",
            self.serial, self.device_number
        )?;
        writeln!(
            f,
            "life cycle:    {}",
            if self.finalised {
                "finalised"
            } else {
                "initialisation (ACLs relaxed)"
            }
        )?;
        writeln!(f, "files:")?;
        if self.files.is_empty() {
            writeln!(f, "  (none: erased)")?;
        }
        for file in &self.files {
            let indent = "  ".repeat(file.depth + 1);
            writeln!(
                f,
                "{indent}{:04X} {:<3} size {:>5}  access {}",
                file.fid, file.kind, file.size, file.access
            )?;
        }
        writeln!(f, "PINs:")?;
        for pin in &self.pins {
            let role = match pin.reference {
                1 => "Admin",
                2 => "User",
                _ => "other",
            };
            let state = if !pin.set {
                "not set"
            } else if pin.tries_left == 0 {
                "BLOCKED"
            } else {
                "ok"
            };
            writeln!(
                f,
                "  {:02X} {role:<5} tries {}/{} {state}",
                pin.reference, pin.tries_left, pin.max_tries
            )?;
        }
        writeln!(f, "keys:")?;
        for key in &self.keys {
            let state = if key.generated { "" } else { " (empty)" };
            writeln!(
                f,
                "  {:02X} {:<7} {}{state}",
                key.reference, key.half, key.algorithm
            )?;
        }
        writeln!(f, "certificates:")?;
        for cert in &self.certificates {
            writeln!(
                f,
                "  {} serial {} subject {}",
                cert.path, cert.serial, cert.subject
            )?;
        }
        Ok(())
    }
}
