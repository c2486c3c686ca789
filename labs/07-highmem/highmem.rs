// Lab 7: generated from solution/src/mm/highmem.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! Reaching a frame that may lie in highmem: the kernel has no permanent
//! mapping for it, so it maps it for a while, in one of two ways (Linux's
//! `mm/highmem.c` and `arch/x86/mm/highmem_32.c`):
//!
//! - `kmap_atomic` for a moment, at a fixmap slot reserved for one purpose:
//!   it never waits, and the caller must not sleep until it drops the
//!   mapping, since another user of the slot would take it over;
//! - `kmap` for as long as the caller likes, in the pkmap window
//!   (`pkmap.rs` keeps its books): it may wait for a free slot, so only a
//!   task that may sleep can call it.
//!
//! Low frames need neither: both return their direct-map address.
//!
//! `alloc_pages` is here too: a frame asked for zeroed may be a high one,
//! which only a temporary mapping reaches.

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use super::gfp::Gfp;
use super::kernel_pgtable::{map_kernel_page, unmap_kernel_page, unmap_kernel_page_noflush};
use super::layout::{LAST_PKMAP, PKMAP_BASE, fix_to_virt, lowmem_page_address, max_low_pfn};
use super::node::__alloc_pages;
use super::pkmap::{Pkmap, PkmapPtes, PkmapStats};
use super::types::{PAGE_SIZE, Pfn, VirtAddr};
use super::vmstat::{VmEvent, count_vm_event};
use crate::arch::x86::cpu::flush_tlb_one;
use crate::arch::x86::page::{clear_page, copy_page};
use crate::pr_err;

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
#[derive(Clone, Copy, Debug)]
pub enum KmType {
    /// Zeroing or copying a page for the kernel: the destination.
    User0 = 0,
    /// Copying a page: the source.
    User1 = 1,
}

/// The first fixmap slot of `kmap_atomic` (slot 0 stays unused, as Linux's
/// `FIX_HOLE`).
const FIX_KMAP_BEGIN: u32 = 1;

/// The `kmap_atomic` slots held now, one bit per `KmType`, low frames
/// included, so that a slot taken twice is caught whatever the frame.
static KM_IN_USE: AtomicU32 = AtomicU32::new(0);

/// A frame mapped into the kernel for as long as this lives.
pub struct KmapAtomic {
    va: VirtAddr,
    km: KmType,
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
        KM_IN_USE.fetch_and(!(1 << self.km as u32), Ordering::Relaxed);
    }
}

/// Maps `pfn` into the kernel: a low-memory frame through the direct map, a
/// highmem frame at the fixmap slot of `km`. Taking a slot that is held
/// already is a kernel bug, and panics: the first holder's mapping would
/// silently change under it; the report names the caller.
#[track_caller]
pub fn kmap_atomic(pfn: Pfn, km: KmType) -> KmapAtomic {
    // TODO(lab 7): claim km's bit of KM_IN_USE (a bit already set is a bug: panic, naming the slot). A low frame (below max_low_pfn) is at __va, nothing to map. A high one is mapped at fixmap slot FIX_KMAP_BEGIN + km (map_kernel_page), and unmapped when the KmapAtomic drops.
    todo!("lab 7: kmap_atomic")
}

/// The persistent kmap window's books.
static PKMAP: Mutex<Pkmap> = Mutex::new(Pkmap::new());

/// The kernel address of slot `nr` of the window (Linux's `PKMAP_ADDR`).
fn pkmap_addr(nr: usize) -> VirtAddr {
    VirtAddr::new(PKMAP_BASE + nr as u32 * PAGE_SIZE)
}

/// The window's entries: in `swapper_pg_dir`'s page table for
/// `PKMAP_BASE`, which `paging_init` made (Linux's `pkmap_page_table`).
struct PkmapTables;

impl PkmapPtes for PkmapTables {
    fn set(&mut self, nr: usize, pfn: Pfn) {
        map_kernel_page(pkmap_addr(nr), pfn)
            .expect("a free pkmap slot is unmapped, and its page table exists");
    }

    fn clear(&mut self, nr: usize) {
        unmap_kernel_page_noflush(pkmap_addr(nr));
    }

    fn flush_all(&mut self) {
        (0..LAST_PKMAP as usize).for_each(|nr| flush_tlb_one(pkmap_addr(nr)));
    }
}

/// Maps `pfn` into the kernel until `kunmap` (Linux's `kmap`): a low frame
/// is at its direct-map address; a high one gets a slot of the pkmap
/// window, or shares the slot it has. While every slot has users it waits
/// for a `kunmap`, letting other tasks run, so it must not be called with
/// a lock held that the `kunmap`er may need (an address space's, the task
/// table's), nor from an interrupt handler.
pub fn kmap(pfn: Pfn) -> VirtAddr {
    // TODO(lab 7): a low frame is at lowmem_page_address. A high one asks PKMAP (locked) for a slot with PkmapTables; while the window is Full, count the wait (count_vm_event: PkmapWait) and wait_until a retry succeeds, letting other tasks run (Linux sleeps on pkmap_map_wait). The address is pkmap_addr of the slot.
    todo!("lab 7: kmap")
}

/// Ends a `kmap` of `pfn` (Linux's `kunmap`). A `kunmap` that no `kmap`
/// matches is reported and changes nothing.
pub fn kunmap(pfn: Pfn) {
    if pfn < max_low_pfn() {
        return;
    }
    if let Err(bad) = PKMAP.lock().kunmap_high(pfn) {
        pr_err!("BUG: kunmap of frame {}, which kmap has not mapped", bad.0);
    }
}

/// Where frame `pfn` is in the kernel's address space now, if anywhere
/// (Linux's `page_address`): a low frame's direct-map address, a high
/// frame's pkmap slot while `kmap` holds one; `None` for any other high
/// frame, which only a temporary mapping reaches.
pub fn page_address(pfn: Pfn) -> Option<VirtAddr> {
    if pfn < max_low_pfn() {
        return Some(lowmem_page_address(pfn));
    }
    PKMAP.lock().page_address(pfn).map(pkmap_addr)
}

/// The window's counts.
pub fn pkmap_stats() -> PkmapStats {
    PKMAP.lock().stats()
}

/// `/proc/vmstat`'s lines for the pkmap window: slots in use and at most
/// so far, flushes, and `kmap`s that found it full (not Linux counters).
pub fn pkmap_vmstat_text(out: &mut impl Write) -> fmt::Result {
    let stats = pkmap_stats();
    writeln!(out, "nr_pkmap {}", stats.in_use)?;
    writeln!(out, "pkmap_high_water {}", stats.high_water)?;
    writeln!(out, "pkmap_flush {}", stats.flushes)?;
    writeln!(out, "pkmap_full {}", stats.full)
}

/// Fills frame `pfn` with zeroes, wherever it is.
pub fn clear_highpage(pfn: Pfn) {
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the whole page for as long as `page` lives,
    // and the frame is the caller's.
    unsafe { clear_page(page.as_mut_ptr()) };
}

/// Copies frame `from` into frame `to`, both possibly in highmem.
pub fn copy_highpage(to: Pfn, from: Pfn) {
    let (dst, src) = (kmap_atomic(to, KmType::User0), kmap_atomic(from, KmType::User1));
    // SAFETY: both mappings cover a whole page each and do not overlap.
    unsafe { copy_page(dst.as_mut_ptr(), src.as_mut_ptr()) };
}
