//! The memory descriptor, `struct mm_struct`: one per address space.
//!
//! It owns the page directory whose lower 3 GiB (entries 0..768) are the
//! process's own and whose upper 1 GiB is a copy of `swapper_pg_dir`'s, so
//! the kernel is mapped the same in every address space. It records where
//! the program's parts lie and counts its pages.

use super::gfp::{GFP_HIGHUSER, GFP_KERNEL, Gfp};
use super::kernel_pgtable::{KernelTables, SWAPPER_PG_DIR};
use super::layout::{__va, PAGE_SIZE};
use super::node::{__free_pages, alloc_pages};
use super::pgtable::{KERNEL_PGD_BOUNDARY, PageTable, Pgd, PteFlags};
use super::pgwalk::{MapError, PageTableMem, Walk, change_page_flags, map_page, walk};
use super::types::{Pfn, VirtAddr};
use crate::arch::x86::cpu::write_cr3;

/// The top of user space: the first address the user may not use.
pub const TASK_SIZE: u32 = super::layout::PAGE_OFFSET;

/// Linux's `struct mm_struct`, with the fields this kernel uses so far.
pub struct MmStruct {
    /// The page directory's frame.
    pub pgd: Pfn,
    pub start_code: VirtAddr,
    pub end_code: VirtAddr,
    pub start_data: VirtAddr,
    pub end_data: VirtAddr,
    pub start_brk: VirtAddr,
    pub brk: VirtAddr,
    pub start_stack: VirtAddr,
    pub arg_start: VirtAddr,
    pub arg_end: VirtAddr,
    pub env_start: VirtAddr,
    pub env_end: VirtAddr,
    /// Pages mapped, in all, executable, and in the stack.
    pub total_vm: u32,
    pub exec_vm: u32,
    pub stack_vm: u32,
    /// Pages with a frame behind them (all anonymous so far).
    pub anon_rss: u32,
}

impl MmStruct {
    /// The page directory, through the direct map.
    pub fn pgd_table(&self) -> &mut PageTable<Pgd> {
        // SAFETY: `pgd` is this descriptor's own low-memory frame; callers
        // touch the directory only through the descriptor they hold.
        unsafe { &mut *__va(self.pgd.addr()).as_mut_ptr() }
    }

    /// Walks `va` through this address space's page tables.
    pub fn walk(&self, va: VirtAddr) -> Walk {
        walk(&KernelTables, self.pgd_table(), va)
    }

    /// Maps a new zeroed page at user address `va` (or reuses the page
    /// already there, adding `flags`), and returns its frame.
    pub fn populate_page(&mut self, va: VirtAddr, flags: PteFlags) -> Result<Pfn, MapError> {
        let flags = flags | PteFlags::USER;
        if let Walk::Mapped { pte, .. } = self.walk(va) {
            change_page_flags(&mut KernelTables, self.pgd_table(), va, pte.flags() | flags);
            return Ok(pte.pfn());
        }
        let pfn = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).ok_or(MapError::NoMemory)?;
        if let Err(error) = map_page(&mut KernelTables, self.pgd_table(), va, pfn, flags) {
            __free_pages(pfn, 0);
            return Err(error);
        }
        self.total_vm += 1;
        self.anon_rss += 1;
        Ok(pfn)
    }
}

/// A new, empty address space (Linux's `mm_alloc`): its page directory
/// comes from `pgd_alloc`; `None` when memory is out.
pub fn mm_alloc() -> Option<MmStruct> {
    let zero = VirtAddr::new(0);
    Some(MmStruct {
        pgd: pgd_alloc()?,
        start_code: zero,
        end_code: zero,
        start_data: zero,
        end_data: zero,
        start_brk: zero,
        brk: zero,
        start_stack: zero,
        arg_start: zero,
        arg_end: zero,
        env_start: zero,
        env_end: zero,
        total_vm: 0,
        exec_vm: 0,
        stack_vm: 0,
        anon_rss: 0,
    })
}

/// A page directory whose user half is empty and whose kernel half copies
/// `swapper_pg_dir` (entries 768..1023).
fn pgd_alloc() -> Option<Pfn> {
    let pfn = alloc_pages(GFP_KERNEL | Gfp::ZERO, 0)?;
    // SAFETY: a fresh low-memory frame, reached through the direct map.
    let pgd: &mut PageTable<Pgd> = unsafe { &mut *__va(pfn.addr()).as_mut_ptr() };
    pgd.0[KERNEL_PGD_BOUNDARY..].copy_from_slice(&SWAPPER_PG_DIR.lock().0[KERNEL_PGD_BOUNDARY..]);
    Some(pfn)
}

/// Makes `mm` the address space the processor translates through.
pub fn switch_mm(mm: &MmStruct) {
    // SAFETY: every address space maps the kernel exactly as swapper_pg_dir.
    unsafe { write_cr3(mm.pgd.addr()) };
}

/// Tears an address space down (Linux's `exit_mmap` then `pgd_free`):
/// every user frame, every user page table, then the page directory.
/// `mm` must not be the address space in use.
pub fn exit_mmap(mm: MmStruct) {
    let pgd = mm.pgd_table();
    for entry in pgd.0[..KERNEL_PGD_BOUNDARY].iter().filter(|e| e.present()) {
        for pte in KernelTables
            .pte_table(entry.pfn())
            .0
            .iter()
            .filter(|p| p.present())
        {
            __free_pages(pte.pfn(), 0);
        }
        __free_pages(entry.pfn(), 0);
    }
    __free_pages(mm.pgd, 0);
}

/// The number of pages from `start` to `end`, rounded outwards.
pub fn pages_spanned(start: VirtAddr, end: VirtAddr) -> u32 {
    (end.as_u32().div_ceil(PAGE_SIZE)).saturating_sub(start.as_u32() / PAGE_SIZE)
}
