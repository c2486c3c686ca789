//! Lab 1 scenarios: the software page-table walk against the kernel's own
//! page tables.

use crate::arch::x86::sections::kernel_sections;
use crate::mm::dump::show_walk;
use crate::mm::init::{high_memory, in_direct_map};
use crate::mm::layout::{PAGE_OFFSET, __pa};
use crate::mm::pgwalk::Walk;
use crate::mm::types::VirtAddr;
use crate::pr_info;

/// Walks addresses inside and outside the direct map of `swapper_pg_dir` and
/// checks each against what the layout says: `__pa(va)` for the direct map,
/// nothing elsewhere (in particular, no identity mapping is left).
pub fn pgwalk() {
    let text = kernel_sections()[0].1;
    let high = high_memory();
    let addresses = [
        VirtAddr::new(PAGE_OFFSET),
        VirtAddr::new(PAGE_OFFSET + 0xb8abc),
        text,
        VirtAddr::new(PAGE_OFFSET + 0x0765_4321),
        VirtAddr::new(high.as_u32() - 1),
        high,
        VirtAddr::new(0xffff_f000),
        VirtAddr::new(0x0804_8000),
        VirtAddr::new(0x0010_0000),
    ];
    let mut wrong = 0;
    for va in addresses {
        let expected = in_direct_map(va).then(|| __pa(va));
        let got = match show_walk(va) {
            Walk::Mapped { phys, .. } => Some(phys),
            Walk::NoPageTable { .. } | Walk::NotMapped { .. } => None,
        };
        if got != expected {
            pr_info!("  wrong: expected {expected:?}");
            wrong += 1;
        }
    }
    assert_eq!(wrong, 0, "pgwalk: {wrong} translations wrong");
}
