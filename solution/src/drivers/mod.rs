//! Device drivers: the serial console, QEMU's exit device and the first
//! IDE disk.

#[cfg(target_os = "none")]
pub mod ata;
pub mod qemu_exit;
pub mod serial;
pub mod tty;
