//! Reading scenario files, finding them, and choosing which to run.

use std::path::{Path, PathBuf};

use super::Scenario;
use crate::Error;
use crate::error::PartitionError;

/// Parses one scenario from YAML text; `file` names it in errors.
///
/// Every error carries the file, the 1-based line and column, and what was expected
/// (serde-saphyr's message), e.g. `scenarios/x.yaml:12:7: unknown variant `sign_reqest`,
/// expected one of …`.
pub fn parse(file: &Path, text: &str) -> Result<Scenario, Error> {
    let mut scenario: Scenario = serde_saphyr::from_str(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        Error::Scenario {
            file: file.to_owned(),
            line,
            column,
            message: describe(&err),
        }
    })?;
    scenario.file = file.to_owned();
    scenario.locations = locations(text);
    check(&scenario, text).map_err(|(line, message)| Error::Scenario {
        file: file.to_owned(),
        line,
        column: 1,
        message,
    })?;
    super::validate::check(&scenario, file, text).map_err(|(line, column, message)| {
        Error::Scenario {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })?;
    Ok(scenario)
}

/// Where the steps, assertions and `token:` start: a second, shallow parse of the same text
/// (each item read as `Spanned<IgnoredAny>`, so nothing but its position is kept). The text
/// already parsed once, so this cannot fail; if it did, the failure would only lose positions.
fn locations(text: &str) -> super::Locations {
    use serde::de::IgnoredAny;
    use serde_saphyr::Spanned;
    #[derive(serde::Deserialize)]
    struct Shallow {
        #[serde(default)]
        token: Option<Spanned<IgnoredAny>>,
        #[serde(default)]
        steps: Vec<Spanned<IgnoredAny>>,
        #[serde(default, rename = "assert")]
        assertions: Vec<Spanned<IgnoredAny>>,
    }
    let at = |s: &Spanned<IgnoredAny>| super::LineCol {
        line: u32::try_from(s.referenced.line()).unwrap_or(0),
        column: u32::try_from(s.referenced.column()).unwrap_or(0),
    };
    match serde_saphyr::from_str::<Shallow>(text) {
        Ok(shallow) => super::Locations {
            token: shallow.token.as_ref().map(at),
            steps: shallow.steps.iter().map(at).collect(),
            assertions: shallow.assertions.iter().map(at).collect(),
        },
        Err(_) => super::Locations::default(),
    }
}

/// saphyr's message without its own location suffix and snippet (we print ours first).
fn describe(err: &serde_saphyr::Error) -> String {
    let full = err.to_string();
    let first = full.lines().next().unwrap_or("invalid scenario").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 4 column 5: unknown variant …": the location is printed by us already.
    let message = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((_, message)) => message,
        None => first,
    };
    user_words(message)
}

/// saphyr's wording where it speaks of Rust rather than of the file.
pub fn user_words(message: &str) -> String {
    match message {
        "invalid u64" | "invalid u8" | "invalid u16" | "invalid u32" | "invalid usize" => {
            "expected a non-negative integer".to_owned()
        }
        m if m.contains("DuplicateKeyPolicy") || m.to_ascii_lowercase().contains("duplicate") => {
            // "duplicate mapping key …; set DuplicateKeyPolicy in Options if acceptable": the
            // advice is for programmers.
            let key = m
                .split(['`', '\'', '"'])
                .nth(1)
                .map(|k| format!(" {k}"))
                .unwrap_or_default();
            format!("the key{key} appears twice in the same mapping; keep one")
        }
        other => other.to_owned(),
    }
}

/// Checks serde cannot express: the name's alphabet and the parameter set letters.
fn check(s: &Scenario, text: &str) -> Result<(), (u64, String)> {
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i as u64 + 1)
    };
    if s.name.is_empty()
        || !s
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err((
            line_of("name:"),
            format!(
                "name {}: expected lower-case letters, digits, - and _",
                if s.name.is_empty() {
                    "(empty)"
                } else {
                    &s.name
                }
            ),
        ));
    }
    if time::Date::parse(
        &s.token.date,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .is_err()
    {
        return Err((
            line_of("date:"),
            format!("token.date {}: expected YYYY-MM-DD", s.token.date),
        ));
    }
    for step in &s.steps {
        if let super::Step::GenerateKey(g) = step {
            let allowed: &[&str] = match g.algorithm {
                super::step::Algorithm::Gost2012_256 => &["A", "B", "C", "D"],
                super::step::Algorithm::Gost2012_512 | super::step::Algorithm::Gost2001 => {
                    &["A", "B", "C"]
                }
            };
            if !allowed.contains(&g.param_set.as_str()) {
                return Err((
                    line_of("param_set:"),
                    format!(
                        "param_set {}: expected one of {}",
                        g.param_set,
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Reads and parses one file.
pub fn load_file(path: &Path) -> Result<Scenario, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

/// The default scenario directory: `scenarios/` in the current directory, else in the
/// workspace root this crate was built from.
pub fn default_dir() -> Option<PathBuf> {
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return Some(here);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .join("scenarios");
    root.is_dir().then_some(root)
}

/// The `.yaml` files of a directory, sorted by name.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Expands the positional arguments: files, directories, and globs (`*`, `?` in the file
/// name part, e.g. `scenarios/pin-*.yaml`). No argument: every `scenarios/*.yaml`.
pub fn expand_paths(args: &[String]) -> Result<Vec<PathBuf>, Error> {
    if args.is_empty() {
        let dir = default_dir().ok_or_else(|| {
            Error::NoScenario(
                "no scenarios/ directory in the current directory or the workspace root; \
                 pass scenario files or run from the workspace"
                    .to_owned(),
            )
        })?;
        return yaml_files(&dir);
    }
    let mut out = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            out.extend(yaml_files(&path)?);
        } else if arg.contains(['*', '?']) {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let pattern = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let matched: Vec<_> = yaml_files(dir)?
                .into_iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| glob_match(pattern, n))
                })
                .collect();
            if matched.is_empty() {
                return Err(Error::NoScenario(format!(
                    "the pattern {arg} matches no file"
                )));
            }
            out.extend(matched);
        } else if path.is_file() {
            out.push(path);
        } else {
            return Err(Error::NoScenario(format!(
                "{arg}: no such file or directory"
            )));
        }
    }
    Ok(out)
}

/// `*` (any run) and `?` (one character) matching.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// `--partition K/N`: 1-based part K of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// This machine's part, 1..=N.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl std::str::FromStr for Partition {
    type Err = PartitionError;
    fn from_str(s: &str) -> Result<Self, PartitionError> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| PartitionError::NoSlash(s.to_owned()))?;
        let index: usize = k
            .trim()
            .parse()
            .map_err(|_| PartitionError::Index(s.to_owned()))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| PartitionError::Count(s.to_owned()))?;
        if count == 0 || index == 0 || index > count {
            return Err(PartitionError::OutOfRange(s.to_owned()));
        }
        Ok(Partition { index, count })
    }
}

impl Partition {
    /// Whether the scenario at `position` (in the sorted selection) belongs to this part:
    /// round robin, so every part gets a similar mix.
    pub fn contains(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn globs() {
        assert!(glob_match("pin-*.yaml", "pin-blocked.yaml"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("pin-*.yaml", "happy.yaml"));
        assert!(glob_match("*-512-*", "reissue-512-a.yaml"));
    }

    #[test]
    fn partitions_cover_each_scenario_once() {
        let parts: Vec<Partition> = ["1/3", "2/3", "3/3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        for pos in 0..10 {
            assert_eq!(parts.iter().filter(|p| p.contains(pos)).count(), 1);
        }
        let bad = |s: &str| s.parse::<Partition>().unwrap_err();
        assert_eq!(bad("0/3"), PartitionError::OutOfRange("0/3".into()));
        assert_eq!(bad("4/3"), PartitionError::OutOfRange("4/3".into()));
        assert_eq!(bad("3/0"), PartitionError::OutOfRange("3/0".into()));
        assert_eq!(bad("x"), PartitionError::NoSlash("x".into()));
        assert_eq!(bad("a/3"), PartitionError::Index("a/3".into()));
        assert_eq!(bad("1/b"), PartitionError::Count("1/b".into()));
        assert_eq!(bad("x").to_string(), "x: expected K/N, e.g. 1/3");
    }

    #[test]
    fn unknown_step_names_file_line_column() {
        let text = "name: t\nsteps:\n  - attach\n  - sign_reqest: {}\n";
        let err = parse(Path::new("t.yaml"), text).unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:4:"), "{err}");
        assert!(
            err.starts_with("t.yaml:4:5: unknown variant `sign_reqest`, expected one of"),
            "{err}"
        );
    }

    #[test]
    fn missing_field_is_named() {
        let text = "name: t\nsteps:\n  - verify_pin: {expect: ok}\n";
        let err = parse(Path::new("t.yaml"), text).unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:3:"), "{err}");
        assert!(err.contains("pin"), "{err}");
    }

    #[test]
    fn wrong_type_is_named() {
        let text = "name: t\nsteps:\n  - list_objects: {keys: many}\n";
        let err = parse(Path::new("t.yaml"), text).unwrap_err().to_string();
        assert_eq!(err, "t.yaml:3:26: expected a non-negative integer");
    }

    #[test]
    fn a_certificate_check_that_cannot_hold_is_refused_at_its_line() {
        let text = "name: t\nsteps:\n  - attach\nassert:\n  - certificate: {key: current, matches_key: false}\n";
        let err = parse(Path::new("t.yaml"), text).unwrap_err().to_string();
        assert!(
            err.starts_with("t.yaml:5:") && err.contains("matches_key: false cannot be checked"),
            "{err}"
        );
        let fine = text.replace("false", "true");
        assert!(parse(Path::new("t.yaml"), &fine).is_ok());
    }

    #[test]
    fn bad_param_set_is_refused() {
        let text = "name: t\nsteps:\n  - generate_key: {algorithm: gost2012-512, param_set: D}\n";
        let err = parse(Path::new("t.yaml"), text).unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:3:1: param_set D:"), "{err}");
    }

    #[test]
    fn parses_a_minimal_scenario() {
        let text = "name: t\nvars: {user_pin: '1'}\nsteps:\n  - attach\n  - verify_pin: {pin: '${user_pin}', expect: {tries_left: 4}}\n";
        let s = parse(Path::new("t.yaml"), text).unwrap();
        assert_eq!(s.steps.len(), 2);
        assert_eq!(s.steps[1].name(), "verify_pin");
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,200}") {
            let _ = parse(Path::new("p.yaml"), &text);
        }
    }
}
