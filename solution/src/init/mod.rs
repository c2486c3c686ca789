//! Start-up: `start_kernel` and what runs once the kernel is up.

pub mod main;
pub mod monitor;
