//! A lab for tests that drive clients by hand: a private pcscd, the emulated Rutoken
//! (personalised fixture) inside a SafeTouch whose buttons the control socket presses, both in
//! the test process, and a scratch directory the clients' shell commands run in.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rutoken_sim::control::{ControlServer, ControlTarget, SafeTouchControl};
use rutoken_sim::safetouch::{ChannelButtons, SafeTouch, SafeTouchProfile};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use tokio_util::sync::CancellationToken;

use crate::control::{Control, SCREEN_TIMEOUT};
use crate::emulator::Emulator;
use crate::pcscd::Pcscd;

/// The personalised fixture's user PIN (simulator/src/token/fixture.rs).
pub const USER_PIN: &str = "12345678";
/// The personalised fixture's SO PIN (simulator/src/token/fixture.rs).
pub const SO_PIN: &str = "87654321";

/// Time limit of one shell command of the lab, in seconds (`timeout`): long enough for RSA key
/// generation on the shared machine.
const COMMAND_LIMIT_S: &str = "120";

/// The lab: pcscd, the emulator behind vpcd, its control socket.
pub struct Lab {
    /// The private pcscd.
    pub pcscd: Pcscd,
    emulator: Option<Emulator>,
    /// A scratch directory (the commands' working directory).
    pub dir: tempfile::TempDir,
    /// The control socket's path.
    pub control: PathBuf,
    env: Vec<(String, OsString)>,
    shutdown: CancellationToken,
    server: Option<std::thread::JoinHandle<()>>,
}

impl Lab {
    /// A personalised token (user PIN 12345678) in a SafeTouch whose screens wait `timeout`;
    /// every shell command gets `env`. Returns once the control socket listens (pcscd may not
    /// have seen the card yet: see [`Lab::wait_for_output`]).
    pub fn start(timeout: Duration, env: &[(&str, OsString)]) -> Lab {
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
        Lab {
            pcscd,
            emulator: Some(emulator),
            dir,
            control,
            env: env
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
            shutdown,
            server: Some(server),
        }
    }

    /// Waits (up to 10 s) until the output of `command` holds `text` (pcscd polls its reader:
    /// the card shows within a poll or two).
    pub fn wait_for_output(&self, command: &str, text: &str) {
        crate::wait::wait_until(Duration::from_secs(10), "the card in the reader", || {
            self.sh(command).1.contains(text)
        });
    }

    /// The control socket's client.
    pub fn control_client(&self) -> Control {
        Control::new(&self.control)
    }

    /// One request to the control socket; the reply's JSON.
    pub fn control(&self, request: &str) -> serde_json::Value {
        self.control_client().request(request)
    }

    /// Waits until a SafeTouch screen waits for a press; returns its lines.
    pub fn wait_for_screen(&self) -> Vec<String> {
        self.control_client().wait_for_screen()
    }

    /// Presses a button (`confirm`, `reject`, `time_out`) on the screen that waits.
    pub fn press(&self, cmd: &str) {
        self.control_client().press(cmd);
    }

    /// The SafeTouch's event log.
    pub fn events(&self) -> serde_json::Value {
        self.control_client().events()
    }

    /// The lines of the screen that waits for a press, if one does.
    pub fn waiting_screen(&self) -> Option<Vec<String>> {
        self.control_client().waiting_screen()
    }

    /// A shell command inside the namespace, in the scratch directory, with the lab's
    /// environment; (success, stdout + stderr).
    pub fn sh(&self, command: &str) -> (bool, String) {
        let out = self.shell(command).output().unwrap();
        (out.status.success(), crate::shell::text(&out))
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
        cmd.args([COMMAND_LIMIT_S, "sh", "-c", &script])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Starts `command`, waits for its SafeTouch screen, presses `button`; returns the screen
    /// and (success, output).
    pub fn sh_pressing(&self, command: &str, button: &str) -> (Vec<String>, bool, String) {
        let mut child: Child = self.shell(command).spawn().unwrap();
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        let screen = loop {
            if let Some(lines) = self.waiting_screen() {
                break lines;
            }
            if child.try_wait().unwrap().is_some() {
                let out = child.wait_with_output().unwrap();
                panic!(
                    "`{command}` ended before a SafeTouch screen waited:\n{}",
                    crate::shell::text(&out)
                );
            }
            assert!(Instant::now() < deadline, "no SafeTouch screen waited");
            std::thread::sleep(Duration::from_millis(20));
        };
        self.press(button);
        let out = child.wait_with_output().unwrap();
        (screen, out.status.success(), crate::shell::text(&out))
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
        (screens, out.status.success(), crate::shell::text(&out))
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
