//! `${name}` substitution in scenario strings.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::error::VarsError;

/// A scenario's variables. `Debug` lists the names only: values include PINs.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Vars(pub BTreeMap<String, String>);

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl std::ops::Deref for Vars {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// Replaces every `${name}` in `text` by its value; `$$` is a literal `$`.
/// The error names the first undefined variable, or the text with an unclosed `${`.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, VarsError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| VarsError::Unclosed(text.to_owned()))?;
            let name = &body[..end];
            let value = vars
                .get(name)
                .ok_or_else(|| VarsError::Undefined(name.to_owned()))?;
            out.push_str(value);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([("owner".to_owned(), "Иванов Иван Иванович".to_owned())])
    }

    #[test]
    fn substitutes_and_escapes() {
        assert_eq!(
            expand("CN=${owner}, $$5", &vars()).unwrap(),
            "CN=Иванов Иван Иванович, $5"
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let v = Vars(BTreeMap::from([(
            "user_pin".to_owned(),
            "12345678".to_owned(),
        )]));
        assert_eq!(format!("{v:?}"), "{\"user_pin\"}");
    }

    #[test]
    fn names_the_missing_variable() {
        assert_eq!(
            expand("${nobody}", &vars()),
            Err(VarsError::Undefined("nobody".into()))
        );
    }

    #[test]
    fn an_unclosed_brace_is_not_taken_for_a_name() {
        assert_eq!(
            expand("CN=${owner", &vars()),
            Err(VarsError::Unclosed("CN=${owner".into()))
        );
    }

    proptest! {
        #[test]
        fn text_without_dollar_is_unchanged(s in "[^$]*") {
            prop_assert_eq!(expand(&s, &vars()).unwrap(), s);
        }
        #[test]
        fn never_panics(s in ".*") {
            let _ = expand(&s, &vars());
        }
    }
}
