//! The reference kernel: a higher-half i686 kernel whose memory management is
//! modelled on Linux 2.6 on i386.
//!
//! Read it top-down from [`init::main::start_kernel`]. The modules follow the
//! layout of Linux's tree: `arch/x86` for the processor, `mm` for memory,
//! `proc` for tasks and the scheduler, `fs` for the initrd, executables and
//! `/proc`, `kernel` for printk, panic and the system calls, `drivers` for
//! devices, `init` for start-up; `scenarios` holds the grader's tests.
//!
//! The crate is also compiled for the host by `cargo test`: then only the
//! modules that are plain data structures and algorithms (`lib`'s red-black
//! tree, `mm` minus its hardware parts, the initrd reader, `/proc/PID/maps`,
//! the command-line parser) are built, for their unit tests.

#![cfg_attr(target_os = "none", no_std, no_main)]
// `mod lib` is Linux's `lib/` (generic data structures); the crate is a
// binary, so the name clashes with no library root.
#![allow(special_module_name)]
// On the host only the pure modules are compiled, so most items look unused.
#![cfg_attr(not(target_os = "none"), allow(dead_code))]

extern crate alloc;

mod arch;
#[cfg(target_os = "none")]
mod drivers;
mod fs;
#[cfg(target_os = "none")]
mod init;
mod kernel;
mod lib;
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
