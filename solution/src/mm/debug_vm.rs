//! The checks of the `debug_vm` feature (Linux's `CONFIG_DEBUG_VM`), which
//! `cargo xtask test` turns on for one run of every scenario. They print
//! nothing while all is well, so each scenario's output is still its
//! snapshot; a broken invariant is a kernel panic that names it.
//!
//! - An address space's regions are checked (`validate_mm`) when its lock
//!   is released: the drop of `MmGuard`, below. A check costs a walk of
//!   every region, so an address space of more than `EVERY_UNLOCK` regions
//!   is checked at one unlock in `map_count`: on average a region's worth
//!   of work per unlock, where checking each would make a run that maps
//!   65530 regions quadratic.
//! - Every zone's free lists are checked against `mem_map` and the counters
//!   whenever a process exits.
//! - Freed low-memory frames are filled with `PAGE_POISON` and checked when
//!   they are handed out again, which catches a write through a stale
//!   pointer (`node.rs`). High frames are left alone: reaching them takes a
//!   temporary mapping, a layer above the allocator.

use core::sync::atomic::{AtomicU32, Ordering};

use super::mm_types::MmGuard;
use super::mmap::validate_mm;
use super::node::node;

/// Address spaces with at most this many regions are checked at every unlock.
const EVERY_UNLOCK: u32 = 256;

/// Unlocks so far, of every address space: which ones check is
/// deterministic.
static UNLOCKS: AtomicU32 = AtomicU32::new(0);

impl Drop for MmGuard<'_> {
    fn drop(&mut self) {
        let unlock = UNLOCKS.fetch_add(1, Ordering::Relaxed);
        if self.map_count > EVERY_UNLOCK && unlock % self.map_count != 0 {
            return;
        }
        if let Err(problem) = validate_mm(self) {
            panic!("BUG: validate_mm: {problem:?}");
        }
    }
}

/// Panics if a zone's free lists disagree with `mem_map` or its counters.
pub fn check_free_lists() {
    let pgdat = node();
    for zone in &pgdat.zones {
        if let Err(problem) = zone.check_free_lists(pgdat.mem_map) {
            panic!("BUG: free lists of zone {}: {problem}", zone.kind.name());
        }
    }
}
