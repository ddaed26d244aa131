//! `--html FILE`: one self-contained page (inline CSS, inline SVG, no script, no network — its
//! Content-Security-Policy forbids any fetch): the run's summary with the failures listed
//! first, then the scenarios — failed first, then skipped, then passed — each with a timeline
//! of its steps and every SafeTouch screen drawn as the device's character display (the
//! profile's rows × columns) with the press that answered it. A failed scenario shows where in
//! its file it failed and its decoded APDUs (the failing step's unfolded); the APDUs of passed
//! scenarios are in the artifacts (`--artifacts`), linked from each scenario, since a page of
//! every scenario's APDUs weighed 8 MB. Long commands and responses are cut to their head and
//! SW (the full bytes are in the artifacts).

use std::path::Path;

use super::screen::{pages, press_words, svg_page};
use super::timeline::{self, Group};
use super::xml::escape;
use super::{Outcome, RunReport, ScenarioReport};

const STYLE: &str = "\
body{font-family:sans-serif;margin:1.5em;color:#222;max-width:70em}\
h1{font-size:1.4em}h2{font-size:1.15em;margin:0}\
table.meta td{padding:.1em .8em .1em 0;vertical-align:top}\
.verdict{font-weight:bold;padding:.1em .5em;border-radius:.3em;color:#fff}\
.passed .verdict{background:#2e7d32}.failed .verdict{background:#c62828}\
.skipped .verdict{background:#a07000}\
nav li.failed a{color:#c62828;font-weight:bold}\
#failures{border:2px solid #c62828;border-radius:.4em;padding:.5em 1em;background:#fdecea}\
#failures h2{color:#c62828}code{font-size:.9em}\
section.scenario{border:1px solid #ccc;border-radius:.4em;padding:.8em;margin:1em 0}\
.failure{background:#fdecea;padding:.5em;border-left:4px solid #c62828;margin:.5em 0}\
ol.timeline{padding-left:1.5em}ol.timeline>li{margin:.4em 0}\
.step-failed{color:#c62828;font-weight:bold}.ms{color:#666}\
table.apdus{border-collapse:collapse;font-size:.85em;margin:.3em 0}\
table.apdus td,table.apdus th{border:1px solid #ddd;padding:.15em .4em;text-align:left;vertical-align:top}\
td.hex{font-family:monospace;word-break:break-all;max-width:28em}\
figure.screen{display:inline-block;margin:.4em 1em .4em 0;vertical-align:top}\
figure.screen figcaption{font-size:.85em;color:#444;max-width:20em}\
.pages svg{margin-right:.4em}.partial{background:#fff3cd;padding:.5em}";

/// The page, without links to artifacts.
pub fn render(r: &RunReport) -> String {
    render_with(r, None)
}

/// Failed, skipped, passed; each group in the order the scenarios ended.
fn ordered(r: &RunReport) -> Vec<&ScenarioReport> {
    let rank = |s: &&ScenarioReport| match s.outcome {
        Outcome::Failed(_) => 0,
        Outcome::Skipped { .. } => 1,
        Outcome::Passed => 2,
    };
    let mut list: Vec<&ScenarioReport> = r.scenarios.iter().collect();
    list.sort_by_key(rank);
    list
}

/// The page; `artifacts` is the `--artifacts` directory each scenario's transcript is linked
/// in.
pub fn render_with(r: &RunReport, artifacts: Option<&Path>) -> String {
    let (passed, failed, skipped) = r.counts();
    let mut h = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
    );
    h.push_str(&format!(
        "<title>rutoken-lab conformance: {passed} passed, {failed} failed, {skipped} skipped</title><style>{STYLE}</style></head><body>"
    ));
    h.push_str(&format!(
        "<h1>Conformance run on {}</h1>",
        escape(&r.target)
    ));
    if !r.complete {
        h.push_str(&format!(
            "<p class=\"partial\">Partial report: {} of {} scenarios had finished when this file was written.</p>",
            r.scenarios.len(),
            r.selected
        ));
    }
    h.push_str("<table class=\"meta\" id=\"summary\">");
    let seed = r.seed.map_or_else(|| "none".to_owned(), |s| s.to_string());
    for (k, v) in [
        (
            "Result",
            format!("{passed} passed, {failed} failed, {skipped} skipped"),
        ),
        (
            "Scenarios",
            format!("{} of {} selected", r.scenarios.len(), r.selected),
        ),
        ("Started", r.started_at.clone()),
        ("Duration", format!("{} ms", r.duration.as_millis())),
        ("Target", r.target.clone()),
        ("Seed", format!("{seed} (repeat with --seed {seed})")),
        (
            "Device profile",
            format!("{} ({})", r.profile.source, r.profile.digest),
        ),
        (
            "SafeTouch display",
            format!("{} rows × {} columns", r.profile.rows, r.profile.columns),
        ),
        ("Tool", format!("{} {}", r.tool, r.version)),
    ] {
        h.push_str(&format!("<tr><td>{k}</td><td>{}</td></tr>", escape(&v)));
    }
    h.push_str("</table>");
    let list = ordered(r);
    if failed > 0 {
        h.push_str(&format!(
            "<section id=\"failures\"><h2>✗ {failed} failed</h2><ol>"
        ));
        for s in list.iter().take(failed) {
            if let Outcome::Failed(f) = &s.outcome {
                h.push_str(&format!(
                    "<li><a href=\"#s-{0}\"><b>{0}</b></a> at {1}{2}: expected {3}, got {4}</li>",
                    escape(&s.name),
                    escape(&f.at.to_string()),
                    f.location
                        .as_deref()
                        .map_or_else(String::new, |l| format!(" (<code>{}</code>)", escape(l))),
                    escape(&f.expected),
                    escape(&f.actual)
                ));
            }
        }
        h.push_str("</ol></section>");
    }
    h.push_str("<nav><ul>");
    for s in &list {
        h.push_str(&format!(
            "<li class=\"{2}\"><a href=\"#s-{0}\">{1} {0}</a></li>",
            escape(&s.name),
            verdict(&s.outcome),
            class(&s.outcome)
        ));
    }
    h.push_str("</ul></nav>");
    for s in list {
        scenario(&mut h, r, s, artifacts);
    }
    h.push_str("</body></html>\n");
    h
}

/// Bytes shown in full per command or response; longer ones show their head and their last two
/// bytes (the SW of a response) — the full bytes are in `--json` and `--artifacts`, and a page
/// of every 256-byte READ BINARY would weigh megabytes.
const SHOWN_BYTES: usize = 40;

fn short_hex(spaced: &str) -> String {
    let tokens: Vec<&str> = spaced.split(' ').collect();
    if tokens.len() <= SHOWN_BYTES + 2 {
        return spaced.to_owned();
    }
    let tail = &tokens[tokens.len() - 2..];
    format!(
        "{} … {} ({} bytes)",
        tokens[..SHOWN_BYTES].join(" "),
        tail.join(" "),
        tokens.len()
    )
}

fn verdict(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "✓ PASS",
        Outcome::Failed(_) => "✗ FAIL",
        Outcome::Skipped { .. } => "– SKIP",
    }
}

fn class(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped { .. } => "skipped",
    }
}

fn scenario(h: &mut String, r: &RunReport, s: &ScenarioReport, artifacts: Option<&Path>) {
    h.push_str(&format!(
        "<section class=\"scenario {}\" id=\"s-{}\"><h2><span class=\"verdict\">{}</span> {} <span class=\"ms\">{} ms</span></h2>",
        class(&s.outcome),
        escape(&s.name),
        verdict(&s.outcome),
        escape(&s.name),
        s.duration.as_millis()
    ));
    h.push_str(&format!(
        "<p>{}</p><p class=\"ms\">{} · tags: {}</p>",
        escape(&s.description),
        escape(&s.file),
        escape(&s.tags.join(", "))
    ));
    match &s.outcome {
        Outcome::Failed(f) => h.push_str(&format!(
            "<div class=\"failure\">Failed at <b>{}</b>{}<br>expected: {}<br>actual: {}</div>",
            escape(&f.at.to_string()),
            f.location
                .as_deref()
                .map_or_else(String::new, |l| format!(" — <code>{}</code>", escape(l))),
            escape(&f.expected),
            escape(&f.actual)
        )),
        Outcome::Skipped { reason } => h.push_str(&format!(
            "<div class=\"failure\">Skipped: {}</div>",
            escape(reason)
        )),
        Outcome::Passed => {}
    }
    let failed = matches!(s.outcome, Outcome::Failed(_));
    if !failed && !s.transcript.exchanges.is_empty() {
        h.push_str(&format!(
            "<p class=\"ms\">{} APDUs: {}</p>",
            s.transcript.exchanges.len(),
            match artifacts {
                Some(dir) => {
                    let file = dir.join(&s.name).join("transcript.txt");
                    format!(
                        "<a href=\"{0}\">{0}</a>",
                        escape(&file.display().to_string())
                    )
                }
                None => "decoded in the artifacts (run with --artifacts DIR)".to_owned(),
            }
        ));
    }
    h.push_str("<ol class=\"timeline\">");
    let mut screen_no = 0;
    for group in timeline::build_with(s, failed) {
        step(h, r, &group, &mut screen_no, failed);
    }
    h.push_str("</ol></section>");
}

fn step(h: &mut String, r: &RunReport, g: &Group<'_>, screen_no: &mut usize, apdus: bool) {
    let failed = g.step.is_some_and(|st| !st.passed);
    let ms = g.step.map_or_else(String::new, |st| {
        format!(" <span class=\"ms\">{} ms</span>", st.duration.as_millis())
    });
    h.push_str(&format!(
        "<li><span class=\"{}\">{}</span>{ms}",
        if failed { "step-failed" } else { "step" },
        escape(&g.label())
    ));
    if !g.items.is_empty() && !apdus {
        h.push_str(&format!(
            " <span class=\"ms\">{} APDU{}</span>",
            g.items.len(),
            if g.items.len() == 1 { "" } else { "s" }
        ));
    }
    if !g.items.is_empty() && apdus {
        h.push_str(&format!(
            "<details{}><summary>{} APDU{}</summary><table class=\"apdus\"><tr><th>#</th><th>command</th><th>response</th><th>meaning</th></tr>",
            if failed { " open" } else { "" },
            g.items.len(),
            if g.items.len() == 1 { "" } else { "s" }
        ));
        for item in &g.items {
            let d = &item.decoded;
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"hex\">{}<br><b>{}</b> {}</td><td class=\"hex\">{}</td><td>{}</td></tr>",
                item.index + 1,
                escape(&short_hex(&d.command)),
                escape(&d.name),
                escape(&d.parameters),
                // A transport error or a module's answer is words, not bytes to shorten.
                escape(&match d.sw {
                    Some(_) => short_hex(&d.response),
                    None => d.response.clone(),
                }),
                escape(&match &d.sw {
                    Some(sw) => format!("{sw} {}", d.meaning),
                    None => d.meaning.clone(),
                })
            ));
        }
        h.push_str("</table></details>");
    }
    // The screens stay outside the fold: they are what a person saw.
    for item in &g.items {
        for screen in &item.screens {
            *screen_no += 1;
            let shown = pages(&screen.text, r.profile.rows);
            let title = format!("SafeTouch screen {}", *screen_no);
            h.push_str("<figure class=\"screen\"><div class=\"pages\">");
            for (n, page) in shown.iter().enumerate() {
                h.push_str(&svg_page(
                    page,
                    r.profile.rows,
                    r.profile.columns,
                    &format!("{title}, page {} of {}", n + 1, shown.len()),
                ));
            }
            let press = item
                .press
                .map_or("no press recorded", |p| press_words(p.press));
            h.push_str(&format!(
                "</div><figcaption>{title} ({} page{}), shown by APDU #{} {} — answered: {}</figcaption></figure>",
                shown.len(),
                if shown.len() == 1 { "" } else { "s" },
                item.index + 1,
                escape(&item.decoded.name),
                escape(press)
            ));
        }
        if let (Some(p), true) = (item.press, item.screens.is_empty()) {
            h.push_str(&format!(
                "<p>SafeTouch press at APDU #{}: {} (the target cannot read its screen)</p>",
                item.index + 1,
                escape(press_words(p.press))
            ));
        }
    }
    h.push_str("</li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_hex_keeps_its_head_and_status_word() {
        let long: Vec<String> = (0..300).map(|i| format!("{:02X}", i % 256)).collect();
        let text = short_hex(&long.join(" "));
        assert!(text.starts_with("00 01 02"), "{text}");
        assert!(text.ends_with("2A 2B (300 bytes)"), "{text}");
        assert_eq!(short_hex("90 00"), "90 00");
    }
}
