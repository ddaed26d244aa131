//! Reports written as the run goes. Each scenario's artifacts are written when it ends (their
//! cost is that scenario's). The run-wide files (JUnit, JSON, HTML) are written whole at the
//! end; during a long run they are also rewritten now and then as partial reports (each into a
//! temporary file renamed over the old one, so a reader — or a run killed mid-write — never sees
//! half a document), paced by [`Pacer`] so that rewriting stays a small share of the run's time
//! instead of growing with the square of the suite (every scenario re-rendering all before it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::json::JsonOptions;
use super::{RunReport, ScenarioReport};
use crate::Error;

/// Where the reports go.
#[derive(Debug, Clone, Default)]
pub struct Sinks {
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
    /// `--json-transcripts`: every decoded transcript in the JSON.
    pub json_transcripts: bool,
    /// `--html FILE`.
    pub html: Option<PathBuf>,
    /// `--artifacts DIR`.
    pub artifacts: Option<PathBuf>,
}

/// Writes `text` to `path` through a sibling temporary file and a rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// How the page at `page` refers to the directory `dir`: relative when `dir` is under the
/// page's directory (the pair can be moved together), otherwise by its absolute path.
fn link_from(page: &Path, dir: &Path) -> PathBuf {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let base = absolute(
        page.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    );
    let dir = absolute(dir);
    match dir.strip_prefix(&base) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_owned(),
        _ => dir,
    }
}

/// Decides when a partial report is rewritten: not before [`Pacer::MIN_PERIOD`] has passed
/// since the run started or the last write, nor before [`Pacer::COST_FACTOR`] times the last
/// write's own cost has — so rewriting takes at most 1/`COST_FACTOR` of the run's time, and a
/// run shorter than the period writes its reports once, at the end.
#[derive(Debug, Clone)]
pub struct Pacer {
    last: Instant,
    cost: Duration,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            last: Instant::now(),
            cost: Duration::ZERO,
        }
    }
}

impl Pacer {
    /// The shortest time between two partial writes: a person watching a real-token run sees
    /// the report move within seconds; an in-process run of the whole suite (0.3 s) never
    /// writes a partial one.
    pub const MIN_PERIOD: Duration = Duration::from_secs(2);
    /// Time between writes per unit of a write's cost: 20 keeps partial writes under 5 % of
    /// the run (the budget for all reports together is 10 %, issue 25).
    pub const COST_FACTOR: u32 = 20;

    /// Whether a partial report is due now.
    pub fn due(&self) -> bool {
        self.last.elapsed() >= Self::MIN_PERIOD.max(self.cost * Self::COST_FACTOR)
    }

    /// Notes a write that started at `started` and has just ended.
    pub fn wrote(&mut self, started: Instant) {
        self.cost = started.elapsed();
        self.last = Instant::now();
    }
}

impl Sinks {
    /// The JSON writer's options.
    pub fn json_options(&self) -> JsonOptions {
        JsonOptions {
            transcripts: self.json_transcripts,
            artifacts: self.artifacts.clone(),
        }
    }

    /// Rewrites the run-wide files (JUnit, JSON, HTML) from the report as it stands.
    pub fn write_files(&self, r: &RunReport) -> Result<(), Error> {
        if let Some(path) = &self.junit {
            write_atomic(path, &super::junit::render(r))?;
        }
        if let Some(path) = &self.json {
            write_atomic(path, &super::json::render_with(r, &self.json_options()))?;
        }
        if let Some(path) = &self.html {
            let link = self.artifacts.as_deref().map(|dir| link_from(path, dir));
            write_atomic(path, &super::html::render_with(r, link.as_deref()))?;
        }
        Ok(())
    }

    /// A scenario ended (it is already in `r`): its artifacts, then the run-wide files.
    pub fn scenario_done(&self, r: &RunReport, s: &ScenarioReport) -> Result<(), Error> {
        self.artifacts(r, s)?;
        self.write_files(r)
    }

    /// A scenario ended: its artifacts, and the run-wide files when `pacer` says a partial
    /// report is due.
    pub fn scenario_done_paced(
        &self,
        pacer: &mut Pacer,
        r: &RunReport,
        s: &ScenarioReport,
    ) -> Result<(), Error> {
        self.artifacts(r, s)?;
        let any = self.junit.is_some() || self.json.is_some() || self.html.is_some();
        if any && pacer.due() {
            let started = Instant::now();
            self.write_files(r)?;
            pacer.wrote(started);
        }
        Ok(())
    }

    fn artifacts(&self, r: &RunReport, s: &ScenarioReport) -> Result<(), Error> {
        match &self.artifacts {
            Some(dir) => super::artifacts::write(dir, s, r.profile.rows),
            None => Ok(()),
        }
    }

    /// Before the run: creates the directories every output goes into (as `--artifacts`
    /// always did), so a typo in a path is an error before the first APDU, not after the run.
    pub fn check_writable(&self) -> Result<(), Error> {
        for path in [&self.junit, &self.json, &self.html].into_iter().flatten() {
            if path.is_dir() {
                return Err(Error::Usage(format!(
                    "{}: is a directory; give a file name",
                    path.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
        }
        if let Some(dir) = &self.artifacts {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_pacer_waits_for_the_period() {
        let pacer = Pacer::default();
        assert!(!pacer.due());
        let old = Pacer {
            last: Instant::now() - Pacer::MIN_PERIOD,
            cost: Duration::ZERO,
        };
        assert!(old.due());
        // A write that cost a second is not followed by another within 20 seconds.
        let costly = Pacer {
            last: Instant::now() - Duration::from_secs(5),
            cost: Duration::from_secs(1),
        };
        assert!(!costly.due());
    }
}
