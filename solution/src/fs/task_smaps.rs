//! `/proc/PID/smaps`: each region's `maps` line, then how much of it is in
//! memory and whose it is (Linux's `show_smap`, in `fs/proc/task_mmu.c`,
//! in its format to the column). A page counts in `Rss` if a frame is
//! mapped there (the zero page is nobody's); `Pss` shares each frame
//! equally among the mappings of it; `Shared_*` are frames mapped more than
//! once, `Private_*` frames mapped only here; `*_Dirty` frames written
//! since they were mapped (the entry's dirty bit, which the processor sets).
//! The lines for what this kernel lacks (huge pages, swap, lazy freeing)
//! are there, with 0, so that a tool that reads Linux's file reads this.

use core::fmt::{self, Write};

use crate::mm::mm_types::VmAreaStruct;
use crate::mm::types::PAGE_SIZE;
use crate::mm::vma::VmFlags;

#[cfg(target_os = "none")]
pub use gather::show_smaps;

/// Fraction bits of `pss` (Linux's `PSS_SHIFT`), so that a page shared
/// three ways still adds up.
const PSS_SHIFT: u32 = 12;

/// Linux's two-letter names of `vm_flags` bits in `VmFlags:`, by bit.
const MNEMONICS: [(VmFlags, &str); 12] = [
    (VmFlags::READ, "rd"),
    (VmFlags::WRITE, "wr"),
    (VmFlags::EXEC, "ex"),
    (VmFlags::SHARED, "sh"),
    (VmFlags::MAYREAD, "mr"),
    (VmFlags::MAYWRITE, "mw"),
    (VmFlags::MAYEXEC, "me"),
    (VmFlags::MAYSHARE, "ms"),
    (VmFlags::GROWSDOWN, "gd"),
    (VmFlags::LOCKED, "lo"),
    (VmFlags::DONTCOPY, "dc"),
    (VmFlags::DONTEXPAND, "de"),
];

/// A present page of a region, as `smaps` counts it.
#[derive(Clone, Copy)]
pub struct MappedPage {
    /// How many page-table entries map its frame.
    pub mapcount: u32,
    pub dirty: bool,
    pub referenced: bool,
    pub anon: bool,
}

/// The counts of one region, in bytes (Linux's `struct mem_size_stats`).
#[derive(Default)]
pub struct MemSizeStats {
    resident: u64,
    shared_clean: u64,
    shared_dirty: u64,
    private_clean: u64,
    private_dirty: u64,
    referenced: u64,
    anonymous: u64,
    /// Shifted left by `PSS_SHIFT`.
    pss: u64,
    pss_dirty: u64,
}

impl MemSizeStats {
    /// Counts one present page (Linux's `smaps_account`).
    pub fn account(&mut self, page: MappedPage) {
        let size = u64::from(PAGE_SIZE);
        self.resident += size;
        self.referenced += if page.referenced { size } else { 0 };
        self.anonymous += if page.anon { size } else { 0 };
        let share = (size << PSS_SHIFT) / u64::from(page.mapcount.max(1));
        self.pss += share;
        if page.dirty {
            self.pss_dirty += share;
        }
        let counter = match (page.mapcount >= 2, page.dirty) {
            (true, false) => &mut self.shared_clean,
            (true, true) => &mut self.shared_dirty,
            (false, false) => &mut self.private_clean,
            (false, true) => &mut self.private_dirty,
        };
        *counter += size;
    }

    /// The lines after the `maps` line, for `vma` (Linux's `show_smap`).
    pub fn show(&self, vma: &VmAreaStruct, out: &mut impl Write) -> fmt::Result {
        let size = u64::from(vma.vm_end.as_u32() - vma.vm_start.as_u32());
        let locked = if vma.vm_flags.contains(VmFlags::LOCKED) { self.pss >> PSS_SHIFT } else { 0 };
        let page = u64::from(PAGE_SIZE);
        let lines = [
            ("Size:", size),
            ("KernelPageSize:", page),
            ("MMUPageSize:", page),
            ("Rss:", self.resident),
            ("Pss:", self.pss >> PSS_SHIFT),
            ("Pss_Dirty:", self.pss_dirty >> PSS_SHIFT),
            ("Shared_Clean:", self.shared_clean),
            ("Shared_Dirty:", self.shared_dirty),
            ("Private_Clean:", self.private_clean),
            ("Private_Dirty:", self.private_dirty),
            ("Referenced:", self.referenced),
            ("Anonymous:", self.anonymous),
            ("LazyFree:", 0),
            ("AnonHugePages:", 0),
            ("ShmemPmdMapped:", 0),
            ("FilePmdMapped:", 0),
            ("Shared_Hugetlb:", 0),
            ("Private_Hugetlb:", 0),
            ("Swap:", 0),
            ("SwapPss:", 0),
            ("Locked:", locked),
        ];
        for (name, bytes) in lines {
            // Linux ends every value at column 24 (the name padded to 16,
            // the value 8 wide; `Private_Hugetlb:`, a space and 7).
            let width = 23 - name.len();
            writeln!(out, "{name} {:>width$} kB", bytes >> 10)?;
        }
        writeln!(out, "THPeligible:    0")?;
        write!(out, "VmFlags: ")?;
        for (flag, name) in MNEMONICS {
            if vma.vm_flags.contains(flag) {
                write!(out, "{name} ")?;
            }
        }
        writeln!(out)
    }
}

/// The walk that finds a region's present pages, which needs the
/// hardware's page tables.
#[cfg(target_os = "none")]
mod gather {
    use core::fmt::{self, Write};

    use super::{MappedPage, MemSizeStats};
    use crate::fs::task_mmu::show_map_vma;
    use crate::mm::mm_types::{MmStruct, VmAreaStruct};
    use crate::mm::node::{page_flags, zero_page};
    use crate::mm::page::PageFlags;
    use crate::mm::pgtable::{PteFlags, pgd_addr_end};
    use crate::mm::pgwalk::Walk;
    use crate::mm::rmap::page_mapcount;
    use crate::mm::types::{PAGE_SIZE, VirtAddr};

    /// Every region of `mm` with its counts.
    pub fn show_smaps(mm: &MmStruct, out: &mut impl Write) -> fmt::Result {
        mm.vmas().try_for_each(|vma| {
            let v = vma.get(mm);
            show_map_vma(mm, v, out)?;
            smap_gather(mm, v).show(v, out)
        })
    }

    /// Counts the present pages of `vma`, a page table at a time (Linux's
    /// `smap_gather_stats`).
    fn smap_gather(mm: &MmStruct, vma: &VmAreaStruct) -> MemSizeStats {
        let mut stats = MemSizeStats::default();
        let (mut addr, end) = (vma.vm_start.as_u32(), vma.vm_end.as_u32());
        while addr < end {
            match mm.walk(VirtAddr::new(addr)) {
                Walk::NoPageTable { .. } => {
                    addr = pgd_addr_end(addr, end);
                    continue;
                }
                Walk::Mapped { pte, .. } if pte.pfn() != zero_page() => stats.account(MappedPage {
                    mapcount: page_mapcount(pte.pfn()),
                    dirty: pte.flags().contains(PteFlags::DIRTY),
                    referenced: pte.flags().contains(PteFlags::ACCESSED),
                    anon: page_flags(pte.pfn()).contains(PageFlags::ANON),
                }),
                _ => {}
            }
            addr += PAGE_SIZE;
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use super::*;
    use crate::mm::mm_types::TestMm;
    use crate::mm::types::VirtAddr;

    #[test]
    fn pss_shares_each_page_among_its_mappings() {
        let mm = TestMm::new();
        let rw = VmFlags::READ | VmFlags::WRITE | VmFlags::MAY_ALL;
        let vma = VmAreaStruct::new(mm.as_ref(), VirtAddr::new(0x1000_0000), VirtAddr::new(0x1000_4000), rw);
        let mut stats = MemSizeStats::default();
        let page = |mapcount, dirty| MappedPage { mapcount, dirty, referenced: true, anon: true };
        // Private and written, shared with a child, shared three ways.
        for p in [page(1, true), page(2, false), page(3, false)] {
            stats.account(p);
        }
        let mut out = String::new();
        stats.show(&vma, &mut out).unwrap();
        let lines: alloc::vec::Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "Size:                 16 kB");
        assert_eq!(lines[3], "Rss:                  12 kB");
        // 4 + 2 + 1.33 kB.
        assert_eq!(lines[4], "Pss:                   7 kB");
        assert_eq!(lines[5], "Pss_Dirty:             4 kB");
        assert_eq!(lines[6], "Shared_Clean:          8 kB");
        assert_eq!(lines[9], "Private_Dirty:         4 kB");
        assert_eq!(lines[17], "Private_Hugetlb:       0 kB");
        assert_eq!(lines[21], "THPeligible:    0");
        assert_eq!(lines[22], "VmFlags: rd wr mr mw me ");
    }
}
