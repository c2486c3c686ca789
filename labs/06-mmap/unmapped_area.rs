// Lab 6: generated from solution/src/mm/unmapped_area.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! Finding room for a mapping: `get_unmapped_area` in the two layouts
//! Linux's i386 has had (`mm/mmap.c` and `arch/i386/mm/mmap.c`).
//!
//! The legacy layout searches bottom-up from `TASK_UNMAPPED_BASE`, so
//! mappings pile up above the program and the heap has the gigabyte below
//! them. Linux 2.6.9's layout searches top-down from `mmap_base`, a gap
//! below the top of user space that the stack keeps, so the heap and the
//! mappings grow towards each other through one large hole. Both start
//! where the last search ended (`free_area_cache`), so a run of `mmap`s
//! does not walk over every region mapped before.

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use super::mm_types::{MmStruct, MmapLayout, TASK_SIZE, TASK_UNMAPPED_BASE};
use super::mmap::find_vma;
use super::types::VirtAddr;

/// The lowest address a mapping may have (Linux's `mmap_min_addr`, 65536 as
/// Debian sets it): with page 0 never mapped, a NULL pointer in the kernel
/// or in a program always faults. Linux lets `CAP_SYS_RAWIO` map lower;
/// there are no capabilities here.
pub const MMAP_MIN_ADDR: u32 = 0x1_0000;
/// The most a stack may grow to (the default `RLIMIT_STACK`, 8 MiB).
pub const RLIMIT_STACK: u32 = 8 << 20;
/// The least room the top-down layout leaves the stack (Linux's `MIN_GAP`):
/// more than `RLIMIT_STACK`, as Linux rounds the gap up to it.
pub const MIN_GAP: u32 = 128 << 20;

/// Chooses how `mm` places its mappings, at `execve` (Linux's
/// `arch_pick_mmap_layout`): legacy when asked for, by the process's
/// personality or the kernel's option, else top-down below the stack's gap.
/// Linux also takes the legacy layout for an unlimited `RLIMIT_STACK`, and
/// moves `mmap_base` by a random offset; there are neither here.
pub fn arch_pick_mmap_layout(mm: &mut MmStruct, legacy: bool) {
    let (layout, base) = if legacy {
        (MmapLayout::Legacy, TASK_UNMAPPED_BASE)
    } else {
        (MmapLayout::TopDown, TASK_SIZE - MIN_GAP)
    };
    mm.mmap_layout = layout;
    mm.mmap_base = VirtAddr::new(base);
    mm.free_area_cache = mm.mmap_base;
}

/// Whether `[addr, addr + len)` is free: the first region that ends above
/// `addr` starts at or above its end.
fn is_free(mm: &mut MmStruct, addr: u32, len: u32) -> bool {
    addr >= MMAP_MIN_ADDR
        && addr <= TASK_SIZE - len
        && find_vma(mm, VirtAddr::new(addr)).is_none_or(|vma| addr + len <= vma.get(mm).vm_start.as_u32())
}

/// A free range of `len` bytes (a whole number of pages, at most
/// `TASK_SIZE`): at `hint` if it is free, else one that the layout's search
/// finds. A hint below `MMAP_MIN_ADDR` is raised to it (Linux's
/// `round_hint_to_min`).
pub fn get_unmapped_area(mm: &mut MmStruct, hint: VirtAddr, len: u32) -> Option<VirtAddr> {
    let hint = match hint.page_down().as_u32() {
        0 => 0,
        hint => hint.max(MMAP_MIN_ADDR),
    };
    if hint != 0 && is_free(mm, hint, len) {
        return Some(VirtAddr::new(hint));
    }
    match mm.mmap_layout {
        MmapLayout::Legacy => arch_get_unmapped_area(mm, len),
        MmapLayout::TopDown => arch_get_unmapped_area_topdown(mm, len),
    }
}

/// The lowest free range of `len` bytes from `free_area_cache` up, or, if
/// there is none, from `TASK_UNMAPPED_BASE` up (Linux's
/// `arch_get_unmapped_area`). The cache moves to the range's end.
pub fn arch_get_unmapped_area(mm: &mut MmStruct, len: u32) -> Option<VirtAddr> {
    // TODO(lab 6): from the cache, step over each region in the way (to its end); past TASK_SIZE - len, start once more from TASK_UNMAPPED_BASE
    todo!("lab 6: arch_get_unmapped_area")
}

/// The highest free range of `len` bytes below `free_area_cache`, or, if
/// there is none, below `mmap_base`; failing that, the bottom-up search
/// (Linux's `arch_get_unmapped_area_topdown`). The cache moves to the
/// range's start.
pub fn arch_get_unmapped_area_topdown(mm: &mut MmStruct, len: u32) -> Option<VirtAddr> {
    // TODO(lab 6): from cache - len, step below each region in the way (to its start - len); below MMAP_MIN_ADDR, retry from mmap_base, then fall back to bottom-up
    todo!("lab 6: arch_get_unmapped_area_topdown")
}

/// Tells the cache that `[start, end)` was unmapped, so that the next
/// search can reuse the hole (Linux's `arch_unmap_area` and
/// `arch_unmap_area_topdown`).
pub fn arch_unmap_area(mm: &mut MmStruct, start: VirtAddr, end: VirtAddr) {
    match mm.mmap_layout {
        MmapLayout::Legacy if start.as_u32() >= TASK_UNMAPPED_BASE && start < mm.free_area_cache => {
            mm.free_area_cache = start;
        }
        MmapLayout::TopDown if end > mm.free_area_cache => mm.free_area_cache = end.min(mm.mmap_base),
        _ => {}
    }
}
