//! The ways to reach a token: the in-process emulator inside its SafeTouch (the default), or a
//! reader on PC/SC (`pcsc` feature). Both go through the team's client crate.
