//! Reaching a frame that may lie in highmem: the kernel has no permanent
//! mapping for it, so it maps it for a moment at a fixmap slot reserved for
//! that purpose (Linux's `kmap_atomic`). Lab 7 adds the persistent `kmap`
//! and more slots.
//!
//! The end of low memory is kept here, and so is `alloc_pages`: a frame
//! asked for zeroed may be a high one, which only a temporary mapping
//! reaches.

use spin::Once;

use super::gfp::Gfp;
use super::kernel_pgtable::{map_kernel_page, unmap_kernel_page};
use super::layout::{__va, fix_to_virt};
use super::node::__alloc_pages;
use super::types::{PAGE_SIZE, Pfn, PhysAddr, VirtAddr};

/// The first frame above low memory, Linux's `max_low_pfn`.
static MAX_LOW_PFN: Once<Pfn> = Once::new();

/// Records the end of low memory, once, when `paging_init` has mapped it.
pub fn set_max_low_pfn(pfn: Pfn) {
    MAX_LOW_PFN.call_once(|| pfn);
}

/// The end of low memory (the direct map), as a frame number.
pub fn max_low_pfn() -> Pfn {
    *MAX_LOW_PFN.get().expect("paging_init has not run")
}

/// `high_memory`: the first virtual address past the direct map.
pub fn high_memory() -> VirtAddr {
    __va(max_low_pfn().addr())
}

/// Whether `va` lies in the direct map, where `__pa` gives its translation.
pub fn in_direct_map(va: VirtAddr) -> bool {
    va >= __va(PhysAddr::new(0)) && va < high_memory()
}

/// Allocates 2^`order` frames as `gfp` allows, zeroed if it has
/// `Gfp::ZERO`; `None` (after a warning) if there are none.
pub fn alloc_pages(gfp: Gfp, order: usize) -> Option<Pfn> {
    let pfn = __alloc_pages(gfp, order)?;
    if gfp.contains(Gfp::ZERO) {
        for i in 0..1 << order {
            clear_highpage(pfn + i);
        }
    }
    Some(pfn)
}

/// The fixmap slots of `kmap_atomic`, one per purpose, so that users nested
/// on one processor never share a slot (Linux's `km_type`).
#[derive(Clone, Copy)]
pub enum KmType {
    /// Zeroing or copying a page for the kernel: the destination.
    User0 = 0,
    /// Copying a page: the source.
    User1 = 1,
}

/// The first fixmap slot of `kmap_atomic` (slot 0 stays unused, as Linux's
/// `FIX_HOLE`).
const FIX_KMAP_BEGIN: u32 = 1;

/// A frame mapped into the kernel for as long as this lives.
pub struct KmapAtomic {
    va: VirtAddr,
    /// Whether `va` is a fixmap slot to unmap (not the direct map).
    temporary: bool,
}

impl KmapAtomic {
    pub fn as_mut_ptr<T>(&self) -> *mut T {
        self.va.as_mut_ptr()
    }
}

impl Drop for KmapAtomic {
    fn drop(&mut self) {
        if self.temporary {
            unmap_kernel_page(self.va);
        }
    }
}

/// Maps `pfn` into the kernel: a low-memory frame through the direct map, a
/// highmem frame at the fixmap slot of `km`.
pub fn kmap_atomic(pfn: Pfn, km: KmType) -> KmapAtomic {
    if pfn < max_low_pfn() {
        return KmapAtomic { va: __va(pfn.addr()), temporary: false };
    }
    let va = fix_to_virt(FIX_KMAP_BEGIN + km as u32);
    map_kernel_page(va, pfn).expect("the kmap_atomic slot is free and its page table exists");
    KmapAtomic { va, temporary: true }
}

/// Fills frame `pfn` with zeroes, wherever it is.
pub fn clear_highpage(pfn: Pfn) {
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the whole page for as long as `page` lives.
    unsafe { page.as_mut_ptr::<u8>().write_bytes(0, PAGE_SIZE as usize) };
}

/// Copies frame `from` into frame `to`, both possibly in highmem.
pub fn copy_highpage(to: Pfn, from: Pfn) {
    let (dst, src) = (kmap_atomic(to, KmType::User0), kmap_atomic(from, KmType::User1));
    // SAFETY: both mappings cover a whole page each and do not overlap.
    unsafe { src.as_mut_ptr::<u8>().copy_to_nonoverlapping(dst.as_mut_ptr(), PAGE_SIZE as usize) };
}
