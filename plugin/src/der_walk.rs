//! A small DER reader and writer for the structures the bridge assembles or takes apart (CMS,
//! time-stamp requests): one-byte tags (all these structures use), definite lengths only (BER's
//! indefinite form is refused), no recursion beyond what a caller asks for.

/// One TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// Tag, length and value.
    pub raw: &'a [u8],
}

fn malformed() -> der::Error {
    der::Error::from(der::ErrorKind::Failed)
}

/// The first TLV of `bytes` and what follows it.
pub fn split(bytes: &[u8]) -> Result<(Tlv<'_>, &[u8]), der::Error> {
    let (&tag, rest) = bytes.split_first().ok_or_else(malformed)?;
    if tag & 0x1F == 0x1F {
        // Multi-byte tags appear in none of the structures read here.
        return Err(malformed());
    }
    let (&first, rest) = rest.split_first().ok_or_else(malformed)?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(malformed());
        }
        let (bytes, rest) = rest.split_at(count);
        let n = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (n, rest)
    };
    if rest.len() < length {
        return Err(malformed());
    }
    let header = bytes.len() - rest.len();
    let (value, tail) = rest.split_at(length);
    Ok((
        Tlv {
            tag,
            value,
            raw: &bytes[..header + length],
        },
        tail,
    ))
}

/// The first TLV of `bytes`.
pub fn parse(bytes: &[u8]) -> Result<Tlv<'_>, der::Error> {
    split(bytes).map(|(t, _)| t)
}

/// `bytes` as exactly one TLV.
pub fn parse_exact(bytes: &[u8]) -> Result<Tlv<'_>, der::Error> {
    match split(bytes)? {
        (t, []) => Ok(t),
        _ => Err(malformed()),
    }
}

/// The TLVs that make up `bytes`.
pub fn children_of(mut bytes: &[u8]) -> Result<Vec<Tlv<'_>>, der::Error> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (t, rest) = split(bytes)?;
        out.push(t);
        bytes = rest;
    }
    Ok(out)
}

impl<'a> Tlv<'a> {
    /// The TLVs inside a constructed value.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, der::Error> {
        children_of(self.value)
    }
}

/// DER length bytes.
pub fn len(n: usize) -> Vec<u8> {
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    match u8::try_from(n) {
        Ok(short) if short < 0x80 => vec![short],
        _ => {
            // At most 8 length octets (a usize's): the count always fits.
            let count = u8::try_from(bytes.len()).unwrap_or(8);
            let mut out = vec![0x80 | count];
            out.extend(bytes);
            out
        }
    }
}

/// One TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(len(content.len()));
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded parts.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A SET OF, its elements in DER order (sorted by encoding, X.690 §11.6).
pub fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(0x31, &parts.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_der_and_read_back() {
        assert_eq!(len(5), vec![5]);
        assert_eq!(len(0x80), vec![0x81, 0x80]);
        assert_eq!(len(0x1234), vec![0x82, 0x12, 0x34]);
        assert_eq!(tlv(0x04, &[]), vec![0x04, 0x00]);
        let long = tlv(0x04, &[7; 300]);
        let t = parse_exact(&long).unwrap();
        assert_eq!(t.value.len(), 300);
        assert!(parse_exact(&long[..long.len() - 1]).is_err());
        assert!(parse(&[0x30, 0x80, 0, 0]).is_err());
        let s = seq(&[&tlv(2, &[1]), &tlv(4, &[9])]);
        assert_eq!(parse_exact(&s).unwrap().children().unwrap().len(), 2);
    }
}
