// Lab 1: generated from solution/src/mm/pgwalk.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! The software page-table walk: translating a virtual address the way the
//! MMU does, by reading the two-level tables.
//!
//! The kernel needs this whenever it must know what backs an address without
//! touching it (Linux's `follow_page`, `/proc/PID/pagemap`, debuggers).
//! Lab 1 asks you to write [`walk`].

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use super::pgtable::{PageTable, Pgd, Pte, pgd_index, pte_index};
use super::types::{PhysAddr, Pfn, VirtAddr};

/// How the walker reaches a page table given its frame number. In the kernel
/// this goes through the direct map (`__va`); the unit tests below simulate
/// physical memory instead.
pub trait PageTableMem {
    /// The page table stored in frame `pfn`.
    fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte>;
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::mm::pgtable::{PAGE_KERNEL, PAGE_TABLE, PageFlags};

    /// Physical memory holding only page tables, each in its own frame.
    struct SimulatedMem {
        tables: HashMap<Pfn, Box<PageTable<Pte>>>,
        pgd: Box<PageTable<Pgd>>,
    }

    impl PageTableMem for SimulatedMem {
        fn pte_table(&self, pfn: Pfn) -> &PageTable<Pte> {
            &self.tables[&pfn]
        }
    }

    impl SimulatedMem {
        fn new() -> Self {
            Self { tables: HashMap::new(), pgd: Box::new(PageTable::filled(Pgd::NONE)) }
        }

        /// Maps page `va` to `frame`, putting page tables in frames 0x100...
        fn map(&mut self, va: u32, frame: u32, flags: PageFlags) {
            let va = VirtAddr::new(va);
            let table_pfn = Pfn::new(0x100 + pgd_index(va) as u32);
            self.pgd[pgd_index(va)] = Pgd::new(table_pfn, PAGE_TABLE);
            let table = self.tables.entry(table_pfn).or_insert_with(|| Box::new(PageTable::filled(Pte::NONE)));
            table[pte_index(va)] = Pte::new(Pfn::new(frame), flags);
        }

        fn walk(&self, va: u32) -> Walk {
            walk(self, &self.pgd, VirtAddr::new(va))
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
        mem.map(0x0804_8000, 0x3_0000, PageFlags::PRESENT | PageFlags::USER);
        let Walk::Mapped { pgd, pte, phys } = mem.walk(0x0804_8123) else { panic!("not mapped") };
        assert_eq!(pgd, Pgd::new(Pfn::new(0x100 + 0x20), PAGE_TABLE));
        assert_eq!(pte, Pte::new(Pfn::new(0x3_0000), PageFlags::PRESENT | PageFlags::USER));
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
}
