//! A scenario as one timeline: each setup phase, step and assertion with the APDUs it sent,
//! each APDU decoded, and each SafeTouch screen and press standing right after the APDU that
//! caused it. The text transcript and the HTML report both render this.

use super::decode::{self, Decoded};
use super::{PressRecord, ScenarioReport, ShownScreen, StepKind, StepRecord};

/// One APDU with what it caused on the SafeTouch.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// 0-based index in the transcript.
    pub index: usize,
    /// The exchange, decoded.
    pub decoded: Decoded,
    /// Screens this command showed.
    pub screens: Vec<&'a ShownScreen>,
    /// The press that answered it.
    pub press: Option<&'a PressRecord>,
}

/// A step (or the exchanges before the first step) and its APDUs.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    /// The step; `None` for exchanges no step claims (connecting).
    pub step: Option<&'a StepRecord>,
    /// Its APDUs, in order.
    pub items: Vec<Item<'a>>,
}

impl Group<'_> {
    /// The heading: `step 3 (verify_pin)`.
    pub fn label(&self) -> String {
        self.step
            .map_or_else(|| "connect".to_owned(), StepRecord::label)
    }
}

/// The scenario's timeline, every exchange decoded.
pub fn build(s: &ScenarioReport) -> Vec<Group<'_>> {
    build_with(s, true)
}

/// The scenario's timeline; without `decode_all` only the exchanges that showed a screen or
/// got a press are decoded (the others' `decoded` is empty): decoding is most of a report's
/// cost, and a page that shows no APDU table needs only those names.
pub fn build_with(s: &ScenarioReport, decode_all: bool) -> Vec<Group<'_>> {
    let item = |index: usize| {
        let screens: Vec<&ShownScreen> = s
            .screens
            .iter()
            .filter(|sc| sc.exchange == Some(index))
            .collect();
        let press = s.presses.iter().find(|p| p.exchange == Some(index));
        let decoded = if decode_all || !screens.is_empty() || press.is_some() {
            decode::decode(&s.transcript.exchanges[index])
        } else {
            Decoded::default()
        };
        Item {
            index,
            decoded,
            screens,
            press,
        }
    };
    let total = s.transcript.exchanges.len();
    let mut groups = Vec::new();
    let mut next = 0;
    for step in &s.steps {
        let start = step.first_exchange.min(total);
        if next < start {
            groups.push(Group {
                step: None,
                items: (next..start).map(item).collect(),
            });
        }
        let end = (step.first_exchange + step.exchanges).min(total);
        groups.push(Group {
            step: Some(step),
            items: (start..end).map(item).collect(),
        });
        next = next.max(end);
    }
    if next < total {
        groups.push(Group {
            step: None,
            items: (next..total).map(item).collect(),
        });
    }
    groups
}

/// Whether a screen was shown by an assertion (the runner's own probes) rather than a step.
pub fn by_assertion(s: &ScenarioReport, screen: &ShownScreen) -> bool {
    let heading = screen.part == Some(StepKind::Assert);
    let Some(index) = screen.exchange else {
        return heading;
    };
    s.steps
        .iter()
        .find(|st| index >= st.first_exchange && index < st.first_exchange + st.exchanges)
        .map_or(heading, |st| st.kind == StepKind::Assert)
}

/// The text of `transcript.txt`: per step a `#` heading with its time, each APDU as `> command`
/// / `< response` and its decoding, each screen drawn and each press, where they happened.
pub fn render_text(s: &ScenarioReport, rows: usize) -> String {
    let mut out = String::new();
    let mut screen_no = 0;
    for group in build(s) {
        match group.step {
            Some(st) => out.push_str(&format!(
                "# {}  {} ms{}\n",
                st.label(),
                st.duration.as_millis(),
                if st.passed { "" } else { "  FAILED" }
            )),
            None => out.push_str("# connect\n"),
        }
        for item in &group.items {
            out.push_str(&format!(
                "> {}\n< {}\n  = {}\n",
                item.decoded.command,
                item.decoded.response,
                item.decoded.summary()
            ));
            for screen in &item.screens {
                screen_no += 1;
                out.push_str(&format!("  [SafeTouch screen {screen_no}]\n"));
                for line in super::screen::framed(&screen.text, rows).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            if let Some(p) = item.press {
                out.push_str(&format!(
                    "  [SafeTouch press] {}\n",
                    super::screen::press_words(p.press)
                ));
            }
        }
    }
    out
}

/// The text of `screens.txt`: the screens the steps showed, numbered, each with the APDU and
/// press, split into the display's pages; then, apart, those the assertions' probes showed.
pub fn render_screens(s: &ScenarioReport, rows: usize) -> String {
    let mut out = String::new();
    let (asserted, stepped): (Vec<&ShownScreen>, Vec<&ShownScreen>) =
        s.screens.iter().partition(|sc| by_assertion(s, sc));
    let write = |list: &[&ShownScreen], out: &mut String| {
        for (i, screen) in list.iter().enumerate() {
            let apdu = screen.exchange.map_or_else(String::new, |x| {
                let d = decode::decode(&s.transcript.exchanges[x]);
                format!(", APDU #{} {}", x + 1, d.name)
            });
            let press = s
                .presses
                .iter()
                .find(|p| p.exchange.is_some() && p.exchange == screen.exchange)
                .map_or_else(String::new, |p| {
                    format!(", answered: {}", super::screen::press_words(p.press))
                });
            out.push_str(&format!(
                "=== screen {} ({}{apdu}{press})\n",
                i + 1,
                screen.step
            ));
            let pages = super::screen::pages(&screen.text, rows);
            for (n, page) in pages.iter().enumerate() {
                out.push_str(&format!("--- page {}/{}\n", n + 1, pages.len()));
                for line in page {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    };
    write(&stepped, &mut out);
    if !asserted.is_empty() {
        out.push_str("\n##### shown by the assertions' own probes, not by the scenario's steps\n");
        write(&asserted, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Outcome, Produced};
    use crate::transcript::Transcript;

    fn report() -> ScenarioReport {
        ScenarioReport {
            name: "s".into(),
            file: "s.yaml".into(),
            description: String::new(),
            tags: Vec::new(),
            outcome: Outcome::Passed,
            duration: Default::default(),
            steps: Vec::new(),
            transcript: Transcript::default(),
            screens: Vec::new(),
            presses: Vec::new(),
            produced: Produced::default(),
        }
    }

    fn screen(exchange: Option<usize>, part: Option<StepKind>) -> ShownScreen {
        ShownScreen {
            text: "Подписать?".into(),
            exchange,
            step: "key_signs".into(),
            part,
        }
    }

    #[test]
    fn a_screen_outside_the_step_records_goes_by_its_heading_kind() {
        let r = report();
        assert!(by_assertion(&r, &screen(None, Some(StepKind::Assert))));
        assert!(by_assertion(&r, &screen(Some(3), Some(StepKind::Assert))));
        assert!(!by_assertion(&r, &screen(None, Some(StepKind::Step))));
        assert!(!by_assertion(&r, &screen(None, None)));
    }
}
