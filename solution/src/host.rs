//! The kernel's portable half as a library, for the host: `cargo test`
//! compiles the modules of `main.rs` here, where those that need the
//! hardware are left out by their `cfg`, and runs their unit tests. As a
//! library it exports what the kernel binary would use, so nothing the
//! target build needs looks unused on the host. For the target it is empty.

#![cfg_attr(target_os = "none", no_std)]
// `mod lib` is Linux's `lib/`, as in `main.rs`.
#![allow(special_module_name)]

#[cfg(not(target_os = "none"))]
extern crate alloc;

#[cfg(not(target_os = "none"))]
pub mod arch;
#[cfg(not(target_os = "none"))]
pub mod fs;
#[cfg(not(target_os = "none"))]
pub mod kernel;
#[cfg(not(target_os = "none"))]
pub mod lib;
#[cfg(not(target_os = "none"))]
pub mod mm;
