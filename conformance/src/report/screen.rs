//! A SafeTouch screen as its character display shows it: lines split into pages of the
//! profile's rows, drawn as text boxes (artifacts) and as SVG (the HTML report).

use super::xml::escape;
use crate::scenario::step::PressAction;

/// The screen's lines in pages of `rows` lines (a screen taller than the display pages).
pub fn pages(text: &str, rows: usize) -> Vec<Vec<&str>> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return vec![Vec::new()];
    }
    lines.chunks(rows.max(1)).map(<[&str]>::to_vec).collect()
}

/// What a press was, in words.
pub fn press_words(p: PressAction) -> &'static str {
    match p {
        PressAction::Confirm => "Confirm («Подтвердить»)",
        PressAction::Reject => "Reject («Отказать»)",
        PressAction::Timeout => "no press (time-out)",
    }
}

/// The screen in a text frame, a rule between pages.
pub fn framed(text: &str, rows: usize) -> String {
    let pages = pages(text, rows);
    let width = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let rule = format!("+{}+\n", "-".repeat(width));
    let mut out = rule.clone();
    for (n, page) in pages.iter().enumerate() {
        if n > 0 {
            out.push_str(&format!("+{}+\n", "·".repeat(width)));
        }
        for line in page {
            let pad = width - line.chars().count();
            out.push_str(&format!("|{line}{}|\n", " ".repeat(pad)));
        }
    }
    out.push_str(&rule);
    out
}

/// Pixel size of one character cell.
const CELL_W: usize = 12;
const CELL_H: usize = 22;
const PAD: usize = 10;

/// One page of a screen as an SVG character display of `rows` × `columns` cells (the device
/// profile's size): every character in its own cell, as the device's display grid holds it.
pub fn svg_page(lines: &[&str], rows: usize, columns: usize, title: &str) -> String {
    let rows = rows.max(1);
    let columns = columns.max(1);
    let width = columns * CELL_W + 2 * PAD;
    let height = rows * CELL_H + 2 * PAD;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lcd\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><title>{}</title>\
         <rect width=\"{width}\" height=\"{height}\" rx=\"6\" fill=\"#22331f\"/>",
        escape(title)
    );
    for r in 0..rows {
        for c in 0..columns {
            svg.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#2c4228\"/>",
                PAD + c * CELL_W + 1,
                PAD + r * CELL_H + 1,
                CELL_W - 2,
                CELL_H - 2
            ));
        }
    }
    for (r, line) in lines.iter().take(rows).enumerate() {
        // The row's text in one element (what a reader or a search finds), its characters
        // placed in the cells by per-character x positions.
        let chars: Vec<char> = line.chars().take(columns).collect();
        let xs: Vec<String> = (0..chars.len())
            .map(|c| (PAD + c * CELL_W + CELL_W / 2).to_string())
            .collect();
        let text: String = chars.iter().collect();
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"17\" fill=\"#b8f5a0\" xml:space=\"preserve\">{}</text>",
            xs.join(" "),
            PAD + r * CELL_H + CELL_H - 6,
            escape(&text)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_screens_page_by_rows() {
        let p = pages("a\nb\nc\nd\ne", 4);
        assert_eq!(p, vec![vec!["a", "b", "c", "d"], vec!["e"]]);
        assert_eq!(pages("", 4).len(), 1);
    }

    #[test]
    fn framed_marks_page_breaks() {
        let f = framed("ab\nc\nd", 2);
        assert_eq!(f, "+--+\n|ab|\n|c |\n+··+\n|d |\n+--+\n");
    }

    #[test]
    fn svg_has_a_cell_per_character_and_the_text() {
        let svg = svg_page(&["Дата: 04.02.2020"], 4, 20, "screen 1");
        assert_eq!(svg.matches("<rect ").count(), 1 + 4 * 20);
        assert!(svg.contains(">Дата: 04.02.2020</text>"), "{svg}");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
}
