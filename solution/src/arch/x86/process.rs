//! Starting a user program (Linux's `start_thread`).

use core::arch::asm;

use super::gdt::{USER_CS, USER_DS};
use crate::mm::types::VirtAddr;

/// EFLAGS of a new user program: interrupts on (IF) and the always-one bit.
const USER_EFLAGS: u32 = 0x202;

/// Leaves the kernel for user mode at `eip` with stack `esp`, through an
/// `iret` from a frame built by hand. The kernel stack of the task must be
/// in the TSS and its address space loaded.
pub fn start_thread(eip: VirtAddr, esp: VirtAddr) -> ! {
    // SAFETY: user segments are flat and privilege 3; `eip` and `esp` are
    // mapped in the loaded address space; the kernel never comes back here.
    unsafe {
        asm!(
            "mov ds, {ds:x}",
            "mov es, {ds:x}",
            "mov fs, {ds:x}",
            "mov gs, {ds:x}",
            "push {ds}",
            "push {esp}",
            "push {eflags}",
            "push {cs}",
            "push {eip}",
            "iretd",
            ds = in(reg) u32::from(USER_DS),
            esp = in(reg) esp.as_u32(),
            eflags = const USER_EFLAGS,
            cs = const USER_CS as u32,
            eip = in(reg) eip.as_u32(),
            options(noreturn),
        )
    }
}
