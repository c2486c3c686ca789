//! Memory-management state printed in stable text formats modelled on
//! Linux's `/proc` files: what the scenarios and the monitor show, and what
//! the grader's snapshots hold.

use core::fmt::{self, Write};
use core::sync::atomic::Ordering;

use super::filemap::{NR_FILE_PAGES, truncate_pagecache};
use super::kernel_pgtable::{KernelTables, SWAPPER_PG_DIR, kernel_page_tables, walk_kernel};
use super::layout::KernelLayout;
use super::layout::high_memory;
use super::node::{node, nr_free_pages};
use super::page::ZoneType;
use super::pgtable::{FlagNames, PGDIR_SHIFT, pgd_index, pte_index};
use super::pgwalk::{PageTableMem, Walk};
use super::shmem::NR_SHMEM;
use super::swapfile::nr_swap_pages;
use super::types::{PAGE_SHIFT, PAGE_SIZE, VirtAddr};
use super::zone::{MAX_ORDER, Zone};
use crate::arch::x86::sections::kernel_sections;
use crate::kernel::printk::InfoWriter;
use crate::pr_info;

/// Prints the walk of `va` through `swapper_pg_dir`, one line:
/// `0xc0100000: pgd[768] P RW -> pte[256] P RW G -> 0x00100000`.
pub fn show_walk(va: VirtAddr) -> Walk {
    let walk = walk_kernel(va);
    let (i, j) = (pgd_index(va), pte_index(va));
    match walk {
        Walk::NoPageTable { .. } => pr_info!("{va}: pgd[{i}] not present"),
        Walk::NotMapped { pgd, .. } => {
            pr_info!("{va}: pgd[{i}] {} -> pte[{j}] not present", FlagNames(pgd.flags()))
        }
        Walk::Mapped { pgd, pte, phys } => pr_info!(
            "{va}: pgd[{i}] {} -> pte[{j}] {} -> {phys}",
            FlagNames(pgd.flags()),
            FlagNames(pte.flags())
        ),
    }
    walk
}

/// Prints the virtual memory layout, as Linux's `mem_init` does.
pub fn show_layout() {
    pr_info!("{}", KernelLayout { high_memory: high_memory(), sections: kernel_sections() });
}

/// A copy of the zones worth showing: those with memory, as Linux's
/// `populated_zone`. Copied, so that writing the text (which may allocate)
/// never runs under the node's lock.
fn populated() -> impl Iterator<Item = Zone> {
    node().zones.clone().into_iter().filter(|z| z.present_pages > 0)
}

/// `/proc/buddyinfo`: free blocks per order (0 to 10), one line per zone.
pub fn buddyinfo_text(out: &mut impl Write) -> fmt::Result {
    for zone in populated() {
        writeln!(out, "Node 0, zone {:>8}{}", zone.kind.name(), FreeCounts(&zone))?;
    }
    Ok(())
}

/// A zone's `nr_free` per order, each right-aligned in 7 columns.
struct FreeCounts<'a>(&'a Zone);

impl fmt::Display for FreeCounts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.free_area.iter().try_for_each(|area| write!(f, " {:6}", area.nr_free))
    }
}

/// The buddyinfo numbers of every zone, to compare two moments.
pub fn buddyinfo() -> [[u32; MAX_ORDER]; 3] {
    let pgdat = node();
    ZoneType::ALL.map(|kind| pgdat.zone(kind).free_area.each_ref().map(|area| area.nr_free))
}

/// The useful part of `/proc/zoneinfo`: per zone its range, page counts and
/// watermarks.
pub fn zoneinfo_text(out: &mut impl Write) -> fmt::Result {
    for zone in populated() {
        writeln!(out, "Node 0, zone {:>8}", zone.kind.name())?;
        writeln!(out, "  pages free     {}", zone.free_pages)?;
        writeln!(out, "        min      {}", zone.pages_min)?;
        writeln!(out, "        low      {}", zone.pages_low)?;
        writeln!(out, "        high     {}", zone.pages_high)?;
        writeln!(out, "        spanned  {}", zone.spanned_pages)?;
        writeln!(out, "        present  {}", zone.present_pages)?;
        writeln!(out, "        managed  {}", zone.managed_pages)?;
        writeln!(out, "  start_pfn:     {}", zone.zone_start_pfn.as_u32())?;
    }
    Ok(())
}

/// The free frames at one moment, to check later that a run gave every
/// frame back (`pages not returned`).
pub struct FreeFrames {
    free: u32,
    kernel_page_tables: u32,
}

impl FreeFrames {
    pub fn now() -> Self {
        Self { free: nr_free_pages(), kernel_page_tables: kernel_page_tables() }
    }

    /// Frames not returned since `now`. The page cache keeps the files it
    /// read after their last user, as Linux's does: it is emptied first.
    /// The page tables the kernel made for its own half stay for good,
    /// shared by every page directory: they do not count.
    pub fn not_returned(&self) -> i64 {
        truncate_pagecache();
        let kept = kernel_page_tables() - self.kernel_page_tables;
        i64::from(self.free) - i64::from(nr_free_pages()) - i64::from(kept)
    }
}

/// A `/proc/meminfo` summary: totals and free memory, low and high.
pub fn meminfo_text(out: &mut impl Write) -> fmt::Result {
    let zones = node().zones.clone();
    let high = &zones[ZoneType::HighMem as usize];
    let total: u32 = zones.iter().map(|z| z.managed_pages).sum();
    let free: u32 = zones.iter().map(|z| z.free_pages).sum();
    let kb = |pages: u32| pages * (PAGE_SIZE / 1024);
    writeln!(out, "MemTotal:     {:8} kB", kb(total))?;
    writeln!(out, "MemFree:      {:8} kB", kb(free))?;
    // As Linux's, `Cached` counts shared memory too: its frames are a page
    // cache's.
    let shmem = NR_SHMEM.load(Ordering::Relaxed);
    writeln!(out, "Cached:       {:8} kB", kb(NR_FILE_PAGES.load(Ordering::Relaxed) + shmem))?;
    writeln!(out, "Active:       {:8} kB", kb(zones.iter().map(|z| z.nr_active).sum()))?;
    writeln!(out, "Inactive:     {:8} kB", kb(zones.iter().map(|z| z.nr_inactive).sum()))?;
    writeln!(out, "HighTotal:    {:8} kB", kb(high.managed_pages))?;
    writeln!(out, "HighFree:     {:8} kB", kb(high.free_pages))?;
    writeln!(out, "LowTotal:     {:8} kB", kb(total - high.managed_pages))?;
    writeln!(out, "LowFree:      {:8} kB", kb(free - high.free_pages))?;
    let (swap_total, swap_free) = nr_swap_pages();
    writeln!(out, "SwapTotal:    {:8} kB", kb(swap_total))?;
    writeln!(out, "SwapFree:     {:8} kB", kb(swap_free))?;
    writeln!(out, "Shmem:        {:8} kB", kb(shmem))
}

/// Prints `/proc/buddyinfo` on the console.
pub fn show_buddyinfo() {
    let _ = buddyinfo_text(&mut InfoWriter);
}

/// Prints `/proc/zoneinfo` on the console.
pub fn show_zoneinfo() {
    let _ = zoneinfo_text(&mut InfoWriter);
}

/// Prints `/proc/meminfo` on the console.
pub fn show_meminfo() {
    let _ = meminfo_text(&mut InfoWriter);
}

/// Prints every present entry of `swapper_pg_dir` covering `[start, end)`,
/// with the index split of each address (like xv6's `vmprint`):
/// `pgd[994] 0xf8800000 P RW`, then `  pte[0] 0xf8800000 -> 0x01234000 P RW G`.
pub fn show_page_tables(start: VirtAddr, end: VirtAddr) {
    pr_info!("page tables for {start}-{end}:");
    let pgd = SWAPPER_PG_DIR.lock();
    for i in pgd_index(start)..=pgd_index(VirtAddr::new(end.as_u32() - 1)) {
        let dir = pgd[i];
        if !dir.present() {
            continue;
        }
        let base = (i as u32) << PGDIR_SHIFT;
        pr_info!("pgd[{i}] {} {}", VirtAddr::new(base), FlagNames(dir.flags()));
        let table = KernelTables.pte_table(dir.pfn());
        for (j, pte) in table.0.iter().enumerate() {
            let va = VirtAddr::new(base + ((j as u32) << PAGE_SHIFT));
            if pte.present() && start <= va && va < end {
                pr_info!("  pte[{j}] {va} -> {} {}", pte.pfn().addr(), FlagNames(pte.flags()));
            }
        }
    }
}
