//! The machine's memory as the rest of the kernel uses it: the one node
//! (Linux's `contig_page_data`) behind a lock, and the allocation calls
//! `alloc_pages` and `__free_pages`.

use spin::{Mutex, MutexGuard, Once};

use super::gfp::Gfp;
use super::highmem::clear_highpage;
use super::page_alloc::PgData;
use super::types::Pfn;
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

/// Allocates 2^`order` frames as `gfp` allows; `None` (after a warning) if
/// no zone of the request's zonelist has them above its minimum watermark.
pub fn alloc_pages(gfp: Gfp, order: usize) -> Option<Pfn> {
    let Some(pfn) = node().alloc(gfp, order) else {
        pr_warn!("page allocation failure: order:{order}, mode:{:#x}", gfp.bits());
        return None;
    };
    if gfp.contains(Gfp::ZERO) {
        for i in 0..1 << order {
            clear_highpage(pfn + i);
        }
    }
    Some(pfn)
}

/// Releases a block from `alloc_pages`. A bad free (a double free, or a
/// reserved frame) is reported and changes nothing.
pub fn __free_pages(pfn: Pfn, order: usize) {
    if let Err(bad) = node().free(pfn, order) {
        pr_err!("BUG: Bad page state: {bad}: pfn {pfn}, order {order}");
    }
}

/// Free frames in all zones.
pub fn nr_free_pages() -> u32 {
    node().nr_free_pages()
}
