//! The SafeTouch screen drawn as the device shows it — `rows` × `columns` characters in a frame,
//! every page — so the operator compares like with like, and the operator's y/n answer as a
//! report entry. [`draw_screen`] and [`observed`] take the screen the emulator's renderer lays
//! out ([`super::shown`]); [`draw`] and [`observation`] the scenario's expected texts (the
//! PKCS#11 target, which cannot see the data hashed).

use rutoken_sim::safetouch::Screen;

/// The expected texts drawn as a `rows` × `columns` screen (more lines continue on further
/// pages, as the SafeTouch scrolls a long document).
pub fn draw(expected: &[String], rows: usize, columns: usize) -> String {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for text in expected {
        let mut line = String::new();
        for word in text.split_whitespace() {
            let need = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if !line.is_empty() && need > columns {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            // A word longer than the screen is cut across lines.
            while line.chars().count() > columns {
                let head: String = line.chars().take(columns).collect();
                line = line.chars().skip(columns).collect();
                lines.push(head);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let border = format!("+{}+", "-".repeat(columns));
    let mut out = String::new();
    for (page, chunk) in lines.chunks(rows.max(1)).enumerate() {
        if page > 0 {
            out.push_str("(next page)\n");
        }
        out.push_str(&border);
        out.push('\n');
        for row in 0..rows.max(1) {
            let text = chunk.get(row).map_or("", String::as_str);
            let pad = columns.saturating_sub(text.chars().count());
            out.push_str(&format!("|{text}{}|\n", " ".repeat(pad)));
        }
        out.push_str(&border);
        out.push('\n');
    }
    out
}

/// Every page of a rendered screen in its frame, numbered when there is more than one.
pub fn draw_screen(screen: &Screen) -> String {
    let columns = screen.columns.max(1);
    let border = format!("+{}+", "-".repeat(columns));
    let pages = screen.page_count();
    let mut out = String::new();
    for page in 0..pages {
        if pages > 1 {
            out.push_str(&format!("page {} of {pages}\n", page + 1));
        }
        out.push_str(&border);
        out.push('\n');
        let lines = screen.page_lines(page);
        for row in 0..screen.rows.max(1) {
            let text = lines.get(row).map_or("", String::as_str);
            let pad = columns.saturating_sub(text.chars().count());
            out.push_str(&format!("|{text}{}|\n", " ".repeat(pad)));
        }
        out.push_str(&border);
        out.push('\n');
    }
    out
}

/// The report entry for the operator's answer about a drawn screen: with a "yes" the screen's
/// lines (what the checks then read), with a "no" none of them.
pub fn observed(screen: &Screen, same: bool) -> String {
    if same {
        format!(
            "operator observation: the SafeTouch showed\n{}\n(answered y)",
            screen.text()
        )
    } else {
        "operator observation: the SafeTouch did NOT show the screen drawn (answered n)".to_owned()
    }
}

/// The report entry for the operator's answer. A "no" never repeats the expected text, so the
/// runner's screen check (which looks for it among the screens) fails on it.
pub fn observation(expected: &[String], same: bool) -> String {
    if same {
        format!(
            "operator observation: the SafeTouch showed the expected screen «{}» (answered y)",
            expected.join("», «")
        )
    } else {
        "operator observation: the SafeTouch did NOT show the expected screen (answered n)"
            .to_owned()
    }
}

/// Whether a screen entry is an operator's "yes" (see [`observation`]).
pub fn is_confirmation(entry: &str) -> bool {
    entry.starts_with("operator observation: ") && entry.ends_with("(answered y)")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_wraps_into_the_frame() {
        let drawn = draw(&["Запрос подписи запроса на сертификат".to_owned()], 4, 20);
        let rows: Vec<&str> = drawn.lines().collect();
        assert_eq!(rows.len(), 6, "{drawn}");
        assert_eq!(rows[1], "|Запрос подписи      |");
        assert_eq!(rows[2], "|запроса на          |");
        assert_eq!(rows[3], "|сертификат          |");
        assert!(rows.iter().all(|r| r.chars().count() == 22));
    }

    #[test]
    fn every_page_of_the_rendered_screen_is_drawn() {
        let screen = Screen::render(
            &[
                "Запрос на перевыпуск сертификата".to_owned(),
                "Дата: 04.02.2020".to_owned(),
                "Владелец: Иванов Иван Иванович".to_owned(),
            ],
            4,
            20,
            true,
        );
        let drawn = draw_screen(&screen);
        let rows: Vec<&str> = drawn.lines().collect();
        assert_eq!(rows[0], "page 1 of 2");
        assert_eq!(rows[2], "|Запрос на перевыпуск|");
        assert_eq!(rows[3], "|сертификата         |");
        assert_eq!(rows[7], "page 2 of 2");
        assert_eq!(rows[9], "|Иван Иванович       |");
        assert_eq!(rows.len(), 14, "{drawn}");
        let yes = observed(&screen, true);
        assert!(is_confirmation(&yes), "{yes}");
        assert!(yes.contains("\nИван Иванович\n"), "{yes}");
        let no = observed(&screen, false);
        assert!(!is_confirmation(&no) && !no.contains("Иван"), "{no}");
    }

    #[test]
    fn a_no_does_not_contain_the_expected_text() {
        let expected = ["Подписать хэш?".to_owned()];
        assert!(observation(&expected, true).contains("Подписать хэш?"));
        assert!(!observation(&expected, false).contains("Подписать хэш?"));
    }
}
