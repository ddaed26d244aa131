//! Processes a test starts (the emulator as `rutoken-lab sim` or `rutoken-sim`, a relay, the
//! plugin bridge), ended when the test ends, also when it panics: a test that fails must not
//! leave an emulator attached to the next test's reader.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::wait::wait_for_line;

/// What `rutoken-lab sim` and `relay` print once vpcd has the card (`src/cli/sim.rs`,
/// `src/cli/relay.rs`).
pub const ATTACHED: &str = "the card is in";

/// How a [`Guard`] ends its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// SIGKILL: nothing of the process's own shutdown is tested.
    Kill,
    /// SIGTERM, then wait: the process flushes what it writes (a relay's transcript).
    Terminate,
}

/// A child process ended (and waited for) when dropped.
#[derive(Debug)]
pub struct Guard {
    child: Child,
    ending: Ending,
    ended: bool,
}

impl Guard {
    /// Kills `child` (SIGKILL) when dropped.
    pub fn kill_on_drop(child: Child) -> Guard {
        Guard {
            child,
            ending: Ending::Kill,
            ended: false,
        }
    }

    /// Ends `child` with SIGTERM, and waits for it, when dropped or [`Guard::stop`]ped.
    pub fn terminate_on_drop(child: Child) -> Guard {
        Guard {
            child,
            ending: Ending::Terminate,
            ended: false,
        }
    }

    /// Ends the process the guard's way and waits for it (once; later calls do nothing).
    pub fn stop(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        match self.ending {
            Ending::Kill => {
                let _ = self.child.kill();
            }
            Ending::Terminate => {
                let _ = Command::new("kill")
                    .arg(self.child.id().to_string())
                    .status();
            }
        }
        let _ = self.child.wait();
    }

    /// Kills the process (SIGKILL) now, whatever the guard's way, and waits for it; panics if
    /// it cannot be killed (a test that kills on purpose must know it did).
    pub fn kill(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `command` with no stdin and its stdout and stderr into the file `log` (created).
pub fn spawn_logged(mut command: Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap()
}

/// `BIN sim --vpcd 127.0.0.1:PORT` (`rutoken-lab sim`), to which a test adds its options.
pub fn lab_sim(bin: &str, port: u16) -> Command {
    let mut command = Command::new(bin);
    command.args(["sim", "--vpcd", &format!("127.0.0.1:{port}")]);
    command
}

/// `BIN --vpcd 127.0.0.1:PORT` (the emulator-only `rutoken-sim`), to which a test adds its
/// options.
pub fn emulator_only(bin: &str, port: u16) -> Command {
    let mut command = Command::new(bin);
    command.args(["--vpcd", &format!("127.0.0.1:{port}")]);
    command
}

/// Starts an emulator `command` logging into `log`, killed when dropped, and waits until it
/// says vpcd has the card.
pub fn start_sim(command: Command, log: &Path) -> Guard {
    let guard = Guard::kill_on_drop(spawn_logged(command, log));
    wait_for_line(log, ATTACHED);
    guard
}

/// `rutoken-lab sim` (`bin`) on the vpcd at `port` with `args`, started as [`start_sim`] does.
pub fn start_lab_sim(bin: &str, port: u16, args: &[&str], log: &Path) -> Guard {
    let mut command = lab_sim(bin, port);
    command.args(args);
    start_sim(command, log)
}

/// Starts an emulator `command` with its output discarded, killed when dropped; does not wait
/// (a test that restarts it at once watches the reader instead).
pub fn spawn_sim(mut command: Command) -> Guard {
    Guard::kill_on_drop(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}
