//! `--junit FILE`: JUnit XML (the Ant/Jenkins schema CI systems read): one `testsuite`, one
//! `testcase` per scenario, `failure` with the step and the expectation, `skipped` with its
//! reason, and — for failures only, so a green run stays small — the decoded transcript with its
//! screens and presses in `system-out`.

use super::xml::escape;
use super::{Outcome, RunReport};

fn secs(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The XML document.
pub fn render(r: &RunReport) -> String {
    let (_, failures, skipped) = r.counts();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<testsuites name=\"rutoken-lab conformance\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\" time=\"{}\">\n",
        r.scenarios.len(),
        secs(r.duration)
    ));
    x.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\" time=\"{}\">\n",
        escape(&format!("conformance on {}", r.target)),
        r.scenarios.len(),
        secs(r.duration)
    ));
    x.push_str("    <properties>\n");
    let seed = r.seed.map_or_else(|| "none".to_owned(), |s| s.to_string());
    for (name, value) in [
        ("tool", r.tool.as_str()),
        ("version", r.version.as_str()),
        ("started_at", r.started_at.as_str()),
        ("target", r.target.as_str()),
        ("seed", seed.as_str()),
        ("profile", r.profile.source.as_str()),
        ("profile_digest", r.profile.digest.as_str()),
        (
            "complete",
            if r.complete {
                "true"
            } else {
                "false (the run did not finish)"
            },
        ),
    ] {
        x.push_str(&format!(
            "      <property name=\"{name}\" value=\"{}\"/>\n",
            escape(value)
        ));
    }
    x.push_str("    </properties>\n");
    for s in &r.scenarios {
        x.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{}\">\n",
            escape(&s.name),
            escape(&format!(
                "scenarios.{}",
                s.tags.first().map_or("untagged", String::as_str)
            )),
            escape(&s.file),
            secs(s.duration)
        ));
        match &s.outcome {
            Outcome::Passed => {}
            Outcome::Failed(f) => {
                let mut body = format!("expected: {}\nactual: {}", f.expected, f.actual);
                if let Some(place) = &f.location {
                    body.push_str(&format!("\nat: {place}"));
                }
                let range = super::locate::failed_exchanges(s);
                if !range.is_empty() {
                    body.push_str(&format!("\nAPDUs of {}:", f.at));
                    for e in &s.transcript.exchanges[range] {
                        body.push_str(&format!("\n> {}  < {}", e.command, e.response));
                    }
                }
                x.push_str(&format!(
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                    escape(&format!(
                        "{}: expected {}, got {}",
                        f.at, f.expected, f.actual
                    )),
                    escape(&f.at.to_string()),
                    escape(&body)
                ));
            }
            Outcome::Skipped { reason } => {
                x.push_str(&format!(
                    "      <skipped message=\"{}\"/>\n",
                    escape(reason)
                ));
            }
        }
        // Passing and skipped scenarios carry no transcript: CI keeps these files, and the
        // artifacts or the HTML report have every scenario's.
        let out = match &s.outcome {
            Outcome::Failed(_) => super::timeline::render_text(s, r.profile.rows),
            _ => String::new(),
        };
        if !out.is_empty() {
            x.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape(&out)
            ));
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}
