//! Bringing a page back from swap (the `do_swap_page` of Linux's
//! `mm/memory.c`, with `read_swap_cache_async` from `mm/swap_state.c`): a
//! fault on an entry that holds a swap entry finds the page in the swap
//! cache, or reads it into a new frame that joins the cache, and maps it.
//!
//! The frame stays in the cache, mapped read-only, while another entry
//! still names its slot: a process that shares the page since `fork` finds
//! the same frame there. When the faulting entry was the slot's last, the
//! frame is this address space's alone: it leaves the cache, freeing the
//! slot, and is mapped as writable as the region allows.

use super::cow::do_wp_page;
use super::fault_common::{map_user_pte, maybe_mkwrite};
use super::gfp::GFP_HIGHUSER;
use super::highmem::alloc_pages;
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmCounter, MmStruct, VmaRef};
use super::node::{mark_page_accessed, page_add_new_anon, page_count, put_page};
use super::page_io::swap_readpage;
use super::pgtable::{Pte, SwpEntry, pte_to_swp_entry};
use super::pgwalk::{Walk, set_pte_at};
use super::swap_state::{add_to_swap_cache, delete_from_swap_cache, lookup_swap_cache};
use super::swapfile::{swap_count, swap_duplicate, swap_free};
use super::types::{Pfn, VirtAddr};
use super::vma::{FaultKind, VmFault};
use crate::pr_err;

/// A new frame in the swap cache holding `entry`'s slot, read from the
/// disk, with a reference for the caller (Linux's `read_swap_cache_async`).
/// A bad entry or a failed read is `Sigbus`, as Linux's `VM_FAULT_SIGBUS`.
fn read_swap_cache(entry: SwpEntry) -> Result<Pfn, VmFault> {
    let pfn = alloc_pages(GFP_HIGHUSER, 0).ok_or(VmFault::Oom)?;
    if !swap_duplicate(entry) {
        pr_err!("swap_dup: Bad swap offset entry {:08x}", entry.offset());
        put_page(pfn);
        return Err(VmFault::Sigbus);
    }
    page_add_new_anon(pfn);
    add_to_swap_cache(pfn, entry);
    if let Err(err) = swap_readpage(pfn, entry) {
        pr_err!("Read-error on swap-device: {err:?}, slot {}", entry.offset());
        delete_from_swap_cache(pfn);
        put_page(pfn);
        return Err(VmFault::Sigbus);
    }
    Ok(pfn)
}

// ANCHOR: do_swap_page
/// A fault at `addr` of `vma`, whose entry `pte` holds a swap entry: the
/// page comes from the swap cache (a minor fault) or the disk (a major
/// one), and is mapped; a write to a page still shared through the cache
/// then copies it (`do_wp_page`).
pub fn do_swap_page(
    mm: &mut MmStruct,
    vma: VmaRef,
    addr: VirtAddr,
    pte: Pte,
    write: bool,
) -> Result<FaultKind, VmFault> {
    // LAB 8 BEGIN: the entry is pte_to_swp_entry(pte). Its frame: lookup_swap_cache (Minor), else read_swap_cache (Major). mark_page_accessed it. It is exclusive if the slot's only other user is the cache (swap_count 2) and the frame's only other reference the cache's (page_count 2). map_user_pte it, writable (maybe_mkwrite) if exclusive, else with vm_page_prot; on failure put the swap entry back (set_pte_at) and put_page. Count it (Anon in, SwapEnts out), swap_free the entry, and delete_from_swap_cache an exclusive frame. A write to a frame that is not exclusive goes on to do_wp_page.
    let entry = pte_to_swp_entry(pte).expect("a swap entry");
    let (pfn, kind) = match lookup_swap_cache(entry) {
        Some(pfn) => (pfn, FaultKind::Minor),
        None => (read_swap_cache(entry)?, FaultKind::Major),
    };
    mark_page_accessed(pfn);
    let exclusive = swap_count(entry) == 2 && page_count(pfn) == 2;
    let v = vma.get(mm);
    let flags = if exclusive { maybe_mkwrite(v) } else { v.vm_page_prot };
    if let Err(err) = map_user_pte(mm, addr, pfn, flags) {
        set_pte_at(&mut KernelTables, mm.pgd_table_mut(), addr, pte).expect("the table exists");
        put_page(pfn);
        return Err(err);
    }
    mm.inc_rss(MmCounter::Anon);
    mm.dec_rss(MmCounter::SwapEnts);
    swap_free(entry);
    if exclusive {
        delete_from_swap_cache(pfn);
    } else if write {
        let Walk::Mapped { pte, .. } = mm.walk(addr) else { unreachable!("just mapped") };
        do_wp_page(mm, vma, addr, pte)?;
    }
    Ok(kind)
    // LAB 8 END
}
// ANCHOR_END: do_swap_page
