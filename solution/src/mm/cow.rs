//! Copy-on-write: how `fork` shares a parent's pages with its child instead
//! of copying them, and how the first write to a shared page copies it then
//! (Linux's `copy_page_range` and `do_wp_page`, in `mm/memory.c`).
//!
//! At `fork`, every present page of a private writable region is mapped
//! read-only in both parent and child, and its frame's reference count
//! grows by one. Nothing is copied. A later write by either faults on the
//! read-only entry inside a writable region: `do_wp_page` copies the frame
//! for the writer, or, when the writer is its only user left, simply makes
//! the entry writable again. Read-only and shared regions stay as they are.
//!
//! For measuring what this saves, the command-line option `fork=copy` makes
//! `fork` copy every present page of such a region up front instead, as
//! kernels did before copy-on-write (`copy_one_page`). It is a benchmark
//! knob for `cargo xtask bench`; Linux has no such switch.
//!
//! Lab 5 asks you to write `copy_one_pte` and `do_wp_page`.

use core::sync::atomic::{AtomicBool, Ordering};

use super::fault_common::{clear_user_pte, maybe_mkwrite, mm_counter, set_pte};
use super::gfp::GFP_HIGHUSER;
use super::highmem::{alloc_pages, clear_highpage, copy_highpage};
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmCounter, MmStruct, VmaRef};
use super::node::{get_page, page_add_new_anon, page_count, zero_page};
use super::pgtable::{Pte, PteFlags, SwpEntry, pgd_addr_end, pgd_index, pte_index, pte_to_swp_entry};
use super::pgwalk::{PageTableMem, change_page_flags, set_pte_at};
use super::swap_state::free_page_and_swap_cache;
use super::swapfile::{swap_duplicate, swap_free};
use super::types::{PAGE_SIZE, VirtAddr};
use super::vma::{FaultKind, VmFault, VmFlags};
use super::vmstat::{VmEvent, count_vm_event};

/// Whether `fork` copies the pages of copy-on-write regions up front
/// (`fork=copy`) instead of sharing them. Off unless the command line asks.
static FORK_COPIES: AtomicBool = AtomicBool::new(false);

/// Makes `fork` copy pages up front (`true`) or share them copy-on-write
/// (`false`, the default). Called once at boot, before the first `fork`.
pub fn set_fork_copies(copies: bool) {
    FORK_COPIES.store(copies, Ordering::Relaxed);
}

/// Whether a region's pages are shared copy-on-write by `fork`: private
/// and possibly writable (Linux's `is_cow_mapping`).
pub fn is_cow_mapping(flags: VmFlags) -> bool {
    flags & (VmFlags::SHARED | VmFlags::MAYWRITE) == VmFlags::MAYWRITE
}

/// Gives `dst` the pages `src` has in `vma` (Linux's `copy_page_range`),
/// one page-directory entry at a time; `src` must be the loaded address
/// space. Fails only for lack of memory for a page table.
pub fn copy_page_range(dst: &mut MmStruct, src: &mut MmStruct, vma: VmaRef) -> Result<(), VmFault> {
    let (mut addr, end) = (vma.get(src).vm_start.as_u32(), vma.get(src).vm_end.as_u32());
    while addr < end {
        let next = pgd_addr_end(addr, end);
        if src.pgd_table()[pgd_index(VirtAddr::new(addr))].present() {
            copy_pte_range(dst, src, vma, addr, next)?;
        }
        addr = next;
    }
    Ok(())
}

/// Copies the present entries for `[addr, end)`, all under one page table:
/// shared with `copy_one_pte`, or, with `fork=copy` in a copy-on-write
/// region, copied by `copy_one_page`.
fn copy_pte_range(
    dst: &mut MmStruct,
    src: &mut MmStruct,
    vma: VmaRef,
    addr: u32,
    end: u32,
) -> Result<(), VmFault> {
    let table = src.pgd_table()[pgd_index(VirtAddr::new(addr))].pfn();
    let copies = FORK_COPIES.load(Ordering::Relaxed) && is_cow_mapping(vma.get(src).vm_flags);
    for va in (addr..end).step_by(PAGE_SIZE as usize).map(VirtAddr::new) {
        let pte = KernelTables.pte_table(table)[pte_index(va)];
        if pte.present() && copies {
            copy_one_page(dst, va, pte)?;
        } else if pte.present() {
            copy_one_pte(dst, src, vma, va, pte)?;
        } else if let Some(entry) = pte_to_swp_entry(pte) {
            copy_swap_pte(dst, va, pte, entry)?;
        }
    }
    Ok(())
}

/// Maps in `dst` at `va` a new anonymous copy of the frame of `src`'s entry
/// `pte`, with the entry's `USER` and `RW`: what `fork` did before
/// copy-on-write, kept only as a benchmark baseline (`fork=copy`). The
/// parent's entry is left as it is. Fails only for lack of memory, freeing
/// the copy.
fn copy_one_page(dst: &mut MmStruct, va: VirtAddr, pte: Pte) -> Result<(), VmFault> {
    let new = alloc_pages(GFP_HIGHUSER, 0).ok_or(VmFault::Oom)?;
    copy_highpage(new, pte.pfn());
    page_add_new_anon(new);
    set_pte(dst, va, new, pte.flags() & (PteFlags::USER | PteFlags::RW))?;
    dst.inc_rss(MmCounter::Anon);
    Ok(())
}

/// Gives `dst` the swap entry `pte` at `va` too, one more user of its slot
/// (the swap half of Linux's `copy_one_pte`).
fn copy_swap_pte(dst: &mut MmStruct, va: VirtAddr, pte: Pte, entry: SwpEntry) -> Result<(), VmFault> {
    if !swap_duplicate(entry) {
        return Err(VmFault::Oom);
    }
    if set_pte_at(&mut KernelTables, dst.pgd_table_mut(), va, pte).is_err() {
        swap_free(entry);
        return Err(VmFault::Oom);
    }
    dst.inc_rss(MmCounter::SwapEnts);
    Ok(())
}

// ANCHOR: copy_one_pte
/// Maps the frame of `src`'s entry `pte` at `va` in `dst` too, with one
/// more reference; in a copy-on-write region both entries lose `RW`.
fn copy_one_pte(
    dst: &mut MmStruct,
    src: &mut MmStruct,
    vma: VmaRef,
    va: VirtAddr,
    pte: Pte,
) -> Result<(), VmFault> {
    // LAB 5 BEGIN: keep USER and RW of the entry. If the region is_cow_mapping and the entry is writable, drop RW, also in src (change_page_flags, which flushes the TLB). Take a reference (get_page), set_pte in dst, and count the page in dst's rss (mm_counter: None for the zero page, which is not counted).
    let mut flags = pte.flags() & (PteFlags::USER | PteFlags::RW);
    if is_cow_mapping(vma.get(src).vm_flags) && flags.contains(PteFlags::RW) {
        flags.remove(PteFlags::RW);
        change_page_flags(&mut KernelTables, src.pgd_table_mut(), va, flags);
    }
    get_page(pte.pfn());
    set_pte(dst, va, pte.pfn(), flags)?;
    if let Some(counter) = mm_counter(pte.pfn()) {
        dst.inc_rss(counter);
    }
    Ok(())
    // LAB 5 END
}
// ANCHOR_END: copy_one_pte

// ANCHOR: do_wp_page
/// A write to `addr`, mapped read-only by `pte` in the writable region
/// `vma`: reuses the frame if it is anonymous and this is its only user,
/// else gives the writer its own copy (the zero page's copy is zeroes).
pub fn do_wp_page(mm: &mut MmStruct, vma: VmaRef, addr: VirtAddr, pte: Pte) -> Result<FaultKind, VmFault> {
    // LAB 5 BEGIN: reuse: an anonymous frame (not the zero page) with page_count 1 just gets maybe_mkwrite flags (change_page_flags); count CowReuse. Copy: allocate (GFP_HIGHUSER), copy_highpage (clear_highpage for the zero page), make it a new anonymous page (page_add_new_anon), clear_user_pte the old entry (unmapped, and off the old frame's reverse map), set_pte the copy with maybe_mkwrite, fix the rss counts (the copy is anonymous; the old frame counted as mm_counter says), drop the old frame's reference (free_page_and_swap_cache: lab 8's swap cache may hold it too); count CowCopy.
    let (old, writable) = (pte.pfn(), maybe_mkwrite(vma.get(mm)));
    if mm_counter(old) == Some(MmCounter::Anon) && page_count(old) == 1 {
        change_page_flags(&mut KernelTables, mm.pgd_table_mut(), addr, writable);
        count_vm_event(VmEvent::CowReuse);
        return Ok(FaultKind::Minor);
    }
    let new = alloc_pages(GFP_HIGHUSER, 0).ok_or(VmFault::Oom)?;
    if old == zero_page() {
        clear_highpage(new)
    } else {
        copy_highpage(new, old)
    }
    page_add_new_anon(new);
    clear_user_pte(mm, addr);
    set_pte(mm, addr, new, writable)?;
    if let Some(counter) = mm_counter(old) {
        mm.dec_rss(counter);
    }
    mm.inc_rss(MmCounter::Anon);
    free_page_and_swap_cache(old);
    count_vm_event(VmEvent::CowCopy);
    Ok(FaultKind::Minor)
    // LAB 5 END
}
// ANCHOR_END: do_wp_page
