//! Lab 6 scenario run as a kernel test: `munmap` and `mprotect` over every
//! neighbourhood a range can have, on a real address space, region list
//! printed after each. (The other lab 6 scenarios are C programs run as
//! `init`.)

use core::fmt::{self, Write};

use crate::lib::fallible::Text;
use crate::mm::do_mmap::{
    MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, do_mmap_pgoff, do_munmap,
};
use crate::mm::mm_struct::{init_mm, mm_alloc, mmput, switch_mm};
use crate::mm::mm_types::MmStruct;
use crate::mm::mprotect::do_mprotect;
use crate::mm::types::{PAGE_SIZE, VirtAddr};
use crate::mm::vma::VmFlags;
use crate::pr_info;

/// Where the three regions of each case start: A, B and C of four pages
/// each, side by side, A and C read-only and B read-write so that none
/// merges, then a hole of four pages and D, read-only.
const BASE: u32 = 0x1000_0000;

/// Page `n` from `BASE`.
const fn page(n: u32) -> VirtAddr {
    VirtAddr::new(BASE + n * PAGE_SIZE)
}

/// What one case does to the four regions.
enum Op {
    Munmap { from: u32, to: u32 },
    Mprotect { from: u32, to: u32, prot: u32 },
}

const R: u32 = PROT_READ;
const RW: u32 = PROT_READ | PROT_WRITE;

/// Every neighbourhood: inside a region, at either end of one, exactly
/// one, across a boundary, across all, over the hole, and from the hole on.
const CASES: [(&str, Op); 14] = [
    ("munmap all of B", Op::Munmap { from: 4, to: 8 }),
    ("munmap the middle of B", Op::Munmap { from: 5, to: 7 }),
    ("munmap the head of B", Op::Munmap { from: 4, to: 5 }),
    ("munmap the tail of B", Op::Munmap { from: 7, to: 8 }),
    ("munmap across A and B", Op::Munmap { from: 3, to: 5 }),
    ("munmap across A, B and C", Op::Munmap { from: 2, to: 10 }),
    ("munmap the hole only", Op::Munmap { from: 12, to: 16 }),
    ("munmap from the hole into D", Op::Munmap { from: 14, to: 17 }),
    ("mprotect the middle of A read-write", Op::Mprotect { from: 1, to: 2, prot: RW }),
    ("mprotect all of A read-write: A joins B", Op::Mprotect { from: 0, to: 4, prot: RW }),
    ("mprotect the head of C read-write: it joins B", Op::Mprotect { from: 8, to: 9, prot: RW }),
    ("mprotect B read-only: A, B and C become one", Op::Mprotect { from: 4, to: 8, prot: R }),
    ("mprotect across A and B read-only", Op::Mprotect { from: 3, to: 6, prot: R }),
    ("mprotect across the hole", Op::Mprotect { from: 10, to: 18, prot: RW }),
];

/// Runs each case on a fresh address space and prints the regions after.
pub fn regionops() {
    for (what, op) in &CASES {
        let mm = mm_alloc().expect("memory for an address space");
        switch_mm(mm);
        let mut guard = mm.lock();
        let mm_struct: &mut MmStruct = &mut guard;
        for (start, prot) in [(0, R), (4, RW), (8, R), (16, R)] {
            let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
            do_mmap_pgoff(mm_struct, page(start), 4 * PAGE_SIZE, prot, flags, None, 0)
                .expect("room for a region");
        }
        let result = match *op {
            Op::Munmap { from, to } => do_munmap(mm_struct, page(from), (to - from) * PAGE_SIZE),
            Op::Mprotect { from, to, prot } => {
                do_mprotect(mm_struct, page(from), (to - from) * PAGE_SIZE, prot)
            }
        };
        let mut text = Text::default();
        let _ = show_regions(mm_struct, &mut text);
        let text = text.into_bytes();
        pr_info!("{what}: {result:?}");
        pr_info!("  {}", core::str::from_utf8(&text).unwrap_or("?"));
        drop(guard);
        switch_mm(init_mm());
        mmput(mm);
    }
}

/// The regions as page ranges from `BASE` with their access bits, then the
/// counts: `0-4 r-, 4-8 rw, ... (4 regions, 16 pages)`.
fn show_regions(mm: &MmStruct, out: &mut impl Write) -> fmt::Result {
    for (i, vma) in mm.vmas().enumerate() {
        let v = vma.get(mm);
        let (from, to) = ((v.vm_start.as_u32() - BASE) / PAGE_SIZE, (v.vm_end.as_u32() - BASE) / PAGE_SIZE);
        let w = if v.vm_flags.contains(VmFlags::WRITE) { 'w' } else { '-' };
        write!(out, "{}{from}-{to} r{w}", if i == 0 { "" } else { ", " })?;
    }
    write!(out, " ({} regions, {} pages)", mm.map_count, mm.total_vm)
}
