//! What the two halves of the fault path share, below both: which
//! resident-set counter a frame counts in, and how its page goes into the
//! page table. Demand paging
//! (`memory.rs`, lab 4) and copy-on-write (`cow.rs`, lab 5) both map pages
//! this way, and each calls the other's entry point only through
//! `handle_mm_fault`, so the helpers live a layer down, in one place.

use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmCounter, MmStruct, VmAreaStruct};
use super::node::{page_flags, put_page, zero_page};
use super::page::PageFlags;
use super::pgtable::{Pte, PteFlags};
use super::pgwalk::{MapError, map_page, unmap_page};
use super::rmap::{PteAddr, page_add_rmap, page_remove_rmap};
use super::types::{Pfn, VirtAddr};
use super::vma::{VmFault, VmFlags};

/// The resident-set counter a mapped frame counts in (Linux's
/// `mm_counter`): `None` for the zero page, which counts nowhere.
pub fn mm_counter(pfn: Pfn) -> Option<MmCounter> {
    if pfn == zero_page() {
        return None;
    }
    let flags = page_flags(pfn);
    Some(if flags.contains(PageFlags::ANON) {
        MmCounter::Anon
    } else if flags.contains(PageFlags::SWAPBACKED) {
        MmCounter::Shmem
    } else {
        MmCounter::File
    })
}

/// The page-table flags for a page of `vma` that the faulting task may
/// write if the region allows writing (Linux's `maybe_mkwrite`).
pub fn maybe_mkwrite(vma: &VmAreaStruct) -> PteFlags {
    let write = if vma.vm_flags.contains(VmFlags::WRITE) { PteFlags::RW } else { PteFlags::empty() };
    vma.vm_page_prot | write
}

/// Maps frame `pfn` at `addr`; on failure (no memory for a page table or
/// for the frame's reverse map) drops the frame's reference.
pub fn set_pte(mm: &mut MmStruct, addr: VirtAddr, pfn: Pfn, flags: PteFlags) -> Result<(), VmFault> {
    map_user_pte(mm, addr, pfn, flags).inspect_err(|_| put_page(pfn))
}

/// Maps frame `pfn` at `addr`, where nothing is mapped, and adds the entry
/// to the frame's reverse map; fails, having changed nothing, for lack of
/// memory. The caller's reference to the frame becomes the mapping's.
pub fn map_user_pte(mm: &mut MmStruct, addr: VirtAddr, pfn: Pfn, flags: PteFlags) -> Result<(), VmFault> {
    match map_page(&mut KernelTables, mm.pgd_table_mut(), addr, pfn, flags) {
        Ok(()) => {}
        Err(MapError::NoMemory) => return Err(VmFault::Oom),
        Err(MapError::AlreadyMapped) => unreachable!("only what is not mapped is mapped"),
    }
    page_add_rmap(pfn, mm, addr).inspect_err(|_| {
        unmap_page(&mut KernelTables, mm.pgd_table(), addr);
    })
}

/// Unmaps the page at `addr`, flushing it, and takes the entry off its
/// frame's reverse map; returns the entry, whose reference to the frame is
/// now the caller's, or `None` if nothing was mapped.
pub fn clear_user_pte(mm: &mut MmStruct, addr: VirtAddr) -> Option<Pte> {
    let pte = unmap_page(&mut KernelTables, mm.pgd_table(), addr)?;
    page_remove_rmap(pte.pfn(), PteAddr::of(mm, addr));
    Some(pte)
}
