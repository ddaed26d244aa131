//! `rutoken-lab sim`: attach the emulator (the token, in a SafeTouch unless `--no-safetouch`) to
//! pcscd through vpcd, until SIGINT or SIGTERM (`docs/pcsc.md`).

mod card;
mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use rutoken_sim::Card;
use rutoken_sim::control::{ControlServer, ControlTarget, SafeTouchControl};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{
    Buttons, ChannelButtons, Press, PressSender, SafeTouch, SafeTouchMonitor, UnattendedButtons,
};
use rutoken_sim::vpcd::{CardWorker, DEFAULT_ADDRESS, LinkState, Presence, Vpcd, VpcdOptions};
use tokio_util::sync::CancellationToken;

use crate::error::CliError;

/// Who presses the SafeTouch's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    /// A person: the control socket, or `y`/`n` + Enter on this terminal.
    Manual,
    /// Confirm every screen at once.
    Confirm,
    /// Reject every screen at once.
    Reject,
    /// Let every screen time out (answered at once, without waiting).
    Timeout,
}

/// Arguments of `sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// vpcd's address (pcscd's `reader.conf`: `CHANNELID` is the port).
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDRESS)]
    pub vpcd: String,
    /// The token image to use (created if missing, from `--fixture`, default personalised).
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// An in-memory token from a fixture: `factory` or `personalised`.
    #[arg(long, value_name = "NAME")]
    pub fixture: Option<String>,
    /// The device profile (default: the built-in defaults of
    /// `profiles/rutoken-ecp2-safetouch.yaml`).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The token plugged straight into the PC, no SafeTouch (what OpenSC's tests use).
    #[arg(long)]
    pub no_safetouch: bool,
    /// Who presses the SafeTouch's buttons.
    #[arg(long, value_enum, default_value = "manual")]
    pub safetouch_policy: Policy,
    /// A Unix socket for `rutoken-lab safetouch …` and `token pull|insert` (created 0600).
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,
    /// Seed for the token's random numbers (reproducible keys and signatures).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Log APDUs to stderr (PINs masked as `**`).
    #[arg(long)]
    pub log_apdus: bool,
    /// A card that answers `90 00` to everything (transport tests and benches).
    #[arg(long, hide = true)]
    pub echo_card: bool,
}

pub fn run(args: SimArgs) -> Result<ExitCode, CliError> {
    check_vpcd_address(&args.vpcd)?;
    let profile = match &args.profile {
        Some(path) => {
            DeviceProfile::load(path).map_err(|e| CliError::invalid("bad --profile", e))?
        }
        None => DeviceProfile::default(),
    };
    let (card, description, token) = card::build(&args, &profile)?;
    let (card, safetouch) = wrap_in_safetouch(card, &args, &profile);
    let worker = CardWorker::spawn(card).map_err(|e| CliError::failed("cannot start", e))?;
    // One thread is plenty for the async side (connects, pulls, the control socket): the APDUs
    // go through the link's own blocking thread. Fewer threads, fewer malloc arenas: less RSS.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    let presence = Presence::default();
    let control = match &args.control {
        Some(path) => Some(
            runtime
                .block_on(async { ControlServer::bind(path) })
                .map_err(|e| {
                    CliError::failed(
                        format!("cannot create the control socket {}", path.display()),
                        e,
                    )
                })?,
        ),
        None => None,
    };
    println!("token: {description}");
    if let Some(st) = &safetouch {
        terminal::print_screens(&st.monitor);
        if let Some(presses) = &st.presses {
            terminal::read_presses(st.monitor.clone(), presses.clone());
            println!("SafeTouch: type y + Enter to confirm, n + Enter to reject");
        }
    }
    if let Some(control) = &control {
        println!("control socket: {}", control.path().display());
    }
    let options = VpcdOptions {
        address: args.vpcd.clone(),
        latency: profile.latency.clone(),
        log_apdus: args.log_apdus,
        ..VpcdOptions::default()
    };
    let vpcd = Vpcd::new(options, worker.handle(), presence.clone());
    let target = Arc::new(ControlTarget {
        safetouch,
        presence,
        card: worker.handle(),
        token,
        link: Some(vpcd.state()),
    });
    let result = runtime.block_on(serve(&vpcd, control.as_ref(), target, &args.vpcd));
    drop(control);
    // Powers the card off and drops it on its thread: the token's image is flushed.
    worker.stop();
    runtime.shutdown_background();
    result.map_err(|e| CliError::failed("the vpcd link failed", e))?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn wrap_in_safetouch(
    card: Box<dyn Card>,
    args: &SimArgs,
    profile: &DeviceProfile,
) -> (Box<dyn Card>, Option<SafeTouchControl>) {
    if args.no_safetouch {
        return (card, None);
    }
    let (buttons, presses): (Box<dyn Buttons>, Option<PressSender>) = match args.safetouch_policy {
        Policy::Manual => {
            let (buttons, presses) = ChannelButtons::new();
            (Box::new(buttons), Some(presses))
        }
        Policy::Confirm => (Box::new(UnattendedButtons(Press::Confirm)), None),
        Policy::Reject => (Box::new(UnattendedButtons(Press::Reject)), None),
        Policy::Timeout => (Box::new(UnattendedButtons(Press::Timeout)), None),
    };
    let st = SafeTouch::new(card, profile.safetouch.clone(), buttons);
    let monitor: SafeTouchMonitor = st.monitor();
    (Box::new(st), Some(SafeTouchControl { monitor, presses }))
}

/// `--vpcd` is `HOST:PORT` with a port number and a host that resolves: refused before the
/// banner, not after it.
fn check_vpcd_address(address: &str) -> Result<(), CliError> {
    let bad = |why: &str| CliError::invalid_msg(format!("--vpcd {address}: {why}"));
    let (host, port) = address
        .rsplit_once(':')
        .ok_or_else(|| bad("expected HOST:PORT, e.g. 127.0.0.1:35963"))?;
    if host.is_empty() {
        return Err(bad("expected HOST:PORT, the host is missing"));
    }
    port.parse::<u16>()
        .map_err(|_| bad("the port is not a number from 0 to 65535"))?;
    std::net::ToSocketAddrs::to_socket_addrs(address)
        .map_err(|_| bad("the host does not resolve"))?;
    Ok(())
}

async fn serve(
    vpcd: &Vpcd,
    control: Option<&ControlServer>,
    target: Arc<ControlTarget>,
    address: &str,
) -> Result<(), rutoken_sim::vpcd::VpcdError> {
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    if let Some(SafeTouchControl {
        monitor,
        presses: Some(presses),
    }) = target.safetouch.clone()
    {
        // A screen waiting for a person would hold the card thread (and the shutdown) until its
        // time-out: on shutdown it times out at once.
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            let _ = presses.press(&monitor.screen(), Press::Timeout);
        });
    }
    let mut state = vpcd.state();
    let address = address.to_owned();
    tokio::spawn(async move {
        // The link reconnects after every `load`/`restart`: only the first wait is news, and
        // only when it lasts (with pcscd up the link attaches within one poll, ~0.4 s).
        let mut attached_once = false;
        let mut warned = false;
        loop {
            let waiting = !attached_once && !warned && *state.borrow() == LinkState::Connecting;
            let changed = if waiting {
                tokio::select! {
                    r = state.changed() => r,
                    () = tokio::time::sleep(QUIET_WAIT) => {
                        warned = true;
                        println!(
                            "not attached to vpcd at {address} after {} s: is pcscd running, with \
                             a vpcd reader on this port (reader.conf CHANNELID)? still trying",
                            QUIET_WAIT.as_secs()
                        );
                        continue;
                    }
                }
            } else {
                state.changed().await
            };
            if changed.is_err() {
                break;
            }
            let now = *state.borrow_and_update();
            attached_once |= now == LinkState::Connected;
            match now {
                LinkState::Connecting => {}
                LinkState::Connected => println!("attached to vpcd at {address}: the card is in"),
                LinkState::Pulled => println!("token pulled: the reader is empty"),
                LinkState::Stopped => break,
            }
        }
    });
    let control_task = control.map(|server| server.run(target, shutdown.clone()));
    let link = vpcd.run(shutdown.clone());
    match control_task {
        Some(control_task) => {
            let (link, ()) = tokio::join!(link, control_task);
            link
        }
        None => link.await,
    }
}

/// How long the link may take to attach before `sim` says it is waiting: pcscd polls the vpcd
/// reader every 400 ms (pcsc-lite's `PCSCLITE_STATUS_POLL_RATE`), so with pcscd up the card is
/// in well within this.
const QUIET_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Cancels `shutdown` on SIGINT or SIGTERM.
pub(super) async fn stop_on_signal(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    match term {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    shutdown.cancel();
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        sim: SimArgs,
    }

    fn parse(args: &[&str]) -> Result<SimArgs, clap::Error> {
        Wrapper::try_parse_from(std::iter::once("sim").chain(args.iter().copied())).map(|w| w.sim)
    }

    #[test]
    fn defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.vpcd, DEFAULT_ADDRESS);
        assert_eq!(args.safetouch_policy, Policy::Manual);
        assert!(!args.no_safetouch && !args.log_apdus && args.control.is_none());
        assert!(parse(&["--safetouch-policy", "sometimes"]).is_err());
    }

    #[test]
    fn builds_the_token_and_names_its_serial() {
        let args = parse(&["--fixture", "factory", "--no-safetouch"]).unwrap();
        let (card, description, token) = card::build(&args, &DeviceProfile::default()).unwrap();
        assert!(token.is_some(), "a token can be reloaded");
        assert!(description.contains("000000002EEA3ED3"), "{description}");
        assert_eq!(card.atr(), DeviceProfile::default().token.atr);
        let args = parse(&["--fixture", "blank"]).unwrap();
        assert!(matches!(
            card::build(&args, &DeviceProfile::default()),
            Err(CliError::Invalid { .. })
        ));
    }

    #[test]
    fn safetouch_is_in_front_unless_told_otherwise() {
        let profile = DeviceProfile::default();
        let args = parse(&["--echo-card"]).unwrap();
        let (card, _, token) = card::build(&args, &profile).unwrap();
        assert!(token.is_none(), "the echo card is no token");
        let (mut card, control) = wrap_in_safetouch(card, &args, &profile);
        let control = control.unwrap();
        assert!(control.presses.is_some(), "manual policy: a person presses");
        // A host-computed hash with nobody pressing: the manual policy waits for the time-out,
        // so use the unattended reject policy for the answer.
        let args = parse(&["--echo-card", "--safetouch-policy", "reject"]).unwrap();
        let (inner, _, _) = card::build(&args, &profile).unwrap();
        let (mut rejecting, control) = wrap_in_safetouch(inner, &args, &profile);
        assert!(control.unwrap().presses.is_none());
        let sign = [0x00, 0x2A, 0x9E, 0x9A, 0x02, 0xAA, 0xBB];
        assert_eq!(rejecting.transmit(&sign), [0x6F, 0xB1]);
        assert_eq!(card.transmit(&[0x00, 0xA4, 0x00, 0x00]), [0x90, 0x00]);
        let args = parse(&["--echo-card", "--no-safetouch"]).unwrap();
        let (inner, _, _) = card::build(&args, &profile).unwrap();
        let (mut bare, control) = wrap_in_safetouch(inner, &args, &profile);
        assert!(control.is_none());
        assert_eq!(bare.transmit(&sign), [0x90, 0x00]);
    }
}
