//! The page allocator: zones, each with its buddy allocator, behind
//! `alloc_pages` and `__free_pages` (Linux's `mm/page_alloc.c`).
//!
//! An allocation walks the zonelist its GFP flags select and takes the first
//! zone that stays above its minimum watermark after the allocation (the
//! level Linux falls back to when reclaim cannot help; lab 8 adds reclaim at
//! the low watermark). Freeing checks that the frame is really in use, so a
//! double free or a free of a reserved frame is reported instead of
//! corrupting the free lists.

use core::fmt;

use super::buddy::{__free_one_page, __rmqueue};
use super::gfp::{Gfp, gfp_zone, zonelist};
use super::lru::del_page_from_lru;
use super::page::{Page, PageFlags, ZoneType, index};
use super::types::Pfn;
use super::zone::{MAX_DMA_PFN, MAX_ORDER, Zone, setup_per_zone_pages_min, zone_watermark_ok};

/// The machine's memory: its zones and `mem_map` (Linux's `pg_data_t` of
/// its single node).
pub struct PgData {
    pub zones: [Zone; 3],
    pub mem_map: &'static mut [Page],
}

/// Why a free was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BadPage {
    /// The frame is already free: a double free.
    NotInUse,
    /// The frame was never given out: firmware, kernel image or boot data.
    Reserved,
    /// A page-table entry still maps the frame: its last reference went
    /// before its mapping (it is kept, so nothing reaches a reused frame).
    Mapped,
}

impl fmt::Display for BadPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotInUse => "freeing a free page (double free)",
            Self::Reserved => "freeing a reserved page",
            Self::Mapped => "freeing a mapped page",
        })
    }
}

impl PgData {
    /// Zones for RAM up to frame `max_pfn`, of which `[0, max_low_pfn)` is
    /// low memory, over `mem_map` (one descriptor per frame, all reserved):
    /// DMA below 16 MiB, Normal up to `max_low_pfn`, HighMem above.
    /// `ram` lists the frame ranges that are RAM.
    pub fn new(
        mem_map: &'static mut [Page],
        max_low_pfn: Pfn,
        max_pfn: Pfn,
        ram: impl Iterator<Item = (Pfn, Pfn)> + Clone,
    ) -> Self {
        let dma_end = max_low_pfn.min(Pfn::new(MAX_DMA_PFN));
        let zones = [
            Zone::new(ZoneType::Dma, Pfn::new(0), dma_end),
            Zone::new(ZoneType::Normal, dma_end, max_low_pfn),
            Zone::new(ZoneType::HighMem, max_low_pfn, max_pfn),
        ];
        let mut pgdat = Self { zones, mem_map };
        for zone in &mut pgdat.zones {
            let (start, end) = (zone.zone_start_pfn, zone.end_pfn());
            for page in &mut pgdat.mem_map[index(start)..index(end)] {
                *page = Page::new(zone.kind);
            }
            zone.present_pages =
                ram.clone().map(|(s, e)| e.min(end).as_u32().saturating_sub(s.max(start).as_u32())).sum();
        }
        setup_per_zone_pages_min(&mut pgdat.zones);
        pgdat
    }

    pub fn zone(&self, kind: ZoneType) -> &Zone {
        &self.zones[kind as usize]
    }

    /// Hands the reserved frames `[start, end)` to the buddy allocator for
    /// good, in the largest aligned blocks that fit (how bootmem and the
    /// highmem set-up release memory at boot).
    pub fn free_range(&mut self, start: Pfn, end: Pfn) {
        let mut pfn = start;
        while pfn < end {
            let alignment = pfn.as_u32().trailing_zeros() as usize;
            let mut order = alignment.min(MAX_ORDER - 1);
            while pfn + (1 << order) > end {
                order -= 1;
            }
            let zone = &mut self.zones[self.mem_map[index(pfn)].zone as usize];
            for page in &mut self.mem_map[index(pfn)..index(pfn + (1 << order))] {
                page.flags.remove(PageFlags::RESERVED);
            }
            zone.managed_pages += 1 << order;
            zone.free_pages += 1 << order;
            __free_one_page(zone, self.mem_map, pfn, order);
            pfn = pfn + (1 << order);
        }
    }

    /// Allocates 2^`order` frames as `gfp` allows, from the first zone of
    /// its zonelist that stays above its minimum watermark (half of it for
    /// `Gfp::HIGH`); the first frame gets a reference count of 1.
    pub fn alloc(&mut self, gfp: Gfp, order: usize) -> Option<Pfn> {
        for &kind in zonelist(gfp_zone(gfp)) {
            let zone = &mut self.zones[kind as usize];
            let min =
                if gfp.contains(Gfp::HIGH) { zone.pages_min - zone.pages_min / 2 } else { zone.pages_min };
            if !zone_watermark_ok(zone, order, min) {
                continue;
            }
            if let Some(pfn) = __rmqueue(zone, self.mem_map, order) {
                zone.free_pages -= 1 << order;
                self.mem_map[index(pfn)].count = 1;
                return Some(pfn);
            }
        }
        None
    }

    /// Drops a reference to the block of 2^`order` frames at `pfn` and, at
    /// the last one, returns it to its zone.
    pub fn free(&mut self, pfn: Pfn, order: usize) -> Result<(), BadPage> {
        let page = &mut self.mem_map[index(pfn)];
        if page.flags.contains(PageFlags::RESERVED) {
            return Err(BadPage::Reserved);
        }
        if page.count == 0 {
            return Err(BadPage::NotInUse);
        }
        if page.count == 1 && page.pte != 0 {
            return Err(BadPage::Mapped);
        }
        page.count -= 1;
        if page.count == 0 {
            del_page_from_lru(&mut self.zones, self.mem_map, pfn);
            let page = &mut self.mem_map[index(pfn)];
            page.flags.remove(
                PageFlags::ANON
                    | PageFlags::SWAPBACKED
                    | PageFlags::PAGECACHE
                    | PageFlags::DIRTY
                    | PageFlags::SWAPCACHE,
            );
            let zone = &mut self.zones[page.zone as usize];
            zone.free_pages += 1 << order;
            __free_one_page(zone, self.mem_map, pfn, order);
        }
        Ok(())
    }

    /// The descriptor of frame `pfn`.
    pub fn page_mut(&mut self, pfn: Pfn) -> &mut Page {
        &mut self.mem_map[index(pfn)]
    }

    /// Free frames in every zone.
    pub fn nr_free_pages(&self) -> u32 {
        self.zones.iter().map(|z| z.free_pages).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::gfp::{GFP_DMA, GFP_HIGHUSER, GFP_KERNEL};

    /// A node whose `mem_map` is leaked for the `'static` that `PgData`
    /// wants, as the kernel's is, and given back when the test ends (Miri
    /// reports leaks).
    struct Machine(PgData);

    impl Drop for Machine {
        fn drop(&mut self) {
            let mem_map: &'static mut [Page] = core::mem::take(&mut self.0.mem_map);
            // SAFETY: `machine` leaked this box, and the node is gone with it.
            drop(unsafe { Box::from_raw(core::ptr::from_mut(mem_map)) });
        }
    }

    impl core::ops::Deref for Machine {
        type Target = PgData;

        fn deref(&self) -> &PgData {
            &self.0
        }
    }

    impl core::ops::DerefMut for Machine {
        fn deref_mut(&mut self) -> &mut PgData {
            &mut self.0
        }
    }

    /// 32 MiB of RAM with a hole at frames 0x9f..0x100, as low memory up to
    /// 24 MiB and highmem above, everything but the first MiB freed.
    fn machine() -> Machine {
        let mem_map = Box::leak(vec![Page::new(ZoneType::Dma); 8192].into_boxed_slice());
        let ram = [(Pfn::new(0), Pfn::new(0x9f)), (Pfn::new(0x100), Pfn::new(8192))];
        let mut pgdat = PgData::new(mem_map, Pfn::new(6144), Pfn::new(8192), ram.into_iter());
        pgdat.free_range(Pfn::new(0x100), Pfn::new(8192));
        Machine(pgdat)
    }

    #[test]
    fn zones_split_memory_at_16_mib_and_max_low_pfn() {
        let pgdat = machine();
        let spans: Vec<_> = pgdat
            .zones
            .iter()
            .map(|z| (z.zone_start_pfn.as_u32(), z.spanned_pages, z.present_pages))
            .collect();
        assert_eq!(spans, [(0, 4096, 4096 - 0x61), (4096, 2048, 2048), (6144, 2048, 2048)]);
        let managed: Vec<_> = pgdat.zones.iter().map(|z| z.managed_pages).collect();
        assert_eq!(managed, [4096 - 0x100, 2048, 2048]);
        assert_eq!(pgdat.mem_map[5000].zone, ZoneType::Normal);
        for zone in &pgdat.zones {
            zone.check_free_lists(pgdat.mem_map).unwrap();
        }
    }

    #[test]
    fn requests_fall_back_down_the_zonelist_and_stop_at_the_watermark() {
        let mut pgdat = machine();
        let zone_of = |pgdat: &PgData, pfn: Pfn| pgdat.mem_map[index(pfn)].zone;
        let first = pgdat.alloc(GFP_HIGHUSER, 0).unwrap();
        assert_eq!(zone_of(&pgdat, first), ZoneType::HighMem);
        let dma = pgdat.alloc(GFP_DMA, 0).unwrap();
        assert_eq!(zone_of(&pgdat, dma), ZoneType::Dma);
        // Exhaust Normal with kernel allocations: they continue in DMA.
        let mut zones = Vec::new();
        while let Some(pfn) = pgdat.alloc(GFP_KERNEL, 0) {
            zones.push(zone_of(&pgdat, pfn));
        }
        let normal = zones.iter().filter(|&&z| z == ZoneType::Normal).count() as u32;
        assert!(zones.iter().skip_while(|&&z| z == ZoneType::Normal).all(|&z| z == ZoneType::Dma));
        let (n, d) = (pgdat.zone(ZoneType::Normal), pgdat.zone(ZoneType::Dma));
        assert_eq!(normal, 2048 - n.free_pages);
        assert!(n.free_pages <= n.pages_min + 1 && d.free_pages <= d.pages_min + 1);
        assert_eq!(pgdat.alloc(GFP_DMA, 0), None);
    }

    #[test]
    fn bad_frees_are_refused_and_change_nothing() {
        let mut pgdat = machine();
        let free = pgdat.nr_free_pages();
        let pfn = pgdat.alloc(GFP_KERNEL, 2).unwrap();
        assert_eq!(pgdat.free(pfn, 2), Ok(()));
        assert_eq!(pgdat.free(pfn, 2), Err(BadPage::NotInUse));
        assert_eq!(pgdat.free(Pfn::new(0x10), 0), Err(BadPage::Reserved));
        let mapped = pgdat.alloc(GFP_KERNEL, 0).unwrap();
        pgdat.mem_map[index(mapped)].pte = 0x1234_5678;
        assert_eq!(pgdat.free(mapped, 0), Err(BadPage::Mapped), "a page table still maps it");
        pgdat.mem_map[index(mapped)].pte = 0;
        pgdat.free(mapped, 0).unwrap();
        assert_eq!(pgdat.nr_free_pages(), free);
    }

    #[test]
    fn a_shared_frame_is_freed_by_its_last_user() {
        let mut pgdat = machine();
        let free = pgdat.nr_free_pages();
        let pfn = pgdat.alloc(GFP_KERNEL, 0).unwrap();
        pgdat.mem_map[index(pfn)].count += 1;
        pgdat.free(pfn, 0).unwrap();
        assert_eq!(pgdat.nr_free_pages(), free - 1);
        pgdat.free(pfn, 0).unwrap();
        assert_eq!(pgdat.nr_free_pages(), free);
    }
}
