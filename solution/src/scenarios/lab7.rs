//! Lab 7 scenarios run as kernel tests: the pkmap window filled by one
//! kernel thread while a second waits for a slot, the misuses the kernel
//! reports, and `vmalloc`'s areas. (`highuser`, user pages in high memory, runs a user
//! program as `init`.)

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use spin::Mutex;

use crate::drivers::serial;
use crate::fs::procfs::proc_read;
use crate::mm::gfp::GFP_HIGHUSER;
use crate::mm::highmem::{KmType, alloc_pages, kmap, kmap_atomic, kunmap, page_address, pkmap_stats};
use crate::mm::layout::{LAST_PKMAP, PKMAP_BASE, max_low_pfn};
use crate::mm::mm_struct::{init_mm, mm_alloc, mmput, switch_mm};
use crate::mm::node::__free_pages;
use crate::mm::types::{PAGE_SIZE, Pfn, VirtAddr};
use crate::mm::vmalloc::vfree;
use crate::mm::vmstat::{VmEvent, vm_events};
use crate::pr_info;
use crate::proc::exit::do_wait;
use crate::proc::fork::kernel_thread;
use crate::proc::sched::{schedule, wait_until};

/// The high frames the two threads map: one per slot, and one more.
static FRAMES: Mutex<Vec<Pfn>> = Mutex::new(Vec::new());
/// The holder has every slot; the waiter has asked for one more.
static WINDOW_FULL: AtomicBool = AtomicBool::new(false);
static WAITER_ASKED: AtomicBool = AtomicBool::new(false);
/// Threads that have finished.
static DONE: AtomicU32 = AtomicU32::new(0);

/// The word each frame holds: its own number, written through
/// `kmap_atomic` before any `kmap`, so that a mapping of the wrong frame
/// shows.
fn stamp(pfn: Pfn) {
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the frame, which this scenario owns.
    unsafe { page.as_mut_ptr::<u32>().write(pfn.as_u32()) };
}

/// The window's slot at kernel address `va`.
fn slot_of(va: VirtAddr) -> u32 {
    (va.as_u32() - PKMAP_BASE) / PAGE_SIZE
}

/// Reads the first word of a frame through its `kmap` address.
fn read_mapped(va: VirtAddr) -> u32 {
    // SAFETY: `kmap` mapped a frame this scenario owns at `va`.
    unsafe { va.as_ptr::<u32>().read() }
}

/// `kmap` of `LAST_PKMAP + 1` high frames: a first kernel thread maps one
/// per slot, until the window is full; a second asks for one more and
/// waits, until the first gives one slot back. Then the counts.
pub fn kmapfull() {
    let frames: Vec<Pfn> =
        (0..=LAST_PKMAP).map(|_| alloc_pages(GFP_HIGHUSER, 0).expect("high frames")).collect();
    assert!(frames.iter().all(|&pfn| pfn >= max_low_pfn()), "every frame is a high one");
    frames.iter().copied().for_each(stamp);
    pr_info!(
        "{} high frames, none in the kernel's address space: page_address is {:?}",
        frames.len(),
        page_address(frames[0])
    );
    *FRAMES.lock() = frames;
    kernel_thread("holder", holder).expect("memory for a kernel thread");
    kernel_thread("waiter", waiter).expect("memory for a kernel thread");
    wait_until(|| DONE.load(Ordering::Relaxed) == 2);
    for _ in 0..2 {
        do_wait(-1, 0).expect("the two threads are the idle task's children");
    }
    let (stats, waits) = (pkmap_stats(), vm_events(VmEvent::PkmapWait));
    pr_info!(
        "pkmap: {} slots in use, at most {}, {} flushes, {} kmaps found the window full, {} waited",
        stats.in_use,
        stats.high_water,
        stats.flushes,
        stats.full,
        waits
    );
    core::mem::take(&mut *FRAMES.lock()).into_iter().for_each(|pfn| __free_pages(pfn, 0));
}

/// Maps one frame per slot, checks each through its mapping, waits for the
/// waiter to ask for one more, and gives one slot back; then all.
extern "C" fn holder() {
    let frames: Vec<Pfn> = FRAMES.lock()[..LAST_PKMAP as usize].to_vec();
    let mut right = 0;
    for &pfn in &frames {
        right += u32::from(read_mapped(kmap(pfn)) == pfn.as_u32());
    }
    let first = page_address(frames[0]).expect("mapped");
    pr_info!(
        "holder: {} frames mapped, {right} read back right; the first at {first}, slot {}",
        frames.len(),
        slot_of(first)
    );
    WINDOW_FULL.store(true, Ordering::Relaxed);
    wait_until(|| WAITER_ASKED.load(Ordering::Relaxed));
    // Let the waiter find the window full and wait.
    schedule();
    let slot = slot_of(page_address(frames[100]).expect("mapped"));
    pr_info!("holder: kunmap of the frame in slot {slot}, which the waiter may take after a flush");
    kunmap(frames[100]);
    schedule();
    frames.iter().enumerate().filter(|&(i, _)| i != 100).for_each(|(_, &pfn)| kunmap(pfn));
    pr_info!("holder: all given back");
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// Once the window is full, maps one frame more: waits, then gets the slot
/// the holder gave back.
extern "C" fn waiter() {
    wait_until(|| WINDOW_FULL.load(Ordering::Relaxed));
    let pfn = FRAMES.lock()[LAST_PKMAP as usize];
    pr_info!("waiter: kmap of one frame more, with every slot in use");
    WAITER_ASKED.store(true, Ordering::Relaxed);
    let va = kmap(pfn);
    let right = read_mapped(va) == pfn.as_u32();
    pr_info!("waiter: woken with slot {} of the window, the frame reads back right: {right}", slot_of(va));
    kunmap(pfn);
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// Misuses of the temporary mappings, which the kernel reports: a `kunmap`
/// of a frame `kmap` never mapped, then a `kmap_atomic` slot taken twice,
/// which panics.
pub fn kmisuse() {
    let pfn = alloc_pages(GFP_HIGHUSER, 0).expect("a high frame");
    pr_info!("kunmap of a frame kmap never mapped:");
    kunmap(pfn);
    let va = kmap(pfn);
    kunmap(pfn);
    pr_info!("kunmap once more, after the one kmap was undone:");
    kunmap(pfn);
    pr_info!(
        "page_address after the kunmap: still {:?}, until a flush frees the slot",
        page_address(pfn).map(|at| at == va)
    );
    pr_info!("kmap_atomic of slot User0 while it is held:");
    let _first = kmap_atomic(pfn, KmType::User0);
    let _second = kmap_atomic(pfn, KmType::User0);
    unreachable!("a slot taken twice panics");
}

/// `vmalloc` of three areas, shown in `/proc/vmallocinfo` with their guard
/// pages, written and read through; the middle one freed and its gap found
/// again. It runs on a fresh process's page directory, copied before the
/// vmalloc area had a page table: the first touch takes a `vmalloc_fault`.
pub fn vmalloc() {
    let mm = mm_alloc().expect("memory for an address space");
    switch_mm(mm);
    let sizes = [3 * PAGE_SIZE, 1, 20 * PAGE_SIZE];
    let areas: Vec<VirtAddr> = sizes.iter().map(|&size| vmalloc_area(size, "scenario")).collect();
    show_vmallocinfo();
    for (&area, &size) in areas.iter().zip(&sizes) {
        let words = size.div_ceil(PAGE_SIZE) * PAGE_SIZE / 4;
        // SAFETY: vmalloc mapped `words` words at `area` for this scenario.
        let buffer = unsafe { core::slice::from_raw_parts_mut(area.as_mut_ptr::<u32>(), words as usize) };
        buffer.iter_mut().enumerate().for_each(|(i, word)| *word = i as u32 ^ area.as_u32());
        let right = buffer.iter().enumerate().all(|(i, &word)| word == i as u32 ^ area.as_u32());
        pr_info!("{area}: pages={}, written and read back right: {right}", words * 4 / PAGE_SIZE);
    }
    pr_info!("vmalloc faults so far: {}", vm_events(VmEvent::VmallocFault));
    vfree(areas[1]);
    let again = vmalloc_area(PAGE_SIZE, "again");
    let bigger = vmalloc_area(2 * PAGE_SIZE, "bigger");
    pr_info!("after vfree of {}: one page goes to {again}, two to {bigger}", areas[1]);
    show_vmallocinfo();
    pr_info!("vfree of an address vmalloc did not return:");
    vfree(VirtAddr::new(areas[0].as_u32() + PAGE_SIZE));
    areas
        .iter()
        .filter(|&&area| area != areas[1])
        .chain([again, bigger].iter())
        .for_each(|&area| vfree(area));
    show_vmallocinfo();
    switch_mm(init_mm());
    mmput(mm);
}

fn vmalloc_area(size: u32, caller: &'static str) -> VirtAddr {
    crate::mm::vmalloc::vmalloc(size, caller).expect("room and frames for a small area")
}

fn show_vmallocinfo() {
    pr_info!("/proc/vmallocinfo:");
    serial::write_bytes(&proc_read("/proc/vmallocinfo").expect("/proc/vmallocinfo exists"));
}
