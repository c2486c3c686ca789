//! The interrupt descriptor table: one interrupt gate per entry stub.

use spin::Lazy;
use x86::Ring;
use x86::dtables::{DescriptorTablePointer, lidt};
use x86::segmentation::{
    BuildDescriptor, Descriptor, DescriptorBuilder, GateDescriptorBuilder, SegmentSelector,
};

use super::entry::{NR_STUBS, SYSCALL_VECTOR, interrupt_stubs, system_call_stub};
use super::gdt::KERNEL_CS;

const IDT_ENTRIES: usize = 256;
/// `int3`'s vector, #BP.
const BREAKPOINT_VECTOR: usize = 3;
/// `into`'s vector, #OF.
const OVERFLOW_VECTOR: usize = 4;

static IDT: Lazy<[Descriptor; IDT_ENTRIES]> = Lazy::new(|| {
    let mut idt = [Descriptor::NULL; IDT_ENTRIES];
    let cs = SegmentSelector::from_raw(KERNEL_CS);
    for (vector, gate) in idt.iter_mut().enumerate().take(NR_STUBS) {
        // SAFETY: `interrupt_stubs` is a read-only table built by the assembler.
        let stub = unsafe { interrupt_stubs[vector] };
        // Interrupt gates clear IF on entry, so handlers start with interrupts off.
        *gate = DescriptorBuilder::interrupt_descriptor(cs, stub).present().finish();
    }
    // Privilege 3, so that user code may `int3` and `into` and get SIGTRAP
    // and SIGSEGV for them, not a general protection fault (Linux's
    // `set_system_intr_gate`).
    for vector in [BREAKPOINT_VECTOR, OVERFLOW_VECTOR] {
        // SAFETY: as above.
        let stub = unsafe { interrupt_stubs[vector] };
        idt[vector] = DescriptorBuilder::interrupt_descriptor(cs, stub).present().dpl(Ring::Ring3).finish();
    }
    // Privilege 3, so that user code may `int 0x80`; an interrupt gate, so
    // that system calls run with interrupts off (nothing preempts them yet).
    let system_call = system_call_stub as *const () as u32;
    idt[SYSCALL_VECTOR as usize] =
        DescriptorBuilder::interrupt_descriptor(cs, system_call).present().dpl(Ring::Ring3).finish();
    idt
});

/// Loads the IDT.
pub fn init() {
    // SAFETY: the IDT is a static whose gates point at the entry stubs.
    unsafe { lidt(&DescriptorTablePointer::new(&*IDT)) };
}

/// Loads an empty IDT, so that the next exception cannot be delivered and the
/// processor resets (a triple fault). Only the `triple-fault` scenario uses it.
pub fn load_empty() {
    let empty: DescriptorTablePointer<Descriptor> =
        DescriptorTablePointer { limit: 0, base: core::ptr::null() };
    // SAFETY: deliberately breaks interrupt delivery; the caller wants a reset.
    unsafe { lidt(&empty) };
}
