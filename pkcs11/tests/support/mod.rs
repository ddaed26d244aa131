//! What the module's PC/SC tests share beyond the `testkit` harness.

pub mod lab;
