//! Host tests of the region operations in `mmap.rs` (lab 3): every lookup
//! boundary, every merge neighbourhood, splits, the region limit, and a
//! randomised run against a plain list as the model. After every change the
//! whole descriptor is checked with `validate_mm`.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::fs::initramfs::File;
use crate::mm::mm_types::{
    MmStruct, TestMm, VmAreaStruct, VmFile, VmOperations, VmaRef, vm_area_alloc, vm_area_free,
};
use crate::mm::mmap::*;
use crate::mm::types::VirtAddr;
use crate::mm::vma::VmFlags;

const PAGE: u32 = 0x1000;
const RW: VmFlags = VmFlags::READ.union(VmFlags::WRITE).union(VmFlags::MAY_ALL);
const RO: VmFlags = VmFlags::READ.union(VmFlags::MAY_ALL);
static FILE_A: VmFile = VmFile::Initrd { file: File { name: "bin/a", ino: 2, data: &[] }, write: false };
static FILE_B: VmFile = VmFile::Initrd { file: File { name: "bin/b", ino: 3, data: &[] }, write: false };

/// An empty address space.
fn new_mm() -> TestMm {
    TestMm::new()
}

fn va(addr: u32) -> VirtAddr {
    VirtAddr::new(addr)
}

/// A region of `mm`, not yet inserted.
fn region(mm: &mut MmStruct, start: u32, end: u32, flags: VmFlags) -> VmaRef {
    vm_area_alloc(VmAreaStruct::new(mm.as_ref(), va(start), va(end), flags)).expect("the host has memory")
}

/// Inserts an anonymous region and checks the descriptor.
fn add(mm: &mut MmStruct, start: u32, end: u32, flags: VmFlags) -> VmaRef {
    let vma = region(mm, start, end, flags);
    insert_vm_struct(mm, vma).expect("the region fits");
    validate_mm(mm).unwrap();
    vma
}

/// Inserts a region of `file` starting at file page `pgoff`.
fn add_file(mm: &mut MmStruct, start: u32, end: u32, file: &'static VmFile, pgoff: u32) -> VmaRef {
    let vma = region(mm, start, end, RO);
    let v = vma.get_mut(mm);
    (v.vm_file, v.vm_pgoff) = (Some(*file), pgoff);
    insert_vm_struct(mm, vma).expect("the region fits");
    vma
}

/// The regions as `(start, end, pgoff)`, in list order.
fn layout(mm: &MmStruct) -> Vec<(u32, u32, u32)> {
    mm.vmas().map(|v| (v.get(mm).vm_start.as_u32(), v.get(mm).vm_end.as_u32(), v.get(mm).vm_pgoff)).collect()
}

/// Frees every region, so no test leaks.
fn free_all(mut mm: TestMm) {
    remove_vma_list(&mut mm);
    assert_eq!((mm.map_count, mm.mmap, mm.mm_rb.is_empty()), (0, None, true));
}

#[test]
fn find_vma_at_every_boundary() {
    let mut mm = new_mm();
    let a = add(&mut mm, 0x1000, 0x3000, RW);
    let b = add(&mut mm, 0x5000, 0x6000, RW);
    let c = add(&mut mm, 0x6000, 0x8000, RO);
    let cases = [
        (0x0, Some(a)),
        (0xfff, Some(a)),
        (0x1000, Some(a)),
        (0x2fff, Some(a)),
        (0x3000, Some(b)),
        (0x4fff, Some(b)),
        (0x5000, Some(b)),
        (0x5fff, Some(b)),
        (0x6000, Some(c)),
        (0x7fff, Some(c)),
        (0x8000, None),
        (0xffff_f000, None),
    ];
    for (addr, want) in cases {
        assert_eq!(find_vma(&mut mm, va(addr)), want, "find_vma({addr:#x})");
        if want.is_some() {
            assert_eq!(mm.mmap_cache, want, "find_vma({addr:#x}) caches its answer");
        }
    }
    free_all(mm);
}

#[test]
fn find_vma_does_not_trust_a_stale_cache() {
    let mut mm = new_mm();
    let a = add(&mut mm, 0x1000, 0x2000, RW);
    let b = add(&mut mm, 0x4000, 0x5000, RW);
    assert_eq!(find_vma(&mut mm, va(0x1000)), Some(a));
    // The cache holds `a`; an address above it must still find `b`.
    assert_eq!(find_vma(&mut mm, va(0x2000)), Some(b));
    assert_eq!(find_vma(&mut mm, va(0x4800)), Some(b));
    assert_eq!(find_vma(&mut mm, va(0x800)), Some(a));
    free_all(mm);
}

#[test]
fn find_vma_prev_and_intersection() {
    let mut mm = new_mm();
    let a = add(&mut mm, 0x1000, 0x3000, RW);
    let b = add(&mut mm, 0x5000, 0x6000, RW);
    assert_eq!(find_vma_prev(&mut mm, va(0x0)), (Some(a), None));
    assert_eq!(find_vma_prev(&mut mm, va(0x2fff)), (Some(a), None));
    assert_eq!(find_vma_prev(&mut mm, va(0x3000)), (Some(b), Some(a)));
    assert_eq!(find_vma_prev(&mut mm, va(0x5000)), (Some(b), Some(a)));
    assert_eq!(find_vma_prev(&mut mm, va(0x6000)), (None, Some(b)));
    assert_eq!(find_vma_intersection(&mut mm, va(0x3000), va(0x5000)), None);
    assert_eq!(find_vma_intersection(&mut mm, va(0x3000), va(0x5001)), Some(b));
    assert_eq!(find_vma_intersection(&mut mm, va(0x0), va(0x1001)), Some(a));
    free_all(mm);
}

#[test]
fn overlapping_regions_are_refused_adjacent_ones_taken() {
    let mut mm = new_mm();
    add(&mut mm, 0x4000, 0x8000, RW);
    for (start, end) in
        [(0x4000, 0x8000), (0x3000, 0x5000), (0x7000, 0x9000), (0x2000, 0xa000), (0x5000, 0x6000)]
    {
        let vma = region(&mut mm, start, end, RW);
        assert_eq!(insert_vm_struct(&mut mm, vma), Err(VmaError::Overlap), "[{start:#x}, {end:#x})");
        // SAFETY: refused, so linked nowhere; not used again.
        unsafe { vm_area_free(vma) };
        validate_mm(&mm).unwrap();
    }
    add(&mut mm, 0x3000, 0x4000, RW);
    add(&mut mm, 0x8000, 0x9000, RW);
    assert_eq!(mm.map_count, 3);
    free_all(mm);
}

#[test]
#[cfg_attr(miri, ignore = "65530 regions take hours under Miri")]
fn the_region_after_max_map_count_is_refused() {
    let mut mm = new_mm();
    for i in 0..MAX_MAP_COUNT {
        let vma = region(&mut mm, 2 * i * PAGE, (2 * i + 1) * PAGE, RW);
        insert_vm_struct(&mut mm, vma).unwrap();
    }
    validate_mm(&mm).unwrap();
    let one_more = region(&mut mm, 0xa000_0000, 0xa000_1000, RW);
    assert_eq!(insert_vm_struct(&mut mm, one_more), Err(VmaError::TooManyMaps));
    // SAFETY: refused, so linked nowhere; not used again.
    unsafe { vm_area_free(one_more) };
    let first = mm.mmap.unwrap();
    assert_eq!(split_vma(&mut mm, first, va(0x800), true), Err(VmaError::TooManyMaps));
    assert_eq!(mm.map_count, MAX_MAP_COUNT);
    free_all(mm);
}

/// What sits next to the hole `[0x4000, 0x6000)` in the merge tests.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Neighbour {
    None,
    /// Adjacent, same flags and file, file pages following on.
    Compatible,
    /// Adjacent but read-only.
    OtherFlags,
    /// Adjacent, another file.
    OtherFile,
    /// Adjacent, same file, file pages not following on.
    OtherOffset,
    /// Compatible but a page away from the hole.
    Gap,
}

const NEIGHBOURS: [Neighbour; 6] = [
    Neighbour::None,
    Neighbour::Compatible,
    Neighbour::OtherFlags,
    Neighbour::OtherFile,
    Neighbour::OtherOffset,
    Neighbour::Gap,
];

/// Adds the neighbour below (`below`) or above the hole; the hole's own
/// file pages are 10 and 11, so a compatible region below ends at page 10
/// and one above starts at page 12.
fn add_neighbour(mm: &mut MmStruct, kind: Neighbour, below: bool) -> Option<VmaRef> {
    let (start, end, pgoff) = if below { (0x2000, 0x4000, 8) } else { (0x6000, 0x8000, 12) };
    let vma = match kind {
        Neighbour::None => return None,
        Neighbour::Gap if below => add_file(mm, start - PAGE, end - PAGE, &FILE_A, pgoff),
        Neighbour::Gap => add_file(mm, start + PAGE, end + PAGE, &FILE_A, pgoff),
        Neighbour::OtherFile => add_file(mm, start, end, &FILE_B, pgoff),
        Neighbour::OtherOffset => add_file(mm, start, end, &FILE_A, pgoff + 1),
        Neighbour::Compatible | Neighbour::OtherFlags => add_file(mm, start, end, &FILE_A, pgoff),
    };
    if kind == Neighbour::OtherFlags {
        vma.get_mut(mm).set_flags(RW);
    }
    Some(vma)
}

#[test]
fn vma_merge_in_every_neighbourhood() {
    for below in NEIGHBOURS {
        for above in NEIGHBOURS {
            let mut mm = new_mm();
            let prev = add_neighbour(&mut mm, below, true);
            let next = add_neighbour(&mut mm, above, false);
            let before = layout(&mm);
            let merged = vma_merge(&mut mm, prev, va(0x4000), va(0x6000), RO, Some(&FILE_A), 10);
            validate_mm(&mm).unwrap();
            let case = format!("below {below:?}, above {above:?}");
            let (grow_prev, grow_next) = (below == Neighbour::Compatible, above == Neighbour::Compatible);
            let want = match (grow_prev, grow_next) {
                (true, true) => vec![(0x2000, 0x8000, 8)],
                (true, false) => {
                    let mut want = vec![(0x2000, 0x6000, 8)];
                    want.extend(before.iter().skip(1));
                    want
                }
                (false, true) => {
                    let mut want: Vec<_> = before.iter().take(before.len() - 1).copied().collect();
                    want.push((0x4000, 0x8000, 10));
                    want
                }
                (false, false) => before.clone(),
            };
            assert_eq!(layout(&mm), want, "{case}");
            assert_eq!(
                merged,
                if grow_prev {
                    prev
                } else if grow_next {
                    next
                } else {
                    None
                },
                "{case}"
            );
            free_all(mm);
        }
    }
}

#[test]
fn anonymous_regions_merge_whatever_their_offset() {
    let mut mm = new_mm();
    let prev = add(&mut mm, 0x1000, 0x2000, RW);
    add(&mut mm, 0x3000, 0x4000, RW);
    assert_eq!(vma_merge(&mut mm, Some(prev), va(0x2000), va(0x3000), RW, None, 7), Some(prev));
    assert_eq!(layout(&mm), [(0x1000, 0x4000, 0)]);
    assert_eq!(mm.map_count, 1);
    // A file region does not merge with anonymous memory.
    assert_eq!(vma_merge(&mut mm, Some(prev), va(0x4000), va(0x5000), RW, Some(&FILE_A), 0), None);
    free_all(mm);
}

#[test]
fn split_vma_keeps_file_offsets_and_both_structures() {
    for new_below in [true, false] {
        let mut mm = new_mm();
        let vma = add_file(&mut mm, 0x10000, 0x14000, &FILE_A, 5);
        split_vma(&mut mm, vma, va(0x11000), new_below).unwrap();
        validate_mm(&mm).unwrap();
        assert_eq!(layout(&mm), [(0x10000, 0x11000, 5), (0x11000, 0x14000, 6)]);
        let kept = if new_below { (0x11000, 0x14000) } else { (0x10000, 0x11000) };
        assert_eq!((vma.get(&mm).vm_start.as_u32(), vma.get(&mm).vm_end.as_u32()), kept);
        assert_eq!(find_vma(&mut mm, va(0x10fff)).map(|v| v.get(&mm).vm_pgoff), Some(5));
        assert_eq!(find_vma(&mut mm, va(0x11000)).map(|v| v.get(&mm).vm_pgoff), Some(6));
        free_all(mm);
    }
}

static OPENED: AtomicU32 = AtomicU32::new(0);
static CLOSED: AtomicU32 = AtomicU32::new(0);
static COUNTING_OPS: VmOperations = VmOperations {
    open: Some(|_| _ = OPENED.fetch_add(1, Ordering::Relaxed)),
    close: Some(|_| _ = CLOSED.fetch_add(1, Ordering::Relaxed)),
    fault: None,
};

#[test]
fn split_opens_the_copy_and_removal_closes_each_region() {
    let mut mm = new_mm();
    let vma = region(&mut mm, 0x1000, 0x4000, RW);
    vma.get_mut(&mut mm).vm_ops = Some(&COUNTING_OPS);
    insert_vm_struct(&mut mm, vma).unwrap();
    split_vma(&mut mm, vma, va(0x2000), false).unwrap();
    assert_eq!(OPENED.load(Ordering::Relaxed), 1);
    // Regions with a `close` never merge: merging would skip the close.
    let upper = find_vma(&mut mm, va(0x2000));
    assert_eq!(vma_merge(&mut mm, upper, va(0x4000), va(0x5000), RW, None, 0), None);
    free_all(mm);
    assert_eq!(CLOSED.load(Ordering::Relaxed), 2);
}

/// A small deterministic generator (xorshift32) for the randomised test.
struct Rng(u32);

impl Rng {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 % n
    }
}

#[test]
fn random_inserts_removals_and_splits_match_a_list() {
    let mut rng = Rng(0x2545_f491);
    let mut mm = new_mm();
    let mut model: Vec<(u32, u32)> = Vec::new();
    // Fewer steps under Miri, which runs them some thousand times slower.
    for _ in 0..if cfg!(miri) { 300 } else { 3000 } {
        let start = rng.below(256) * PAGE;
        let end = start + (1 + rng.below(4)) * PAGE;
        match rng.below(3) {
            0 => {
                let vma = region(&mut mm, start, end, RW);
                let overlaps = model.iter().any(|&(s, e)| s < end && start < e);
                match insert_vm_struct(&mut mm, vma) {
                    Ok(()) => model.push((start, end)),
                    Err(error) => {
                        assert!(overlaps && error == VmaError::Overlap);
                        // SAFETY: refused, so linked nowhere; not used again.
                        unsafe { vm_area_free(vma) };
                    }
                }
            }
            1 => {
                if let (Some(vma), prev) = find_vma_prev(&mut mm, va(start)) {
                    let range = (vma.get(&mm).vm_start.as_u32(), vma.get(&mm).vm_end.as_u32());
                    __vma_unlink(&mut mm, vma, prev);
                    // SAFETY: unlinked just now, and not used again.
                    unsafe { remove_vma(&mut mm, vma) };
                    model.retain(|&r| r != range);
                }
            }
            _ => {
                if let Some(vma) =
                    find_vma(&mut mm, va(start)).filter(|v| v.get(&mm).vm_start.as_u32() < start)
                {
                    let end = vma.get(&mm).vm_end.as_u32();
                    split_vma(&mut mm, vma, va(start), rng.below(2) == 0).unwrap();
                    let at = model.iter().position(|&(_, e)| e == end).unwrap();
                    let (s, _) = model[at];
                    model[at] = (s, start);
                    model.push((start, end));
                }
            }
        }
        validate_mm(&mm).unwrap();
        model.sort();
        let got: Vec<_> = layout(&mm).iter().map(|&(s, e, _)| (s, e)).collect();
        assert_eq!(got, model);
        let probe = rng.below(260) * PAGE + rng.below(PAGE);
        let want = model.iter().find(|&&(_, e)| probe < e).copied();
        let found =
            find_vma(&mut mm, va(probe)).map(|v| (v.get(&mm).vm_start.as_u32(), v.get(&mm).vm_end.as_u32()));
        assert_eq!(found, want, "find_vma({probe:#x})");
    }
    free_all(mm);
}
