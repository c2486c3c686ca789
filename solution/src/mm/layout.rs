//! The 4 GiB virtual address space, laid out as Linux 2.6 does on i386:
//!
//! ```text
//! 0xffffffff +-----------------------+
//!            | fixmap                |  FIXADDR_START .. FIXADDR_TOP: one page per fixed slot
//! 0xffc00000 +-----------------------+  (unused gap up to the fixmap)
//!            | pkmap                 |  PKMAP_BASE: 1024 pages for kmap()
//! 0xff800000 +-----------------------+
//!            | vmalloc               |  VMALLOC_START .. VMALLOC_END
//!            +-----------------------+  VMALLOC_START = high_memory + 8 MiB
//!            | (8 MiB guard)         |
//!            +-----------------------+  high_memory = PAGE_OFFSET + min(RAM, 896 MiB)
//!            | lowmem: direct map of |
//!            | physical 0..896 MiB   |
//! 0xc0100000 |   kernel image        |  _text (physical 1 MiB)
//! 0xc0000000 +-----------------------+  PAGE_OFFSET
//!            | user space (3 GiB)    |
//! 0x00000000 +-----------------------+
//! ```

use core::fmt;

use spin::Once;

use super::types::{PAGE_SIZE, Pfn, PhysAddr, VirtAddr};

// ANCHOR: constants
/// Where the kernel's direct map of physical memory starts: the 3G/1G split.
pub const PAGE_OFFSET: u32 = 0xC000_0000;
/// The most RAM the direct map covers: 1 GiB of kernel space minus 128 MiB
/// kept for vmalloc, pkmap and fixmap. RAM above it is HIGHMEM.
pub const MAXMEM: u32 = 896 << 20;
/// The boot page directory maps this much physical memory before `paging_init`.
pub const EARLY_MAPPED: u32 = 16 << 20;

/// Gap between the end of the direct map and the vmalloc area, to catch
/// overruns of direct-mapped memory.
pub const VMALLOC_OFFSET: u32 = 8 << 20;
/// The persistent kmap window: `LAST_PKMAP` pages at 4G-8M.
pub const PKMAP_BASE: u32 = 0xFF80_0000;
pub const LAST_PKMAP: u32 = 1024;
/// The vmalloc area ends two pages below the pkmap window.
pub const VMALLOC_END: u32 = PKMAP_BASE - 2 * PAGE_SIZE;
/// Fixed slot 0 is mapped here; slot `i` at `FIXADDR_TOP - i * PAGE_SIZE`.
pub const FIXADDR_TOP: u32 = 0xFFFF_F000;
/// Number of fixmap slots (for `kmap_atomic`'s per-purpose slots).
pub const NR_FIX_SLOTS: u32 = 16;
/// As on Linux, the area printed as the fixmap is `[FIXADDR_START, FIXADDR_TOP)`.
pub const FIXADDR_START: u32 = FIXADDR_TOP - NR_FIX_SLOTS * PAGE_SIZE;
// ANCHOR_END: constants

/// The virtual address of fixmap slot `idx`.
pub const fn fix_to_virt(idx: u32) -> VirtAddr {
    VirtAddr::new(FIXADDR_TOP - idx * PAGE_SIZE)
}

/// The kernel virtual address of a direct-mapped physical address.
pub const fn __va(pa: PhysAddr) -> VirtAddr {
    VirtAddr::new(pa.as_u32() + PAGE_OFFSET)
}

/// The physical address behind a direct-mapped kernel virtual address.
pub const fn __pa(va: VirtAddr) -> PhysAddr {
    PhysAddr::new(va.as_u32() - PAGE_OFFSET)
}

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

/// The direct-map address of low frame `pfn` (Linux's
/// `lowmem_page_address`). Built with `debug_vm`, a high frame is caught
/// here: the direct map does not reach it, and whatever lies at the address
/// is not the frame.
pub fn lowmem_page_address(pfn: Pfn) -> VirtAddr {
    if cfg!(feature = "debug_vm") && pfn >= max_low_pfn() {
        panic!("BUG: high frame {pfn} reached through the direct map");
    }
    __va(pfn.addr())
}

/// `high_memory`: the first virtual address past the direct map.
pub fn high_memory() -> VirtAddr {
    __va(max_low_pfn().addr())
}

/// Whether `va` lies in the direct map, where `__pa` gives its translation.
pub fn in_direct_map(va: VirtAddr) -> bool {
    va >= __va(PhysAddr::new(0)) && va < high_memory()
}

/// The first address of the vmalloc area for a given end of the direct map.
pub const fn vmalloc_start(high_memory: VirtAddr) -> VirtAddr {
    VirtAddr::new((high_memory.as_u32() + VMALLOC_OFFSET) & !(VMALLOC_OFFSET - 1))
}

/// What the boot log shows of the address space: the areas, and where the
/// kernel image's sections ended up.
pub struct KernelLayout {
    pub high_memory: VirtAddr,
    /// `(name, start, end)` of each section of the kernel image.
    pub sections: [(&'static str, VirtAddr, VirtAddr); 4],
}

impl fmt::Display for KernelLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "virtual kernel memory layout:")?;
        area(f, "fixmap", FIXADDR_START, FIXADDR_TOP)?;
        area(f, "pkmap", PKMAP_BASE, PKMAP_BASE + LAST_PKMAP * PAGE_SIZE)?;
        area(f, "vmalloc", vmalloc_start(self.high_memory).as_u32(), VMALLOC_END)?;
        area(f, "lowmem", PAGE_OFFSET, self.high_memory.as_u32())?;
        for (name, start, end) in self.sections {
            area(f, name, start.as_u32(), end.as_u32())?;
        }
        area(f, "user", 0, PAGE_OFFSET)
    }
}

/// One line of the layout, after a line break; the image's sections (named `.text`...) are indented.
fn area(f: &mut fmt::Formatter<'_>, name: &str, start: u32, end: u32) -> fmt::Result {
    let indent = if name.starts_with('.') { 5 } else { 4 };
    let size = Size(end - start);
    write!(f, "\n{:indent$}{name:<w$}: {start:#010x} - {end:#010x}   ({size})", "", w = 12 - indent)
}

/// A size printed as Linux's boot log does: kB below 8 MiB, MB above.
struct Size(u32);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 8 << 20 { write!(f, "{:4} kB", self.0 >> 10) } else { write!(f, "{:4} MB", self.0 >> 20) }
    }
}
