//! Zones: physical memory split by what it can be used for.
//!
//! On i386, `ZONE_DMA` is the first 16 MiB, which old ISA devices can reach;
//! `ZONE_NORMAL` is the rest of the memory the kernel maps permanently (up to
//! 896 MiB); `ZONE_HIGHMEM` is everything above, which the kernel reaches only
//! through temporary mappings. Each zone has its own buddy allocator (its
//! `free_area`) and its own watermarks.

use alloc::format;
use alloc::string::String;

use super::page::{Page, PageFlags, PageList, ZoneType, index};
use super::types::Pfn;

/// Free blocks come in orders 0..MAX_ORDER: 1 page up to 1024 pages (4 MiB).
pub const MAX_ORDER: usize = 11;
/// The first frame above ZONE_DMA (16 MiB).
pub const MAX_DMA_PFN: u32 = (16 << 20) >> 12;
/// The most pages reclaim handles at once; the floor of a highmem zone's
/// minimum watermark.
pub const SWAP_CLUSTER_MAX: u32 = 32;

/// The free blocks of one order.
#[derive(Clone, Debug)]
pub struct FreeArea {
    pub free_list: PageList,
    pub nr_free: u32,
}

/// A zone: its frames, its buddy allocator and its watermarks.
#[derive(Clone, Debug)]
pub struct Zone {
    pub kind: ZoneType,
    pub zone_start_pfn: Pfn,
    /// Frames from the first to the last, holes included.
    pub spanned_pages: u32,
    /// RAM frames in the span.
    pub present_pages: u32,
    /// Frames handed to the buddy allocator (present minus reserved).
    pub managed_pages: u32,
    pub free_pages: u32,
    /// Below `pages_min` only emergencies may allocate; reclaim (lab 8)
    /// starts below `pages_low` and stops above `pages_high`.
    pub pages_min: u32,
    pub pages_low: u32,
    pub pages_high: u32,
    pub free_area: [FreeArea; MAX_ORDER],
    /// The user frames reclaim may take, in use and likely to go
    /// (`lru.rs`), and how many each list has.
    pub active_list: PageList,
    pub inactive_list: PageList,
    pub nr_active: u32,
    pub nr_inactive: u32,
}

impl Zone {
    /// An empty zone of `kind` spanning `[start, end)`.
    pub const fn new(kind: ZoneType, start: Pfn, end: Pfn) -> Self {
        const EMPTY: FreeArea = FreeArea { free_list: PageList::new(), nr_free: 0 };
        Self {
            kind,
            zone_start_pfn: start,
            spanned_pages: end.as_u32() - start.as_u32(),
            present_pages: 0,
            managed_pages: 0,
            free_pages: 0,
            pages_min: 0,
            pages_low: 0,
            pages_high: 0,
            free_area: [EMPTY; MAX_ORDER],
            active_list: PageList::new(),
            inactive_list: PageList::new(),
            nr_active: 0,
            nr_inactive: 0,
        }
    }

    pub fn end_pfn(&self) -> Pfn {
        self.zone_start_pfn + self.spanned_pages
    }

    pub fn contains(&self, pfn: Pfn) -> bool {
        self.zone_start_pfn <= pfn && pfn < self.end_pfn()
    }

    /// Checks the free lists against the descriptors and the counters: every
    /// listed block is a free, aligned block of its list's order inside the
    /// zone, and the counts add up. Host tests call it after every step.
    pub fn check_free_lists(&self, mem_map: &[Page]) -> Result<(), String> {
        let mut free = 0;
        for (order, area) in self.free_area.iter().enumerate() {
            let mut blocks = 0;
            for pfn in area.free_list.iter(mem_map) {
                let page = &mem_map[index(pfn)];
                let aligned = pfn.as_u32() % (1 << order) == 0;
                let inside = self.contains(pfn) && self.contains(pfn + ((1 << order) - 1));
                if !page.flags.contains(PageFlags::BUDDY)
                    || page.private != order as u32
                    || !aligned
                    || !inside
                {
                    return Err(format!("{} order {order}: bad block at pfn {pfn}", self.kind.name()));
                }
                blocks += 1;
            }
            if blocks != area.nr_free {
                return Err(format!(
                    "{} order {order}: {blocks} blocks listed, nr_free {}",
                    self.kind.name(),
                    area.nr_free
                ));
            }
            free += blocks << order;
        }
        if free != self.free_pages {
            return Err(format!("{}: {free} pages listed, free_pages {}", self.kind.name(), self.free_pages));
        }
        Ok(())
    }
}

/// Whether `zone` can give a block of `order` and keep more than `mark`
/// pages free, counting only blocks large enough to matter at each order
/// (Linux's `zone_watermark_ok`, without the lower-zone reserve).
pub fn zone_watermark_ok(zone: &Zone, order: usize, mark: u32) -> bool {
    let mut free = i64::from(zone.free_pages) - (1 << order) + 1;
    let mut min = i64::from(mark);
    if free <= min {
        return false;
    }
    for (o, area) in zone.free_area[..order].iter().enumerate() {
        free -= i64::from(area.nr_free) << o;
        min >>= 1;
        if free <= min {
            return false;
        }
    }
    true
}

/// Sets every zone's watermarks from the amount of low memory, as Linux's
/// `setup_per_zone_pages_min` does: `min_free_kbytes` is `sqrt(16 * lowmem
/// kB)` (between 128 kB and 64 MiB), shared among the low-memory zones by
/// size; highmem zones keep a small fixed reserve. Low and high are min plus
/// a quarter and plus a half of the zone's share.
pub fn setup_per_zone_pages_min(zones: &mut [Zone]) {
    let lowmem_pages: u64 =
        zones.iter().filter(|z| z.kind != ZoneType::HighMem).map(|z| u64::from(z.present_pages)).sum();
    let min_free_kbytes = int_sqrt(lowmem_pages * 4 * 16).clamp(128, 65536);
    let pages_min = min_free_kbytes / 4;
    for zone in zones.iter_mut() {
        let share = (pages_min * u64::from(zone.present_pages)).checked_div(lowmem_pages).unwrap_or(0) as u32;
        zone.pages_min = if zone.kind == ZoneType::HighMem {
            (zone.present_pages / 1024).clamp(SWAP_CLUSTER_MAX, 128)
        } else {
            share
        };
        zone.pages_low = zone.pages_min + share / 4;
        zone.pages_high = zone.pages_min + share / 2;
    }
}

/// The integer square root (largest `r` with `r * r <= n`), by bisection.
fn int_sqrt(n: u64) -> u64 {
    let (mut low, mut high) = (0, n.min(u64::from(u32::MAX)) + 1);
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if mid * mid <= n { low = mid } else { high = mid }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(kind: ZoneType, present: u32) -> Zone {
        let mut zone = Zone::new(kind, Pfn::new(0), Pfn::new(present));
        zone.present_pages = present;
        zone
    }

    #[test]
    fn int_sqrt_is_exact() {
        for n in [0, 1, 2, 3, 4, 15, 16, 17, 1 << 40, u64::from(u32::MAX) * u64::from(u32::MAX)] {
            let r = int_sqrt(n);
            assert!(r * r <= n && (r + 1).checked_mul(r + 1).is_none_or(|s| s > n), "sqrt({n}) = {r}");
        }
    }

    #[test]
    fn watermarks_follow_linux_for_two_gigabytes() {
        // DMA 3999 pages, Normal 225280, HighMem 294880 present.
        let mut zones =
            [zone(ZoneType::Dma, 3999), zone(ZoneType::Normal, 225280), zone(ZoneType::HighMem, 294880)];
        setup_per_zone_pages_min(&mut zones);
        // lowmem = 229279 pages = 917116 kB; sqrt(16 * 917116) = 3830 kB = 957 pages.
        assert_eq!((zones[0].pages_min, zones[0].pages_low, zones[0].pages_high), (16, 20, 24));
        assert_eq!((zones[1].pages_min, zones[1].pages_low, zones[1].pages_high), (940, 1175, 1410));
        assert_eq!(zones[2].pages_min, 128);
    }

    #[test]
    fn watermark_counts_only_blocks_big_enough() {
        let mut z = zone(ZoneType::Normal, 1024);
        z.free_pages = 40;
        z.free_area[0].nr_free = 30;
        z.free_area[1].nr_free = 5;
        assert!(zone_watermark_ok(&z, 0, 20));
        assert!(zone_watermark_ok(&z, 0, 39));
        assert!(!zone_watermark_ok(&z, 0, 40));
        // For order 1, the 30 single pages do not count: 40 - 2 + 1 - 30 = 9 > 20 / 2.
        assert!(zone_watermark_ok(&z, 1, 16));
        assert!(!zone_watermark_ok(&z, 1, 18));
    }
}
