//! The kernel's own page tables: `swapper_pg_dir`, and mapping pages into
//! the kernel's part of the address space with the walker of `pgwalk`.

use spin::Mutex;

use super::gfp::GFP_KERNEL;
use super::layout::{__pa, lowmem_page_address};
use super::node::__alloc_pages;
use super::pgtable::{KERNEL_PGD_BOUNDARY, PageTable, Pgd, Pte, PteFlags};
use super::pgwalk::{MapError, PageTableMem, Walk, change_page_flags, map_page, unmap_page, walk};
use super::types::{Pfn, PhysAddr, VirtAddr};
use crate::arch::x86::cpu::flush_tlb_one;

/// The kernel's page directory, Linux's `swapper_pg_dir`.
pub static SWAPPER_PG_DIR: Mutex<PageTable<Pgd>> = Mutex::new(PageTable::filled(Pgd::NONE));

/// The physical address of `swapper_pg_dir`, for CR3.
pub fn swapper_pg_dir_phys(pgd: &PageTable<Pgd>) -> PhysAddr {
    __pa(VirtAddr::new(pgd as *const _ as u32))
}

/// Page tables as the running kernel reaches them: every kernel page table
/// lives in low memory, so through the direct map; new ones come from the
/// page allocator; the TLB is flushed with `invlpg`.
pub struct KernelTables;

impl PageTableMem for KernelTables {
    fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte> {
        // SAFETY: kernel page tables are low-memory frames used for nothing
        // else, reached through the direct map.
        unsafe { &*lowmem_page_address(pfn).as_ptr() }
    }

    fn pte_table_mut(&mut self, pfn: Pfn) -> &mut PageTable<Pte> {
        // SAFETY: as above; the caller holds the swapper_pg_dir lock.
        unsafe { &mut *lowmem_page_address(pfn).as_mut_ptr() }
    }

    /// A low frame (`GFP_KERNEL`), cleared through the direct map: this
    /// layer sits below `kmap_atomic`, so it cannot use `alloc_pages`.
    fn alloc_pte_table(&mut self) -> Option<Pfn> {
        let pfn = __alloc_pages(GFP_KERNEL, 0)?;
        self.pte_table_mut(pfn).0.fill(Pte::NONE);
        Some(pfn)
    }

    fn flush_tlb_one(&mut self, va: VirtAddr) {
        flush_tlb_one(va);
    }
}

/// How many page tables the kernel's half has. Once made they stay for
/// good, shared by every page directory, as Linux's do.
pub fn kernel_page_tables() -> u32 {
    let pgd = SWAPPER_PG_DIR.lock();
    pgd.0[KERNEL_PGD_BOUNDARY..].iter().filter(|entry| entry.present()).count() as u32
}

/// Walks `va` through `swapper_pg_dir` in software.
pub fn walk_kernel(va: VirtAddr) -> Walk {
    walk(&KernelTables, &SWAPPER_PG_DIR.lock(), va)
}

/// Maps kernel page `va` to frame `pfn`, present, writable and global.
pub fn map_kernel_page(va: VirtAddr, pfn: Pfn) -> Result<(), MapError> {
    let flags = PteFlags::RW | PteFlags::GLOBAL;
    map_page(&mut KernelTables, &mut SWAPPER_PG_DIR.lock(), va, pfn, flags)
}

/// Changes kernel page `va` to `flags` (it stays present and global).
pub fn protect_kernel_page(va: VirtAddr, flags: PteFlags) -> Option<Pte> {
    change_page_flags(&mut KernelTables, &SWAPPER_PG_DIR.lock(), va, flags | PteFlags::GLOBAL)
}

/// Unmaps kernel page `va`; returns the entry it held.
pub fn unmap_kernel_page(va: VirtAddr) -> Option<Pte> {
    unmap_page(&mut KernelTables, &SWAPPER_PG_DIR.lock(), va)
}

/// Unmaps kernel page `va` but leaves its translation in the TLB, for a
/// caller that flushes many at once (`flush_all_zero_pkmaps`).
pub fn unmap_kernel_page_noflush(va: VirtAddr) -> Option<Pte> {
    unmap_page(&mut NoFlush, &SWAPPER_PG_DIR.lock(), va)
}

/// The kernel's page tables, with TLB flushes left to the caller.
struct NoFlush;

impl PageTableMem for NoFlush {
    fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte> {
        KernelTables.pte_table(pfn)
    }

    fn pte_table_mut(&mut self, pfn: Pfn) -> &mut PageTable<Pte> {
        // SAFETY: as `KernelTables::pte_table_mut`: a low frame used for
        // nothing else, under the swapper_pg_dir lock.
        unsafe { &mut *lowmem_page_address(pfn).as_mut_ptr() }
    }

    fn alloc_pte_table(&mut self) -> Option<Pfn> {
        KernelTables.alloc_pte_table()
    }

    fn flush_tlb_one(&mut self, _: VirtAddr) {}
}
