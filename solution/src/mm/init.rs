//! Setting memory up at boot, in Linux's order: bootmem over low memory
//! (`setup_bootmem`), the kernel's page tables (`paging_init`), then
//! `mem_map`, the zones and the hand-over of every free frame to the buddy
//! allocator (`mem_init`).
//!
//! The boot page directory maps 16 MiB twice with 4 MiB pages. `paging_init`
//! builds `swapper_pg_dir` instead: all of low memory, and only low memory,
//! mapped at `PAGE_OFFSET` through 4 KiB page tables, global, with no identity
//! mapping left, plus an empty page table for the fixmap.

use core::mem::size_of;

use super::bootmem::BootMem;
use super::kernel_pgtable::{SWAPPER_PG_DIR, swapper_pg_dir_phys};
use super::layout::{__va, EARLY_MAPPED, FIXADDR_TOP, PKMAP_BASE};
use super::layout::{max_low_pfn, set_max_low_pfn};
use super::node::set_node;
use super::page::{Page, ZoneType};
use super::page_alloc::PgData;
use super::pgtable::{PAGE_KERNEL, PAGE_TABLE, PageTable, Pgd, Pte, pgd_index};
use super::types::{PAGE_SIZE, Pfn, PhysAddr, VirtAddr};
use super::zone::MAX_DMA_PFN;
use crate::arch::x86::cpu::{enable_global_pages, write_cr3};
use crate::arch::x86::e820::E820Map;
use crate::arch::x86::multiboot::BootModule;
use crate::arch::x86::sections::{kernel_end, kernel_start};
use crate::pr_info;

/// The frame ranges `e820` reports as RAM, whole frames only.
pub fn ram_pfn_ranges(e820: &E820Map) -> impl Iterator<Item = (Pfn, Pfn)> + Clone + '_ {
    e820.ram_ranges().map(|(start, end)| {
        let page = u64::from(PAGE_SIZE);
        (Pfn::new(start.div_ceil(page) as u32), Pfn::new((end / page) as u32))
    })
}

/// Where bootmem's bitmap lives: the frames `[start, end)`.
pub struct BootmemMap {
    pub start: Pfn,
    pub end: Pfn,
}

/// Starts bootmem over low memory `[0, max_low_pfn)`, with its bitmap in
/// the first frames after the kernel image and the modules, and reserves
/// the first page (BIOS data), the kernel image, the modules and the bitmap.
pub fn setup_bootmem(
    e820: &E820Map,
    modules: &[BootModule],
    max_low_pfn: Pfn,
) -> (BootMem<'static>, BootmemMap) {
    let used_end = modules.iter().map(|m| m.end).fold(kernel_end(), PhysAddr::max);
    let start = Pfn::new(used_end.as_u32().div_ceil(PAGE_SIZE));
    let words = BootMem::map_words(max_low_pfn.as_u32());
    let end = start + (words * 4).div_ceil(PAGE_SIZE as usize) as u32;
    assert!(
        end < max_low_pfn,
        "too little RAM: the kernel image and boot data fill the first {} KiB; use mem=8M or more",
        end.addr().as_u32() / 1024
    );
    assert!(end.addr().as_u32() <= EARLY_MAPPED, "no room for the bootmem bitmap below 16 MiB");
    // SAFETY: the frames after the kernel image and the modules are free RAM
    // inside the early mapping, and nothing else uses them.
    let map = unsafe { core::slice::from_raw_parts_mut(__va(start.addr()).as_mut_ptr(), words) };
    let mut bootmem = BootMem::new(map, max_low_pfn);
    for (ram_start, ram_end) in ram_pfn_ranges(e820) {
        bootmem.free_bootmem(ram_start, ram_end);
    }
    bootmem.reserve_bootmem(Pfn::new(0), Pfn::new(1));
    bootmem.reserve_bootmem(kernel_start().pfn(), Pfn::new(kernel_end().as_u32().div_ceil(PAGE_SIZE)));
    for module in modules {
        bootmem.reserve_bootmem(module.start.pfn(), Pfn::new(module.end.as_u32().div_ceil(PAGE_SIZE)));
    }
    bootmem.reserve_bootmem(start, end);
    (bootmem, BootmemMap { start, end })
}

/// A zeroed page table from bootmem, inside the early mapping.
fn alloc_page_table(bootmem: &mut BootMem) -> (Pfn, &'static mut PageTable<Pte>) {
    let early_end = Pfn::new(EARLY_MAPPED >> 12);
    let pfn = bootmem.alloc_bootmem(1, Pfn::new(0), early_end).expect("no memory for the kernel page tables");
    // SAFETY: bootmem handed out this frame, inside the early mapping.
    let table: &mut PageTable<Pte> = unsafe { &mut *__va(pfn.addr()).as_mut_ptr() };
    table.0.fill(Pte::NONE);
    (pfn, table)
}

/// Builds `swapper_pg_dir` for low memory `[0, max_low_pfn)`, the fixmap
/// and the pkmap window, taking page tables from `bootmem`, and switches to
/// it.
pub fn paging_init(max_low_pfn: Pfn, bootmem: &mut BootMem) {
    let mut pgd = SWAPPER_PG_DIR.lock();
    kernel_physical_mapping_init(&mut pgd, max_low_pfn, bootmem);
    let (fixmap_table, _) = alloc_page_table(bootmem);
    pgd[pgd_index(VirtAddr::new(FIXADDR_TOP))] = Pgd::new(fixmap_table, PAGE_TABLE);
    // The pkmap window's one page table, made now so that `kmap` never
    // allocates (Linux's `permanent_kmaps_init`).
    let (pkmap_table, _) = alloc_page_table(bootmem);
    pgd[pgd_index(VirtAddr::new(PKMAP_BASE))] = Pgd::new(pkmap_table, PAGE_TABLE);
    enable_global_pages();
    // SAFETY: swapper_pg_dir now maps all of low memory at PAGE_OFFSET, which
    // holds the kernel image, its stack and everything it references.
    unsafe { write_cr3(swapper_pg_dir_phys(&pgd)) };
    set_max_low_pfn(max_low_pfn);
}

// ANCHOR: mapping
/// Maps frames `0..max_low_pfn` at `PAGE_OFFSET`, one page table per 4 MiB.
fn kernel_physical_mapping_init(pgd: &mut PageTable<Pgd>, max_low_pfn: Pfn, bootmem: &mut BootMem) {
    let mut pfn = Pfn::new(0);
    while pfn < max_low_pfn {
        let (table_pfn, table) = alloc_page_table(bootmem);
        pgd[pgd_index(__va(pfn.addr()))] = Pgd::new(table_pfn, PAGE_TABLE);
        for pte in &mut table.0 {
            if pfn >= max_low_pfn {
                break;
            }
            *pte = Pte::new(pfn, PAGE_KERNEL);
            pfn = pfn + 1;
        }
    }
}
// ANCHOR_END: mapping

/// Builds `mem_map` and the zones for RAM up to `max_pfn`, hands every free
/// frame to the buddy allocator (low memory from bootmem, then bootmem's
/// bitmap, then highmem from the memory map), and prints the result.
pub fn mem_init(e820: &E820Map, mut bootmem: BootMem<'static>, bitmap: BootmemMap, max_pfn: Pfn) {
    let max_low_pfn = max_low_pfn();
    let mem_map = alloc_mem_map(&mut bootmem, max_pfn);
    let mut pgdat = PgData::new(mem_map, max_low_pfn, max_pfn, ram_pfn_ranges(e820));
    bootmem.free_all_bootmem(|start, end| pgdat.free_range(start, end));
    pgdat.free_range(bitmap.start, bitmap.end);
    for (start, end) in ram_pfn_ranges(e820) {
        if end > max_low_pfn {
            pgdat.free_range(start.max(max_low_pfn), end);
        }
    }
    show_zones(&pgdat, max_pfn);
    set_node(pgdat);
}

/// `mem_map` for frames `[0, max_pfn)`, every descriptor reserved. It is
/// large (20 bytes a frame), so it goes above ZONE_DMA when there is room.
fn alloc_mem_map(bootmem: &mut BootMem, max_pfn: Pfn) -> &'static mut [Page] {
    let frames = max_pfn.as_u32() as usize;
    let pages = (frames * size_of::<Page>()).div_ceil(PAGE_SIZE as usize) as u32;
    let start =
        bootmem.alloc_bootmem(pages, Pfn::new(MAX_DMA_PFN), max_low_pfn()).expect("no memory for mem_map");
    let base: *mut Page = __va(start.addr()).as_mut_ptr();
    for i in 0..frames {
        // SAFETY: bootmem handed out `pages` frames of low memory, enough for
        // `frames` descriptors, reached through the direct map.
        unsafe { base.add(i).write(Page::new(ZoneType::Dma)) };
    }
    // SAFETY: every descriptor was just initialised; the memory is reserved
    // for mem_map forever.
    unsafe { core::slice::from_raw_parts_mut(base, frames) }
}

/// Prints the zones as Linux's `free_area_init` and `mem_init` do.
fn show_zones(pgdat: &PgData, max_pfn: Pfn) {
    pr_info!("On node 0 totalpages: {}", max_pfn.as_u32());
    for zone in pgdat.zones.iter().filter(|z| z.spanned_pages > 0) {
        pr_info!("  {} zone: {} pages", zone.kind.name(), zone.spanned_pages);
    }
    let reserved: u32 = pgdat.zones.iter().map(|z| z.present_pages - z.managed_pages).sum();
    let highmem = pgdat.zone(ZoneType::HighMem).present_pages;
    pr_info!(
        "Memory: {}k/{}k available ({}k reserved, {}k highmem)",
        pgdat.nr_free_pages() * 4,
        max_pfn.as_u32() * 4,
        reserved * 4,
        highmem * 4
    );
}
