//! Core kernel services: the console log and the panic path (Linux's
//! `kernel/`), and the boot command line.

pub mod cmdline;
#[cfg(target_os = "none")]
pub mod errno;
#[cfg(target_os = "none")]
pub mod panic;
#[cfg(target_os = "none")]
pub mod printk;
#[cfg(target_os = "none")]
pub mod sys;
#[cfg(target_os = "none")]
pub mod sys_io;
#[cfg(target_os = "none")]
pub mod sys_mman;
#[cfg(target_os = "none")]
pub mod sys_swap;
#[cfg(target_os = "none")]
pub mod syscall;
