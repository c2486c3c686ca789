//! A benchmark of `find_vma` over the most regions an address space may
//! have (`MAX_MAP_COUNT`: 65530 one-page regions, each a page above the
//! last), against the two obvious alternatives answering the same question
//! ("the first region ending above `addr`"): a walk of the region list from
//! its head, and a `std::collections::BTreeMap` keyed by start address. It
//! also times inserting all the regions and erasing them again, against
//! `BTreeMap`'s `insert` and `remove`.
//!
//! Lookups follow two patterns: random addresses over the regions, their
//! gaps and a page above them, so `mmap_cache` almost never holds the
//! answer; and a local one, 16 addresses inside each region in address
//! order, so the cache holds 15 answers of 16. The goals the tree was built
//! for are at least 100 times the list's lookups per second and at least
//! half `BTreeMap`'s; they are printed as met or not, never asserted. Only
//! the answers are checked: all three agree on every address.
//!
//! It is an ignored test: `cargo xtask bench` runs it in release mode and
//! prints the figures.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::ops::Bound;
use std::time::{Duration, Instant};

use super::bench::Rng;
use crate::mm::mm_types::{MmStruct, TestMm, VmAreaStruct, VmaRef, vm_area_alloc, vm_area_free};
use crate::mm::mmap::{
    __vma_unlink, MAX_MAP_COUNT, find_vma, insert_vm_struct, remove_vma_list, validate_mm,
};
use crate::mm::types::VirtAddr;
use crate::mm::vma::VmFlags;

const PAGE: u32 = 0x1000;
const REGIONS: u32 = MAX_MAP_COUNT;
/// Random addresses fall in `[0, SPAN)`: regions, gaps, and a page above.
const SPAN: u32 = (2 * REGIONS + 1) * PAGE;
/// Addresses looked up in each region by the local pattern.
const PER_REGION: u32 = 16;
/// Random lookups per run for the tree and `BTreeMap`.
const LOOKUPS: usize = 1 << 20;
/// Lookups per run for the list: each walks half of it on average.
const LIST_LOOKUPS: usize = 1 << 10;
/// Best of this many runs.
const RUNS: usize = 5;
const RW: VmFlags = VmFlags::READ.union(VmFlags::WRITE).union(VmFlags::MAY_ALL);

/// The model: region start to `(start, end)`.
type Model = BTreeMap<u32, (u32, u32)>;

/// Region `i` is `[(2i + 1) pages, (2i + 2) pages)`: a one-page gap below
/// each.
fn region_start(i: u32) -> u32 {
    (2 * i + 1) * PAGE
}

/// Allocates region `i` of `mm`, not yet inserted.
fn new_region(mm: &mut MmStruct, i: u32) -> VmaRef {
    let start = region_start(i);
    let vma = VmAreaStruct::new(mm.as_ref(), VirtAddr::new(start), VirtAddr::new(start + PAGE), RW);
    vm_area_alloc(vma).expect("the host has memory")
}

/// An address space holding every region, inserted in address order.
fn full_mm() -> TestMm {
    let mut mm = TestMm::new();
    for i in 0..REGIONS {
        let vma = new_region(&mut mm, i);
        insert_vm_struct(&mut mm, vma).expect("the region fits");
    }
    assert_eq!(validate_mm(&mm), Ok(()));
    mm
}

fn full_model() -> Model {
    (0..REGIONS).map(|i| (region_start(i), (region_start(i), region_start(i) + PAGE))).collect()
}

/// The kernel's answer: the start of the region `find_vma` finds.
fn tree_lookup(mm: &mut MmStruct, addr: u32) -> Option<u32> {
    find_vma(mm, VirtAddr::new(addr)).map(|vma| vma.get(mm).vm_start.as_u32())
}

/// The same answer from the list: the first region ending above `addr`.
fn list_lookup(mm: &MmStruct, addr: u32) -> Option<u32> {
    mm.vmas().find(|vma| vma.get(mm).vm_end.as_u32() > addr).map(|vma| vma.get(mm).vm_start.as_u32())
}

/// The same answer from the model: the region starting at or below `addr`
/// if it still holds `addr`, else the next one up.
fn btree_lookup(map: &Model, addr: u32) -> Option<u32> {
    match map.range(..=addr).next_back() {
        Some((_, &(start, end))) if addr < end => Some(start),
        _ => map.range((Bound::Excluded(addr), Bound::Unbounded)).next().map(|(&start, _)| start),
    }
}

/// Random addresses over the whole span.
fn random_addresses() -> Vec<u32> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    (0..LOOKUPS).map(|_| (rng.next() % u64::from(SPAN)) as u32).collect()
}

/// `PER_REGION` addresses inside each region, regions in address order.
fn local_addresses() -> Vec<u32> {
    let step = PAGE / PER_REGION;
    (0..REGIONS).flat_map(|i| (0..PER_REGION).map(move |k| region_start(i) + k * step)).collect()
}

/// `LIST_LOOKUPS` addresses spread evenly over `addrs`.
fn list_sample(addrs: &[u32]) -> Vec<u32> {
    addrs.iter().step_by(addrs.len() / LIST_LOOKUPS).take(LIST_LOOKUPS).copied().collect()
}

/// Checks that the three agree on every address of `addrs` (the list on a
/// sample) and on the edges; returns the fraction `mmap_cache` answered.
fn check_answers(mm: &mut MmStruct, map: &Model, addrs: &[u32]) -> f64 {
    let mut hits = 0;
    for &addr in addrs {
        hits += usize::from(mm.mmap_cache.is_some_and(|vma| vma.get(mm).contains(VirtAddr::new(addr))));
        assert_eq!(tree_lookup(mm, addr), btree_lookup(map, addr), "find_vma({addr:#x})");
    }
    let last = region_start(REGIONS - 1);
    let edges = [0, PAGE - 1, PAGE, 2 * PAGE, last, last + PAGE - 1, last + PAGE, SPAN - 1];
    for addr in list_sample(addrs).into_iter().chain(edges) {
        let answer = tree_lookup(mm, addr);
        assert_eq!(answer, btree_lookup(map, addr), "find_vma({addr:#x})");
        assert_eq!(answer, list_lookup(mm, addr), "find_vma({addr:#x})");
    }
    hits as f64 / addrs.len() as f64
}

/// Lookups per second of `lookup` over `addrs`, best of `RUNS`.
fn lookups_per_second(addrs: &[u32], mut lookup: impl FnMut(u32) -> Option<u32>) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let start = Instant::now();
        for &addr in addrs {
            black_box(lookup(black_box(addr)));
        }
        best = best.min(start.elapsed());
    }
    addrs.len() as f64 / best.as_secs_f64()
}

/// Measures and prints one lookup pattern: lookups per second of the tree,
/// the list and the model, their ratios, and whether the goals are met.
fn lookup_row(name: &str, mm: &mut MmStruct, map: &Model, addrs: &[u32]) {
    let hits = check_answers(mm, map, addrs);
    let sample = list_sample(addrs);
    let tree = lookups_per_second(addrs, |addr| tree_lookup(mm, addr));
    let list = lookups_per_second(&sample, |addr| list_lookup(mm, addr));
    let btree = lookups_per_second(addrs, |addr| btree_lookup(map, addr));
    let (vs_list, vs_btree) = (tree / list, tree / btree);
    println!(
        "{name:<8} {tree:>13.0} {list:>10.0} {btree:>13.0} {vs_list:>8.0}x {vs_btree:>12.2}x {:>10.1}%",
        hits * 100.0
    );
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "{:<8} goals: tree >= 100x list {}, tree within 2x of BTreeMap {}",
        "",
        met(vs_list >= 100.0),
        met(vs_btree >= 0.5)
    );
}

/// Times inserting every region into a new address space in `order`, then
/// erasing them all from the head of the list, as `remove_vma_list` does.
/// Inserting includes `vm_area_alloc`, erasing `vm_area_free`.
fn tree_insert_erase(order: &[u32]) -> (Duration, Duration) {
    let mut mm = TestMm::new();
    let start = Instant::now();
    for &i in order {
        let vma = new_region(&mut mm, black_box(i));
        insert_vm_struct(&mut mm, vma).expect("the region fits");
    }
    let insert = start.elapsed();
    assert_eq!((validate_mm(&mm), mm.map_count), (Ok(()), REGIONS));
    let start = Instant::now();
    while let Some(vma) = mm.mmap {
        __vma_unlink(&mut mm, vma, None);
        // SAFETY: unlinked just now; the loop reads the next from the list.
        unsafe { vm_area_free(vma) };
    }
    let erase = start.elapsed();
    assert_eq!((mm.map_count, mm.mm_rb.is_empty()), (0, true));
    (insert, erase)
}

/// The same with the model: insert in `order`, remove in address order.
fn btree_insert_erase(order: &[u32]) -> (Duration, Duration) {
    let mut map = Model::new();
    let start = Instant::now();
    for &i in order {
        let addr = region_start(black_box(i));
        map.insert(addr, (addr, addr + PAGE));
    }
    let insert = start.elapsed();
    assert_eq!(map.len(), REGIONS as usize);
    let start = Instant::now();
    for i in 0..REGIONS {
        black_box(map.remove(&region_start(black_box(i))));
    }
    (insert, start.elapsed())
}

/// Million operations per second of inserting and of erasing, best of
/// `RUNS` each.
fn insert_erase_rates(run: impl Fn() -> (Duration, Duration)) -> (f64, f64) {
    let (mut insert, mut erase) = (Duration::MAX, Duration::MAX);
    for _ in 0..RUNS {
        let (i, e) = run();
        (insert, erase) = (insert.min(i), erase.min(e));
    }
    let rate = |d: Duration| f64::from(REGIONS) / d.as_secs_f64() / 1e6;
    (rate(insert), rate(erase))
}

/// The region numbers in a random order (Fisher-Yates).
fn shuffled_regions() -> Vec<u32> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut order: Vec<u32> = (0..REGIONS).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    order
}

#[test]
#[ignore = "a benchmark: run it with `cargo xtask bench`"]
fn find_vma_benchmark() {
    let (mut mm, map) = (full_mm(), full_model());
    println!(
        "\nfind_vma over {REGIONS} one-page regions a page apart, best of {RUNS} runs, lookups per second"
    );
    println!(
        "{:<8} {:>13} {:>10} {:>13} {:>9} {:>13} {:>11}",
        "pattern", "rb-tree+cache", "list", "BTreeMap", "tree/list", "tree/BTreeMap", "cache hits"
    );
    lookup_row("random", &mut mm, &map, &random_addresses());
    lookup_row("local", &mut mm, &map, &local_addresses());
    remove_vma_list(&mut mm);

    let order = shuffled_regions();
    let (tree_insert, tree_erase) = insert_erase_rates(|| tree_insert_erase(&order));
    let (btree_insert, btree_erase) = insert_erase_rates(|| btree_insert_erase(&order));
    println!(
        "\nall {REGIONS} regions inserted in random order, then erased in address order, \
         million per second"
    );
    println!("{:<8} {:>13} {:>13} {:>13}", "", "rb-tree+list", "BTreeMap", "tree/BTreeMap");
    println!(
        "{:<8} {tree_insert:>13.2} {btree_insert:>13.2} {:>12.2}x",
        "insert",
        tree_insert / btree_insert
    );
    println!("{:<8} {tree_erase:>13.2} {btree_erase:>13.2} {:>12.2}x", "erase", tree_erase / btree_erase);
}
