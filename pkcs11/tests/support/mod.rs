//! What the module's tests share beyond the `testkit` harness: the module over an in-process
//! token, and the PC/SC lab.

pub mod in_process;
pub mod lab;
