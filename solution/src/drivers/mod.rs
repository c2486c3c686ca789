//! Device drivers: the serial console and QEMU's exit device.

pub mod qemu_exit;
pub mod serial;
pub mod tty;
