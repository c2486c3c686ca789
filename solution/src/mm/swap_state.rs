//! The swap cache (Linux's `mm/swap_state.c`): the anonymous frames that
//! have a slot in swap as well, found by their swap entry. A page on its
//! way out joins it before its page-table entries are turned into swap
//! entries, and a page read back in joins it before it is mapped, so that
//! every process whose entry names the slot finds the one frame rather than
//! reading the slot again.
//!
//! The cache holds one reference to the frame and one count on the slot;
//! the frame's descriptor has `PG_swapcache` and keeps the entry in
//! `private`. A cached frame is never mapped writable: a write to it copies
//! it, or, when no entry but the cache's names the slot, takes it out of
//! the cache first. So a cached frame that is clean is the same as its slot,
//! and reclaim can drop it without writing.

use super::node::{get_page, node, page_count, put_page, set_page_dirty};
use super::page::PageFlags;
use super::pgtable::SwpEntry;
use super::swapfile::{get_swap_page, set_swap_cache_page, swap_cache_page, swap_count, swap_free};
use super::types::Pfn;

/// The swap entry of a frame in the swap cache, `None` for any other.
pub fn page_swap_entry(pfn: Pfn) -> Option<SwpEntry> {
    let mut node = node();
    let page = node.page_mut(pfn);
    page.flags.contains(PageFlags::SWAPCACHE).then(|| SwpEntry::from_val(page.private))
}

/// Puts `pfn` in the swap cache as the copy of `entry`'s slot: the cache
/// takes a reference to the frame, and the caller's count on the slot
/// becomes the cache's (Linux's `__add_to_swap_cache`).
pub fn add_to_swap_cache(pfn: Pfn, entry: SwpEntry) {
    {
        let mut node = node();
        let page = node.page_mut(pfn);
        debug_assert!(!page.flags.contains(PageFlags::SWAPCACHE), "pfn {pfn} is in the swap cache already");
        page.flags.insert(PageFlags::SWAPCACHE);
        page.private = entry.val();
    }
    get_page(pfn);
    set_swap_cache_page(entry, Some(pfn));
}

/// Gives an anonymous frame a slot and puts it in the swap cache, dirty:
/// the slot does not hold its contents yet (Linux's `add_to_swap`).
/// `false` if swap is off or full.
pub fn add_to_swap(pfn: Pfn) -> bool {
    let Some(entry) = get_swap_page() else {
        return false;
    };
    add_to_swap_cache(pfn, entry);
    set_page_dirty(pfn);
    true
}

/// The swap cache's frame for `entry`, with a reference for the caller
/// (Linux's `lookup_swap_cache`).
pub fn lookup_swap_cache(entry: SwpEntry) -> Option<Pfn> {
    let pfn = swap_cache_page(entry)?;
    get_page(pfn);
    Some(pfn)
}

/// Takes `pfn` out of the swap cache: the cache's count on the slot and its
/// reference to the frame go, and the frame is freed if that was the last
/// (Linux's `delete_from_swap_cache`).
pub fn delete_from_swap_cache(pfn: Pfn) {
    let entry = page_swap_entry(pfn).expect("a frame in the swap cache");
    {
        let mut node = node();
        let page = node.page_mut(pfn);
        page.flags.remove(PageFlags::SWAPCACHE | PageFlags::DIRTY);
        page.private = 0;
    }
    set_swap_cache_page(entry, None);
    swap_free(entry);
    put_page(pfn);
}

/// Drops a page-table entry's count on `entry`'s slot; if only the swap
/// cache still names the slot, the cached frame leaves the cache, which
/// frees the slot (Linux's `free_swap_and_cache`, for `munmap` and exit).
pub fn free_swap_and_cache(entry: SwpEntry) {
    swap_free(entry);
    if swap_count(entry) == 1
        && let Some(pfn) = swap_cache_page(entry)
    {
        delete_from_swap_cache(pfn);
    }
}

/// Drops the reference of an entry that mapped `pfn` and is gone; if that
/// leaves the frame to the swap cache alone, with no entry naming its slot
/// either, it leaves the cache and is freed, and so is the slot (Linux's
/// `free_page_and_swap_cache`, for `munmap`, exit and copy-on-write).
pub fn free_page_and_swap_cache(pfn: Pfn) {
    if let Some(entry) = page_swap_entry(pfn)
        && page_count(pfn) == 2
        && swap_count(entry) == 1
    {
        delete_from_swap_cache(pfn);
    }
    put_page(pfn);
}
