//! A private pcscd with a vpcd reader, for tests with real parts. Each [`Pcscd`] makes its own
//! mount namespace (`unshare -m --propagation private`) with a tmpfs on /run/pcscd, so neither
//! its pcscd nor its clients touch the machine's; clients run inside it through `nsenter -m`.
//! The emulator (in the test process or as a process) reaches vpcd over loopback TCP.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::shell::has_tool;
use crate::wait::wait_until;

/// The vpcd driver Debian's vsmartcard-vpcd installs.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// Debian's python with pyscard (a pyenv python on PATH may lack it).
pub const PYTHON: &str = "/usr/bin/python3";

/// Why the tests cannot run here, if they cannot.
pub fn skip_reason() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not root (a private mount namespace for pcscd needs root)".into());
    }
    for tool in ["unshare", "nsenter", "pcscd", "mount"] {
        if !has_tool(tool) {
            return Some(format!("{tool} is not installed"));
        }
    }
    if !Path::new(VPCD_DRIVER).exists() {
        return Some(format!("{VPCD_DRIVER} missing (Debian: vsmartcard-vpcd)"));
    }
    None
}

/// A free port `p` with `p + 1` free too (vpcd's driver listens on both: two slots).
fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let Ok(a) = std::net::TcpListener::bind("0.0.0.0:0") else {
            continue;
        };
        let Ok(addr) = a.local_addr() else { continue };
        let port = addr.port();
        if port < u16::MAX && std::net::TcpListener::bind(("0.0.0.0", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair");
}

/// A mount namespace with its own pcscd and a vpcd reader.
pub struct Pcscd {
    namespace: Child,
    pcscd: Option<Child>,
    dir: tempfile::TempDir,
    /// vpcd's port (`CHANNELID`).
    pub port: u16,
}

impl Pcscd {
    /// Makes the namespace and starts pcscd in it.
    pub fn start() -> Pcscd {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port_pair();
        let conf = format!(
            "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
        );
        std::fs::write(dir.path().join("reader.conf"), conf).unwrap();
        let ready = dir.path().join("ns-ready");
        // Without /run/pcscd on the host, a tmpfs on /run (in the namespace only) makes room.
        let script = format!(
            "set -e
             if [ -d /run/pcscd ]; then mount -t tmpfs tmpfs /run/pcscd;
             else mount -t tmpfs tmpfs /run; mkdir /run/pcscd; fi
             touch {ready}
             exec sleep 100000",
            ready = ready.display()
        );
        let namespace = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        wait_until(Duration::from_secs(10), "the mount namespace", || {
            ready.exists()
        });
        let mut pcscd = Pcscd {
            namespace,
            pcscd: None,
            dir,
            port,
        };
        pcscd.start_daemon();
        pcscd
    }

    /// Starts pcscd (again) and waits for its socket.
    pub fn start_daemon(&mut self) {
        let conf = self.dir.path().join("reader.conf");
        let log = std::fs::File::create(self.dir.path().join("pcscd.log")).unwrap();
        let child = self
            .enter("pcscd")
            .args(["-f", "-c"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.pcscd = Some(child);
        wait_until(Duration::from_secs(10), "pcscd's socket", || {
            self.enter("test")
                .args(["-S", "/run/pcscd/pcscd.comm"])
                .status()
                .unwrap()
                .success()
        });
    }

    /// Stops pcscd (SIGTERM) and waits for it.
    pub fn stop_daemon(&mut self) {
        if let Some(mut child) = self.pcscd.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }

    /// A command run inside the namespace.
    pub fn enter(&self, program: &str) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.args(["-t", &self.namespace.id().to_string(), "-m", "--", program]);
        cmd
    }

    /// Runs a command inside the namespace (with a time limit) and returns its output.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        let mut cmd = self.enter("timeout");
        cmd.arg("60").arg(program).args(args);
        cmd.output().unwrap()
    }

    /// Runs a python3 (pyscard) script inside the namespace; panics with its output on failure.
    pub fn python(&self, script: &str) -> String {
        let out = self.run(PYTHON, &["-c", script]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "python failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }

    /// pcscd's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pcscd.log")).unwrap_or_default()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop_daemon();
        let _ = self.namespace.kill();
        let _ = self.namespace.wait();
    }
}
