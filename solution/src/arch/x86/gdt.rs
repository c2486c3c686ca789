//! The global descriptor table and the task-state segment.
//!
//! Segmentation is flat (base 0, limit 4 GiB) as on Linux; the GDT exists for
//! the privilege levels, and for the running task's thread-local storage
//! segments (entries 6 to 8, `tls.rs`). Entries sit where Linux 2.6 puts
//! them, so selectors read the same as on Linux (`__KERNEL_CS` = 0x60,
//! `__USER_CS` = 0x73, the first TLS segment 0x33).

use spin::{Lazy, Mutex};
use x86::Ring;

use super::tls::{GDT_ENTRY_TLS_MIN, TlsArray};
use x86::bits32::task::TaskStateSegment;
use x86::dtables::{DescriptorTablePointer, lgdt};
use x86::segmentation::{
    BuildDescriptor, CodeSegmentType, DataSegmentType, Descriptor, DescriptorBuilder, GateDescriptorBuilder,
    SegmentDescriptorBuilder, SegmentSelector, load_ds, load_es, load_fs, load_gs, load_ss,
};

const GDT_ENTRIES: usize = 32;
const GDT_ENTRY_KERNEL_CS: u16 = 12;
const GDT_ENTRY_KERNEL_DS: u16 = 13;
const GDT_ENTRY_USER_CS: u16 = 14;
const GDT_ENTRY_USER_DS: u16 = 15;
const GDT_ENTRY_TSS: u16 = 16;

/// Selector values: the kernel's segments, and the user's at privilege 3.
pub const KERNEL_CS: u16 = GDT_ENTRY_KERNEL_CS * 8;
pub const KERNEL_DS: u16 = GDT_ENTRY_KERNEL_DS * 8;
pub const USER_CS: u16 = GDT_ENTRY_USER_CS * 8 + 3;
pub const USER_DS: u16 = GDT_ENTRY_USER_DS * 8 + 3;
const TSS_SELECTOR: u16 = GDT_ENTRY_TSS * 8;

/// The TSS: the CPU reads `esp0`/`ss0` from it when an interrupt arrives in
/// user mode. Its address is fixed once the GDT points at it.
static TSS: Mutex<TaskStateSegment> = Mutex::new(TaskStateSegment::new());

/// The table. It is a static, so the address `lgdt` was given stays valid;
/// only the TLS entries change after boot.
static GDT: Lazy<Mutex<[Descriptor; GDT_ENTRIES]>> = Lazy::new(|| {
    let mut gdt = [Descriptor::NULL; GDT_ENTRIES];
    gdt[GDT_ENTRY_KERNEL_CS as usize] = flat_code(Ring::Ring0);
    gdt[GDT_ENTRY_KERNEL_DS as usize] = flat_data(Ring::Ring0);
    gdt[GDT_ENTRY_USER_CS as usize] = flat_code(Ring::Ring3);
    gdt[GDT_ENTRY_USER_DS as usize] = flat_data(Ring::Ring3);
    let tss_base = &raw const *TSS.lock() as u64;
    let tss_limit = size_of::<TaskStateSegment>() as u64 - 1;
    gdt[GDT_ENTRY_TSS as usize] =
        <DescriptorBuilder as GateDescriptorBuilder<u32>>::tss_descriptor(tss_base, tss_limit, true)
            .present()
            .finish();
    Mutex::new(gdt)
});

/// A segment over all 4 GiB, 32-bit, usable from `ring`.
fn flat(segment: DescriptorBuilder, ring: Ring) -> Descriptor {
    segment.present().dpl(ring).db().limit_granularity_4kb().finish()
}

fn flat_code(ring: Ring) -> Descriptor {
    flat(DescriptorBuilder::code_descriptor(0, 0xfffff, CodeSegmentType::ExecuteRead), ring)
}

fn flat_data(ring: Ring) -> Descriptor {
    flat(DescriptorBuilder::data_descriptor(0, 0xfffff, DataSegmentType::ReadWrite), ring)
}

/// Loads the GDT, reloads every segment register and the task register.
pub fn init() {
    TSS.lock().ss0 = KERNEL_DS;
    let kernel_ds = SegmentSelector::from_raw(KERNEL_DS);
    // SAFETY: the GDT is a static with flat kernel segments at the selectors
    // loaded here, so the running code and data stay addressable.
    unsafe {
        lgdt(&DescriptorTablePointer::new(&*GDT.lock()));
        x86::bits32::segmentation::load_cs(SegmentSelector::from_raw(KERNEL_CS));
        load_ss(kernel_ds);
        load_ds(kernel_ds);
        load_es(kernel_ds);
        load_fs(kernel_ds);
        load_gs(kernel_ds);
        x86::task::load_tr(SegmentSelector::from_raw(TSS_SELECTOR));
    }
}

/// Puts a task's TLS segments in the GDT (Linux's `load_TLS`), for the
/// next load of `%gs` or `%fs`: the kernel's own segment registers never
/// use these entries, and every return to user mode reloads the user's.
pub fn load_tls(tls: &TlsArray) {
    let mut gdt = GDT.lock();
    for (entry, &desc) in gdt[GDT_ENTRY_TLS_MIN as usize..].iter_mut().zip(tls) {
        *entry = Descriptor { lower: desc as u32, upper: (desc >> 32) as u32 };
    }
}

/// Sets the stack the processor switches to when an interrupt or system
/// call arrives in user mode: the top of the running task's kernel stack.
pub fn set_kernel_stack(esp0: u32) {
    TSS.lock().esp0 = esp0;
}
