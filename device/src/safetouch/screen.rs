//! The SafeTouch's text screen: a fixed number of rows and columns (characters, not bytes),
//! long content wrapped and paged.

use serde::{Deserialize, Serialize};

/// What the screen shows: every wrapped line (all pages), the screen size, the page on display,
/// and whether it waits for a press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screen {
    /// Every line of the content, each at most `columns` characters.
    pub lines: Vec<String>,
    /// Rows per page.
    pub rows: usize,
    /// Characters per row.
    pub columns: usize,
    /// The page on display (0-based).
    pub page: usize,
    /// True while the device waits for Confirm or Reject.
    pub waiting: bool,
    /// Which screen this is: 0 when idle, then 1, 2, … for each screen that waits. A press
    /// names the screen it is meant for, so a late press never lands on the next screen.
    pub id: u64,
}

impl Screen {
    /// The blank screen of an idle device.
    pub fn idle(rows: usize, columns: usize) -> Self {
        Screen {
            lines: Vec::new(),
            rows,
            columns,
            page: 0,
            waiting: false,
            id: 0,
        }
    }

    /// Lays out `rows` of content (e.g. «Дата: 04.02.2020»), wrapping each to the width.
    pub fn render(content: &[String], rows: usize, columns: usize, waiting: bool) -> Self {
        let lines = content
            .iter()
            .flat_map(|row| wrap(row, columns.max(1)))
            .collect();
        Screen {
            lines,
            rows: rows.max(1),
            columns,
            page: 0,
            waiting,
            id: 0,
        }
    }

    /// The whole rendered text, one line per row, all pages.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// How many pages the content takes (at least 1).
    pub fn page_count(&self) -> usize {
        self.lines.len().div_ceil(self.rows.max(1)).max(1)
    }

    /// The lines of page `page` (empty past the end).
    pub fn page_lines(&self, page: usize) -> &[String] {
        let start = (page * self.rows).min(self.lines.len());
        let end = (start + self.rows).min(self.lines.len());
        &self.lines[start..end]
    }

    /// The lines on display now.
    pub fn current_page(&self) -> &[String] {
        self.page_lines(self.page)
    }
}

/// Wraps one row to `width` characters: at spaces where possible, inside words when a word is
/// longer than the row.
fn wrap(row: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in row.split(' ').filter(|w| !w.is_empty()) {
        let chars: Vec<char> = word.chars().collect();
        let needed = if line_len == 0 {
            chars.len()
        } else {
            line_len + 1 + chars.len()
        };
        if needed <= width {
            if line_len > 0 {
                line.push(' ');
                line_len += 1;
            }
            line.extend(chars.iter());
            line_len += chars.len();
            continue;
        }
        if line_len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        // A word longer than the row: full lines of it, and its rest starts the next line.
        let mut pieces = chars.chunks(width.max(1));
        let rest = pieces.next_back().unwrap_or_default();
        lines.extend(pieces.map(|piece| piece.iter().collect::<String>()));
        line = rest.iter().collect();
        line_len = rest.len();
    }
    // The line in progress: never empty after a word (a word leaves at least one character), so
    // empty only for a row without words, which is then one empty line.
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cyrillic_is_counted_in_characters() {
        let s = Screen::render(
            &["Запрос подписи запроса на сертификат".to_owned()],
            4,
            20,
            true,
        );
        assert_eq!(s.lines, ["Запрос подписи", "запроса на", "сертификат"]);
        assert_eq!(s.page_count(), 1);
    }

    #[test]
    fn long_content_is_paged() {
        let rows: Vec<String> = (0..6).map(|i| format!("row {i}")).collect();
        let s = Screen::render(&rows, 4, 20, false);
        assert_eq!(s.page_count(), 2);
        assert_eq!(s.page_lines(1), ["row 4", "row 5"]);
        assert_eq!(s.current_page().len(), 4);
    }

    #[test]
    fn long_words_are_cut() {
        assert_eq!(wrap("0123456789abcdef", 6), ["012345", "6789ab", "cdef"]);
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit_and_keep_every_character(text in "[a-zА-я ]{0,80}", width in 1usize..30) {
            let lines = wrap(&text, width);
            prop_assert!(lines.iter().all(|l| l.chars().count() <= width));
            let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let orig: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(kept, orig);
        }
    }
}
