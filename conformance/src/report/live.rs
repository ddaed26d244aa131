//! Reports written as the run goes: after every scenario the JUnit, JSON and HTML files are
//! rewritten whole (each into a temporary file renamed over the old one, so a reader — or a
//! run killed mid-write — never sees half a document) and the scenario's artifacts are written.

use std::path::{Path, PathBuf};

use super::{RunReport, ScenarioReport};
use crate::Error;

/// Where the reports go.
#[derive(Debug, Clone, Default)]
pub struct Sinks {
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
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

impl Sinks {
    /// Rewrites the run-wide files (JUnit, JSON, HTML) from the report as it stands.
    pub fn write_files(&self, r: &RunReport) -> Result<(), Error> {
        if let Some(path) = &self.junit {
            write_atomic(path, &super::junit::render(r))?;
        }
        if let Some(path) = &self.json {
            write_atomic(path, &super::json::render(r))?;
        }
        if let Some(path) = &self.html {
            write_atomic(path, &super::html::render(r))?;
        }
        Ok(())
    }

    /// A scenario ended (it is already in `r`): its artifacts, then the run-wide files.
    pub fn scenario_done(&self, r: &RunReport, s: &ScenarioReport) -> Result<(), Error> {
        if let Some(dir) = &self.artifacts {
            super::artifacts::write(dir, s, r.profile.rows)?;
        }
        self.write_files(r)
    }

    /// Checks before the run that every output can be created (a typo in a directory is a
    /// usage error before the first APDU, not after the run).
    pub fn check_writable(&self) -> Result<(), Error> {
        for path in [&self.junit, &self.json, &self.html].into_iter().flatten() {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "{}: the directory {} does not exist",
                    path.display(),
                    dir.display()
                )));
            }
        }
        if let Some(dir) = &self.artifacts {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        Ok(())
    }
}
