//! The reference kernel: a higher-half i686 kernel whose memory management is
//! modelled on Linux 2.6 on i386.
//!
//! Read it top-down from [`init::main::start_kernel`]. The modules follow the
//! layout of Linux's tree: `arch/x86` for the processor, `mm` for memory,
//! `proc` for tasks and the scheduler, `fs` for the initrd, executables and
//! `/proc`, `kernel` for printk, panic and the system calls, `drivers` for
//! devices, `init` for start-up; `scenarios` holds the grader's tests.
//!
//! For the host, `cargo test` builds the same modules as a library
//! (`host.rs`), where only those that are plain data structures and
//! algorithms are compiled, for their unit tests.

#![cfg_attr(target_os = "none", no_std, no_main)]
// `mod lib` is Linux's `lib/` (generic data structures); the crate is a
// binary, so the name clashes with no library root.
#![allow(special_module_name)]

#[cfg(target_os = "none")]
extern crate alloc;

#[cfg(target_os = "none")]
mod arch;
#[cfg(target_os = "none")]
mod drivers;
#[cfg(target_os = "none")]
mod fs;
#[cfg(target_os = "none")]
mod init;
#[cfg(target_os = "none")]
mod ipc;
#[cfg(target_os = "none")]
mod kernel;
#[cfg(target_os = "none")]
mod lib;
#[cfg(target_os = "none")]
mod mm;
#[cfg(target_os = "none")]
mod proc;
#[cfg(target_os = "none")]
mod scenarios;

/// Built for the host, the kernel is only a container for unit tests.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("this is the kernel: boot it with `cargo xtask run`");
    std::process::exit(2);
}
