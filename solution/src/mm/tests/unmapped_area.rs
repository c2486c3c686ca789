//! Host tests of `get_unmapped_area` (lab 6) in both layouts: the first
//! mappings of an empty space, the hint, every boundary of the search, the
//! cache after a search and after an unmap, and the fallbacks when the
//! cache or the layout has no room.

use crate::mm::mm_types::{
    MmStruct, MmapLayout, TASK_SIZE, TASK_UNMAPPED_BASE, TestMm, VmAreaStruct, vm_area_alloc,
};
use crate::mm::mmap::{insert_vm_struct, remove_vma_list};
use crate::mm::types::VirtAddr;
use crate::mm::unmapped_area::*;
use crate::mm::vma::VmFlags;

const PAGE: u32 = 0x1000;
/// Where the top-down layout starts: the stack's 128 MiB gap below TASK_SIZE.
const BASE: u32 = TASK_SIZE - MIN_GAP;

fn va(addr: u32) -> VirtAddr {
    VirtAddr::new(addr)
}

/// An empty address space laid out top-down, or legacy.
fn new_mm(legacy: bool) -> TestMm {
    let mut mm = TestMm::new();
    arch_pick_mmap_layout(&mut mm, legacy);
    mm
}

/// Maps `[start, end)` as one anonymous region.
fn add(mm: &mut MmStruct, start: u32, end: u32) {
    let flags = VmFlags::READ | VmFlags::WRITE | VmFlags::MAY_ALL;
    let vma = vm_area_alloc(VmAreaStruct::new(mm.as_ref(), va(start), va(end), flags)).unwrap();
    insert_vm_struct(mm, vma).unwrap();
}

/// Finds room for `len` bytes without a hint and maps it, as `mmap` does.
fn map(mm: &mut MmStruct, len: u32) -> Option<u32> {
    let addr = get_unmapped_area(mm, va(0), len)?.as_u32();
    add(mm, addr, addr + len);
    Some(addr)
}

fn cache(mm: &MmStruct) -> u32 {
    mm.free_area_cache.as_u32()
}

fn done(mut mm: TestMm) {
    remove_vma_list(&mut mm);
}

#[test]
fn the_layouts_start_where_linux_does() {
    let (top, legacy) = (new_mm(false), new_mm(true));
    assert_eq!(
        (top.mmap_layout, top.mmap_base.as_u32(), cache(&top)),
        (MmapLayout::TopDown, 0xb800_0000, BASE)
    );
    assert_eq!(
        (legacy.mmap_layout, legacy.mmap_base.as_u32(), cache(&legacy)),
        (MmapLayout::Legacy, 0x4000_0000, 0x4000_0000)
    );
    done(top);
    done(legacy);
}

#[test]
fn top_down_maps_below_the_base_each_below_the_last() {
    let mut mm = new_mm(false);
    assert_eq!(map(&mut mm, PAGE), Some(BASE - PAGE));
    assert_eq!(cache(&mm), BASE - PAGE);
    assert_eq!(map(&mut mm, 3 * PAGE), Some(BASE - 4 * PAGE));
    // A region in the way is stepped under.
    add(&mut mm, BASE - 6 * PAGE, BASE - 5 * PAGE);
    assert_eq!(map(&mut mm, 2 * PAGE), Some(BASE - 8 * PAGE));
    // The one-page hole left at BASE - 5 pages is too small for two.
    assert_eq!(map(&mut mm, PAGE), Some(BASE - 9 * PAGE));
    done(mm);
}

#[test]
fn legacy_maps_above_the_base_each_above_the_last() {
    let mut mm = new_mm(true);
    let base = TASK_UNMAPPED_BASE;
    assert_eq!(map(&mut mm, PAGE), Some(base));
    assert_eq!(cache(&mm), base + PAGE);
    add(&mut mm, base + 2 * PAGE, base + 3 * PAGE);
    // The one-page hole is too small for two pages: past the region.
    assert_eq!(map(&mut mm, 2 * PAGE), Some(base + 3 * PAGE));
    assert_eq!(cache(&mm), base + 5 * PAGE);
    done(mm);
}

#[test]
fn a_free_hint_is_taken_a_low_one_raised_a_taken_one_ignored() {
    for legacy in [false, true] {
        let mut mm = new_mm(legacy);
        assert_eq!(get_unmapped_area(&mut mm, va(0x1234_5678), PAGE), Some(va(0x1234_5000)));
        assert_eq!(get_unmapped_area(&mut mm, va(0x2000), PAGE), Some(va(MMAP_MIN_ADDR)));
        add(&mut mm, 0x1000_0000, 0x1000_2000);
        let found = get_unmapped_area(&mut mm, va(0x1000_1000), PAGE).unwrap().as_u32();
        assert_eq!(found, if legacy { TASK_UNMAPPED_BASE } else { BASE - PAGE });
        // The hint does not move the cache.
        assert_eq!(get_unmapped_area(&mut mm, va(0x3000_0000), PAGE), Some(va(0x3000_0000)));
        assert_eq!(cache(&mm), found + if legacy { PAGE } else { 0 });
        // A hint whose range would pass TASK_SIZE is no hint.
        assert_ne!(get_unmapped_area(&mut mm, va(TASK_SIZE - PAGE), 2 * PAGE), Some(va(TASK_SIZE - PAGE)));
        done(mm);
    }
}

#[test]
fn the_search_reaches_the_edges_exactly() {
    // Top-down: the last room is at MMAP_MIN_ADDR, and not one page lower.
    let mut mm = new_mm(false);
    add(&mut mm, MMAP_MIN_ADDR + PAGE, BASE);
    assert_eq!(map(&mut mm, PAGE), Some(MMAP_MIN_ADDR));
    // Nothing is left below the base: the bottom-up fallback maps above it.
    assert_eq!(map(&mut mm, PAGE), Some(BASE));
    assert_eq!(cache(&mm), BASE, "the fallback leaves the cache at the base");
    done(mm);
    // Legacy: a mapping may end at TASK_SIZE exactly.
    let mut mm = new_mm(true);
    add(&mut mm, TASK_UNMAPPED_BASE, TASK_SIZE - 2 * PAGE);
    assert_eq!(map(&mut mm, 2 * PAGE), Some(TASK_SIZE - 2 * PAGE));
    assert_eq!(map(&mut mm, PAGE), None, "legacy never maps below TASK_UNMAPPED_BASE");
    done(mm);
}

#[test]
fn an_empty_space_refuses_only_what_cannot_fit() {
    for legacy in [false, true] {
        let mut mm = new_mm(legacy);
        assert_eq!(get_unmapped_area(&mut mm, va(0), TASK_SIZE), None);
        let most = if legacy { TASK_SIZE - TASK_UNMAPPED_BASE } else { BASE - MMAP_MIN_ADDR };
        assert!(get_unmapped_area(&mut mm, va(0), most).is_some());
        done(mm);
    }
}

#[test]
fn an_unmapped_hole_is_found_again() {
    // Top-down: unmapping above the cache raises it to the hole's end.
    let mut mm = new_mm(false);
    let (a, b) = (map(&mut mm, PAGE).unwrap(), map(&mut mm, PAGE).unwrap());
    assert_eq!((a, b, cache(&mm)), (BASE - PAGE, BASE - 2 * PAGE, BASE - 2 * PAGE));
    remove_vma_list(&mut mm);
    add(&mut mm, b, b + PAGE);
    arch_unmap_area(&mut mm, va(a), va(a + PAGE));
    assert_eq!(cache(&mm), BASE);
    assert_eq!(map(&mut mm, PAGE), Some(a));
    done(mm);
    // Legacy: unmapping below the cache lowers it to the hole's start.
    let mut mm = new_mm(true);
    let (a, b) = (map(&mut mm, PAGE).unwrap(), map(&mut mm, PAGE).unwrap());
    remove_vma_list(&mut mm);
    add(&mut mm, b, b + PAGE);
    arch_unmap_area(&mut mm, va(a), va(a + PAGE));
    assert_eq!(cache(&mm), a);
    assert_eq!(map(&mut mm, PAGE), Some(a));
    done(mm);
}

#[test]
fn a_stale_cache_falls_back_to_a_full_search() {
    // Legacy: the cache is past the last room; the hole below it is used.
    let mut mm = new_mm(true);
    add(&mut mm, TASK_UNMAPPED_BASE + PAGE, TASK_SIZE);
    mm.free_area_cache = va(TASK_SIZE - PAGE);
    assert_eq!(map(&mut mm, PAGE), Some(TASK_UNMAPPED_BASE));
    done(mm);
    // Top-down: the cache is below every hole; the one above it is used.
    let mut mm = new_mm(false);
    add(&mut mm, MMAP_MIN_ADDR, BASE - PAGE);
    mm.free_area_cache = va(MMAP_MIN_ADDR + PAGE);
    assert_eq!(map(&mut mm, PAGE), Some(BASE - PAGE));
    done(mm);
}
