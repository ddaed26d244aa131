//! Checks of a parsed scenario that serde cannot make, done when the file is loaded — before
//! any scenario of the run sends its first APDU: the name is the file's stem, every `${name}`
//! is defined, raw APDUs are hex of whole bytes, status-word and data patterns are well formed,
//! `key_signs` has the user PIN it types. Each error points at the line and column of the text
//! it is about.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Assertion, Scenario, Step, vars};

/// Variables the runner defines itself, with a stand-in value of the right shape (the real
/// ones are known only at run time).
pub const BUILT_IN: &[(&str, &str)] = &[
    // The scenario's date as the document shows it (`token.date`).
    ("today", "04.02.2020"),
    // The token's serial, hex, after `attach` or `read_serial`.
    ("serial", "000000002EEA3ED3"),
    // The device number of the PIN dialog, after `attach` or `read_serial`.
    ("device_number", "0787103443"),
];

/// A problem and where: 1-based line and column.
pub type Located = (u64, u64, String);

/// Line and column of byte offset `at` in `text`.
fn position(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

/// The byte offset where `needle` first appears at or after `from`, skipping comment lines.
fn find_from(text: &str, needle: &str, from: usize) -> Option<usize> {
    let mut start = from.min(text.len());
    while let Some(rel) = text.get(start..)?.find(needle) {
        let at = start + rel;
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..at].trim_start().starts_with('#') {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

/// Runs every check; the first problem found, in file order where it matters.
pub fn check(s: &Scenario, file: &Path, text: &str) -> Result<(), Located> {
    name_is_stem(s, file, text)?;
    variables_defined(s, text)?;
    raw_apdus(s, text)?;
    key_signs_has_pin(s, text)?;
    matches_key_is_checkable(s, text)?;
    key_names(s, text)?;
    Ok(())
}

/// `certificate.matches_key`: the runner finds a key's certificate by the key's public key, so
/// `true` always holds where the assertion passes and `false` could never be checked: refused
/// here rather than accepted and ignored.
fn matches_key_is_checkable(s: &Scenario, text: &str) -> Result<(), Located> {
    let refused = s
        .assertions
        .iter()
        .any(|a| matches!(a, Assertion::Certificate(c) if c.matches_key == Some(false)));
    if refused {
        let at = find_from(text, "matches_key", 0).unwrap_or(0);
        let (line, column) = position(text, at);
        return Err((
            line,
            column,
            "matches_key: false cannot be checked (a key's certificate is the one with its \
             public key); leave it out"
                .to_owned(),
        ));
    }
    Ok(())
}

/// Every key a step or an assertion names is `current` (the token's key) or was made by an
/// earlier `generate_key`; a request is signed only after it was built.
fn key_names(s: &Scenario, text: &str) -> Result<(), Located> {
    let mut known: Vec<&str> = vec!["current"];
    let mut built: Vec<&str> = Vec::new();
    // Where the key is written, else (a default name) the step or assertion that implies it.
    let locate = |name: &str, part: &str| {
        let at = find_from(text, &format!("key: {name}"), 0)
            .or_else(|| find_from(text, &format!("key: '{name}'"), 0))
            .or_else(|| find_from(text, &format!("key: \"{name}\""), 0))
            .or_else(|| find_from(text, &format!("{part}:"), 0))
            .unwrap_or(0);
        position(text, at)
    };
    let unknown = |name: &str, part: &str, known: &[&str]| {
        let (line, column) = locate(name, part);
        Err((
            line,
            column,
            format!(
                "key {name}: no such key here (known: {}); generate_key makes one, name: sets its name",
                known.join(", ")
            ),
        ))
    };
    for step in &s.steps {
        let named: Option<&str> = match step {
            Step::GenerateKey(g) => {
                known.push(&g.name);
                None
            }
            Step::BuildRequest(b) => {
                built.push(&b.key);
                Some(&b.key)
            }
            Step::SignRequest(r) => {
                if known.contains(&r.key.as_str()) && !built.contains(&r.key.as_str()) {
                    let (line, column) = locate(&r.key, "sign_request");
                    return Err((
                        line,
                        column,
                        format!(
                            "sign_request for key {}: no build_request for it before",
                            r.key
                        ),
                    ));
                }
                Some(&r.key)
            }
            Step::SignDocument(d) => Some(&d.key),
            Step::InstallCertificate(i) => Some(&i.key),
            Step::DeleteKey(k) => Some(&k.key),
            Step::SignHash(h) => Some(&h.key),
            Step::Apdu(a) => a.signs.as_ref().map(|s| s.key.as_str()),
            _ => None,
        };
        if let Some(name) = named.filter(|n| !known.contains(n)) {
            return unknown(name, step.name(), &known);
        }
    }
    for assertion in &s.assertions {
        let named = match assertion {
            Assertion::KeyPresent(k) | Assertion::KeyAbsent(k) => Some(&k.key),
            Assertion::Certificate(c) => Some(&c.key),
            Assertion::KeySigns(k) => Some(&k.key),
            _ => None,
        };
        if let Some(name) = named.filter(|n| !known.contains(&n.as_str())) {
            return unknown(name, assertion.name(), &known);
        }
    }
    Ok(())
}

fn name_is_stem(s: &Scenario, file: &Path, text: &str) -> Result<(), Located> {
    let Some(stem) = file.file_stem().and_then(|n| n.to_str()) else {
        return Ok(());
    };
    if s.name == stem {
        return Ok(());
    }
    let at = find_from(text, "name:", 0).unwrap_or(0);
    let (line, column) = position(text, at);
    Err((
        line,
        column,
        format!(
            "name {} differs from the file name {stem}: a scenario is named after its file \
             (rename the file or set name: {stem})",
            s.name
        ),
    ))
}

/// Every `${name}` in the file (values of `vars` included: they are not expanded, but a
/// reference there is a mistake too) names a variable of `vars` or a built-in one.
fn variables_defined(s: &Scenario, text: &str) -> Result<(), Located> {
    let mut search = 0;
    while let Some(at) = find_from(text, "$", search) {
        let rest = &text[at + 1..];
        if rest.starts_with('$') {
            search = at + 2;
            continue;
        }
        search = at + 1;
        let Some(body) = rest.strip_prefix('{') else {
            continue;
        };
        let (line, column) = position(text, at);
        let Some(end) = body
            .find(['}', '\n'])
            .filter(|&e| body.as_bytes()[e] == b'}')
        else {
            return Err((line, column, "unclosed ${: expected ${name}".to_owned()));
        };
        let name = &body[..end];
        let defined = s.vars.contains_key(name) || BUILT_IN.iter().any(|(b, _)| *b == name);
        if !defined {
            let mut known: Vec<&str> = s.vars.keys().map(String::as_str).collect();
            known.extend(BUILT_IN.iter().map(|(b, _)| *b));
            return Err((
                line,
                column,
                format!(
                    "undefined variable ${{{name}}}: define it under vars: (defined: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The variables with the built-ins' stand-in values, for checking the shape of expansions.
fn stand_in_vars(s: &Scenario) -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> = BUILT_IN
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.extend(s.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

fn raw_apdus(s: &Scenario, text: &str) -> Result<(), Located> {
    let values = stand_in_vars(s);
    let mut search = 0;
    for step in &s.steps {
        let Step::Apdu(a) = step else {
            continue;
        };
        let at = find_from(text, "apdu", search).unwrap_or(search);
        search = at + 4;
        let locate = |raw: &str| {
            let here = find_from(text, raw, at).unwrap_or(at);
            position(text, here)
        };
        // Variables were checked above; an expansion error cannot happen here.
        let expand = |raw: &str| vars::expand(raw, &values).unwrap_or_else(|_| raw.to_owned());
        let command = expand(&a.command);
        let digits: String = command
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ':')
            .collect();
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
            let (line, column) = locate(&a.command);
            return Err((
                line,
                column,
                format!("apdu command: {bad} is not a hex digit"),
            ));
        }
        if digits.len() % 2 == 1 {
            let (line, column) = locate(&a.command);
            return Err((
                line,
                column,
                format!(
                    "apdu command: {} hex digits, an odd number (every byte is two digits)",
                    digits.len()
                ),
            ));
        }
        if digits.len() < 8 {
            let (line, column) = locate(&a.command);
            return Err((
                line,
                column,
                "apdu command: shorter than the 4-byte header CLA INS P1 P2".to_owned(),
            ));
        }
        if let Err(e) =
            crate::runner::pattern::sw_matches(&expand(&a.sw), rutoken_apdu::StatusWord::OK)
        {
            let (line, column) = locate(&a.sw);
            return Err((line, column, e.unquoted()));
        }
        if let Some(data) = &a.data
            && let Err(e) = crate::runner::pattern::data_matches(&expand(data), &[])
        {
            let (line, column) = locate(data);
            return Err((line, column, e.unquoted()));
        }
    }
    Ok(())
}

fn key_signs_has_pin(s: &Scenario, text: &str) -> Result<(), Located> {
    let signs = s
        .assertions
        .iter()
        .any(|a| matches!(a, Assertion::KeySigns(_)));
    if signs && !s.vars.contains_key("user_pin") {
        let at = find_from(text, "key_signs", 0).unwrap_or(0);
        let (line, column) = position(text, at);
        return Err((
            line,
            column,
            "key_signs types the user PIN: define vars: {user_pin: …}".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(position("ab\ncd", 0), (1, 1));
        assert_eq!(position("ab\ncd", 4), (2, 2));
        assert_eq!(position("ёж\nx", 4), (1, 3));
    }

    #[test]
    fn a_malformed_data_pattern_is_refused_where_it_stands() {
        let text =
            "name: v\nsteps:\n  - apdu: {command: \"00 A4 00 00\", sw: \"9000\", data: \"0g\"}\n";
        let e = crate::scenario::load::parse(Path::new("v.yaml"), text).unwrap_err();
        assert_eq!(e.to_string(), "v.yaml:3:55: data 0g: not hex");
    }

    #[test]
    fn comment_lines_are_skipped() {
        let text = "# ${x}\nname: ${x}\n";
        assert_eq!(find_from(text, "${x}", 0), Some(13));
    }
}
