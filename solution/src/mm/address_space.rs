//! An object's frames by page index (Linux's `struct address_space` with
//! its radix tree): the page cache of a file, and the memory of a
//! shared-memory object. Both keep their frames here so that every region
//! mapping the object finds the same frame for a page.
//!
//! The index is a small version of Linux's radix tree with two levels: a
//! directory allocated with the object, one slot per 512 pages, and a leaf
//! of 512 slots, one page, allocated at the first page it holds. The table
//! stores frame numbers only; the reference it holds to each frame, and
//! freeing them, are the owner's (`filemap.rs`, `shmem_vm.rs`).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::types::{PAGE_SIZE, Pfn};
use crate::lib::fallible::kbox;

/// Slots in a leaf of the table: a page's worth.
const LEAF_SLOTS: usize = PAGE_SIZE as usize / size_of::<Option<Pfn>>();

/// The frames of an object of a fixed number of pages, by page index.
pub struct AddressSpace {
    leaves: Vec<Option<Box<[Option<Pfn>; LEAF_SLOTS]>>>,
    /// Frames it holds (Linux's `nrpages`).
    pub nrpages: u32,
}

/// Why a frame could not join the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AddError {
    /// The index is at or past the object's end.
    PastEnd,
    /// No memory for a leaf of the table.
    NoMemory,
    /// The slot holds a frame already.
    Exists,
}

impl AddressSpace {
    /// An empty table for `pages` pages; `None` when memory is out.
    pub fn new(pages: u32) -> Option<Self> {
        let dir = (pages as usize).div_ceil(LEAF_SLOTS);
        let mut leaves = Vec::new();
        leaves.try_reserve_exact(dir).ok()?;
        leaves.resize_with(dir, || None);
        Some(Self { leaves, nrpages: 0 })
    }

    /// The frame at page `index`, if there is one (Linux's `find_get_page`,
    /// without the reference: the caller takes its own).
    pub fn find_page(&self, index: u32) -> Option<Pfn> {
        let leaf = self.leaves.get(index as usize / LEAF_SLOTS)?.as_ref()?;
        leaf[index as usize % LEAF_SLOTS]
    }

    /// Makes `pfn` the frame at page `index` (Linux's `add_to_page_cache`);
    /// the table takes over the caller's reference to it.
    pub fn add_page(&mut self, index: u32, pfn: Pfn) -> Result<(), AddError> {
        let slot = self.leaves.get_mut(index as usize / LEAF_SLOTS).ok_or(AddError::PastEnd)?;
        if slot.is_none() {
            *slot = Some(kbox([None; LEAF_SLOTS]).ok_or(AddError::NoMemory)?);
        }
        let entry = &mut slot.as_mut().expect("filled above")[index as usize % LEAF_SLOTS];
        if entry.is_some() {
            return Err(AddError::Exists);
        }
        *entry = Some(pfn);
        self.nrpages += 1;
        Ok(())
    }

    /// Takes every frame for which `drop` says yes out of the table (Linux's
    /// `invalidate_mapping_pages` with the test as the caller's), and frees
    /// the leaves left empty; returns how many frames went. The caller's
    /// `drop` takes over the table's reference.
    pub fn remove_pages_if(&mut self, mut drop: impl FnMut(Pfn) -> bool) -> u32 {
        let mut removed = 0;
        for leaf in &mut self.leaves {
            let Some(slots) = leaf else { continue };
            for slot in slots.iter_mut() {
                if slot.is_some_and(&mut drop) {
                    *slot = None;
                    removed += 1;
                }
            }
            if slots.iter().all(Option::is_none) {
                *leaf = None;
            }
        }
        self.nrpages -= removed;
        removed
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    #[test]
    fn pages_are_found_where_they_were_added() {
        let mut mapping = AddressSpace::new(2000).expect("the host has memory");
        for index in [0, 1, 511, 512, 1999] {
            assert_eq!(mapping.add_page(index, Pfn::new(100 + index)), Ok(()));
        }
        assert_eq!(mapping.nrpages, 5);
        assert_eq!(mapping.find_page(512), Some(Pfn::new(612)));
        assert_eq!(mapping.find_page(1999), Some(Pfn::new(2099)));
        assert_eq!(mapping.find_page(2), None);
        assert_eq!(mapping.find_page(1024), None, "a leaf never allocated");
    }

    #[test]
    fn a_slot_takes_one_frame_and_none_past_the_end() {
        let mut mapping = AddressSpace::new(3).expect("the host has memory");
        assert_eq!(mapping.add_page(2, Pfn::new(7)), Ok(()));
        assert_eq!(mapping.add_page(2, Pfn::new(8)), Err(AddError::Exists));
        assert_eq!(mapping.add_page(600, Pfn::new(9)), Err(AddError::PastEnd));
        assert_eq!(mapping.find_page(600), None);
        assert_eq!(mapping.nrpages, 1);
    }

    #[test]
    fn removing_takes_out_only_the_frames_chosen_in_index_order() {
        let mut mapping = AddressSpace::new(1024).expect("the host has memory");
        for index in [3, 600, 1, 700] {
            mapping.add_page(index, Pfn::new(index)).unwrap();
        }
        let mut seen = vec![];
        let removed = mapping.remove_pages_if(|pfn| {
            seen.push(pfn.as_u32());
            pfn.as_u32() != 600
        });
        assert_eq!((removed, mapping.nrpages), (3, 1));
        assert_eq!(seen, [1, 3, 600, 700]);
        assert_eq!(mapping.find_page(600), Some(Pfn::new(600)));
        assert_eq!(mapping.find_page(3), None);
        assert!(mapping.leaves[0].is_none(), "the emptied leaf is freed");
        assert!(mapping.leaves[1].is_some());
    }
}
