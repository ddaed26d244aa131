//! `rutoken-lab run`: the conformance runner. Everything but argument parsing lives in
//! `rutoken_conformance::suite` (so its tests drive the same code).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use rutoken_conformance::scenario::Secret;
use rutoken_conformance::scenario::load::Partition;
use rutoken_conformance::suite::{self, Pkcs11Options, RunOptions, TargetKind};
use rutoken_conformance::target::operator::pins::TokenPins;

use crate::error::CliError;

/// Which target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// The built-in emulator, in process: a fresh token per scenario (default).
    Emulator,
    /// A PC/SC reader (build with `--features pcsc`).
    Pcsc,
    /// A PKCS#11 module (`--module PATH [--slot N]`): the bank-client steps as PKCS#11 calls.
    Pkcs11,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files, directories or globs (default: every `scenarios/*.yaml` of the current
    /// directory or the workspace).
    pub paths: Vec<String>,
    /// Only scenarios with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// The target.
    #[arg(long, value_enum, default_value = "emulator")]
    pub target: TargetArg,
    /// PC/SC reader name, or a unique part of it (`--target pcsc`).
    #[arg(long)]
    pub reader: Option<String>,
    /// The PKCS#11 module file (`--target pkcs11`), e.g. Aktiv's librtpkcs11ecp.so, this
    /// project's librutoken_pkcs11.so or OpenSC's opensc-pkcs11.so.
    #[arg(long)]
    pub module: Option<PathBuf>,
    /// The module's slot ID (`--target pkcs11`; default: the first slot with a token).
    #[arg(long)]
    pub slot: Option<u64>,
    /// The emulator's control socket: presses, pulls and restarts done automatically, and
    /// each scenario's start token loaded into the emulator (this replaces the token of a
    /// `sim --image FILE`, rewriting FILE; see --keep-token).
    #[arg(long)]
    pub control: Option<PathBuf>,
    /// With --control: leave the token in the reader as it is (no fresh start token per
    /// scenario, so the emulator's --image file is not rewritten); scenarios whose start the
    /// token does not match are skipped.
    #[arg(long, requires = "control")]
    pub keep_token: bool,
    /// A person does presses and pulls; the runner prints what to do and waits.
    #[arg(long)]
    pub operator: bool,
    /// Seconds to wait for the operator.
    #[arg(long, default_value_t = 120)]
    pub operator_timeout: u64,
    /// On a real token (no `--control`), also run the scenarios that can block a PIN or delete
    /// objects (skipped otherwise, with that reason).
    #[arg(long)]
    pub allow_destructive: bool,
    /// A real token's user PIN, typed wherever the scenarios type `${user_pin}` (`--target pcsc`
    /// without `--control`). Without it `--operator` asks at the terminal (not echoed); otherwise
    /// the scenarios' own is used. Checked once before the first scenario: a wrong one stops the
    /// run (exit 2) having spent one try.
    #[arg(long, value_name = "PIN", value_parser = secret)]
    pub user_pin: Option<Secret>,
    /// A real token's administrator PIN, typed wherever the scenarios type `${admin_pin}`.
    #[arg(long, value_name = "PIN", value_parser = secret)]
    pub admin_pin: Option<Secret>,
    /// Scenarios run in parallel (emulator only).
    #[arg(long, short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// Run part K of N of the selection (CI sharding), e.g. `2/3`.
    #[arg(long)]
    pub partition: Option<Partition>,
    /// Seed of the run: the same seed gives the same tokens, keys and certificates.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Device profile YAML (default: the built-in `rutoken-ecp2-safetouch` values).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Write JUnit XML here (missing directories are created).
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write the JSON report here (missing directories are created). Without
    /// --json-transcripts it holds each failure's step APDUs, not every transcript.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Put every scenario's decoded transcript into the JSON report (about 13 MB for the
    /// whole suite; --artifacts writes them as text instead).
    #[arg(long, requires = "json")]
    pub json_transcripts: bool,
    /// Write per-scenario transcripts, screens and PEM files under this directory.
    #[arg(long)]
    pub artifacts: Option<PathBuf>,
    /// Write one self-contained HTML report here (failures first, step timelines, SafeTouch
    /// screens; missing directories are created).
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Show every APDU (PINs masked) and every SafeTouch screen.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// Runs the suite; the exit code is 0 (all passed), 1 (a failure) or 2 (invalid input).
pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let target = match args.target {
        _ if args.target != TargetArg::Pkcs11 && (args.module.is_some() || args.slot.is_some()) => {
            return Err(CliError::invalid_msg(
                "--module and --slot need --target pkcs11",
            ));
        }
        TargetArg::Emulator => {
            if args.reader.is_some() || args.control.is_some() || args.operator {
                return Err(CliError::invalid_msg(
                    "--reader, --control and --operator need --target pcsc or pkcs11",
                ));
            }
            TargetKind::Emulator
        }
        TargetArg::Pkcs11 => {
            if args.reader.is_some() || args.keep_token {
                return Err(CliError::invalid_msg(
                    "--reader and --keep-token are for --target pcsc; --target pkcs11 takes --module, --slot, --control, --operator",
                ));
            }
            TargetKind::Pkcs11(Pkcs11Options {
                module: args
                    .module
                    .ok_or_else(|| CliError::invalid_msg("--target pkcs11 needs --module PATH"))?,
                slot: args.slot,
                control: args.control,
                operator: args
                    .operator
                    .then(|| Duration::from_secs(args.operator_timeout)),
                allow_destructive: args.allow_destructive,
            })
        }
        TargetArg::Pcsc => TargetKind::Pcsc {
            reader: args
                .reader
                .ok_or_else(|| CliError::invalid_msg("--target pcsc needs --reader NAME"))?,
            control: args.control,
            operator: args.operator,
            operator_timeout: Duration::from_secs(args.operator_timeout),
            allow_destructive: args.allow_destructive,
            keep_token: args.keep_token,
        },
    };
    if let TargetKind::Pcsc {
        control: Some(socket),
        keep_token: false,
        ..
    } = &target
    {
        eprintln!(
            "note: --control {}: each scenario loads its start token into the emulator; an \
             emulator started with --image FILE has FILE rewritten each time (pass --keep-token \
             to test the token as it is)",
            socket.display()
        );
    }
    let real_token = matches!(&target, TargetKind::Pcsc { control: None, .. });
    if !real_token && (args.user_pin.is_some() || args.admin_pin.is_some()) {
        return Err(CliError::invalid_msg(
            "--user-pin and --admin-pin are for a real token: --target pcsc without --control",
        ));
    }
    if args.jobs == 0 {
        return Err(CliError::invalid_msg("--jobs must be at least 1"));
    }
    let opts = RunOptions {
        paths: args.paths,
        tags: args.tags,
        target,
        jobs: args.jobs,
        partition: args.partition,
        seed: args.seed,
        profile: args.profile,
        junit: args.junit,
        json: args.json,
        json_transcripts: args.json_transcripts,
        artifacts: args.artifacts,
        html: args.html,
        verbose: args.verbose,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        color: colour_wanted(),
        factory: None,
        pins: TokenPins {
            user: args.user_pin,
            admin: args.admin_pin,
        },
        pin_guard: Default::default(),
    };
    let code = suite::main(&opts, &mut std::io::stdout().lock(), &mut std::io::stderr());
    Ok(ExitCode::from(code))
}

/// A PIN argument, kept as a [`Secret`] (its `Debug` prints `**`).
fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

/// Colour on a terminal only, and not when `NO_COLOR` is set to anything but the empty string
/// (<https://no-color.org>).
fn colour_wanted() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::IsTerminal::is_terminal(&std::io::stdout())
}
