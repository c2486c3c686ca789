//! Taking pages, and the swap entries of pages, out of an address space (Linux's `zap_page_range`, in
//! `mm/memory.c`): for `munmap` and a shrinking `brk`. (`exit_mmap`, lab
//! 2's, releases a whole address space at once.)

use super::fault_common::{clear_user_pte, mm_counter};
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmCounter, MmStruct};
use super::pgtable::{Pte, pgd_addr_end, pgd_index, pte_to_swp_entry};
use super::pgwalk::{Walk, set_pte_at};
use super::swap_state::{free_page_and_swap_cache, free_swap_and_cache};
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

/// Unmaps one page, if mapped, or drops the swap entry that holds its
/// place.
fn zap_pte(mm: &mut MmStruct, va: VirtAddr) {
    if let Walk::NotMapped { pte, .. } = mm.walk(va)
        && let Some(entry) = pte_to_swp_entry(pte)
    {
        set_pte_at(&mut KernelTables, mm.pgd_table_mut(), va, Pte::NONE).expect("the table exists");
        mm.dec_rss(MmCounter::SwapEnts);
        free_swap_and_cache(entry);
        return;
    }
    let Some(pte) = clear_user_pte(mm, va) else {
        return;
    };
    if let Some(counter) = mm_counter(pte.pfn()) {
        mm.dec_rss(counter);
    }
    free_page_and_swap_cache(pte.pfn());
}
