// Lab 1: generated from solution/src/mm/pgwalk.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! Walking the two-level page tables in software: translating an address the
//! way the MMU does, and mapping and unmapping pages.
//!
//! The kernel walks its tables whenever it must know what backs an address
//! without touching it (Linux's `follow_page`, debuggers), and whenever it
//! changes a mapping. Lab 1 asks you to write [`walk`], [`map_page`] and
//! [`unmap_page`].
//!
//! TLB rule: the processor never caches a translation that is not present,
//! so making a page present needs no flush; removing or changing a present
//! mapping must flush that address, or the old translation stays in use.

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use super::layout::PAGE_OFFSET;
use super::pgtable::{PAGE_TABLE, PageTable, Pgd, Pte, PteFlags, pgd_index, pte_index};
use super::types::{Pfn, PhysAddr, VirtAddr};

/// What the walker needs from its surroundings: reaching a page table by its
/// frame number, getting a frame for a new table, and flushing the TLB. In
/// the kernel these go through the direct map, the page allocator and
/// `invlpg`; the unit tests below simulate them.
pub trait PageTableMem {
    /// The page table stored in frame `pfn`.
    fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte>;
    fn pte_table_mut(&mut self, pfn: Pfn) -> &mut PageTable<Pte>;
    /// A zeroed frame for a new page table, or `None` when memory is out.
    fn alloc_pte_table(&mut self) -> Option<Pfn>;
    /// Drops the TLB's cached translation of `va`.
    fn flush_tlb_one(&mut self, va: VirtAddr);
}

/// Why a page could not be mapped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MapError {
    /// Something is mapped at the address already.
    AlreadyMapped,
    /// No frame was left for a page table.
    NoMemory,
}

/// Where a walk ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Walk {
    /// The page-directory entry for the address is not present: no page
    /// table covers its 4 MiB.
    NoPageTable { pgd: Pgd },
    /// The page table exists, but its entry for the address is not present.
    NotMapped { pgd: Pgd, pte: Pte },
    /// The address is mapped and translates to `phys`.
    Mapped { pgd: Pgd, pte: Pte, phys: PhysAddr },
}

/// Translates `va` through the page directory `pgd`, reading page tables
/// through `mem`. Only 4 KiB pages exist in the tables this walks.
pub fn walk(mem: &impl PageTableMem, pgd: &PageTable<Pgd>, va: VirtAddr) -> Walk {
    // TODO(lab 1): take the directory entry at pgd_index(va); if present, read its page table through `mem`, take the entry at pte_index(va), and add the page offset to the frame's address.
    todo!("lab 1: walk")
}

/// Maps the page at `va` to frame `pfn` with `flags` (plus `PRESENT`),
/// creating the page table if the directory entry is empty. A new table's
/// directory entry is present and writable, and user-accessible when `va`
/// is a user address, whatever `flags` the first page has: the processor
/// checks both levels, and a `PROT_NONE` page mapped first must not lock
/// the user out of the other 1023. No TLB flush: the entry was not present.
pub fn map_page(
    mem: &mut impl PageTableMem,
    pgd: &mut PageTable<Pgd>,
    va: VirtAddr,
    pfn: Pfn,
    flags: PteFlags,
) -> Result<(), MapError> {
    // TODO(lab 1): if pgd[pgd_index(va)] is not present, allocate a table with mem.alloc_pte_table() and point the entry at it (PAGE_TABLE, plus USER when va is below PAGE_OFFSET); then fill the table's entry at pte_index(va), refusing one that is present.
    todo!("lab 1: map_page")
}

/// Puts `pte` in the entry for user address `va`, whatever it held: a swap entry or
/// `Pte::NONE` where a page was, or the reverse. Creates the page table as
/// `map_page` does; returns the entry replaced, flushed if it was present.
pub fn set_pte_at(
    mem: &mut impl PageTableMem,
    pgd: &mut PageTable<Pgd>,
    va: VirtAddr,
    pte: Pte,
) -> Result<Pte, MapError> {
    let entry = &mut pgd[pgd_index(va)];
    if !entry.present() {
        let table = mem.alloc_pte_table().ok_or(MapError::NoMemory)?;
        *entry = Pgd::new(table, PAGE_TABLE | PteFlags::USER);
    }
    let old = core::mem::replace(&mut mem.pte_table_mut(entry.pfn())[pte_index(va)], pte);
    if old.present() {
        mem.flush_tlb_one(va);
    }
    Ok(old)
}

/// The entry mapping `va`, to change in place, or `None` if nothing is
/// mapped there.
fn present_pte_mut<'a>(
    mem: &'a mut impl PageTableMem,
    pgd: &PageTable<Pgd>,
    va: VirtAddr,
) -> Option<&'a mut Pte> {
    let entry = pgd[pgd_index(va)];
    if !entry.present() {
        return None;
    }
    let pte = &mut mem.pte_table_mut(entry.pfn())[pte_index(va)];
    pte.present().then_some(pte)
}

/// Unmaps the page at `va` and flushes its translation from the TLB.
/// Returns the entry it held, so the caller can release the frame, or
/// `None` if nothing was mapped. Page tables stay, even when empty: on
/// Linux they go only with the address space.
pub fn unmap_page(mem: &mut impl PageTableMem, pgd: &PageTable<Pgd>, va: VirtAddr) -> Option<Pte> {
    // TODO(lab 1): find the present entry (present_pte_mut), clear it (Pte::NONE), flush va from the TLB and return the old entry.
    todo!("lab 1: unmap_page")
}

/// Gives the mapping at `va` the flags `flags` (plus `PRESENT`), keeping its
/// frame and the accessed and dirty bits the processor set (as Linux's
/// `pte_modify` keeps them), and flushes the old translation (Linux's
/// `change_protection` for one page). Returns the old entry, or `None` if
/// nothing was mapped.
pub fn change_page_flags(
    mem: &mut impl PageTableMem,
    pgd: &PageTable<Pgd>,
    va: VirtAddr,
    flags: PteFlags,
) -> Option<Pte> {
    let pte = present_pte_mut(mem, pgd, va)?;
    let kept = pte.flags() & (PteFlags::ACCESSED | PteFlags::DIRTY);
    let old = core::mem::replace(pte, Pte::new(pte.pfn(), flags | kept | PteFlags::PRESENT));
    mem.flush_tlb_one(va);
    Some(old)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mm::pgtable::{PAGE_KERNEL, PAGE_TABLE, PteFlags};

    /// Physical memory holding only page tables, each in its own frame,
    /// with a log of the TLB flushes.
    struct SimulatedMem {
        tables: HashMap<Pfn, Box<PageTable<Pte>>>,
        pgd: Box<PageTable<Pgd>>,
        /// Frames left for new page tables.
        spare_frames: Vec<Pfn>,
        flushed: Vec<VirtAddr>,
    }

    impl PageTableMem for SimulatedMem {
        fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte> {
            &self.tables[&pfn]
        }

        fn pte_table_mut(&mut self, pfn: Pfn) -> &mut PageTable<Pte> {
            self.tables.get_mut(&pfn).expect("a page table lives in that frame")
        }

        fn alloc_pte_table(&mut self) -> Option<Pfn> {
            let pfn = self.spare_frames.pop()?;
            self.tables.insert(pfn, Box::new(PageTable::filled(Pte::NONE)));
            Some(pfn)
        }

        fn flush_tlb_one(&mut self, va: VirtAddr) {
            self.flushed.push(va);
        }
    }

    impl SimulatedMem {
        fn new() -> Self {
            Self {
                tables: HashMap::new(),
                pgd: Box::new(PageTable::filled(Pgd::NONE)),
                spare_frames: (0x500..0x510).map(Pfn::new).collect(),
                flushed: Vec::new(),
            }
        }

        /// Maps page `va` to `frame`, putting page tables in frames 0x100...
        fn map(&mut self, va: u32, frame: u32, flags: PteFlags) {
            let va = VirtAddr::new(va);
            let table_pfn = Pfn::new(0x100 + pgd_index(va) as u32);
            self.pgd[pgd_index(va)] = Pgd::new(table_pfn, PAGE_TABLE);
            let table =
                self.tables.entry(table_pfn).or_insert_with(|| Box::new(PageTable::filled(Pte::NONE)));
            table[pte_index(va)] = Pte::new(Pfn::new(frame), flags);
        }

        fn walk(&self, va: u32) -> Walk {
            walk(self, &self.pgd, VirtAddr::new(va))
        }

        /// Maps through `map_page` on this memory's own directory.
        fn map_page(&mut self, va: u32, frame: u32, flags: PteFlags) -> Result<(), MapError> {
            let mut pgd = std::mem::replace(&mut self.pgd, Box::new(PageTable::filled(Pgd::NONE)));
            let result = map_page(self, &mut pgd, VirtAddr::new(va), Pfn::new(frame), flags);
            self.pgd = pgd;
            result
        }

        /// Runs `f` on this memory with its own directory.
        fn with_pgd<R>(&mut self, f: impl FnOnce(&mut Self, &PageTable<Pgd>) -> R) -> R {
            let pgd = std::mem::replace(&mut self.pgd, Box::new(PageTable::filled(Pgd::NONE)));
            let result = f(self, &pgd);
            self.pgd = pgd;
            result
        }

        fn unmap_page(&mut self, va: u32) -> Option<Pte> {
            self.with_pgd(|mem, pgd| unmap_page(mem, pgd, VirtAddr::new(va)))
        }

        fn translate(&self, va: u32) -> Option<u32> {
            match self.walk(va) {
                Walk::Mapped { phys, .. } => Some(phys.as_u32()),
                _ => None,
            }
        }
    }

    #[test]
    fn translates_a_mapped_address_with_its_offset() {
        let mut mem = SimulatedMem::new();
        mem.map(0xC010_2000, 0x102, PAGE_KERNEL);
        assert_eq!(mem.translate(0xC010_2000), Some(0x0010_2000));
        assert_eq!(mem.translate(0xC010_2ABC), Some(0x0010_2ABC));
        assert_eq!(mem.translate(0xC010_2FFF), Some(0x0010_2FFF));
    }

    #[test]
    fn reports_the_entries_it_went_through() {
        let mut mem = SimulatedMem::new();
        mem.map(0x0804_8000, 0x3_0000, PteFlags::PRESENT | PteFlags::USER);
        let Walk::Mapped { pgd, pte, phys } = mem.walk(0x0804_8123) else { panic!("not mapped") };
        assert_eq!(pgd, Pgd::new(Pfn::new(0x100 + 0x20), PAGE_TABLE));
        assert_eq!(pte, Pte::new(Pfn::new(0x3_0000), PteFlags::PRESENT | PteFlags::USER));
        assert_eq!(phys, PhysAddr::new(0x3000_0123));
    }

    #[test]
    fn tells_a_missing_table_from_a_missing_page() {
        let mut mem = SimulatedMem::new();
        mem.map(0x0040_0000, 7, PAGE_KERNEL);
        assert_eq!(mem.walk(0x0080_0000), Walk::NoPageTable { pgd: Pgd::NONE });
        let Walk::NotMapped { pgd, pte } = mem.walk(0x0040_1000) else { panic!("expected NotMapped") };
        assert!(pgd.present());
        assert_eq!(pte, Pte::NONE);
    }

    #[test]
    fn neighbouring_pages_and_tables_stay_apart() {
        let mut mem = SimulatedMem::new();
        // The last page under a 4 MiB boundary and the first page above it
        // live in different page tables.
        mem.map(0x003F_F000, 0x11, PAGE_KERNEL);
        mem.map(0x0040_0000, 0x22, PAGE_KERNEL);
        assert_eq!(mem.translate(0x003F_FFFF), Some(0x11FFF));
        assert_eq!(mem.translate(0x0040_0000), Some(0x22000));
        assert_eq!(mem.translate(0x003F_E000), None);
        assert_eq!(mem.translate(0x0040_1000), None);
    }

    #[test]
    fn walks_the_first_and_last_pages_of_the_address_space() {
        let mut mem = SimulatedMem::new();
        mem.map(0x0000_0000, 0x1, PAGE_KERNEL);
        mem.map(0xFFFF_F000, 0x2, PAGE_KERNEL);
        assert_eq!(mem.translate(0), Some(0x1000));
        assert_eq!(mem.translate(0xFFFF_FFFF), Some(0x2FFF));
    }

    #[test]
    fn map_creates_the_table_once_and_needs_no_flush() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0xF880_0000, 0x1234, PteFlags::RW).unwrap();
        mem.map_page(0xF880_1000, 0x1235, PteFlags::RW).unwrap();
        assert_eq!(mem.tables.len(), 1, "both pages share one page table");
        assert_eq!(mem.translate(0xF880_1ABC), Some(0x0123_5ABC));
        let Walk::Mapped { pgd, pte, .. } = mem.walk(0xF880_0000) else { panic!("not mapped") };
        assert_eq!(pgd.flags(), PAGE_TABLE);
        assert_eq!(pte.flags(), PteFlags::PRESENT | PteFlags::RW);
        assert!(mem.flushed.is_empty());
    }

    #[test]
    fn user_pages_get_a_user_directory_entry() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0x0804_8000, 0x42, PteFlags::USER).unwrap();
        let Walk::Mapped { pgd, .. } = mem.walk(0x0804_8000) else { panic!("not mapped") };
        assert_eq!(pgd.flags(), PAGE_TABLE | PteFlags::USER);
    }

    #[test]
    fn a_user_table_is_user_even_when_its_first_page_is_not() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0xBFFF_E000, 0x43, PteFlags::empty()).unwrap();
        mem.map_page(0xBFFF_F000, 0x44, PteFlags::USER | PteFlags::RW).unwrap();
        let Walk::Mapped { pgd, .. } = mem.walk(0xBFFF_F000) else { panic!("not mapped") };
        assert_eq!(pgd.flags(), PAGE_TABLE | PteFlags::USER);
    }

    #[test]
    fn map_refuses_an_occupied_address_and_reports_no_memory() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0x1000, 1, PteFlags::RW).unwrap();
        assert_eq!(mem.map_page(0x1000, 2, PteFlags::RW), Err(MapError::AlreadyMapped));
        assert_eq!(mem.translate(0x1000), Some(0x1000));
        mem.spare_frames.clear();
        assert_eq!(mem.map_page(0x0040_0000, 3, PteFlags::RW), Err(MapError::NoMemory));
        assert_eq!(mem.walk(0x0040_0000), Walk::NoPageTable { pgd: Pgd::NONE });
    }

    #[test]
    fn unmap_returns_the_entry_flushes_and_keeps_the_table() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0xC800_0000, 0x777, PteFlags::RW).unwrap();
        let old = mem.unmap_page(0xC800_0000).expect("it was mapped");
        assert_eq!(old.pfn(), Pfn::new(0x777));
        assert_eq!(mem.flushed, [VirtAddr::new(0xC800_0000)]);
        assert!(matches!(mem.walk(0xC800_0000), Walk::NotMapped { .. }));
        assert_eq!(mem.tables.len(), 1);
        assert_eq!(mem.unmap_page(0xC800_0000), None);
        assert_eq!(mem.unmap_page(0x0800_0000), None);
        assert_eq!(mem.flushed.len(), 1, "nothing to flush when nothing was mapped");
    }

    #[test]
    fn change_page_flags_keeps_the_frame_and_flushes() {
        let mut mem = SimulatedMem::new();
        mem.map_page(0x0040_0000, 0x99, PteFlags::RW | PteFlags::USER).unwrap();
        let old =
            mem.with_pgd(|mem, pgd| change_page_flags(mem, pgd, VirtAddr::new(0x0040_0000), PteFlags::USER));
        assert_eq!(old.map(Pte::flags), Some(PteFlags::PRESENT | PteFlags::RW | PteFlags::USER));
        let Walk::Mapped { pte, .. } = mem.walk(0x0040_0000) else { panic!("not mapped") };
        assert_eq!((pte.pfn(), pte.flags()), (Pfn::new(0x99), PteFlags::PRESENT | PteFlags::USER));
        assert_eq!(mem.flushed, [VirtAddr::new(0x0040_0000)]);
        let nothing =
            mem.with_pgd(|mem, pgd| change_page_flags(mem, pgd, VirtAddr::new(0x0040_1000), PteFlags::RW));
        assert_eq!(nothing, None);
    }
}
