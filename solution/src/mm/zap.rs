//! Taking pages out of an address space (Linux's `zap_page_range`, in
//! `mm/memory.c`): for `munmap` and a shrinking `brk`. (`exit_mmap`, lab
//! 2's, releases a whole address space at once.)

use super::fault_common::{clear_user_pte, mm_counter};
use super::mm_types::MmStruct;
use super::node::put_page;
use super::pgtable::{pgd_addr_end, pgd_index};
use super::types::{PAGE_SIZE, VirtAddr};

/// Unmaps every page of `mm` in `[start, end)`: each entry is cleared and
/// flushed, its frame loses a reference (freed with the last) and leaves
/// the RSS counts. Page tables stay until the address space goes.
pub fn zap_page_range(mm: &mut MmStruct, start: VirtAddr, end: VirtAddr) {
    let (mut addr, end) = (start.as_u32(), end.as_u32());
    while addr < end {
        let next = pgd_addr_end(addr, end);
        if mm.pgd_table()[pgd_index(VirtAddr::new(addr))].present() {
            (addr..next).step_by(PAGE_SIZE as usize).for_each(|va| zap_pte(mm, VirtAddr::new(va)));
        }
        addr = next;
    }
}

/// Unmaps one page, if mapped.
fn zap_pte(mm: &mut MmStruct, va: VirtAddr) {
    let Some(pte) = clear_user_pte(mm, va) else {
        return;
    };
    if let Some(counter) = mm_counter(pte.pfn()) {
        mm.dec_rss(counter);
    }
    put_page(pte.pfn());
}
