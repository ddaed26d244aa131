//! A whole run: select scenarios, run them (in parallel on the emulator), write the reports,
//! decide the exit code.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Error;
use crate::client::ClientConfig;
use crate::report::{self, Outcome, RunReport, ScenarioReport};
use crate::scenario::Scenario;
use crate::scenario::load::{self, Partition};
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
    },
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
    /// `--artifacts DIR`.
    pub artifacts: Option<PathBuf>,
    /// `-v`: APDUs and screens.
    pub verbose: bool,
    /// Print the progress line.
    pub progress: bool,
    /// Overrides `target` with a custom factory (tests, benches).
    pub factory: Option<TargetFactory>,
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
            artifacts: None,
            verbose: false,
            progress: false,
            factory: None,
        }
    }
}

/// Loads every selected scenario; any invalid file stops the run (exit 2).
pub fn select(opts: &RunOptions) -> Result<Vec<Scenario>, Error> {
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
                "scenario name {:?} is used by both {} and {}",
                s.name,
                other.display(),
                s.file.display()
            )));
        }
    }
    if !opts.tags.is_empty() {
        scenarios.retain(|s| s.tags.iter().any(|t| opts.tags.contains(t)));
    }
    if let Some(p) = opts.partition {
        scenarios = scenarios
            .into_iter()
            .enumerate()
            .filter(|(i, _)| p.contains(*i))
            .map(|(_, s)| s)
            .collect();
    }
    if scenarios.is_empty() {
        return Err(Error::NoScenario(format!(
            "{} file(s) found, none selected (tags {:?}, partition {:?})",
            files.len(),
            opts.tags,
            opts.partition.map(|p| format!("{}/{}", p.index, p.count))
        )));
    }
    Ok(scenarios)
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
        } => open_pcsc(
            reader,
            control.as_deref(),
            (*operator, *operator_timeout, *allow_destructive),
            Some((scenario, seed)),
        ),
    }
}

/// Opens the PC/SC target; with a control socket and `start`, puts the scenario's start token
/// (its fixture, the scenario's seed) in the reader, as the emulator target builds it.
#[cfg(feature = "pcsc")]
fn open_pcsc(
    reader: &str,
    control: Option<&std::path::Path>,
    (operator, timeout, allow_destructive): (bool, Duration, bool),
    start: Option<(&Scenario, u64)>,
) -> Result<Box<dyn Target>, TargetError> {
    let mut target = crate::target::pcsc::PcscTarget::open(reader, control, operator, timeout)?;
    target.allow_destructive(allow_destructive);
    if let (Some(_), Some((scenario, seed))) = (control, start) {
        target.load(scenario.token.fixture, seed)?;
    }
    Ok(Box::new(target))
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(
    _: &str,
    _: Option<&std::path::Path>,
    _: (bool, Duration, bool),
    _: Option<(&Scenario, u64)>,
) -> Result<Box<dyn Target>, TargetError> {
    Err(TargetError::Unsupported(
        "use PC/SC: this build has no `pcsc` feature (cargo build --features pcsc)",
    ))
}

/// Opens the target once before the run without changing the token (no `load`), so that a
/// missing reader or control socket is a usage error.
fn probe_target(opts: &RunOptions, first: &Scenario) -> Result<Box<dyn Target>, TargetError> {
    match &opts.target {
        TargetKind::Pcsc {
            reader,
            control,
            operator,
            operator_timeout,
            allow_destructive,
        } => open_pcsc(
            reader,
            control.as_deref(),
            (*operator, *operator_timeout, *allow_destructive),
            None,
        ),
        TargetKind::Emulator => open_target(opts, &DeviceProfile::default(), first, 0),
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

/// Runs the selected scenarios and returns the report (no files written yet).
pub fn run(
    opts: &RunOptions,
    profile: &DeviceProfile,
    scenarios: &[Scenario],
    seed: u64,
    progress: &mut (dyn Write + Send),
) -> RunReport {
    let started = Instant::now();
    let jobs = match opts.target {
        TargetKind::Emulator => opts.jobs.max(1).min(scenarios.len().max(1)),
        // One reader: one scenario at a time.
        TargetKind::Pcsc { .. } => 1,
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ScenarioReport>>> = Mutex::new(vec![None; scenarios.len()]);
    let progress = Mutex::new(progress);
    let config = ClientConfig::from_profile(profile);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(scenario) = scenarios.get(i) else {
                        break;
                    };
                    let s_seed = scenario_seed(seed, &scenario.name);
                    let report = match open_target(opts, profile, scenario, s_seed) {
                        Ok(mut target) => {
                            crate::runner::run(scenario, target.as_mut(), &config, s_seed)
                        }
                        Err(e) => unopened(scenario, e),
                    };
                    if matches!(report.outcome, Outcome::Failed(_)) {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if opts.progress {
                        if let Ok(mut p) = progress.lock() {
                            let _ = write!(
                                p,
                                "{}",
                                report::terminal::progress(
                                    n,
                                    scenarios.len(),
                                    failed.load(Ordering::SeqCst)
                                )
                            );
                            let _ = p.flush();
                        }
                    }
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(report);
                    }
                }
            });
        }
    });
    if opts.progress {
        if let Ok(mut p) = progress.lock() {
            let _ = writeln!(p);
        }
    }
    let target = match &opts.target {
        TargetKind::Emulator => "emulator".to_owned(),
        TargetKind::Pcsc { reader, .. } => format!("pcsc:{reader}"),
    };
    let scenarios = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    RunReport {
        target,
        seed: Some(seed),
        scenarios,
        duration: started.elapsed(),
    }
}

/// The report of a scenario whose target could not be opened: a skip when the target cannot
/// do what is needed, otherwise a failure.
fn unopened(scenario: &Scenario, e: TargetError) -> ScenarioReport {
    let outcome = match e {
        TargetError::Unsupported(what) => Outcome::Skipped {
            reason: format!("the target cannot {what}"),
        },
        e => Outcome::Failed(report::Failure {
            at: "connect".to_owned(),
            expected: "the target to open".to_owned(),
            actual: e.to_string(),
        }),
    };
    ScenarioReport {
        name: scenario.name.clone(),
        file: scenario.file.display().to_string(),
        description: scenario.description.clone(),
        tags: scenario.tags.clone(),
        outcome,
        duration: Duration::ZERO,
        transcript: Default::default(),
        screens: Vec::new(),
        produced: Default::default(),
    }
}

/// Writes `--junit`, `--json` and `--artifacts`.
pub fn write_reports(opts: &RunOptions, r: &RunReport) -> Result<(), Error> {
    if let Some(path) = &opts.junit {
        std::fs::write(path, report::junit::render(r)).map_err(|e| Error::io(path, e))?;
    }
    if let Some(path) = &opts.json {
        std::fs::write(path, report::json::render(r)).map_err(|e| Error::io(path, e))?;
    }
    if let Some(dir) = &opts.artifacts {
        for s in &r.scenarios {
            report::artifacts::write(dir, s)?;
        }
    }
    Ok(())
}

/// The whole `run` command: select, run, print, write; returns the exit code (0 all passed,
/// 1 any failed, 2 invalid input or usage). Messages go to `out` and `err`.
pub fn main(opts: &RunOptions, out: &mut dyn Write, err: &mut (dyn Write + Send)) -> u8 {
    let scenarios = match select(opts) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let profile = match load_profile(opts) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    // A reader that does not exist, or a build without PC/SC, is a usage error (exit 2), not 28
    // failures or skips.
    if let (TargetKind::Pcsc { .. }, None, Some(first)) =
        (&opts.target, &opts.factory, scenarios.first())
    {
        match probe_target(opts, first) {
            Err(e) => {
                let _ = writeln!(err, "error: --target pcsc: {e}");
                return 2;
            }
            // A person at a real token reads what is on it and what the run will change first.
            Ok(mut target) => {
                if let TargetKind::Pcsc {
                    operator: true,
                    control: None,
                    allow_destructive,
                    ..
                } = &opts.target
                {
                    let text = crate::target::operator::preflight::report(
                        &mut target,
                        &ClientConfig::from_profile(&profile),
                        &scenarios,
                        *allow_destructive,
                    );
                    let _ = write!(err, "{text}");
                }
            }
        }
    }
    let seed = opts.seed.unwrap_or_else(fresh_seed);
    let report = run(opts, &profile, &scenarios, seed, err);
    let _ = report::terminal::write(out, &report, opts.verbose);
    let _ = writeln!(out, "seed: {seed} (repeat with --seed {seed})");
    if let Err(e) = write_reports(opts, &report) {
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
