//! The PyPI conformance checker `pkcs11-check` against the module, category by category
//! (those that apply to a GOST signing token), with every SafeTouch screen confirmed through
//! the control socket. Every failure must be one `pkcs11/tests/data/pkcs11-check-known.txt`
//! lists and `docs/pkcs11.md` explains (symmetric and RSA/EC mechanisms, token data objects…);
//! any other failure fails this test. Skipped (with the reason printed) when not root, when a
//! lab part is missing, or without the checker's venv (it needs Python ≥ 3.12).
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;

use std::path::PathBuf;
use std::time::Duration;

use lab::{Lab, SO_PIN, USER_PIN};

/// The categories that apply: no encryption, PQC, profiles or async operations on this token.
const ALL_CATEGORIES: [&str; 8] = [
    "interface",
    "slot",
    "object",
    "mechanism",
    "sign",
    "digest",
    "errors",
    "concurrency",
];

fn checker() -> Result<PathBuf, String> {
    let venv = std::env::var_os("RUTOKEN_LAB_PKCS11_CHECK_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| lab::venv().with_file_name("pkcs11-check-venv"));
    let bin = venv.join("bin/pkcs11-check");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} missing (pkcs11-check needs Python >= 3.12; scripts/test.sh makes the venv when one is installed)",
            bin.display()
        ))
    }
}

/// `(test id, reason)` of every failure the docs explain.
fn known() -> Vec<(String, String)> {
    include_str!("data/pkcs11-check-known.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once('|').unwrap_or((l, ""));
            (id.trim().to_owned(), reason.trim().to_owned())
        })
        .collect()
}

/// The `FAILED`/`ERROR` test ids of a pytest summary (`path::Class::test[param]`, the path
/// from `testcases/`).
fn failures(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|l| {
            l.strip_prefix("FAILED ")
                .or_else(|| l.strip_prefix("ERROR "))
        })
        .map(|rest| {
            let id = rest.split(" - ").next().unwrap_or(rest).trim();
            id.rsplit_once("testcases/")
                .map_or(id, |(_, tail)| tail)
                .to_owned()
        })
        .collect()
}

#[test]
fn pkcs11_check_gost_categories_pass_but_for_explained_failures() {
    require_lab!();
    let bin = match checker() {
        Ok(b) => b,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let lab = Lab::start(Duration::from_secs(30));
    let known = known();
    let mut unexpected = Vec::new();
    let mut seen = Vec::new();
    let only = std::env::var("RUTOKEN_LAB_PKCS11_CHECK_CATEGORY").ok();
    let categories = ALL_CATEGORIES
        .into_iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == *c));
    for category in categories {
        // --isolation none: one pytest process per category (the module never crashed in
        // isolated runs; a crash would fail the run anyway).
        let (_, _, out) = lab.sh_confirming(&format!(
            "COLUMNS=400 {} test -m \"$MODULE\" --pin {USER_PIN} --so-pin {SO_PIN} -c {category} \
             --isolation none --timeout 60 2>&1",
            bin.display()
        ));
        let summary = out
            .lines()
            .rev()
            .find(|l| l.contains(" passed") || l.contains(" skipped") || l.contains(" failed"))
            .unwrap_or_else(|| panic!("{category}: no pytest summary:\n{out}"))
            .to_owned();
        println!("{category}: {summary}");
        if let Some(dir) = std::env::var_os("RUTOKEN_LAB_PKCS11_CHECK_LOG") {
            std::fs::write(PathBuf::from(dir).join(format!("{category}.log")), &out).unwrap();
        }
        for id in failures(&out) {
            match known.iter().find(|(k, _)| *k == id) {
                Some((_, reason)) => println!("  known: {id} ({reason})"),
                None => unexpected.push(format!("{category}: {id}")),
            }
            seen.push(id);
        }
        assert!(
            !out.contains("Traceback") || summary.contains("passed"),
            "{category}: the checker itself failed:\n{out}"
        );
    }
    for (id, _) in &known {
        if !seen.contains(id) {
            println!("  no longer fails: {id}");
        }
    }
    assert!(
        unexpected.is_empty(),
        "failures no one explained:\n{}",
        unexpected.join("\n")
    );
}
