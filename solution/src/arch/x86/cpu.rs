//! The privileged instructions the kernel uses, each behind a small function
//! so that the rest of the kernel stays free of inline assembly.

use core::arch::asm;

use crate::mm::types::{PhysAddr, VirtAddr};

/// Halts until the next interrupt.
pub fn halt() {
    // SAFETY: `hlt` only waits; the kernel runs at CPL 0.
    unsafe { asm!("hlt", options(nomem, nostack)) };
}

/// Enables interrupts, halts until one arrives, and disables them again:
/// how a task with nothing to do waits. (`sti` takes effect after `hlt`
/// has started, so no interrupt slips in between.)
pub fn halt_with_interrupts() {
    // SAFETY: the IDT and the PIC are set up; handlers return here.
    unsafe { asm!("sti; hlt; cli", options(nomem, nostack)) };
}

/// Opens interrupts for one instruction and closes them again, so that an
/// interrupt that came while the kernel ran with them off (a timer tick
/// during a long system call) is taken now. (`sti` takes effect after the
/// next instruction, the `nop`.)
pub fn take_pending_interrupts() {
    // SAFETY: the IDT and the PIC are set up; handlers return here.
    unsafe { asm!("sti; nop; cli", options(nomem, nostack)) };
}

/// Enables maskable interrupts.
pub fn local_irq_enable() {
    // SAFETY: the IDT and the PIC are set up before anyone calls this.
    unsafe { x86::irq::enable() };
}

/// Disables interrupts and returns whether they were enabled before.
pub fn local_irq_save() -> bool {
    let eflags: u32;
    // SAFETY: reads EFLAGS and clears IF; touches no memory but the stack.
    unsafe { asm!("pushfd; pop {0}; cli", out(reg) eflags) };
    eflags & (1 << 9) != 0
}

/// Re-enables interrupts if `enabled` says they were on.
pub fn local_irq_restore(enabled: bool) {
    if enabled {
        local_irq_enable();
    }
}

/// Runs `f` with interrupts disabled.
pub fn without_interrupts<R>(f: impl FnOnce() -> R) -> R {
    let enabled = local_irq_save();
    let result = f();
    local_irq_restore(enabled);
    result
}

/// The faulting linear address of the last page fault.
pub fn read_cr2() -> VirtAddr {
    // SAFETY: reading CR2 has no side effect.
    VirtAddr::new(unsafe { x86::controlregs::cr2() } as u32)
}

/// The physical address of the loaded page directory.
pub fn read_cr3() -> PhysAddr {
    // SAFETY: reading CR3 has no side effect.
    PhysAddr::new(unsafe { x86::controlregs::cr3() } as u32 & !0xfff)
}

/// Switches to the page directory at `pgd`, which flushes every non-global
/// TLB entry.
///
/// # Safety
/// `pgd` must be a page directory that maps the running kernel.
pub unsafe fn write_cr3(pgd: PhysAddr) {
    // SAFETY: the caller guarantees the new tables map the kernel.
    unsafe { x86::controlregs::cr3_write(pgd.as_u32().into()) };
}

/// Drops the TLB's cached translation of `addr`.
pub fn flush_tlb_one(addr: VirtAddr) {
    // SAFETY: `invlpg` only drops a cached translation.
    unsafe { asm!("invlpg [{0}]", in(reg) addr.as_u32(), options(nostack)) };
}

/// Turns on global pages (`CR4.PGE`): kernel mappings marked global then
/// survive CR3 reloads, as on Linux.
pub fn enable_global_pages() {
    use x86::controlregs::{Cr4, cr4, cr4_write};
    // SAFETY: setting PGE only changes how long global TLB entries live.
    unsafe { cr4_write(cr4() | Cr4::CR4_ENABLE_GLOBAL_PAGES) };
}
