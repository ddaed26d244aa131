//! Documents in the Rutoken PINPad text format, which bank pages send to a trusted screen
//! (Aktiv's PINPad samples, "Формат сообщения, распознаваемого PINPad"): a header
//! `<!PINPADFILE UTF8>` (UTF-8) or `<!PINPADFILE RU>` (CP-1251), then fields: `<N>` a name
//! (left of the row), `<V>` its value (right), `<T>` a text across the row. The INVISIBLE
//! headers ask the PINPad to sign without showing; this model never signs unseen, so they are
//! not documents here (the hash-only policy applies). How the SafeTouch treats the format is a
//! guess (docs/assumptions.md, `safetouch.pinpad_files`).

const UTF8: &[u8] = b"<!PINPADFILE UTF8>";
const RU: &[u8] = b"<!PINPADFILE RU>";

/// CP-1251 to text: ASCII as is, А–я (C0–FF), Ё (A8), ё (B8); anything else `?`.
fn cp1251(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x00..=0x7F => char::from(b),
            0xA8 => 'Ё',
            0xB8 => 'ё',
            0xC0..=0xFF => char::from_u32(0x0410 + u32::from(b - 0xC0)).unwrap_or('?'),
            _ => '?',
        })
        .collect()
}

/// The rows of a PINPad document (`name: value`, or the text), `None` if `data` is not one.
pub fn rows(data: &[u8]) -> Option<Vec<String>> {
    let text = if let Some(body) = data.strip_prefix(UTF8) {
        std::str::from_utf8(body).ok()?.to_owned()
    } else {
        cp1251(data.strip_prefix(RU)?)
    };
    let mut rows = Vec::new();
    let mut name: Option<String> = None;
    let mut rest = text.as_str();
    // Text before the first tag is shown as it is.
    let first = rest.find('<').unwrap_or(rest.len());
    push_text(&mut rows, &rest[..first]);
    rest = &rest[first..];
    while !rest.is_empty() {
        let (tag, body) = match rest.get(..3) {
            Some(t @ ("<N>" | "<V>" | "<T>")) => (t, &rest[3..]),
            _ => ("<T>", rest),
        };
        let end = ["<N>", "<V>", "<T>"]
            .iter()
            .filter_map(|t| body.find(t))
            .min()
            .unwrap_or(body.len());
        let value = clean(&body[..end]);
        match tag {
            "<N>" => {
                if let Some(n) = name.take() {
                    rows.push(n);
                }
                name = Some(value);
            }
            "<V>" => rows.push(match name.take() {
                Some(n) => format!("{n}: {value}"),
                None => value,
            }),
            _ => {
                if let Some(n) = name.take() {
                    rows.push(n);
                }
                push_text(&mut rows, &value);
            }
        }
        rest = &body[end..];
    }
    if let Some(n) = name {
        rows.push(n);
    }
    rows.retain(|r| !r.is_empty());
    (!rows.is_empty()).then_some(rows)
}

/// Whitespace (pages break lines between fields) folded to single spaces.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_text(rows: &mut Vec<String>, s: &str) {
    let s = clean(s);
    if !s.is_empty() {
        rows.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_fields_become_rows() {
        let doc = "<!PINPADFILE UTF8><N>Платежное поручение<V>500\n    <N>Сумма<V>1 000,00\
                   <N>Получатель<V>ООО «Ромашка»<T>Без НДС";
        assert_eq!(
            rows(doc.as_bytes()).unwrap(),
            [
                "Платежное поручение: 500",
                "Сумма: 1 000,00",
                "Получатель: ООО «Ромашка»",
                "Без НДС"
            ]
        );
    }

    #[test]
    fn cp1251_and_invisible() {
        let mut doc = b"<!PINPADFILE RU><N>".to_vec();
        doc.extend([0xD1, 0xF3, 0xEC, 0xEC, 0xE0]); // «Сумма» in CP-1251
        doc.extend(b"<V>10");
        assert_eq!(rows(&doc).unwrap(), ["Сумма: 10"]);
        assert!(rows(b"<!PINPADFILE INVISIBLE UTF8><N>a<V>b").is_none());
        assert!(rows(b"<!PINPADFILE UTF8>").is_none());
        assert!(rows(b"plain text").is_none());
        assert!(rows(&[0x3C, 0x21, 0xFF]).is_none());
    }
}
