//! The token-wide operations of the seam beyond the bank client's flow: what a format asks,
//! and the "cannot" answer every optional operation gives by default.

use super::DriverError;

/// What a format asks of a token (the vendor's `C_EX_InitToken`, the plugin's
/// `formatToken`): every object deleted under the new user PIN, the PINs set under the
/// administrator's, the label written when given. The token ends with no PIN verified.
#[derive(Clone, Copy)]
pub struct Format<'a> {
    /// The administrator's current PIN (verified first: a wrong one changes nothing).
    pub admin: &'a str,
    /// A new administrator PIN.
    pub new_admin: Option<&'a str>,
    /// The new user PIN (its tries reset).
    pub user: &'a str,
    /// A new label.
    pub label: Option<&'a str>,
}

/// The default answer of an operation an implementation has no call for.
pub fn cannot(what: &str) -> DriverError {
    DriverError::CannotExpress {
        what: format!("this token cannot {what}"),
    }
}
