//! Ending a run: QEMU's `isa-debug-exit` device at port 0xf4.
//!
//! Writing `v` there makes QEMU exit with status `(v << 1) | 1`, so a run can
//! never end with 0; the grader reads 0 as a reset (triple fault, with
//! `-no-reboot`).

use x86::io::outl;

use crate::arch::x86::cpu::{halt, local_irq_save};

const ISA_DEBUG_EXIT_PORT: u16 = 0xf4;

/// The codes the kernel exits with; the grader knows them by QEMU's status.
#[derive(Clone, Copy)]
pub enum QemuExitCode {
    /// The scenario ran to its end (QEMU status 33).
    Success = 0x10,
    /// The kernel panicked (QEMU status 35).
    Failed = 0x11,
}

/// Ends the QEMU run. Without the exit device, halts forever instead.
pub fn qemu_exit(code: QemuExitCode) -> ! {
    // SAFETY: the port belongs to QEMU's debug-exit device or to nothing.
    unsafe { outl(ISA_DEBUG_EXIT_PORT, code as u32) };
    local_irq_save();
    loop {
        halt();
    }
}
