//! A corpus of bad inputs — scenarios, device profiles, command-line arguments — through the
//! real binary: each one exits 2 (invalid input, never a panic's 101 nor a failure's 1), file
//! inputs name `FILE:LINE:COLUMN`, and nothing the user reads holds Rust's Debug text.
#![allow(
    clippy::unwrap_used,
    reason = "test set-up: a failed step should stop the test"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");

/// Text that only Rust's `Debug` (or a leaked library hint) would print.
const DEBUG_TEXT: &[&str] = &[
    "Some(",
    "None",
    "::",
    "{ ",
    "DuplicateKeyPolicy",
    "invalid u64",
    "<input>",
    "panicked",
];

/// Runs the binary (killed after 30 s: a bad input must be refused, not served), returns the
/// exit code and stdout + stderr.
fn run(args: &[&str], stdin: &str) -> (i32, String) {
    run_bin(BIN, args, stdin)
}

/// [`run`] for another binary of the package.
fn run_bin(bin: &str, args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        let _ = input.write_all(stdin.as_bytes());
    }
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn assert_clean(what: &str, code: i32, text: &str) {
    assert_eq!(code, 2, "{what}: exit {code}\n{text}");
    for debug in DEBUG_TEXT {
        assert!(!text.contains(debug), "{what}: {debug} in\n{text}");
    }
}

/// `FILE:LINE:COLUMN:` with numbers.
fn has_location(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(at, m)| {
        let rest = &text[at + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or_default();
        let column = parts.next().unwrap_or_default();
        !line.is_empty()
            && line.chars().all(|c| c.is_ascii_digit())
            && !column.is_empty()
            && column.chars().all(|c| c.is_ascii_digit())
    })
}

#[test]
fn bad_scenarios_exit_2_with_file_line_column_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = [
        (
            "unknown-step",
            "name: unknown-step\nsteps:\n  - sign_reqest: {}\n",
        ),
        (
            "missing-field",
            "name: missing-field\nsteps:\n  - verify_pin: {expect: ok}\n",
        ),
        (
            "wrong-type",
            "name: wrong-type\nsteps:\n  - list_objects: {keys: many}\n",
        ),
        (
            "negative",
            "name: negative\nsteps:\n  - list_objects: {keys: -1}\n",
        ),
        ("bad-yaml", "name: bad-yaml\nsteps: [\n"),
        (
            "undefined-var",
            "name: undefined-var\nsteps:\n  - verify_pin: {pin: '${nobody}'}\n",
        ),
        (
            "odd-hex",
            "name: odd-hex\nsteps:\n  - apdu: {command: '00 CA 01 8'}\n",
        ),
        (
            "not-hex",
            "name: not-hex\nsteps:\n  - apdu: {command: '00 CA 01 8Z'}\n",
        ),
        (
            "short-apdu",
            "name: short-apdu\nsteps:\n  - apdu: {command: '00 CA'}\n",
        ),
        (
            "bad-sw",
            "name: bad-sw\nsteps:\n  - apdu: {command: '00 CA 01 81 00', sw: '9G00'}\n",
        ),
        (
            "bad-data",
            "name: bad-data\nsteps:\n  - apdu: {command: '00 CA 01 81 00', data: '0'}\n",
        ),
        ("stem", "name: not-the-stem\nsteps:\n  - attach\n"),
        (
            "dup-key",
            "name: dup-key\nsteps:\n  - attach\nsteps:\n  - attach\n",
        ),
        (
            "fixture",
            "name: fixture\ntoken: {fixture: personalised_foreign_ca}\nsteps: [attach]\n",
        ),
        (
            "date",
            "name: date\ntoken: {date: 04.02.2020}\nsteps: [attach]\n",
        ),
        (
            "param-set",
            "name: param-set\nsteps:\n  - generate_key: {algorithm: gost2012-512, param_set: D}\n",
        ),
        (
            "key-signs",
            "name: key-signs\nsteps: [attach]\nassert:\n  - key_signs: {key: current}\n",
        ),
        (
            "unknown-key",
            "name: unknown-key\ncolour: red\nsteps: [attach]\n",
        ),
    ];
    for (name, text) in corpus {
        let file = write(dir.path(), &format!("{name}.yaml"), text);
        let (code, out) = run(&["run", &file], "");
        assert_clean(name, code, &out);
        assert!(
            has_location(&out, &file),
            "{name}: no {file}:LINE:COLUMN in\n{out}"
        );
        assert!(!out.contains("PASS"), "{name}: a scenario ran\n{out}");
    }
}

#[test]
fn bad_profiles_exit_2_with_file_line_column_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/apdu-basics.yaml")
        .display()
        .to_string();
    let image = dir.path().join("t.img").display().to_string();
    let (code, out) = run(
        &["token", "new", "--image", &image, "--fixture", "factory"],
        "",
    );
    assert_eq!(code, 0, "{out}");
    let corpus = [
        ("rows", "safetouch:\n  rows: 0\n"),
        ("columns", "safetouch:\n  columns: 0\n"),
        ("pin-max", "token:\n  pin_max_len: 0\n"),
        ("atr", "token:\n  atr_variant: custom\n  atr: []\n"),
        ("reject-ok", "safetouch:\n  reject_sw: 0x9000\n"),
        ("tries", "token:\n  factory_user_pin_tries: 0\n"),
        ("short-pin", "token:\n  factory_user_pin: '1'\n"),
        ("dup-key", "safetouch:\n  rows: 4\n  rows: 5\n"),
        ("unknown-key", "safetouch:\n  colums: 20\n"),
        ("negative", "safetouch:\n  timeout_ms: -1\n"),
        ("wrong-type", "safetouch:\n  timeout_ms: soon\n"),
        ("bad-yaml", "token: [\n"),
    ];
    for (name, text) in corpus {
        let file = write(dir.path(), &format!("{name}.yaml"), text);
        for args in [
            vec!["run", "--profile", &file, &scenario],
            vec!["token", "show", "--image", &image, "--profile", &file],
            vec!["sim", "--profile", &file, "--vpcd", "127.0.0.1:1"],
        ] {
            let (code, out) = run(&args, "");
            let what = format!("{name} ({})", args[0]);
            assert_clean(&what, code, &out);
            assert!(
                has_location(&out, &file),
                "{what}: no {file}:LINE:COLUMN in\n{out}"
            );
            assert_eq!(out.matches("error:").count(), 1, "{what}: {out}");
        }
    }
}

#[test]
fn bad_arguments_exit_2_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml").display().to_string();
    // Missing report directories are created (as --artifacts); one under a regular file cannot be.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let no_dir = blocker.join("j.xml").display().to_string();
    let corpus: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", "--partition", "0/3"], ""),
        (vec!["run", "--partition", "x"], ""),
        (vec!["run", "--jobs", "0"], ""),
        (vec!["run", "--reader", "x"], ""),
        (vec!["run", "--tag", "no-such-tag"], ""),
        (vec!["run", &missing], ""),
        (vec!["run", "--junit", &no_dir], ""),
        (vec!["sim", "--vpcd", "nonsense"], ""),
        (vec!["sim", "--vpcd", "127.0.0.1:99999"], ""),
        (vec!["sim", "--vpcd", ":35963"], ""),
        (vec!["token", "show", "--image", &missing], ""),
        (vec!["apdu"], "00 A4 00 00 02 3F 00 00\nnot hex at all\n"),
        (vec!["apdu"], "00 A\n"),
    ];
    for (args, stdin) in corpus {
        let (code, out) = run(&args, stdin);
        assert_clean(&args.join(" "), code, &out);
    }
    // `sim --vpcd nonsense` is refused before it prints its banner.
    let (_, out) = run(&["sim", "--vpcd", "nonsense"], "");
    assert!(!out.contains("token:"), "{out}");
}

/// `rutoken-sim` takes `rutoken-lab sim`'s options and refuses bad ones the same way: exit 2,
/// the same words, before the banner.
#[test]
fn the_emulator_only_binary_refuses_what_sim_refuses() {
    const SIM: &str = env!("CARGO_BIN_EXE_rutoken-sim");
    let dir = tempfile::tempdir().unwrap();
    let profile = write(dir.path(), "bad.yaml", "token:\n  no_such_key: 1\n");
    let corpus = [
        vec!["--vpcd", "nonsense"],
        vec!["--vpcd", "127.0.0.1:99999"],
        vec!["--vpcd", ":35963"],
        vec!["--profile", &profile, "--vpcd", "127.0.0.1:1"],
        vec!["--fixture", "no-such-fixture", "--vpcd", "127.0.0.1:1"],
    ];
    for args in corpus {
        let (code, out) = run_bin(SIM, &args, "");
        let what = format!("rutoken-sim {}", args.join(" "));
        assert_clean(&what, code, &out);
        assert!(!out.contains("token:"), "{what}: {out}");
        let lab: Vec<&str> = std::iter::once("sim").chain(args.iter().copied()).collect();
        let (lab_code, lab_out) = run(&lab, "");
        assert_eq!(lab_code, code, "{what}");
        assert_eq!(
            lab_out.lines().next(),
            out.lines().next(),
            "{what}: rutoken-lab sim says otherwise"
        );
    }
}

#[test]
fn bad_token_images_exit_2_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(dir.path(), "garbage.img", "not a token image at all");
    let empty = write(dir.path(), "empty.img", "");
    for image in [&garbage, &empty] {
        for args in [
            vec!["token", "show", "--image", image],
            vec!["apdu", "--image", image],
            vec!["sim", "--image", image, "--vpcd", "127.0.0.1:1"],
        ] {
            let (code, out) = run(&args, "");
            assert_clean(&args.join(" "), code, &out);
            assert!(out.contains(image.as_str()), "{}: {out}", args.join(" "));
        }
    }
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("t.img").display().to_string();
    let (code, out) = run(
        &[
            "token",
            "new",
            "--image",
            &image,
            "--fixture",
            "personalised",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    // `token show | head -c1`: the reader closes the pipe after one byte.
    let mut child = Command::new(BIN)
        .args(["token", "show", "--image", &image])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
