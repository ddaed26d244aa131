//! `--junit FILE`: JUnit XML (the Ant/Jenkins schema CI systems read): one `testsuite`, one
//! `testcase` per scenario, `failure` with the step and the expectation, `skipped` with its
//! reason, the transcript in `system-out`.

use super::{Outcome, RunReport};

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

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
                x.push_str(&format!(
                    "      <failure message=\"{}\" type=\"{}\">expected: {}\nactual: {}</failure>\n",
                    escape(&format!("{}: expected {}, got {}", f.at, f.expected, f.actual)),
                    escape(&f.at),
                    escape(&f.expected),
                    escape(&f.actual)
                ));
            }
            Outcome::Skipped { reason } => {
                x.push_str(&format!(
                    "      <skipped message=\"{}\"/>\n",
                    escape(reason)
                ));
            }
        }
        let mut out = s.transcript.render();
        for screen in &s.screens {
            out.push_str(&format!("[SafeTouch] {screen}\n"));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"'\u{1}ё"), "a&lt;b&gt;&amp;&quot;&apos;ё");
    }
}
