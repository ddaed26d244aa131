//! The APDU shell behind `rutoken-lab apdu` (pcsc-tools' `scriptor` in process): one APDU in hex
//! per line (spaces allowed, `#` comments, `reset` power-cycles the card), `> ` and `< ` lines
//! out, every answer with its status word and meaning. Commands are printed through
//! `rutoken_apdu::mask::masked`, the one masking rule: PIN and key data as `**`.

#![deny(clippy::indexing_slicing)]

use std::io::{self, BufRead, Write};

use rutoken_apdu::hex::spaced;
use rutoken_apdu::mask::masked;

use crate::card::Card;
use rutoken_apdu::StatusWord;

/// Parses one line: `None` for blank and comment lines, `Err` with a message for bad hex.
pub fn parse_line(line: &str) -> Option<Result<Vec<u8>, String>> {
    let text = line.split('#').next().unwrap_or("").trim();
    if text.is_empty() {
        return None;
    }
    let compact: String = text.split_whitespace().collect();
    if !compact.len().is_multiple_of(2) {
        return Some(Err(format!("odd number of hex digits in {text:?}")));
    }
    Some(hex::decode(&compact).map_err(|e| format!("not hex: {text:?} ({e})")))
}

/// Runs a script against a card. Malformed lines print `! line N: …` and the shell goes on.
/// Returns the number of malformed lines.
pub fn run(card: &mut dyn Card, input: impl BufRead, out: &mut dyn Write) -> io::Result<usize> {
    let mut bad = 0;
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("reset")
        {
            card.reset();
            writeln!(out, "# reset, ATR {}", spaced(&card.atr()))?;
            continue;
        }
        match parse_line(&line) {
            None => {}
            Some(Err(msg)) => {
                bad += 1;
                writeln!(out, "! line {}: {msg}", n + 1)?;
            }
            Some(Ok(apdu)) => {
                writeln!(out, "> {}", masked(&apdu))?;
                let answer = card.transmit(&apdu);
                let (data, sw) = answer.split_at(answer.len().saturating_sub(2));
                let sw = StatusWord(u16::from_be_bytes([
                    sw.first().copied().unwrap_or(0),
                    sw.get(1).copied().unwrap_or(0),
                ]));
                if data.is_empty() {
                    writeln!(out, "< {} : {}", spaced(&sw.to_bytes()), sw.meaning())?;
                } else {
                    writeln!(
                        out,
                        "< {} {} : {}",
                        spaced(data),
                        spaced(&sw.to_bytes()),
                        sw.meaning()
                    )?;
                }
            }
        }
    }
    Ok(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(parse_line("  # only a comment"), None);
        assert_eq!(
            parse_line("00 a4 0000 # select"),
            Some(Ok(vec![0, 0xA4, 0, 0]))
        );
        assert!(matches!(parse_line("00 A"), Some(Err(_))));
        assert!(matches!(parse_line("zz"), Some(Err(_))));
    }
}
