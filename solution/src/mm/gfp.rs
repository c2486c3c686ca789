//! GFP ("get free pages") flags: what an allocation may use, and the order in
//! which zones are tried.
//!
//! A request names the highest zone it can use; when that zone is short of
//! memory the allocator falls back to the zones below it, never above:
//! highmem requests try HighMem, then Normal, then DMA; ordinary kernel
//! requests Normal, then DMA; DMA requests only DMA.

use bitflags::bitflags;

use super::page::ZoneType;

bitflags! {
    /// Allocation flags (Linux's `__GFP_*`).
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Gfp: u32 {
        /// Only memory an ISA device can reach: ZONE_DMA.
        const DMA = 0x01;
        /// Highmem is fine: the caller maps the page itself when needed.
        const HIGHMEM = 0x02;
        /// May go below the zone's minimum watermark, down to half of it
        /// (Linux's `__GFP_HIGH`): kmalloc's pages, so that the kernel can
        /// still allocate its small structures when user memory has run out.
        const HIGH = 0x20;
        /// Fail without the allocation-failure warning (Linux's
        /// `__GFP_NOWARN`): for a caller that has a way out, such as the
        /// fault path, which reclaims and tries again.
        const NOWARN = 0x200;
        /// Fill the pages with zeroes.
        const ZERO = 0x8000;
    }
}

/// Kernel memory: low memory, permanently mapped. (Linux's `GFP_KERNEL`
/// also says the allocation may sleep and do I/O; this kernel never does.)
pub const GFP_KERNEL: Gfp = Gfp::empty();
/// Memory for ISA DMA.
pub const GFP_DMA: Gfp = Gfp::DMA;
/// User pages, which may come from highmem. A failure is quiet: the fault
/// path reclaims and tries again, and reports an OOM kill if that fails.
pub const GFP_HIGHUSER: Gfp = Gfp::HIGHMEM.union(Gfp::NOWARN);

/// The highest zone a request with `gfp` may use (Linux's `gfp_zone`).
pub fn gfp_zone(gfp: Gfp) -> ZoneType {
    // LAB 1 BEGIN: DMA if the DMA flag is set, else HighMem if the HIGHMEM flag is set, else Normal.
    if gfp.contains(Gfp::DMA) {
        ZoneType::Dma
    } else if gfp.contains(Gfp::HIGHMEM) {
        ZoneType::HighMem
    } else {
        ZoneType::Normal
    }
    // LAB 1 END
}

/// The zones to try for a request whose highest zone is `highest`, in order
/// (Linux's zonelist): that zone first, then each zone below it.
pub fn zonelist(highest: ZoneType) -> &'static [ZoneType] {
    // LAB 1 BEGIN: HighMem falls back to Normal then DMA; Normal to DMA; DMA to nothing.
    match highest {
        ZoneType::HighMem => &[ZoneType::HighMem, ZoneType::Normal, ZoneType::Dma],
        ZoneType::Normal => &[ZoneType::Normal, ZoneType::Dma],
        ZoneType::Dma => &[ZoneType::Dma],
    }
    // LAB 1 END
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_starts_at_its_zone_and_falls_back_downwards() {
        assert_eq!(zonelist(gfp_zone(GFP_HIGHUSER)), [ZoneType::HighMem, ZoneType::Normal, ZoneType::Dma]);
        assert_eq!(zonelist(gfp_zone(GFP_KERNEL)), [ZoneType::Normal, ZoneType::Dma]);
        assert_eq!(zonelist(gfp_zone(GFP_KERNEL | Gfp::ZERO)), [ZoneType::Normal, ZoneType::Dma]);
        assert_eq!(zonelist(gfp_zone(GFP_DMA)), [ZoneType::Dma]);
    }

    #[test]
    fn dma_wins_over_highmem() {
        assert_eq!(gfp_zone(Gfp::DMA | Gfp::HIGHMEM), ZoneType::Dma);
    }
}
