//! Setting up the kernel's own page tables (Linux's `paging_init`).
//!
//! The boot page directory maps 16 MiB twice with 4 MiB pages. `paging_init`
//! builds `swapper_pg_dir` instead: all of low memory, and only low memory,
//! mapped at `PAGE_OFFSET` through 4 KiB page tables, global, with no identity
//! mapping left. Every later page directory copies its kernel half.

use spin::{Mutex, Once};

use super::bootmem::BootMem;
use super::layout::{MAXMEM, PAGE_OFFSET, PAGE_SHIFT, __pa, __va};
use super::pgtable::{PAGE_KERNEL, PAGE_TABLE, PageTable, Pgd, Pte, pgd_index};
use super::pgwalk::{PageTableMem, Walk, walk};
use super::types::{Pfn, VirtAddr};
use crate::arch::x86::cpu::{enable_global_pages, write_cr3};
use crate::arch::x86::e820::E820Map;

/// The kernel's page directory, Linux's `swapper_pg_dir`.
static SWAPPER_PG_DIR: Mutex<PageTable<Pgd>> = Mutex::new(PageTable::filled(Pgd::NONE));

/// The first virtual address past the direct map, Linux's `high_memory`.
static HIGH_MEMORY: Once<VirtAddr> = Once::new();

/// Page tables reached through the direct map: the kernel's own tables all
/// live in low memory.
struct DirectMap;

impl PageTableMem for DirectMap {
    fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte> {
        // SAFETY: every page-directory entry in swapper_pg_dir points at a
        // page table that `kernel_physical_mapping_init` put in low memory.
        unsafe { &*__va(pfn.addr()).as_ptr() }
    }
}

/// Builds `swapper_pg_dir` for the RAM in `e820` and switches to it.
/// Page tables come from `bootmem`. Returns `high_memory`.
pub fn paging_init(e820: &E820Map, bootmem: &mut BootMem) -> VirtAddr {
    let lowmem_end = e820.ram_end().min(u64::from(MAXMEM)) as u32;
    let max_low_pfn = Pfn::new(lowmem_end >> PAGE_SHIFT);
    let mut pgd = SWAPPER_PG_DIR.lock();
    kernel_physical_mapping_init(&mut pgd, max_low_pfn, bootmem);
    enable_global_pages();
    // SAFETY: swapper_pg_dir now maps all of low memory at PAGE_OFFSET, which
    // holds the kernel image, its stack and everything it references.
    unsafe { write_cr3(__pa(VirtAddr::new(&raw const *pgd as u32))) };
    *HIGH_MEMORY.call_once(|| __va(max_low_pfn.addr()))
}

// ANCHOR: mapping
/// Maps frames `0..max_low_pfn` at `PAGE_OFFSET`, one page table per 4 MiB.
fn kernel_physical_mapping_init(pgd: &mut PageTable<Pgd>, max_low_pfn: Pfn, bootmem: &mut BootMem) {
    let mut pfn = Pfn::new(0);
    while pfn < max_low_pfn {
        let table_pfn = bootmem.alloc_low_page().expect("no memory for the kernel page tables");
        // SAFETY: bootmem hands out unused frames inside the early mapping.
        let table: &mut PageTable<Pte> = unsafe { &mut *__va(table_pfn.addr()).as_mut_ptr() };
        table.0.fill(Pte::NONE);
        pgd[pgd_index(__va(pfn.addr()))] = Pgd::new(table_pfn, PAGE_TABLE);
        for pte in &mut table.0 {
            if pfn >= max_low_pfn {
                break;
            }
            *pte = Pte::new(pfn, PAGE_KERNEL);
            pfn = pfn + 1;
        }
    }
}
// ANCHOR_END: mapping

/// `high_memory`: where the direct map ends.
pub fn high_memory() -> VirtAddr {
    *HIGH_MEMORY.get().expect("paging_init has not run")
}

/// Walks `va` through `swapper_pg_dir` in software.
pub fn walk_kernel(va: VirtAddr) -> Walk {
    walk(&DirectMap, &SWAPPER_PG_DIR.lock(), va)
}

/// Whether `va` lies in the direct map, where `__pa` gives its translation.
pub fn in_direct_map(va: VirtAddr) -> bool {
    va.as_u32() >= PAGE_OFFSET && va < high_memory()
}
