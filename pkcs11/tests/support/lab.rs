//! The lab for the module's tests: a private pcscd with a vpcd reader (the simulator's test
//! harness), the emulated Rutoken inside a SafeTouch whose buttons the control socket presses,
//! and helpers to run OpenSC's tools, OpenSSL and python-pkcs11 against the module.
#![allow(dead_code, reason = "shared by several test files")]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rutoken_sim::control::{ControlServer, ControlTarget, SafeTouchControl};
use rutoken_sim::safetouch::{ChannelButtons, SafeTouch, SafeTouchProfile};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use tokio_util::sync::CancellationToken;

use super::harness::{Emulator, Pcscd, wait_until};

/// The personalised fixture's PINs (simulator/src/token/fixture.rs).
pub const USER_PIN: &str = "12345678";
/// See [`USER_PIN`].
pub const SO_PIN: &str = "87654321";

/// Why the module's tests cannot run here (beyond the harness's own reasons).
pub fn skip_reason() -> Option<String> {
    if let Some(r) = super::harness::skip_reason() {
        return Some(r);
    }
    for tool in ["pkcs11-tool", "openssl"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output();
        if !found.is_ok_and(|o| o.status.success()) {
            return Some(format!("{tool} is not installed (Debian: opensc, openssl)"));
        }
    }
    let gost = Command::new("openssl").args(["engine", "gost"]).output();
    if !gost.is_ok_and(|o| o.status.success()) {
        return Some("OpenSSL's gost engine is missing (Debian: libengine-gost-openssl)".into());
    }
    if !module_path().exists() {
        return Some(format!("{} was not built", module_path().display()));
    }
    None
}

/// Skips the test (printing why) when a part is missing.
#[macro_export]
macro_rules! require_lab {
    () => {
        if let Some(reason) = lab::skip_reason() {
            eprintln!("skipped: {reason}");
            return;
        }
    };
}

/// `librutoken_pkcs11.so` of this build: `cargo test` builds the package's cdylib into
/// `target/<profile>/deps/`, beside this test binary (it does not copy it up to
/// `target/<profile>/` as `cargo build` does).
pub fn module_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .expect("target/<profile>/deps/<test>")
        .join("librutoken_pkcs11.so")
}

/// The venv `scripts/test.sh` makes (python-pkcs11, pkcs11-check).
pub fn venv() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("RUTOKEN_LAB_PKCS11_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/pkcs11-venv"))
}

/// The lab: pcscd, the emulator behind vpcd, its control socket.
pub struct Lab {
    /// The private pcscd.
    pub pcscd: Pcscd,
    emulator: Option<Emulator>,
    /// A scratch directory (the commands' working directory).
    pub dir: tempfile::TempDir,
    /// The control socket.
    pub control: PathBuf,
    shutdown: CancellationToken,
    server: Option<std::thread::JoinHandle<()>>,
}

impl Lab {
    /// A personalised token (user PIN 12345678) in a SafeTouch whose screens wait `timeout`.
    pub fn start(timeout: Duration) -> Lab {
        let pcscd = Pcscd::start();
        let dir = tempfile::tempdir().unwrap();
        let token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).unwrap();
        let (buttons, presses) = ChannelButtons::new();
        let profile = SafeTouchProfile {
            timeout_ms: u64::try_from(timeout.as_millis()).unwrap(),
            ..SafeTouchProfile::default()
        };
        let st = SafeTouch::new(token, profile, Box::new(buttons));
        let monitor = st.monitor();
        let emulator = Emulator::attach(Box::new(st), pcscd.port);
        let target = Arc::new(ControlTarget {
            safetouch: Some(SafeTouchControl {
                monitor,
                presses: Some(presses),
            }),
            presence: emulator.presence.clone(),
            card: emulator.worker.as_ref().unwrap().handle(),
            token: None,
            link: None,
        });
        let control = dir.path().join("control.sock");
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let path = control.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let server = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let server = ControlServer::bind(&path).unwrap();
                ready_tx.send(()).unwrap();
                server.run(target, token).await;
            });
        });
        ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let lab = Lab {
            pcscd,
            emulator: Some(emulator),
            dir,
            control,
            shutdown,
            server: Some(server),
        };
        // pcscd sees the card within a poll or two.
        wait_until(Duration::from_secs(10), "the card in the reader", || {
            let out = lab.sh("pkcs11-tool --module \"$MODULE\" -L");
            out.1.contains("token label")
        });
        lab
    }

    /// One request to the control socket; the reply's JSON.
    pub fn control(&self, request: &str) -> serde_json::Value {
        let mut stream = UnixStream::connect(&self.control).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(b"\n").unwrap();
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    /// Waits until a SafeTouch screen waits for a press; returns its lines.
    pub fn wait_for_screen(&self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(lines) = self.waiting_screen() {
                return lines;
            }
            assert!(Instant::now() < deadline, "no SafeTouch screen waited");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Presses a button (`confirm`, `reject`, `time_out`) on the screen that waits.
    pub fn press(&self, cmd: &str) {
        let reply = self.control(&format!(r#"{{"cmd":"{cmd}"}}"#));
        assert_eq!(reply["ok"], serde_json::Value::Bool(true), "{cmd}: {reply}");
    }

    /// The SafeTouch's event log.
    pub fn events(&self) -> serde_json::Value {
        self.control(r#"{"cmd":"events"}"#)["events"].clone()
    }

    /// A shell command inside the namespace, in the scratch directory, with `$MODULE` set;
    /// (success, stdout + stderr).
    pub fn sh(&self, command: &str) -> (bool, String) {
        let out = self.shell(command).output().unwrap();
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }

    /// As [`Lab::sh`], panicking with the output when the command fails.
    pub fn ok(&self, command: &str) -> String {
        let (success, text) = self.sh(command);
        assert!(success, "`{command}` failed:\n{text}");
        text
    }

    /// The command, not started (for one that waits on the SafeTouch).
    pub fn shell(&self, command: &str) -> Command {
        // Entering the mount namespace resets the working directory: `cd` inside.
        let script = format!("cd '{}' && {command}", self.dir.path().display());
        let mut cmd = self.pcscd.enter("timeout");
        cmd.args(["120", "sh", "-c", &script])
            .env("MODULE", module_path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Starts `command`, waits for its SafeTouch screen, presses `button`; returns the screen
    /// and (success, output).
    pub fn sh_pressing(&self, command: &str, button: &str) -> (Vec<String>, bool, String) {
        let mut child: Child = self.shell(command).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let screen = loop {
            if let Some(lines) = self.waiting_screen() {
                break lines;
            }
            if child.try_wait().unwrap().is_some() {
                let out = child.wait_with_output().unwrap();
                panic!(
                    "`{command}` ended before a SafeTouch screen waited:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(Instant::now() < deadline, "no SafeTouch screen waited");
            std::thread::sleep(Duration::from_millis(20));
        };
        self.press(button);
        let out = child.wait_with_output().unwrap();
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (screen, out.status.success(), text)
    }

    /// Runs `command`, confirming every SafeTouch screen until it ends; returns the screens
    /// confirmed and (success, output).
    pub fn sh_confirming(&self, command: &str) -> (Vec<Vec<String>>, bool, String) {
        self.sh_pressing_every(command, "confirm")
    }

    /// Runs `command`, pressing `button` on every SafeTouch screen until it ends; returns the
    /// screens and (success, output).
    pub fn sh_pressing_every(
        &self,
        command: &str,
        button: &str,
    ) -> (Vec<Vec<String>>, bool, String) {
        let mut child: Child = self.shell(command).spawn().unwrap();
        let mut screens = Vec::new();
        while child.try_wait().unwrap().is_none() {
            if let Some(lines) = self.waiting_screen() {
                self.press(button);
                screens.push(lines);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (screens, out.status.success(), text)
    }

    /// The lines of the screen that waits for a press, if one does.
    pub fn waiting_screen(&self) -> Option<Vec<String>> {
        let reply = self.control(r#"{"cmd":"screen"}"#);
        let screen = &reply["screen"];
        (screen["waiting"] == serde_json::Value::Bool(true)).then(|| {
            screen["lines"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| l.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Writes a file into the scratch directory.
    pub fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
    }

    /// Reads a file of the scratch directory.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(s) = self.server.take() {
            let _ = s.join();
        }
        if let Some(e) = self.emulator.take() {
            e.stop();
        }
    }
}

/// A public key object as `pkcs11-tool -O` prints it.
#[derive(Debug, Clone)]
pub struct ListedKey {
    /// Its label.
    pub label: String,
    /// Its ID (hex).
    pub id: String,
    /// `CKA_GOSTR3410_PARAMS` (hex DER).
    pub params: String,
    /// `CKA_VALUE` (hex, `LE(x) ‖ LE(y)`).
    pub value: String,
}

/// The GOST public keys in `pkcs11-tool -O` output.
pub fn public_keys(listing: &str) -> Vec<ListedKey> {
    let mut keys = Vec::new();
    for block in listing.split("Public Key Object").skip(1) {
        let block = block.split("Object;").next().unwrap_or(block);
        let field = |name: &str| {
            block
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .map(|l| l.trim_start()[name.len()..].trim().to_owned())
                .unwrap_or_default()
        };
        let mut value = String::new();
        let mut in_value = false;
        for line in block.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("VALUE:") {
                value.push_str(rest.trim());
                in_value = true;
            } else if in_value && !t.is_empty() && t.chars().all(|c| c.is_ascii_hexdigit()) {
                value.push_str(t);
            } else {
                in_value = false;
            }
        }
        keys.push(ListedKey {
            label: field("label:"),
            id: field("ID:"),
            params: field("PARAMS OID:"),
            value,
        });
    }
    keys
}
