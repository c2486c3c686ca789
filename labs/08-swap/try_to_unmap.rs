// Lab 8: generated from solution/src/mm/try_to_unmap.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! Unmapping a frame everywhere it is mapped (Linux 2.6's `try_to_unmap`,
//! in `mm/rmap.c`), so that reclaim can take it: the frame's reverse map
//! leads to each page-table entry, and each entry's page table to its
//! address space. An anonymous frame's entries become its swap entry, so
//! that a later fault finds the page again; a file frame's become empty,
//! since the file keeps the page.

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use super::fault_common::mm_counter;
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmCounter, MmStruct};
use super::node::{put_page, set_page_dirty};
use super::pgtable::{Pte, PteFlags, pte_to_swp_entry, swp_entry_to_pte};
use super::pgwalk::set_pte_at;
use super::rmap::{PteAddr, nth_pte, page_remove_rmap, with_owner};
use super::swap_state::page_swap_entry;
use super::swapfile::swap_duplicate;
use super::types::{Pfn, VirtAddr};

/// Why `try_to_unmap` left entries in place.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unmap {
    /// A task holds an owner's address space: try again later (Linux's
    /// `SWAP_AGAIN`).
    Again,
    /// The frame is anonymous and has no swap slot to point its entries
    /// at (`SWAP_FAIL`).
    Fail,
}

/// Clears every page-table entry mapping `pfn` (Linux's `try_to_unmap`):
/// an anonymous frame's entries become its swap entry (it must be in the
/// swap cache), a file frame's become empty, to be faulted in again from
/// the page cache. Each entry's reference to the frame and its place in
/// the resident set go; a dirty entry makes the frame dirty. `held` is
/// the caller's own locked address space.
pub fn try_to_unmap(pfn: Pfn, held: &mut Option<&mut MmStruct>) -> Result<(), Unmap> {
    // TODO(lab 8): an anonymous frame needs its swap entry (page_swap_entry; none is Fail). Then for each entry on the map (nth_pte, counting past the ones left in place), with_owner runs try_to_unmap_one; an owner someone holds leaves its entry (Again). Report Again if any entry was left.
    todo!("lab 8: try_to_unmap")
}

/// Replaces the entry for `va` in `mm`, which maps `pfn`, with `swap`
/// (counting one more user of the slot) or with nothing.
fn try_to_unmap_one(mm: &mut MmStruct, va: VirtAddr, pfn: Pfn, swap: Option<Pte>) {
    // TODO(lab 8): set_pte_at the swap entry (after swap_duplicate of its slot, counting MmCounter::SwapEnts) or Pte::NONE; a DIRTY old entry makes the frame dirty (set_page_dirty). Take the entry off the map (page_remove_rmap), out of the rss (dec_rss with mm_counter), and drop its reference (put_page).
    todo!("lab 8: try_to_unmap_one")
}
