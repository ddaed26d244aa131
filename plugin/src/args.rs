//! The page's arguments as the real plugin reads them: JSON values (the script sends the
//! argument array; `undefined` arrives as `null`). A wrong type, a missing argument or too
//! many arguments is `BAD_PARAMS`; nothing a page sends reaches the token unchecked.

use base64ct::{Base64, Encoding};
use serde_json::{Map, Value};

use crate::api::{PluginError, Result};
use crate::codes::ErrorCode;

/// The argument array of one call.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a>(pub &'a [Value]);

impl<'a> Args<'a> {
    /// Argument `i` (`null` when absent).
    pub fn get(self, i: usize) -> &'a Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    /// Refuses more than `n` arguments (a page calling with the wrong count).
    pub fn at_most(self, n: usize) -> Result<Self> {
        if self.0.len() > n {
            return Err(PluginError::bad(format!(
                "{} arguments, at most {n}",
                self.0.len()
            )));
        }
        Ok(self)
    }

    /// A string argument.
    pub fn str(self, i: usize, what: &str) -> Result<&'a str> {
        self.get(i)
            .as_str()
            .ok_or_else(|| PluginError::bad(format!("{what} must be a string")))
    }

    /// A string argument that may be left out (`""`).
    pub fn str_or_empty(self, i: usize, what: &str) -> Result<&'a str> {
        match self.get(i) {
            Value::Null => Ok(""),
            v => v
                .as_str()
                .ok_or_else(|| PluginError::bad(format!("{what} must be a string"))),
        }
    }

    /// A number argument (the plugin also takes its decimal string).
    pub fn u32(self, i: usize, what: &str) -> Result<u32> {
        number(self.get(i)).ok_or_else(|| PluginError::bad(format!("{what} must be a number")))
    }

    /// The options object at `i`: absent or `null` is empty; anything else but an object is
    /// `BAD_PARAMS`.
    pub fn options(self, i: usize) -> Result<Options<'a>> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match self.get(i) {
            Value::Null => Ok(Options(EMPTY.get_or_init(Map::new))),
            Value::Object(m) => Ok(Options(m)),
            _ => Err(PluginError::bad("options must be an object")),
        }
    }

    /// An array of strings (`null` is empty).
    pub fn strings(self, i: usize, what: &str) -> Result<Vec<&'a str>> {
        strings(self.get(i), what)
    }
}

/// A JSON number or decimal string as `u32`.
pub fn number(v: &Value) -> Option<u32> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .and_then(|n| u32::try_from(n).ok())
}

fn strings<'a>(v: &'a Value, what: &str) -> Result<Vec<&'a str>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|s| {
                s.as_str()
                    .ok_or_else(|| PluginError::bad(format!("{what}: strings only")))
            })
            .collect(),
        _ => Err(PluginError::bad(format!("{what} must be an array"))),
    }
}

/// An options object.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a>(pub &'a Map<String, Value>);

impl<'a> Options<'a> {
    /// The raw value (absent and `null` are `None`).
    pub fn get(self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A boolean option: absent is false; a non-boolean is `BAD_PARAMS`.
    pub fn flag(self, name: &str) -> Result<bool> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(PluginError::bad(format!("{name} must be a boolean"))),
        }
    }

    /// A string option.
    pub fn str(self, name: &str) -> Result<Option<&'a str>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(PluginError::bad(format!("{name} must be a string"))),
        }
    }

    /// A number option.
    pub fn u32(self, name: &str) -> Result<Option<u32>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => number(v)
                .map(Some)
                .ok_or_else(|| PluginError::bad(format!("{name} must be a number"))),
        }
    }

    /// An array-of-strings option.
    pub fn strings(self, name: &str) -> Result<Vec<&'a str>> {
        strings(self.get(name).unwrap_or(&Value::Null), name)
    }

    /// An array option.
    pub fn array(self, name: &str) -> Result<&'a [Value]> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(PluginError::bad(format!("{name} must be an array"))),
        }
    }

    /// An object option (absent is `None`).
    pub fn object(self, name: &str) -> Result<Option<Options<'a>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Options(m))),
            Some(_) => Err(PluginError::bad(format!("{name} must be an object"))),
        }
    }
}

/// Colon-separated lower-case hex, the plugin's form of ids and byte strings (`01:ab:…`).
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Hex with or without colons (and whitespace).
pub fn from_hex(text: &str, what: &str) -> Result<Vec<u8>> {
    let compact: String = text
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    hex::decode(compact)
        .map_err(|_| PluginError::new(ErrorCode::BadParams, format!("{what} is not hex")))
}

/// Base64 (whitespace ignored).
pub fn from_base64(text: &str, what: &str) -> Result<Vec<u8>> {
    let compact: String = text.split_whitespace().collect();
    Base64::decode_vec(&compact).map_err(|_| {
        PluginError::new(
            ErrorCode::Base64DecodeFailed,
            format!("{what} is not base64"),
        )
    })
}

/// Data given as a string: the UTF-8 bytes, or base64 when `base64`.
pub fn text_or_base64(text: &str, base64: bool, what: &str) -> Result<Vec<u8>> {
    if base64 {
        from_base64(text, what)
    } else {
        Ok(text.as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_are_checked() {
        let params = vec![json!(0), json!("5"), json!({"a": true, "n": "x"}), json!(7)];
        let args = Args(&params);
        assert_eq!(args.u32(0, "d").unwrap(), 0);
        assert_eq!(args.u32(1, "d").unwrap(), 5);
        assert_eq!(
            args.str(0, "s").unwrap_err().code,
            crate::codes::ErrorCode::BadParams
        );
        let o = args.options(2).unwrap();
        assert!(o.flag("a").unwrap());
        assert!(!o.flag("b").unwrap());
        assert!(o.flag("n").is_err());
        assert!(args.options(3).is_err());
        assert!(args.options(9).unwrap().0.is_empty());
        assert!(args.at_most(3).is_err());
        assert!(args.at_most(4).is_ok());
        assert_eq!(from_hex("0a:Bc", "x").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(colon_hex(&[1, 0xab]), "01:ab");
    }
}
