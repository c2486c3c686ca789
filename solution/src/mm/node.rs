//! The machine's memory as the rest of the kernel uses it: the one node
//! (Linux's `contig_page_data`) behind a lock, and the allocation calls
//! `__alloc_pages` and `__free_pages`. Zeroing a new frame needs a
//! temporary mapping, a layer up: `alloc_pages` in `highmem.rs` does it.

use spin::{Mutex, MutexGuard, Once};

use super::gfp::Gfp;
use super::layout::{__pa, __va};
use super::lru;
use super::page::{PageFlags, ZoneType};
use super::page_alloc::PgData;
use super::types::{PAGE_SIZE, Pfn, VirtAddr};
use super::vmstat::{VmEvent, count_vm_event};
use crate::{pr_err, pr_warn};

static CONTIG_PAGE_DATA: Once<Mutex<PgData>> = Once::new();

/// Installs the node once `mem_init` has built it.
pub fn set_node(pgdat: PgData) {
    CONTIG_PAGE_DATA.call_once(|| Mutex::new(pgdat));
}

/// The node, locked: zones, free lists and `mem_map`.
pub fn node() -> MutexGuard<'static, PgData> {
    CONTIG_PAGE_DATA.get().expect("the page allocator is not set up yet").lock()
}

/// Allocates 2^`order` frames as `gfp` allows, with whatever they held;
/// `None` (after a warning, unless `Gfp::NOWARN`) if no zone of the request's zonelist has them
/// above its minimum watermark. `Gfp::ZERO` is for `alloc_pages`.
pub fn __alloc_pages(gfp: Gfp, order: usize) -> Option<Pfn> {
    let mut node = node();
    let Some(pfn) = node.alloc(gfp, order) else {
        if gfp.contains(Gfp::NOWARN) {
            return None;
        }
        pr_warn!("page allocation failure: order:{order}, mode:{:#x}", gfp.bits());
        return None;
    };
    if cfg!(feature = "debug_vm") {
        for i in 0..1 << order {
            check_poison(&mut node, pfn + i);
        }
    }
    Some(pfn)
}

/// Releases a block from `__alloc_pages` or `alloc_pages`. A bad free (a
/// double free, or a reserved frame) is reported and changes nothing.
pub fn __free_pages(pfn: Pfn, order: usize) {
    let mut node = node();
    let page = node.page_mut(pfn);
    if cfg!(feature = "debug_vm") && page.count == 1 && !page.flags.contains(PageFlags::RESERVED) {
        for i in 0..1 << order {
            poison(&mut node, pfn + i);
        }
    }
    if let Err(bad) = node.free(pfn, order) {
        pr_err!("BUG: Bad page state: {bad}: pfn {pfn}, order {order}");
    }
}

/// The byte `debug_vm` fills freed frames with (Linux's `PAGE_POISON`).
const PAGE_POISON: u8 = 0xaa;

/// `debug_vm`: fills a low frame that is about to be freed with
/// `PAGE_POISON`, and marks it so.
fn poison(node: &mut PgData, pfn: Pfn) {
    let page = node.page_mut(pfn);
    if page.zone == ZoneType::HighMem {
        return;
    }
    page.flags.insert(PageFlags::POISONED);
    // SAFETY: a low frame is direct-mapped, and this one is the caller's
    // until the free that follows.
    unsafe { __va(pfn.addr()).as_mut_ptr::<u8>().write_bytes(PAGE_POISON, PAGE_SIZE as usize) };
}

/// `debug_vm`: panics if a poisoned frame just allocated was written while
/// it was free.
fn check_poison(node: &mut PgData, pfn: Pfn) {
    let page = node.page_mut(pfn);
    if !page.flags.contains(PageFlags::POISONED) {
        return;
    }
    page.flags.remove(PageFlags::POISONED);
    // SAFETY: only low frames are poisoned, and they are direct-mapped; the
    // frame is the caller's now.
    let bytes = unsafe { core::slice::from_raw_parts(__va(pfn.addr()).as_ptr::<u8>(), PAGE_SIZE as usize) };
    if let Some(at) = bytes.iter().position(|&byte| byte != PAGE_POISON) {
        panic!("BUG: frame {pfn} was written at offset {at:#x} while it was free");
    }
}

/// A page of zeroes in the kernel image (Linux's `empty_zero_page`), mapped
/// read-only wherever anonymous memory is read before it is written.
#[repr(C, align(4096))]
struct ZeroPage([u8; PAGE_SIZE as usize]);
static EMPTY_ZERO_PAGE: ZeroPage = ZeroPage([0; PAGE_SIZE as usize]);

/// The zero page's frame (Linux's `ZERO_PAGE`). It is reserved: nobody
/// counts references to it, and it is never freed.
pub fn zero_page() -> Pfn {
    __pa(VirtAddr::new(&raw const EMPTY_ZERO_PAGE as u32)).pfn()
}

/// Drops a reference to a user frame (Linux's `put_page`): the last one
/// frees it. The zero page is never counted nor freed.
pub fn put_page(pfn: Pfn) {
    if pfn != zero_page() {
        __free_pages(pfn, 0);
    }
}

/// One more reference to an allocated frame (Linux's `get_page`); the
/// zero page is not counted.
pub fn get_page(pfn: Pfn) {
    if pfn == zero_page() {
        return;
    }
    node().page_mut(pfn).count += 1;
}

/// The references to a frame (Linux's `page_count`).
pub fn page_count(pfn: Pfn) -> u32 {
    node().page_mut(pfn).count
}

/// The frame's `PG_*` bits.
pub fn page_flags(pfn: Pfn) -> PageFlags {
    node().page_mut(pfn).flags
}

/// Marks a new user frame anonymous and puts it on its zone's active list
/// (Linux's `page_add_new_anon_rmap` with `lru_cache_add_active`).
pub fn page_add_new_anon(pfn: Pfn) {
    let mut node = node();
    node.page_mut(pfn).flags.insert(PageFlags::ANON);
    let PgData { zones, mem_map } = &mut *node;
    lru::lru_cache_add(zones, mem_map, pfn, true);
}

/// Puts a new page-cache frame of a file on its zone's inactive list
/// (Linux's `lru_cache_add`, from `add_to_page_cache_lru`).
pub fn lru_cache_add(pfn: Pfn) {
    let PgData { zones, mem_map } = &mut *node();
    lru::lru_cache_add(zones, mem_map, pfn, false);
}

/// Notes a use of a frame on an LRU list (Linux's `mark_page_accessed`),
/// counting a promotion to the active list.
pub fn mark_page_accessed(pfn: Pfn) {
    let PgData { zones, mem_map } = &mut *node();
    if lru::mark_page_accessed(zones, mem_map, pfn) {
        count_vm_event(VmEvent::PgActivate);
    }
}

/// The frame at the end of `zone`'s active or inactive list, the one that
/// went on it longest ago; `None` if the list is empty.
pub fn lru_last(zone: ZoneType, active: bool) -> Option<Pfn> {
    lru::lru_last(&mut node().zones, zone, active)
}

/// How many frames `zone`'s active and inactive lists hold.
pub fn lru_sizes(zone: ZoneType) -> (u32, u32) {
    let node = node();
    let zone = node.zone(zone);
    (zone.nr_active, zone.nr_inactive)
}

/// Moves a frame on an LRU list to the head of the active or the inactive
/// list, counting it if it changed lists (`pgactivate`, `pgdeactivate`).
pub fn lru_move(pfn: Pfn, active: bool) {
    let PgData { zones, mem_map } = &mut *node();
    if lru::lru_move(zones, mem_map, pfn, active) {
        count_vm_event(if active { VmEvent::PgActivate } else { VmEvent::PgDeactivate });
    }
}

/// Clears a frame's `PG_referenced`, returning whether it was set (Linux's
/// `TestClearPageReferenced`).
pub fn test_clear_page_referenced(pfn: Pfn) -> bool {
    let mut node = node();
    let flags = &mut node.page_mut(pfn).flags;
    let was = flags.contains(PageFlags::REFERENCED);
    flags.remove(PageFlags::REFERENCED);
    was
}

/// Marks a frame as held by a page cache: a shared-memory object's if
/// `swapbacked`, else a file's. Freeing it clears the marks.
pub fn set_page_cache(pfn: Pfn, swapbacked: bool) {
    let flags = if swapbacked { PageFlags::PAGECACHE | PageFlags::SWAPBACKED } else { PageFlags::PAGECACHE };
    node().page_mut(pfn).flags.insert(flags);
}

/// Marks a page-cache or swap-cache frame as holding what its backing does
/// not (Linux's `set_page_dirty`); freeing it clears the mark.
pub fn set_page_dirty(pfn: Pfn) {
    node().page_mut(pfn).flags.insert(PageFlags::DIRTY);
}

/// Clears a frame's `PG_dirty` once its backing holds what it does (Linux's
/// `ClearPageDirty` when writeback starts).
pub fn clear_page_dirty(pfn: Pfn) {
    node().page_mut(pfn).flags.remove(PageFlags::DIRTY);
}

/// Free frames in all zones.
pub fn nr_free_pages() -> u32 {
    node().nr_free_pages()
}
