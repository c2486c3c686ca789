//! What the two halves of the fault path share, below both: how a fault
//! was served, and how its page goes into the page table. Demand paging
//! (`memory.rs`, lab 4) and copy-on-write (`cow.rs`, lab 5) both map pages
//! this way, and each calls the other's entry point only through
//! `handle_mm_fault`, so the helpers live a layer down, in one place.

use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmStruct, VmAreaStruct};
use super::node::put_page;
use super::pgtable::PteFlags;
use super::pgwalk::{MapError, map_page};
use super::types::{Pfn, VirtAddr};
use super::vma::{VmFault, VmFlags};

/// How a fault was served: from memory (minor) or by reading the backing
/// file (major), Linux's `VM_FAULT_MINOR` and `VM_FAULT_MAJOR`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultKind {
    Minor,
    Major,
}

/// The page-table flags for a page of `vma` that the faulting task may
/// write if the region allows writing (Linux's `maybe_mkwrite`).
pub fn maybe_mkwrite(vma: &VmAreaStruct) -> PteFlags {
    let write = if vma.vm_flags.contains(VmFlags::WRITE) { PteFlags::RW } else { PteFlags::empty() };
    vma.vm_page_prot | write
}

/// Maps frame `pfn` at `addr`; on failure (no memory for a page table)
/// drops the frame's reference.
pub fn set_pte(mm: &mut MmStruct, addr: VirtAddr, pfn: Pfn, flags: PteFlags) -> Result<(), VmFault> {
    match map_page(&mut KernelTables, mm.pgd_table_mut(), addr, pfn, flags) {
        Ok(()) => Ok(()),
        Err(MapError::NoMemory) => {
            put_page(pfn);
            Err(VmFault::Oom)
        }
        Err(MapError::AlreadyMapped) => unreachable!("a fault maps only what is not mapped"),
    }
}
