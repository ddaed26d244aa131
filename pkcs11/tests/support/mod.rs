//! What the module's tests share beyond the `testkit` harness: the module over an in-process
//! token, its C ABI in process, and the PC/SC lab.

pub mod c_abi;
pub mod in_process;
pub mod lab;
