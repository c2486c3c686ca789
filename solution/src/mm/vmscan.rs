//! Reclaim (Linux 2.6's `mm/vmscan.c`): freeing user frames when memory
//! runs short, the least recently used first, as the two LRU lists
//! approximate it.
//!
//! `refill_inactive_zone` ages the active list: from its end, a mapped page
//! the processor marked accessed since the last look goes back to the head,
//! any other page moves to the inactive list. `shrink_list` reclaims from
//! the end of the inactive list: a page used again is promoted; an
//! anonymous page gets a swap slot and joins the swap cache, its
//! page-table entries become swap entries (`try_to_unmap`), it is written
//! out if dirty, and then freed. `try_to_free_pages` runs both over every
//! zone with a growing share of each list, from 1/4096 of it
//! (`DEF_PRIORITY`) to all of it, until it has freed `SWAP_CLUSTER_MAX`
//! pages.
//!
//! Reclaim changes other address spaces' page tables, so it takes their
//! locks; one a task holds is left alone (`try_lock`), and the caller's own
//! is passed in as `held`. It allocates nothing and never waits.

use super::mm_types::MmStruct;
use super::node::{clear_page_dirty, lru_last, lru_move, lru_sizes, page_count, page_flags};
use super::page::{PageFlags, ZoneType};
use super::page_io::swap_writepage;
use super::rmap::{page_mapcount, page_referenced};
use super::swap_state::{add_to_swap, delete_from_swap_cache, page_swap_entry};
use super::try_to_unmap::{Unmap, try_to_unmap};
use super::types::Pfn;
use super::vmstat::{VmEvent, count_vm_event};
use super::zone::SWAP_CLUSTER_MAX;
use crate::pr_err;

/// The first, smallest share of the lists a pass scans: 2^-12 of each
/// (Linux's `DEF_PRIORITY`).
const DEF_PRIORITY: u32 = 12;

/// Frees up to `SWAP_CLUSTER_MAX` user frames (Linux's
/// `try_to_free_pages`); returns how many it freed, 0 when nothing could
/// go. `held` is the caller's locked address space, whose pages may go too.
pub fn try_to_free_pages(mut held: Option<&mut MmStruct>) -> u32 {
    let mut freed = 0;
    for priority in (0..=DEF_PRIORITY).rev() {
        for zone in ZoneType::ALL.into_iter().rev() {
            freed += shrink_zone(zone, priority, &mut held, SWAP_CLUSTER_MAX - freed);
            if freed >= SWAP_CLUSTER_MAX {
                return freed;
            }
        }
    }
    freed
}

/// Scans `zone`'s lists, 2^-`priority` of each, in batches of
/// `SWAP_CLUSTER_MAX`, until it has freed `wanted` frames; returns how many
/// it freed (Linux's `shrink_zone`).
fn shrink_zone(zone: ZoneType, priority: u32, held: &mut Option<&mut MmStruct>, wanted: u32) -> u32 {
    let (active, inactive) = lru_sizes(zone);
    let (mut scan_active, mut scan_inactive) = ((active >> priority) + 1, (inactive >> priority) + 1);
    let mut freed = 0;
    while (scan_active > 0 || scan_inactive > 0) && freed < wanted {
        let batch = scan_active.min(SWAP_CLUSTER_MAX);
        refill_inactive_zone(zone, batch, held);
        scan_active -= batch;
        let batch = scan_inactive.min(SWAP_CLUSTER_MAX);
        freed += shrink_list(zone, batch, held);
        scan_inactive -= batch;
    }
    freed
}

// ANCHOR: refill_inactive_zone
/// Ages up to `nr` pages from the end of `zone`'s active list: a mapped
/// page used since the last look goes back to the head of the active
/// list, any other to the head of the inactive one (Linux's
/// `refill_inactive_zone`).
fn refill_inactive_zone(zone: ZoneType, nr: u32, held: &mut Option<&mut MmStruct>) {
    // LAB 8 BEGIN: take the last page of the active list (lru_last) nr times, stopping when it is empty. Mapped (page_mapcount) and referenced (page_referenced, which also clears the bits): lru_move it back to the active list; otherwise to the inactive list.
    for _ in 0..nr {
        let Some(pfn) = lru_last(zone, true) else { return };
        let keep = page_mapcount(pfn) > 0 && page_referenced(pfn, held) > 0;
        lru_move(pfn, keep);
    }
    // LAB 8 END
}
// ANCHOR_END: refill_inactive_zone

/// What reclaim did with an inactive page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    /// In use, or it cannot go: to the active list.
    Activate,
    /// Not now (an address space was held, or a reference is out): to
    /// the head of the inactive list, for a later pass.
    Keep,
    /// Freed.
    Freed,
}

/// Reclaims from up to `nr` pages at the end of `zone`'s inactive list;
/// returns how many it freed (Linux's `shrink_list`).
fn shrink_list(zone: ZoneType, nr: u32, held: &mut Option<&mut MmStruct>) -> u32 {
    let mut freed = 0;
    for _ in 0..nr {
        let Some(pfn) = lru_last(zone, false) else { break };
        count_vm_event(VmEvent::PgScan);
        match shrink_page(pfn, held) {
            Verdict::Activate => lru_move(pfn, true),
            Verdict::Keep => lru_move(pfn, false),
            Verdict::Freed => {
                count_vm_event(VmEvent::PgSteal);
                freed += 1;
            }
        }
    }
    freed
}

// ANCHOR: shrink_page
/// Decides one inactive page's fate, and frees it if it can.
fn shrink_page(pfn: Pfn, held: &mut Option<&mut MmStruct>) -> Verdict {
    // LAB 8 BEGIN: a mapped page that page_referenced says was used: Activate. Only anonymous pages can go (a file's page stays: Keep). One not in the swap cache needs add_to_swap (swap off or full: Activate). A mapped one needs try_to_unmap (Fail: Activate, Again: Keep). A DIRTY one is written to its slot (swap_writepage, then clear_page_dirty; an error: Activate). Then, if the swap cache's is the only reference left (page_count 1), delete_from_swap_cache frees it: Freed; else Keep.
    let mapped = page_mapcount(pfn) > 0;
    if page_referenced(pfn, held) > 0 && mapped {
        return Verdict::Activate;
    }
    if !page_flags(pfn).contains(PageFlags::ANON) {
        return Verdict::Keep;
    }
    if page_swap_entry(pfn).is_none() && !add_to_swap(pfn) {
        return Verdict::Activate;
    }
    if mapped {
        match try_to_unmap(pfn, held) {
            Ok(()) => {}
            Err(Unmap::Fail) => return Verdict::Activate,
            Err(Unmap::Again) => return Verdict::Keep,
        }
    }
    if page_flags(pfn).contains(PageFlags::DIRTY) {
        let entry = page_swap_entry(pfn).expect("in the swap cache");
        if let Err(err) = swap_writepage(pfn, entry) {
            pr_err!("Write-error on swap-device: {err:?}, slot {}", entry.offset());
            return Verdict::Activate;
        }
        clear_page_dirty(pfn);
    }
    if page_count(pfn) != 1 {
        return Verdict::Keep;
    }
    delete_from_swap_cache(pfn);
    Verdict::Freed
    // LAB 8 END
}
// ANCHOR_END: shrink_page
