//! A whole run: select scenarios, run them (in parallel on the emulator), write the reports,
//! decide the exit code.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::Error;
use crate::client::ClientConfig;
use crate::report::live::Sinks;
use crate::report::{self, Outcome, ProfileInfo, RunReport, ScenarioReport};
use crate::runner::not_run;
use crate::scenario::Scenario;
use crate::scenario::load::{self, Partition};
use crate::target::operator::gate::{self, RealToken};
use crate::target::operator::guard::PinGuard;
use crate::target::operator::pins::TokenPins;
use crate::target::{Target, TargetError};
use rutoken_sim::profile::DeviceProfile;

/// Which target the run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// In process, a fresh token per scenario.
    Emulator,
    /// A PC/SC reader (feature `pcsc`).
    Pcsc {
        /// Reader name (a unique substring is enough).
        reader: String,
        /// The emulator's control socket, automating presses, pulls and restarts.
        control: Option<PathBuf>,
        /// A person does what the scenario needs and confirms at the terminal.
        operator: bool,
        /// How long to wait for the person.
        operator_timeout: Duration,
        /// Run scenarios that can block a PIN or delete objects on a real token.
        allow_destructive: bool,
        /// With `control`: keep the token in the reader instead of loading each scenario's
        /// start token (which rewrites the emulator's `--image` file).
        keep_token: bool,
    },
    /// A PKCS#11 module (feature `pkcs11`): the bank-client steps as PKCS#11 calls.
    Pkcs11(Pkcs11Options),
}

/// What `--target pkcs11` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs11Options {
    /// The module file.
    pub module: PathBuf,
    /// A slot ID as the module numbers them; default the first slot with a token.
    pub slot: Option<u64>,
    /// The emulator's control socket: presses, screens, power events and a fresh start token
    /// per scenario.
    pub control: Option<PathBuf>,
    /// A person presses the SafeTouch, answers whether it shows the expected screen, pulls and
    /// inserts the token (a real token); how long to wait for them.
    pub operator: Option<Duration>,
    /// Without a control socket (a real token): also run the scenarios that can block a PIN or
    /// delete objects.
    pub allow_destructive: bool,
}

/// Opens a target for a scenario (its fixture and seed): a custom target for tests and benches.
pub type TargetFactory =
    Arc<dyn Fn(&Scenario, u64) -> Result<Box<dyn Target>, TargetError> + Send + Sync>;

/// Everything `rutoken-lab run` accepts.
#[derive(Clone)]
pub struct RunOptions {
    /// Files, directories, globs; empty: every `scenarios/*.yaml`.
    pub paths: Vec<String>,
    /// Only scenarios with one of these tags.
    pub tags: Vec<String>,
    /// The target.
    pub target: TargetKind,
    /// Parallel scenarios (emulator only).
    pub jobs: usize,
    /// Part K of N.
    pub partition: Option<Partition>,
    /// The run's seed; `None`: a fresh one, printed so the run can be repeated.
    pub seed: Option<u64>,
    /// Device profile YAML.
    pub profile: Option<PathBuf>,
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
    /// `--json-transcripts`: every scenario's decoded transcript in the JSON (large).
    pub json_transcripts: bool,
    /// `--artifacts DIR`.
    pub artifacts: Option<PathBuf>,
    /// `--html FILE`.
    pub html: Option<PathBuf>,
    /// `-v`: APDUs and screens.
    pub verbose: bool,
    /// Print the progress line (`err` is a terminal).
    pub progress: bool,
    /// Colour PASS/FAIL (`out` is a terminal and `NO_COLOR` is not set).
    pub color: bool,
    /// Overrides `target` with a custom factory (tests, benches).
    pub factory: Option<TargetFactory>,
    /// The token's PINs (`--user-pin`, `--admin-pin`): a real token's own, in place of the
    /// scenarios' `${user_pin}` and `${admin_pin}`.
    pub pins: TokenPins,
    /// Stops a real-token run at the first PIN the token refuses (shared by its targets).
    pub pin_guard: PinGuard,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("paths", &self.paths)
            .field("tags", &self.tags)
            .field("target", &self.target)
            .field("jobs", &self.jobs)
            .field("seed", &self.seed)
            .field("factory", &self.factory.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            paths: Vec::new(),
            tags: Vec::new(),
            target: TargetKind::Emulator,
            jobs: 1,
            partition: None,
            seed: None,
            profile: None,
            junit: None,
            json: None,
            json_transcripts: false,
            artifacts: None,
            html: None,
            verbose: false,
            progress: false,
            color: false,
            factory: None,
            pins: TokenPins::default(),
            pin_guard: PinGuard::default(),
        }
    }
}

/// What a selection gave.
#[derive(Debug)]
pub enum Selection {
    /// Scenarios to run.
    Scenarios(Vec<Scenario>),
    /// `--partition` left this shard nothing (more shards than scenarios): not an error.
    EmptyShard(String),
}

/// Loads every scenario file (each one validated, selected or not), then selects; any invalid
/// file stops the run (exit 2). An empty `--partition` shard is an empty list.
pub fn select(opts: &RunOptions) -> Result<Vec<Scenario>, Error> {
    match select_run(opts)? {
        Selection::Scenarios(s) => Ok(s),
        Selection::EmptyShard(_) => Ok(Vec::new()),
    }
}

/// [`select`], telling an empty shard apart.
pub fn select_run(opts: &RunOptions) -> Result<Selection, Error> {
    let files = load::expand_paths(&opts.paths)?;
    if files.is_empty() {
        return Err(Error::NoScenario(
            "the scenario directory holds no .yaml file".to_owned(),
        ));
    }
    let mut scenarios = Vec::new();
    for file in &files {
        scenarios.push(load::load_file(file)?);
    }
    let mut names = std::collections::BTreeMap::new();
    for s in &scenarios {
        if let Some(other) = names.insert(s.name.clone(), s.file.clone()) {
            return Err(Error::Usage(format!(
                "scenario name {} is used by both {} and {}",
                s.name,
                other.display(),
                s.file.display()
            )));
        }
    }
    if !opts.tags.is_empty() {
        scenarios.retain(|s| s.tags.iter().any(|t| opts.tags.contains(t)));
        if scenarios.is_empty() {
            return Err(Error::NoScenario(format!(
                "{} file(s) found, none has the tag {}",
                files.len(),
                opts.tags.join(" or ")
            )));
        }
    }
    if let Some(p) = opts.partition {
        let selected = scenarios.len();
        scenarios = scenarios
            .into_iter()
            .enumerate()
            .filter(|(i, _)| p.contains(*i))
            .map(|(_, s)| s)
            .collect();
        if scenarios.is_empty() {
            return Ok(Selection::EmptyShard(format!(
                "part {} of {} is empty ({selected} scenario{} selected)",
                p.index,
                p.count,
                if selected == 1 { "" } else { "s" }
            )));
        }
    }
    Ok(Selection::Scenarios(scenarios))
}

/// A scenario's own seed: the run's seed mixed with its name (FNV-1a), so a scenario gets the
/// same token and CA whatever order or thread it runs in.
pub fn scenario_seed(run_seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ run_seed
}

/// Opens the target for one scenario.
pub fn open_target(
    opts: &RunOptions,
    profile: &DeviceProfile,
    scenario: &Scenario,
    seed: u64,
) -> Result<Box<dyn Target>, TargetError> {
    if let Some(factory) = &opts.factory {
        return factory(scenario, seed);
    }
    match &opts.target {
        TargetKind::Emulator => {
            crate::target::emulator::open(scenario.token.fixture, seed, profile)
        }
        TargetKind::Pcsc {
            reader,
            control,
            operator,
            operator_timeout,
            allow_destructive,
            keep_token,
        } => open_pcsc(
            reader,
            control.as_deref(),
            (*operator, *operator_timeout, *allow_destructive),
            (!keep_token).then_some((scenario, seed)),
            (profile, &opts.pin_guard),
        ),
        TargetKind::Pkcs11(_) => Err(TargetError::Unsupported(
            "carry APDUs: a PKCS#11 module runs the steps itself",
        )),
    }
}

/// Opens the PC/SC target; with a control socket and `start`, puts the scenario's start token
/// (its fixture, the scenario's seed) in the reader, as the emulator target builds it.
/// A real token (no control socket) without `--allow-destructive` gets the run's PIN guard; an
/// operator's screens are laid out by the profile's SafeTouch.
#[cfg(feature = "pcsc")]
fn open_pcsc(
    reader: &str,
    control: Option<&std::path::Path>,
    (operator, timeout, allow_destructive): (bool, Duration, bool),
    start: Option<(&Scenario, u64)>,
    (profile, guard): (&DeviceProfile, &PinGuard),
) -> Result<Box<dyn Target>, TargetError> {
    let mut target = crate::target::pcsc::PcscTarget::open(reader, control, operator, timeout)?;
    target.allow_destructive(allow_destructive);
    target.safetouch(profile.safetouch.clone());
    target.key_codes(crate::client::ClientConfig::from_profile(profile));
    if control.is_none() && !allow_destructive {
        target.guard(guard.clone());
    }
    match (control, start) {
        (Some(_), Some((scenario, seed))) => target.load(scenario.token.fixture, seed)?,
        // No fresh token: scenarios check the token in the reader against their start.
        _ => target.keep_token = true,
    }
    Ok(Box::new(target))
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(
    _: &str,
    _: Option<&std::path::Path>,
    _: (bool, Duration, bool),
    _: Option<(&Scenario, u64)>,
    _: (&DeviceProfile, &PinGuard),
) -> Result<Box<dyn Target>, TargetError> {
    Err(TargetError::Unsupported(
        "use PC/SC: this build has no `pcsc` feature (cargo build --features pcsc)",
    ))
}

/// Opens the target once before the run without changing the token (no `load`), so that a
/// missing reader or control socket is a usage error.
fn probe_target(
    opts: &RunOptions,
    profile: &DeviceProfile,
    first: &Scenario,
) -> Result<Box<dyn Target>, TargetError> {
    match &opts.target {
        TargetKind::Pcsc {
            reader,
            control,
            operator,
            operator_timeout,
            allow_destructive,
            ..
        } => open_pcsc(
            reader,
            control.as_deref(),
            (*operator, *operator_timeout, *allow_destructive),
            None,
            (profile, &opts.pin_guard),
        ),
        TargetKind::Emulator | TargetKind::Pkcs11(_) => {
            open_target(opts, &DeviceProfile::default(), first, 0)
        }
    }
}

/// The device profile of `--profile`, or the built-in defaults (the same values as
/// `profiles/rutoken-ecp2-safetouch.yaml`).
pub fn load_profile(opts: &RunOptions) -> Result<DeviceProfile, Error> {
    match &opts.profile {
        Some(path) => {
            DeviceProfile::load(path).map_err(|e| Error::Usage(format!("--profile: {e}")))
        }
        None => Ok(DeviceProfile::default()),
    }
}

/// Runs the selected scenarios and returns the report (no files written, nothing printed but
/// the progress line).
pub fn run(
    opts: &RunOptions,
    profile: &DeviceProfile,
    scenarios: &[Scenario],
    seed: u64,
    progress: &mut dyn Write,
) -> RunReport {
    run_with(opts, profile, scenarios, seed, progress, &mut |_, _| {})
}

/// What the workers tell the thread that prints and writes.
enum Event {
    /// Scenario `i` started.
    Started(usize),
    /// Scenario `i` ended, at that instant (the run's time is counted up to the last of
    /// these, not up to when the reports are written).
    Done(usize, Box<ScenarioReport>, Instant),
}

/// The profile's identity for the reports.
pub fn profile_info(opts: &RunOptions, profile: &DeviceProfile) -> ProfileInfo {
    // Every value, defaults filled in, in a fixed order (the derived Debug of plain data): two
    // profile files that differ only in comments or key order get the same digest.
    let canonical = format!("{profile:?}");
    let digest = gost::DigestAlgorithm::Streebog256.digest(canonical.as_bytes());
    ProfileInfo {
        source: opts
            .profile
            .as_ref()
            .map_or_else(|| "built-in".to_owned(), |p| p.display().to_string()),
        digest: format!("streebog256:{}", hex::encode(digest)),
        rows: profile.safetouch.rows,
        columns: profile.safetouch.columns,
    }
}

/// Runs the selected scenarios; `on_done` gets the report so far and each scenario as it ends
/// (in the order they end, also with `--jobs`), on the calling thread.
pub fn run_with(
    opts: &RunOptions,
    profile: &DeviceProfile,
    scenarios: &[Scenario],
    seed: u64,
    progress: &mut dyn Write,
    on_done: &mut dyn FnMut(&RunReport, &ScenarioReport),
) -> RunReport {
    let started = Instant::now();
    let jobs = match opts.target {
        TargetKind::Emulator => opts.jobs.max(1).min(scenarios.len().max(1)),
        // One reader (one token): one scenario at a time.
        TargetKind::Pcsc { .. } | TargetKind::Pkcs11(_) => 1,
    };
    let target = target_name(&opts.target);
    let mut report = RunReport::start(
        target,
        profile_info(opts, profile),
        Some(seed),
        scenarios.len(),
    );
    let next = AtomicUsize::new(0);
    let config = ClientConfig::from_profile(profile);
    let (events, inbox) = std::sync::mpsc::channel::<Event>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let events = events.clone();
            let (next, config) = (&next, &config);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(scenario) = scenarios.get(i) else {
                        break;
                    };
                    let _ = events.send(Event::Started(i));
                    let s_seed = scenario_seed(seed, &scenario.name);
                    let mut result = match &opts.target {
                        // A PIN was refused on a real token: nothing more is sent to it.
                        _ if opts.pin_guard.stopped().is_some() => not_run(
                            scenario,
                            Outcome::Skipped {
                                reason: "not run: the run stopped after a refused PIN".to_owned(),
                            },
                        ),
                        // A module is opened as a driver of its own (no APDUs, no Target);
                        // the steps run through the same runner.
                        TargetKind::Pkcs11(p11) if opts.factory.is_none() => {
                            let started = Instant::now();
                            match open_pkcs11(scenario, p11, profile, s_seed) {
                                Ok(opened) => crate::runner::run_opened(
                                    scenario,
                                    opened,
                                    Ok(()),
                                    s_seed,
                                    started,
                                ),
                                Err(report) => *report,
                            }
                        }
                        _ => match open_target(opts, profile, scenario, s_seed) {
                            Ok(mut target) => {
                                crate::runner::run(scenario, target.as_mut(), config, s_seed)
                            }
                            Err(e) => unopened(scenario, e),
                        },
                    };
                    let ended = Instant::now();
                    report::locate::fill(scenario, &mut result);
                    let _ = events.send(Event::Done(i, Box::new(result), ended));
                }
            });
        }
        drop(events);
        // This thread prints and writes while the workers run: lines appear as scenarios end.
        let mut running: Vec<usize> = Vec::new();
        let mut failed = 0;
        let mut last_end = started;
        for event in inbox {
            match event {
                Event::Started(i) => running.push(i),
                Event::Done(i, result, ended) => {
                    last_end = last_end.max(ended);
                    running.retain(|&r| r != i);
                    if matches!(result.outcome, Outcome::Failed(_)) {
                        failed += 1;
                    }
                    if opts.progress {
                        let _ = write!(progress, "{}", report::terminal::clear_progress());
                        let _ = progress.flush();
                    }
                    report.duration = last_end.duration_since(started);
                    report.scenarios.push(*result);
                    if let Some(last) = report.scenarios.last() {
                        on_done(&report, last);
                    }
                }
            }
            if opts.progress {
                let names: Vec<&str> = running
                    .iter()
                    .filter_map(|&i| scenarios.get(i))
                    .map(|s| s.name.as_str())
                    .collect();
                let _ = write!(
                    progress,
                    "{}",
                    report::terminal::progress(
                        report.scenarios.len(),
                        scenarios.len(),
                        failed,
                        &names
                    )
                );
                let _ = progress.flush();
            }
        }
    });
    if opts.progress {
        let _ = write!(progress, "{}", report::terminal::clear_progress());
        let _ = progress.flush();
    }
    report.complete = true;
    report
}

/// The target's name in the reports.
fn target_name(target: &TargetKind) -> String {
    match target {
        TargetKind::Emulator => "emulator".to_owned(),
        TargetKind::Pcsc { reader, .. } => format!("pcsc:{reader}"),
        TargetKind::Pkcs11(p11) => format!("pkcs11:{}", p11.module.display()),
    }
}

/// The driver of one scenario over a PKCS#11 module (`Err`: the report of a scenario that did
/// not start).
#[cfg(feature = "pkcs11")]
fn open_pkcs11(
    scenario: &Scenario,
    opts: &Pkcs11Options,
    profile: &DeviceProfile,
    seed: u64,
) -> Result<crate::runner::Opened<'static>, Box<ScenarioReport>> {
    crate::pkcs11::open(scenario, opts, profile, seed)
}

#[cfg(not(feature = "pkcs11"))]
fn open_pkcs11(
    scenario: &Scenario,
    _: &Pkcs11Options,
    _: &DeviceProfile,
    _: u64,
) -> Result<crate::runner::Opened<'static>, Box<ScenarioReport>> {
    Err(Box::new(unopened(
        scenario,
        TargetError::Unsupported(
            "load a PKCS#11 module: this build has no `pkcs11` feature (cargo build --features pkcs11)",
        ),
    )))
}

/// Checks the module once before the run: a bad path, a missing slot or a failing
/// C_Initialize is a usage error (exit 2).
#[cfg(feature = "pkcs11")]
fn probe_pkcs11(opts: &Pkcs11Options) -> Result<String, Error> {
    crate::pkcs11::probe(opts)
}

#[cfg(not(feature = "pkcs11"))]
fn probe_pkcs11(_: &Pkcs11Options) -> Result<String, Error> {
    Err(Error::Usage(
        "this build has no `pkcs11` feature (cargo build --features pkcs11)".to_owned(),
    ))
}

/// The report of a scenario whose target could not be opened: a skip when the target cannot
/// do what is needed, otherwise a failure.
fn unopened(scenario: &Scenario, e: TargetError) -> ScenarioReport {
    let outcome = match e {
        TargetError::Unsupported(what) => Outcome::Skipped {
            reason: format!("the target cannot {what}"),
        },
        e => Outcome::Failed(report::Failure {
            at: report::FailedAt::Connect,
            expected: "the target to open".to_owned(),
            actual: e.to_string(),
            location: None,
        }),
    };
    not_run(scenario, outcome)
}

/// Where the reports go.
pub fn sinks(opts: &RunOptions) -> Sinks {
    Sinks {
        junit: opts.junit.clone(),
        json: opts.json.clone(),
        json_transcripts: opts.json_transcripts,
        html: opts.html.clone(),
        artifacts: opts.artifacts.clone(),
    }
}

/// Writes `--junit`, `--json`, `--html` and `--artifacts` of a finished run at once.
pub fn write_reports(opts: &RunOptions, r: &RunReport) -> Result<(), Error> {
    let sinks = sinks(opts);
    if let Some(dir) = &sinks.artifacts {
        for s in &r.scenarios {
            report::artifacts::write(dir, s, r.profile.rows)?;
        }
    }
    sinks.write_files(r)
}

/// The whole `run` command: select, validate, run (printing each scenario as it ends and
/// rewriting the reports after each), summarise; returns the exit code (0 all passed, 1 any
/// failed, 2 invalid input or usage). Messages go to `out` and `err`.
pub fn main(opts: &RunOptions, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let profile = match load_profile(opts) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let mut scenarios = match select_run(opts) {
        Ok(Selection::Scenarios(s)) => s,
        Ok(Selection::EmptyShard(why)) => {
            // An empty CI shard is not an error: more shards than scenarios is normal when the
            // shard count is fixed in the CI configuration.
            let _ = writeln!(out, "nothing to run: {why}");
            return 0;
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let sinks = sinks(opts);
    if let Err(e) = sinks.check_writable() {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    // A reader that does not exist, or a build without PC/SC, is a usage error (exit 2), not 28
    // failures or skips.
    if let (TargetKind::Pcsc { .. }, None, Some(first)) =
        (&opts.target, &opts.factory, scenarios.first().cloned())
    {
        match probe_target(opts, &profile, &first) {
            Err(e) => {
                let _ = writeln!(err, "error: --target pcsc: {e}");
                return 2;
            }
            // A real token: the preflight, its PINs, the operator's y and one check of the
            // user PIN before the first scenario.
            Ok(mut target) => {
                if let TargetKind::Pcsc {
                    operator,
                    operator_timeout,
                    control: None,
                    allow_destructive,
                    ..
                } = &opts.target
                {
                    let how = RealToken {
                        operator: operator.then_some(*operator_timeout),
                        allow_destructive: *allow_destructive,
                        pins: opts.pins.clone(),
                    };
                    let checked = gate::gate(
                        &mut target,
                        &ClientConfig::from_profile(&profile),
                        &mut scenarios,
                        &how,
                        err,
                    );
                    if let Err(why) = checked {
                        let _ = writeln!(err, "error: {why}");
                        return 2;
                    }
                }
            }
        }
    }
    if let (TargetKind::Pkcs11(p11), None) = (&opts.target, &opts.factory) {
        match probe_pkcs11(p11) {
            Ok(token) => {
                let _ = writeln!(err, "pkcs11: {token}");
            }
            Err(e) => {
                let _ = writeln!(err, "error: --target pkcs11: {e}");
                return 2;
            }
        }
    }
    let seed = opts.seed.unwrap_or_else(fresh_seed);
    let _ = writeln!(
        out,
        "running {} scenario{} on {}, seed {seed}",
        scenarios.len(),
        if scenarios.len() == 1 { "" } else { "s" },
        match &opts.target {
            TargetKind::Emulator => "the emulator".to_owned(),
            TargetKind::Pcsc { reader, .. } => format!("PC/SC reader {reader}"),
            TargetKind::Pkcs11(p11) => format!("PKCS#11 module {}", p11.module.display()),
        }
    );
    let _ = out.flush();
    let mut write_error: Option<Error> = None;
    let mut pacer = crate::report::live::Pacer::default();
    let report = run_with(opts, &profile, &scenarios, seed, err, &mut |so_far, s| {
        let _ = writeln!(
            out,
            "{}",
            report::terminal::scenario_line_coloured(s, opts.color)
        );
        let _ = write!(out, "{}", report::terminal::details(s, opts.verbose));
        let _ = out.flush();
        if write_error.is_none() {
            write_error = sinks.scenario_done_paced(&mut pacer, so_far, s).err();
        }
    });
    let _ = writeln!(
        out,
        "{}",
        report::terminal::summary_coloured(&report, opts.color)
    );
    let _ = writeln!(out, "seed: {seed} (repeat with --seed {seed})");
    if let Some(why) = opts.pin_guard.stopped() {
        let _ = writeln!(err, "error: {why}");
        if let Err(e) = sinks.write_files(&report) {
            let _ = writeln!(err, "error: {e}");
        }
        return 2;
    }
    if let Some(e) = write_error {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    if let Err(e) = sinks.write_files(&report) {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    report.exit_code()
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // The low 64 bits of the time: the part that changes between runs.
    let low = u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or_default();
    low ^ u64::from(std::process::id()).rotate_left(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_seeds_differ_by_name_and_repeat() {
        assert_eq!(scenario_seed(7, "a"), scenario_seed(7, "a"));
        assert_ne!(scenario_seed(7, "a"), scenario_seed(7, "b"));
        assert_ne!(scenario_seed(7, "a"), scenario_seed(8, "a"));
    }
}
