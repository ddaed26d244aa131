//! The device profile: one YAML file holding every assumption about the real token and SafeTouch
//! (`docs/assumptions.md`), each with its default, so a lab that measures a real device can make
//! the emulator match it without changing code. The default file is
//! `profiles/rutoken-ecp2-safetouch.yaml`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub mod safetouch;
pub mod token;

pub use safetouch::{DocumentTitle, HashOnlyPolicy, SafeTouchProfile, TlvField, TlvTags};
pub use token::{ATR_DS, ATR_ECP, AtrVariant, TokenProfile};

/// The whole device: the token, the SafeTouch it sits in, and the answer latencies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceProfile {
    /// The token's assumptions (`token:`).
    pub token: TokenProfile,
    /// The SafeTouch's assumptions (`safetouch:`).
    pub safetouch: SafeTouchProfile,
    /// How long the device takes to answer (`latency:`); applied by the vpcd transport.
    pub latency: LatencyProfile,
}

/// Answer latencies: none by default (the emulator answers as fast as it can).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyProfile {
    /// Added to every APDU's answer, in milliseconds (0).
    pub default_ms: u64,
    /// Per-command latencies, replacing `default_ms` for the commands they match.
    pub commands: Vec<CommandLatency>,
}

/// The latency of one command, matched by INS (and P1 when given).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandLatency {
    /// The instruction byte, e.g. `0x46` (GENERATE KEY).
    pub ins: u8,
    /// The P1 byte, when only one variant of the command is slow.
    #[serde(default)]
    pub p1: Option<u8>,
    /// The latency, in milliseconds.
    pub ms: u64,
}

impl LatencyProfile {
    /// The latency the device adds to the answer of `apdu` (a command APDU).
    pub fn for_apdu(&self, apdu: &[u8]) -> Duration {
        let (Some(&ins), p1) = (apdu.get(1), apdu.get(2).copied()) else {
            return Duration::from_millis(self.default_ms);
        };
        let matched = self
            .commands
            .iter()
            .find(|c| c.ins == ins && (c.p1.is_none() || c.p1 == p1))
            .map_or(self.default_ms, |c| c.ms);
        Duration::from_millis(matched)
    }

    /// True when no command has a latency (the transport then skips the timer).
    pub fn is_zero(&self) -> bool {
        self.default_ms == 0 && self.commands.iter().all(|c| c.ms == 0)
    }
}

/// A profile that could not be loaded. Displayed as `FILE:LINE:COLUMN: what is wrong`.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read the device profile {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML is malformed, has an unknown key, or a value of the wrong type.
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What is wrong, in the file's terms (the key, what was expected).
        message: String,
    },
    /// A value that parses but cannot work (a screen with no rows, a PIN longer than the
    /// longest PIN, a refusal status word that means success).
    #[error("{origin}:{line}:{column}: {key}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// 1-based line of the key (1 when the key is not in the file: a default).
        line: u64,
        /// 1-based column of the key.
        column: u64,
        /// The key, as a dotted path.
        key: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

/// serde-saphyr's message in the file's terms: its own location prefix and snippet dropped
/// (ours comes first), Rust type names replaced.
fn parse_message(err: &serde_saphyr::Error) -> String {
    let full = err.to_string();
    let mut first = full.lines().next().unwrap_or("invalid YAML").trim();
    // "error: line 4 column 5: …", possibly nested.
    loop {
        let before = first;
        first = first.strip_prefix("error: ").unwrap_or(first).trim();
        if let Some((_, rest)) = first
            .strip_prefix("line ")
            .and_then(|rest| rest.split_once(": "))
        {
            first = rest.trim();
        }
        if first == before {
            break;
        }
    }
    match first {
        "invalid u64" | "invalid u32" | "invalid u16" | "invalid u8" | "invalid usize" => {
            "expected a non-negative integer in range for this key".to_owned()
        }
        m if m.contains("DuplicateKeyPolicy") || m.to_ascii_lowercase().contains("duplicate") => {
            "a key appears twice in the same mapping; keep one".to_owned()
        }
        other => other.to_owned(),
    }
}

/// Where `key` (a dotted path, `safetouch.rows`) is written in `text`: the line and column of
/// its last component under its parent; `None` when the file does not set it.
fn key_position(text: &str, key: &str) -> Option<(u64, u64)> {
    let mut parts = key.split('.').peekable();
    let mut from_line = 0;
    let mut indent: Option<usize> = None;
    while let Some(part) = parts.next() {
        let found = text.lines().enumerate().skip(from_line).find(|(_, line)| {
            let trimmed = line.trim_start();
            let this_indent = line.len() - trimmed.len();
            indent.is_none_or(|i| this_indent > i)
                && !trimmed.starts_with('#')
                && (trimmed.starts_with(&format!("{part}:"))
                    || trimmed.contains(&format!("{{ {part}:"))
                    || trimmed.contains(&format!(", {part}:")))
        });
        match found {
            Some((n, line)) => {
                let at = line.find(&format!("{part}:")).unwrap_or(0);
                let column = line[..at].chars().count() + 1;
                let Some(next) = parts.peek() else {
                    return Some((n as u64 + 1, column as u64));
                };
                // A flow mapping (`token: {pin_max_len: 0}`) holds its children on this line.
                let rest = &line[at..];
                if rest.contains('{')
                    && let Some(c) = rest.find(&format!("{next}:"))
                {
                    let column = line[..at + c].chars().count() + 1;
                    return Some((n as u64 + 1, column as u64));
                }
                from_line = n + 1;
                indent = Some(line.len() - line.trim_start().len());
            }
            None => return None,
        }
    }
    None
}

impl DeviceProfile {
    /// Parses a profile from YAML text; `origin` (the file name) names it in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, ProfileError> {
        let profile: DeviceProfile = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
            ProfileError::Parse {
                origin: origin.to_owned(),
                line,
                column,
                message: parse_message(&err),
            }
        })?;
        profile.check().map_err(|(key, mut message)| {
            let (line, column) = key_position(text, key).unwrap_or_else(|| {
                message.push_str(" (the file keeps the default of this key)");
                (1, 1)
            });
            ProfileError::Invalid {
                origin: origin.to_owned(),
                line,
                column,
                key,
                message,
            }
        })?;
        Ok(profile)
    }

    /// Loads a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: origin.clone(),
            source,
        })?;
        Self::from_yaml(&text, &origin)
    }

    /// Limits across fields: values each of which parses but that together cannot work.
    fn check(&self) -> Result<(), (&'static str, String)> {
        let t = &self.token;
        let st = &self.safetouch;
        let bad = |key, message: String| Err((key, message));
        // A status word the host reads as a refusal: SW1 6x or 9x (ISO 7816-4 §5.1.3) and not
        // 9000, which means success.
        let refusal = |sw: u16| sw != 0x9000 && matches!(sw >> 12, 0x6 | 0x9);
        if t.rsa_modulus_bits
            .iter()
            .any(|bits| !(512..=4096).contains(bits) || bits % 128 != 0)
        {
            return bad(
                "token.rsa_modulus_bits",
                "RSA sizes are multiples of 128 bits from 512 to 4096".to_owned(),
            );
        }
        // The classes OpenSC gives PINs and keys (`pkcs15-rtecp.c`): a secret key must differ.
        if matches!(t.secret_key_class, 0x01 | 0x03 | 0x13 | 0x23 | 0x33) {
            return bad(
                "token.secret_key_class",
                format!(
                    "{:02X}: the class of a PIN or key pair object",
                    t.secret_key_class
                ),
            );
        }
        let defaults = token::default_symmetric_algorithm_refs();
        if let Some(name) = t
            .symmetric_algorithm_refs
            .keys()
            .find(|n| !defaults.contains_key(*n))
        {
            return bad(
                "token.symmetric_algorithm_refs",
                format!("{name}: not an operation the token knows"),
            );
        }
        let codes = token::default_gost28147_key_codes();
        if let Some(name) = t
            .gost28147_key_codes
            .keys()
            .find(|n| !codes.contains_key(*n))
        {
            return bad(
                "token.gost28147_key_codes",
                format!("{name}: not a GOST 28147-89 parameter set"),
            );
        }
        if st.rows == 0 {
            return bad(
                "safetouch.rows",
                "a screen needs at least one row".to_owned(),
            );
        }
        if st.columns < 8 {
            return bad(
                "safetouch.columns",
                format!("{}: a screen needs at least 8 columns", st.columns),
            );
        }
        for (key, sw) in [
            ("safetouch.reject_sw", st.reject_sw),
            ("safetouch.timeout_sw", st.timeout_sw),
        ] {
            if !refusal(sw) {
                return bad(
                    key,
                    format!("{sw:04X}: expected a refusal status word (SW1 6x or 9x, not 9000)"),
                );
            }
        }
        if let Some(sw) = t.other_role_logged_in_sw.filter(|&sw| !refusal(sw)) {
            return bad(
                "token.other_role_logged_in_sw",
                format!(
                    "{sw:04X}: expected a refusal status word (SW1 6x or 9x, not 9000), or null"
                ),
            );
        }
        if st.timeout_ms == 0 {
            return bad(
                "safetouch.timeout_ms",
                "0: a screen must wait some time for a press".to_owned(),
            );
        }
        // ISO 7816-3 §8.2: TS and T0 at least, 33 bytes at most.
        let atr = t.effective_atr();
        if !(2..=33).contains(&atr.len()) {
            return bad(
                "token.atr",
                format!("{} bytes: an ATR has 2 to 33 bytes", atr.len()),
            );
        }
        if t.pin_max_len == 0 {
            return bad("token.pin_max_len", "0: no PIN could be set".to_owned());
        }
        for (key, min, pin) in [
            (
                "token.factory_user_pin_min_len",
                t.factory_user_pin_min_len,
                &t.factory_user_pin,
            ),
            (
                "token.factory_admin_pin_min_len",
                t.factory_admin_pin_min_len,
                &t.factory_admin_pin,
            ),
        ] {
            if min == 0 || min > t.pin_max_len {
                return bad(
                    key,
                    format!("{min}: expected 1 to pin_max_len ({})", t.pin_max_len),
                );
            }
            let len = pin.len();
            if len < usize::from(min) || len > usize::from(t.pin_max_len) {
                let pin_key = if key.contains("user") {
                    "token.factory_user_pin"
                } else {
                    "token.factory_admin_pin"
                };
                return bad(
                    pin_key,
                    format!(
                        "{len} characters: expected {min} to {} (its min_len and pin_max_len)",
                        t.pin_max_len
                    ),
                );
            }
        }
        // The counter is reported in the low nibble of 63Cx.
        for (key, tries) in [
            ("token.factory_user_pin_tries", t.factory_user_pin_tries),
            ("token.factory_admin_pin_tries", t.factory_admin_pin_tries),
        ] {
            if !(1..=15).contains(&tries) {
                return bad(
                    key,
                    format!("{tries}: expected 1 to 15 (63Cx reports the tries in one nibble)"),
                );
            }
        }
        if t.max_chain_bytes == 0 {
            return bad(
                "token.max_chain_bytes",
                "0: no command chain could complete".to_owned(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_gives_the_defaults() {
        let profile = DeviceProfile::from_yaml("{}", "t").unwrap();
        assert_eq!(profile, DeviceProfile::default());
        assert_eq!(profile.safetouch.reject_sw, 0x6FB1);
        assert_eq!(profile.safetouch.timeout(), Duration::from_secs(60));
    }

    #[test]
    fn values_override_defaults() {
        let text = "safetouch:\n  reject_sw: 0x6985\n  timeout_ms: 500\n  hash_only_policy: refuse\n\
                    latency:\n  commands:\n    - { ins: 0x46, ms: 30 }\n";
        let profile = DeviceProfile::from_yaml(text, "t").unwrap();
        assert_eq!(profile.safetouch.reject_sw, 0x6985);
        assert_eq!(profile.safetouch.timeout_sw, 0x6FB1);
        assert_eq!(profile.safetouch.timeout_ms, 500);
        assert_eq!(profile.safetouch.hash_only_policy, HashOnlyPolicy::Refuse);
        assert_eq!(
            profile.latency.for_apdu(&[0, 0x46, 0x80, 0]),
            Duration::from_millis(30)
        );
        assert_eq!(profile.latency.for_apdu(&[0, 0xA4, 0, 0]), Duration::ZERO);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "safetouch:\n  rows: 4\n  colums: 20\n";
        let err = DeviceProfile::from_yaml(text, "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("colums"), "{err}");
        assert!(err.starts_with("p.yaml:3:"), "{err}");
    }

    #[test]
    fn wrong_type_is_named_with_its_line() {
        let text = "safetouch:\n  timeout_ms: soon\n";
        let err = DeviceProfile::from_yaml(text, "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.yaml:2:"), "{err}");
    }

    #[test]
    fn impossible_screen_is_refused() {
        let err = DeviceProfile::from_yaml("safetouch:\n  rows: 0\n", "p").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p:2:3: safetouch.rows: a screen needs at least one row"
        );
    }

    #[test]
    fn cross_field_limits_name_file_line_and_key() {
        let cases = [
            (
                "token:\n  pin_max_len: 0\n",
                "p.yaml:2:3: token.pin_max_len: 0: no PIN could be set",
            ),
            (
                "token:\n  atr_variant: custom\n  atr: []\n",
                "p.yaml:3:3: token.atr: 0 bytes: an ATR has 2 to 33 bytes",
            ),
            (
                "safetouch:\n  reject_sw: 0x9000\n",
                "p.yaml:2:3: safetouch.reject_sw: 9000: expected a refusal status word",
            ),
            (
                "token:\n  pin_max_len: 6\n",
                "p.yaml:1:1: token.factory_user_pin: 8 characters: expected 4 to 6 (its min_len \
                 and pin_max_len) (the file keeps the default of this key)",
            ),
            (
                "token: {factory_user_pin: '12'}\n",
                "p.yaml:1:9: token.factory_user_pin: 2 characters: expected 4 to 32",
            ),
            (
                "token:\n  factory_user_pin_tries: 16\n",
                "p.yaml:2:3: token.factory_user_pin_tries: 16: expected 1 to 15",
            ),
            (
                "safetouch:\n  columns: 0\n",
                "p.yaml:2:3: safetouch.columns: 0:",
            ),
            (
                "token:\n  secret_key_class: 0x03\n",
                "p.yaml:2:3: token.secret_key_class: 03: the class of a PIN or key pair object",
            ),
            (
                "token:\n  symmetric_algorithm_refs: {rc4: 1}\n",
                "p.yaml:2:3: token.symmetric_algorithm_refs: rc4:",
            ),
            (
                "token:\n  gost28147_key_codes: {gost28147-E: 0x86}\n",
                "p.yaml:2:3: token.gost28147_key_codes: gost28147-E:",
            ),
        ];
        for (text, want) in cases {
            let err = DeviceProfile::from_yaml(text, "p.yaml")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{text}: {err}");
        }
    }

    #[test]
    fn parse_errors_read_as_the_file_not_as_rust() {
        for text in [
            "safetouch:\n  rows: -1\n",
            "safetouch:\n  rows: 4\n  rows: 5\n",
            "token: [\n",
        ] {
            let err = DeviceProfile::from_yaml(text, "lab.yaml")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("lab.yaml:"), "{err}");
            for rust in [
                "<input>",
                "error:",
                "invalid u",
                "DuplicateKeyPolicy",
                "Some(",
                "::",
            ] {
                assert!(!err.contains(rust), "{rust} in {err}");
            }
        }
    }

    #[test]
    fn rsa_sizes_are_checked() {
        let err =
            DeviceProfile::from_yaml("token:\n  rsa_modulus_bits: [1000]\n", "p").unwrap_err();
        assert!(err.to_string().contains("token.rsa_modulus_bits"), "{err}");
        let p =
            DeviceProfile::from_yaml("token:\n  rsa_modulus_bits: [1024, 4096]\n", "p").unwrap();
        assert_eq!(p.token.rsa_modulus_bits, [1024, 4096]);
    }
}
