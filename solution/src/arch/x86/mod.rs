//! The i386 processor: boot entry, segments, interrupts, timers, the
//! firmware's memory map, and the few privileged instructions the rest of the
//! kernel needs. Only `e820` is plain data and also built for host tests.

#[cfg(target_os = "none")]
mod boot;
#[cfg(target_os = "none")]
pub mod cpu;
pub mod e820;
#[cfg(target_os = "none")]
mod entry;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "4", path = "../../../../labs/04-fault/fault.rs")]
pub mod fault;
#[cfg(target_os = "none")]
pub mod gdt;
#[cfg(target_os = "none")]
pub mod idt;
#[cfg(target_os = "none")]
pub mod irq;
#[cfg(target_os = "none")]
pub mod multiboot;
#[cfg(target_os = "none")]
pub mod page;
#[cfg(target_os = "none")]
pub mod pic;
#[cfg(target_os = "none")]
pub mod pit;
#[cfg(target_os = "none")]
pub mod ptrace;
#[cfg(target_os = "none")]
pub mod sections;
#[cfg(target_os = "none")]
pub mod switch;
pub mod tls;
#[cfg(target_os = "none")]
pub mod traps;

/// Brings up the processor state the kernel runs on: segments and the TSS,
/// the interrupt table, the interrupt controllers and the timer.
/// Interrupts stay disabled; the caller enables them when it is ready.
#[cfg(target_os = "none")]
pub fn setup_arch() {
    gdt::init();
    idt::init();
    pic::init();
    pit::init();
}
