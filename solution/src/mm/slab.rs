//! `kmalloc`: the kernel heap, small objects carved out of buddy pages.
//!
//! In the spirit of Linux's slab allocator, with one cache per power-of-two
//! size from 16 to 2048 bytes. A cache's slab is one page of equal objects;
//! the free objects of a slab form a list threaded through the objects
//! themselves, its head kept in the page's descriptor (`private`) with the
//! count of objects in use (`inuse`). Slabs with a free object sit on their
//! cache's partial list; a full slab is on no list; an empty slab goes back
//! to the buddy allocator at once, so the heap holds no memory nobody uses.
//! Larger requests take whole pages from the buddy allocator.
//!
//! Hand-written rather than a crate: the slab is the kernel's allocator, and
//! its link to `struct page` is part of what the course shows.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::null_mut;

use spin::Mutex;

use super::gfp::{GFP_KERNEL, Gfp};
use super::layout::{__pa, lowmem_page_address};
use super::node::{__alloc_pages, __free_pages, node};
use super::page::{PageFlags, PageList, index};
use super::types::{PAGE_SIZE, Pfn, VirtAddr};

/// Object sizes of the caches: 16, 32, ..., 2048.
const MIN_SHIFT: u32 = 4;
const MAX_SHIFT: u32 = 11;
const NR_CACHES: usize = (MAX_SHIFT - MIN_SHIFT + 1) as usize;

/// The caches' partial lists, smallest objects first.
static CACHES: Mutex<[PageList; NR_CACHES]> = Mutex::new([const { PageList::new() }; NR_CACHES]);

/// The cache for `layout`, or `None` when it needs whole pages.
fn cache_index(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT).next_power_of_two();
    let shift = size.trailing_zeros();
    (shift <= MAX_SHIFT).then(|| (shift - MIN_SHIFT) as usize)
}

/// The buddy order of a request of `size` bytes.
fn page_order(size: usize) -> usize {
    (size.div_ceil(PAGE_SIZE as usize)).next_power_of_two().trailing_zeros() as usize
}

/// Allocates an object as `layout` asks; null when memory is out.
pub fn kmalloc(layout: Layout) -> *mut u8 {
    let Some(cache) = cache_index(layout) else {
        return __alloc_pages(GFP_KERNEL | Gfp::HIGH, page_order(layout.size()))
            .map_or(null_mut(), |pfn| lowmem_page_address(pfn).as_mut_ptr());
    };
    let mut caches = CACHES.lock();
    let partial = &mut caches[cache];
    let slab = match partial.first() {
        Some(slab) => slab,
        None => match new_slab(partial, 1 << (cache as u32 + MIN_SHIFT)) {
            Some(slab) => slab,
            None => return null_mut(),
        },
    };
    let mut pgdat = node();
    let page = &mut pgdat.mem_map[index(slab)];
    let object = page.private;
    // SAFETY: `object` is a free object of this slab; its first word links
    // to the next free one.
    page.private = unsafe { *(object as *const u32) };
    page.inuse += 1;
    if page.private == 0 {
        partial.remove(pgdat.mem_map, slab);
    }
    object as *mut u8
}

/// A new slab of `size`-byte objects, all free, on `partial`.
fn new_slab(partial: &mut PageList, size: u32) -> Option<Pfn> {
    let slab = __alloc_pages(GFP_KERNEL | Gfp::HIGH, 0)?;
    let base = lowmem_page_address(slab).as_u32();
    let mut next = 0;
    for object in (base..base + PAGE_SIZE).step_by(size as usize).rev() {
        // SAFETY: the page is ours and directly mapped; each object starts
        // with the address of the next free one (0 ends the list).
        unsafe { *(object as *mut u32) = next };
        next = object;
    }
    let mut pgdat = node();
    let page = &mut pgdat.mem_map[index(slab)];
    page.flags.insert(PageFlags::SLAB);
    page.private = base;
    page.inuse = 0;
    partial.push_front(pgdat.mem_map, slab);
    Some(slab)
}

/// Frees an object from `kmalloc` with the same `layout`.
pub fn kfree(ptr: *mut u8, layout: Layout) {
    let slab = __pa(VirtAddr::new(ptr as u32)).pfn();
    let Some(cache) = cache_index(layout) else {
        return __free_pages(slab, page_order(layout.size()));
    };
    let mut caches = CACHES.lock();
    let partial = &mut caches[cache];
    let mut pgdat = node();
    let page = &mut pgdat.mem_map[index(slab)];
    assert!(page.flags.contains(PageFlags::SLAB), "kfree of {ptr:p}, which kmalloc did not give");
    let was_full = page.private == 0;
    // SAFETY: the object is being freed, so its first word is ours again.
    unsafe { *(ptr as *mut u32) = page.private };
    page.private = ptr as u32;
    page.inuse -= 1;
    let empty = page.inuse == 0;
    if empty {
        page.flags.remove(PageFlags::SLAB);
        page.private = 0;
    }
    match (was_full, empty) {
        (true, false) => partial.push_front(pgdat.mem_map, slab),
        (false, true) => partial.remove(pgdat.mem_map, slab),
        _ => {}
    }
    drop(pgdat);
    if empty {
        __free_pages(slab, 0);
    }
}

/// The kernel's `alloc` heap.
pub struct Kmalloc;

// SAFETY: kmalloc returns blocks of at least the layout's size, aligned to
// it (objects are aligned to their power-of-two size, pages to 4 KiB), and
// never hands out a block twice.
unsafe impl GlobalAlloc for Kmalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        kmalloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        kfree(ptr, layout);
    }
}

#[global_allocator]
static KMALLOC: Kmalloc = Kmalloc;
