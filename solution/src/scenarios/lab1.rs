//! Lab 1 scenarios: zones, the buddy allocator, and the kernel's page
//! tables. Every allocation a scenario makes is freed before it returns;
//! `scenarios::run` checks that the free-page count came back.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::arch::x86::sections::kernel_sections;
use crate::mm::dump::{buddyinfo, show_buddyinfo, show_meminfo, show_page_tables, show_walk, show_zoneinfo};
use crate::mm::gfp::{GFP_DMA, GFP_HIGHUSER, GFP_KERNEL, Gfp};
use crate::mm::highmem::{KmType, alloc_pages, kmap_atomic};
use crate::mm::kernel_pgtable::{map_kernel_page, protect_kernel_page, unmap_kernel_page};
use crate::mm::layout::{__pa, __va, PAGE_OFFSET, vmalloc_start};
use crate::mm::layout::{high_memory, in_direct_map};
use crate::mm::node::{__free_pages, node, nr_free_pages};
use crate::mm::page::index;
use crate::mm::pgtable::PteFlags;
use crate::mm::pgwalk::Walk;
use crate::mm::types::{PAGE_SIZE, Pfn, VirtAddr};
use crate::pr_info;

/// The zones of this machine as `/proc/zoneinfo`, `/proc/buddyinfo` and
/// `/proc/meminfo` show them (run at several memory sizes).
pub fn zones() {
    show_zoneinfo();
    show_buddyinfo();
    show_meminfo();
}

/// Fragments memory with a mix of orders, frees it in another order, and
/// checks that every block merged back: buddyinfo returns to its boot state.
pub fn buddy() {
    let before = buddyinfo();
    show_buddyinfo();
    // An array, not a Vec: heap pages would show in buddyinfo too.
    let mut blocks = [(Pfn::new(0), 0); 64];
    for (round, block) in blocks.iter_mut().enumerate() {
        let order = [0, 0, 1, 0, 2, 3, 0, 1][round % 8];
        *block = (alloc_pages(GFP_KERNEL, order).expect("memory for the workload"), order);
    }
    pr_info!(
        "allocated 64 blocks of orders 0-3; first pfns {} {} {} {}",
        blocks[0].0,
        blocks[1].0,
        blocks[2].0,
        blocks[3].0
    );
    show_buddyinfo();
    for &(pfn, order) in blocks.iter().step_by(2) {
        __free_pages(pfn, order);
    }
    pr_info!("freed every other block");
    show_buddyinfo();
    for &(pfn, order) in blocks.iter().skip(1).step_by(2).rev() {
        __free_pages(pfn, order);
    }
    pr_info!("freed the rest, newest first");
    show_buddyinfo();
    let restored = buddyinfo() == before;
    pr_info!("buddyinfo back to its state at boot: {}", if restored { "yes" } else { "no" });
    let pgdat = node();
    for zone in &pgdat.zones {
        if let Err(problem) = zone.check_free_lists(pgdat.mem_map) {
            panic!("free lists corrupt: {problem}");
        }
    }
    pr_info!("free lists consistent with mem_map and the counters: yes");
    assert!(restored, "some blocks did not merge back");
}

/// Allocates until each zone of the zonelist is down to its minimum
/// watermark, printing where the allocator falls back, then frees it all.
/// The pages are chained through their own first word: the heap cannot grow
/// while memory runs out.
pub fn exhaust() {
    let mut chain: Option<Pfn> = None;
    let mut count = 0;
    let mut last_zone = None;
    pr_info!("allocating GFP_KERNEL pages until the allocator refuses");
    while let Some(pfn) = alloc_pages(GFP_KERNEL, 0) {
        let zone = node().mem_map[index(pfn)].zone;
        if last_zone != Some(zone) {
            pr_info!("page {count}: from zone {}", zone.name());
            last_zone = Some(zone);
        }
        // SAFETY: a GFP_KERNEL page is ours and directly mapped.
        unsafe { *__va(pfn.addr()).as_mut_ptr::<u32>() = chain.map_or(0, Pfn::as_u32) };
        chain = Some(pfn);
        count += 1;
    }
    pr_info!("refused after {count} pages; free pages left per zone:");
    show_free_versus_min();
    let dma = alloc_pages(GFP_DMA, 0);
    pr_info!("a GFP_DMA page now: {}", if dma.is_some() { "granted" } else { "refused" });
    let high = alloc_pages(GFP_HIGHUSER, 0);
    let high_zone = high.map(|pfn| node().mem_map[index(pfn)].zone.name());
    pr_info!("a GFP_HIGHUSER page now: {}", high_zone.unwrap_or("refused"));
    for pfn in dma.into_iter().chain(high) {
        __free_pages(pfn, 0);
    }
    while let Some(pfn) = chain {
        // SAFETY: each chained page holds the number of the next one (0 ends).
        let next = unsafe { *__va(pfn.addr()).as_ptr::<u32>() };
        __free_pages(pfn, 0);
        chain = (next != 0).then(|| Pfn::new(next));
    }
    pr_info!("freed all {count} pages");
}

fn show_free_versus_min() {
    let pgdat = node();
    for zone in pgdat.zones.iter().filter(|z| z.present_pages > 0) {
        pr_info!("  {:>8}: {} free, min {}", zone.kind.name(), zone.free_pages, zone.pages_min);
    }
}

/// Frees a page twice, and a reserved page: both are reported, and neither
/// changes the free lists.
pub fn double_free() {
    let pfn = alloc_pages(GFP_KERNEL, 0).expect("a page");
    let free = nr_free_pages();
    __free_pages(pfn, 0);
    pr_info!("first free: {} pages more", nr_free_pages() - free);
    let before = buddyinfo();
    __free_pages(pfn, 0);
    __free_pages(Pfn::new(0), 0);
    pr_info!("free lists unchanged: {}", if buddyinfo() == before { "yes" } else { "no" });
}

/// Maps a fresh page into the empty vmalloc area, writes through the new
/// mapping and reads the same bytes through the direct map, makes it
/// read-only, unmaps it, and finally touches the address again, which must
/// fault.
pub fn pgmap() {
    let va = vmalloc_start(high_memory());
    let free = nr_free_pages();
    let pfn = alloc_pages(GFP_KERNEL | Gfp::ZERO, 0).expect("a page");
    map_kernel_page(va, pfn).expect("the vmalloc area is empty");
    pr_info!("mapped {va} to frame {pfn}: {} pages used, the frame and a page table", free - nr_free_pages());
    show_page_tables(va, va + 2 * PAGE_SIZE);
    show_walk(va);
    // SAFETY: `va` maps `pfn`, a page this scenario owns.
    unsafe { va.as_mut_ptr::<u32>().write_volatile(0xC0FF_EE00) };
    // SAFETY: the direct map covers the low-memory frame `pfn`.
    let seen = unsafe { __va(pfn.addr()).as_ptr::<u32>().read_volatile() };
    pr_info!("wrote 0xc0ffee00 through {va}, read {seen:#x} through {}", __va(pfn.addr()));
    protect_kernel_page(va, PteFlags::empty()).expect("it is mapped");
    show_walk(va);
    // SAFETY: `va` still maps `pfn`, now read-only.
    let again = unsafe { va.as_ptr::<u32>().read_volatile() };
    pr_info!("read-only now; reading it still gives {again:#x}");
    let old = unmap_kernel_page(va).expect("it was mapped");
    __free_pages(old.pfn(), 0);
    show_walk(va);
    pr_info!(
        "unmapped and freed the frame: {} page still used, the page table, kept as on Linux",
        free - nr_free_pages()
    );
    pr_info!("touching {va} again");
    // SAFETY: not safe at all: the page fault is the test.
    unsafe { va.as_ptr::<u32>().read_volatile() };
}

/// A highmem page zeroed through a temporary mapping, then the kernel heap:
/// boxes, vectors that grow across slab sizes and into whole pages, strings.
pub fn kmalloc() {
    let free = nr_free_pages();
    let high = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).expect("a page");
    let zone = node().mem_map[index(high)].zone;
    // SAFETY: the mapping lives until the end of the statement and covers the page.
    let first_word = unsafe { kmap_atomic(high, KmType::User0).as_mut_ptr::<u32>().read() };
    pr_info!("a zeroed GFP_HIGHUSER page from {}: first word {first_word:#x}", zone.name());
    __free_pages(high, 0);
    let boxes: Vec<Box<[u8; 24]>> = (0..100u8).map(|i| Box::new([i; 24])).collect();
    let sum: u32 = boxes.iter().map(|b| u32::from(b[23])).sum();
    pr_info!("100 boxes of 24 bytes: sum of their last bytes {sum}");
    let mut v: Vec<u32> = Vec::new();
    for i in 0..5000 {
        v.push(i);
    }
    pr_info!("a vector grown to {} elements: sum {}", v.len(), v.iter().sum::<u32>());
    let mut s = String::new();
    for word in ["page", "zone", "buddy", "slab"] {
        s.push_str(word);
        s.push(' ');
    }
    pr_info!("a string: '{}'", s.trim_end());
    pr_info!("heap in use now: {} pages", free - nr_free_pages());
    drop((boxes, v, s));
    pr_info!("everything dropped: {} pages in use", free - nr_free_pages());
}

/// Walks addresses inside and outside the direct map of `swapper_pg_dir` and
/// checks each against what the layout says: `__pa(va)` for the direct map,
/// nothing elsewhere (in particular, no identity mapping is left).
pub fn pgwalk() {
    let text = kernel_sections()[0].1;
    let high = high_memory();
    let addresses = [
        VirtAddr::new(PAGE_OFFSET),
        VirtAddr::new(PAGE_OFFSET + 0xb8abc),
        text,
        VirtAddr::new(PAGE_OFFSET + 0x0765_4321),
        VirtAddr::new(high.as_u32() - 1),
        high,
        VirtAddr::new(0xffff_f000),
        VirtAddr::new(0x0804_8000),
        VirtAddr::new(0x0010_0000),
    ];
    let mut wrong = 0;
    for va in addresses {
        let expected = in_direct_map(va).then(|| __pa(va));
        let got = match show_walk(va) {
            Walk::Mapped { phys, .. } => Some(phys),
            Walk::NoPageTable { .. } | Walk::NotMapped { .. } => None,
        };
        if got != expected {
            pr_info!("  wrong: expected {expected:?}");
            wrong += 1;
        }
    }
    assert_eq!(wrong, 0, "pgwalk: {wrong} translations wrong");
}
