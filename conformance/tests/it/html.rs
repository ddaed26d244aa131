//! The `--html` report in a real browser: Debian's headless chromium loads the file (no
//! network: the page's own Content-Security-Policy forbids any fetch, and chromium runs with
//! background networking off), the DOM it builds holds the summary and every SafeTouch screen's
//! text inside the SVG character displays, and a screenshot shows a drawn page.

use std::path::Path;
use std::process::Command;

use rutoken_conformance::suite::RunOptions;

use crate::support::{run, scenarios_dir};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless chromium with a fresh profile directory; `None` when it is not installed.
fn chromium(args: &[&str], profile: &Path) -> Option<std::process::Output> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} not installed (Debian: chromium), HTML report not rendered");
        return None;
    }
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium starts");
    Some(out)
}

#[test]
fn html_report_renders_in_chromium_with_the_screens_text() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let opts = RunOptions {
        paths: vec![
            scenarios_dir()
                .join("reissue-happy-path.yaml")
                .display()
                .to_string(),
            scenarios_dir()
                .join("reject-screen-1.yaml")
                .display()
                .to_string(),
        ],
        seed: Some(5),
        html: Some(html.clone()),
        ..RunOptions::default()
    };
    let (code, out, err) = run(&opts);
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: no reference leaves the file (the SVG namespace is a name, not a fetch).
    for attr in ["src=", "href=\"http", "url(", "@import", "<script", "<link"] {
        assert!(!page.contains(attr), "the page references {attr}");
    }
    let url = format!("file://{}", html.display());
    let Some(dom) = chromium(&["--dump-dom", &url], &dir.path().join("profile1")) else {
        return;
    };
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        !log.contains("Refused to"),
        "chromium refused to load something: {log}"
    );
    assert!(
        dom_text.contains("2 passed, 0 failed, 0 skipped"),
        "summary missing"
    );
    // Screen 1 of the happy path, row by row, as SVG text of the display.
    for row in [
        "Запрос подписи",
        "запроса на",
        "сертификат",
        "Иванов Иван Иванович",
    ] {
        assert!(
            dom_text.contains(&format!(">{row}</text>")),
            "the DOM lacks the screen row {row}"
        );
    }
    // The reissue document paged onto the 4-row display; its date row is one of the pages.
    assert!(dom_text.contains(">Дата: 04.02.2020</text>"));
    assert!(dom_text.contains("answered: Reject («Отказать»)"));
    assert!(dom_text.contains("answered: Confirm («Подтвердить»)"));
    let svgs = dom_text.matches("<svg").count();
    assert!(svgs >= 6, "{svgs} SVG displays");

    let shot = dir.path().join("shot.png");
    let Some(out) = chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
            &url,
        ],
        &dir.path().join("profile2"),
    ) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank 1200×1600 page compresses to a few kilobytes; text and displays do not.
    assert!(
        png.len() > 40_000,
        "screenshot of {} bytes: a blank page?",
        png.len()
    );
}
