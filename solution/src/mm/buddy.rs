//! The buddy allocator: the core of the page allocator, one per zone.
//!
//! Free memory is kept in blocks of 2^order pages, each aligned to its own
//! size, on one free list per order. To allocate 2^k pages, take a block from
//! the smallest non-empty list of order k or more; if it is bigger than
//! needed, split it in halves again and again, keeping the lower half and
//! putting each upper half back on the list one order down. To free a block,
//! look at its *buddy*, the other half of the block of the next order up:
//! the buddy of the order-k block at frame `pfn` is at `pfn ^ (1 << k)`. If
//! the buddy is free and whole (it heads a free block of order k), take it off
//! its list and merge; repeat one order up, until the buddy is busy or the
//! block has the largest order.
//!
//! For example, in a zone of 16 free pages (one order-4 block at pfn 0),
//! allocating one page splits 16 into 8+8, 8 into 4+4, 4 into 2+2 and 2 into
//! 1+1, returns pfn 0 and leaves free blocks at 1 (order 0), 2 (order 1),
//! 4 (order 2) and 8 (order 3). Freeing pfn 0 again finds buddy 1 free,
//! merges to 0/order 1, finds buddy 2 free, merges to 0/order 2, and so on
//! back to the order-4 block.
//!
//! Lists are last in, first out, as on Linux: a block is put at the head of
//! its list and taken from the head. The zone's `free_pages` counter belongs
//! to the caller (`page_alloc`).

use super::page::{Page, PageFlags, index};
use super::types::Pfn;
use super::zone::{MAX_ORDER, Zone};

/// Marks `pfn` as the head of a free block of `order` and puts the block at
/// the head of that order's list.
fn add_to_free_area(zone: &mut Zone, mem_map: &mut [Page], pfn: Pfn, order: usize) {
    let page = &mut mem_map[index(pfn)];
    page.flags.insert(PageFlags::BUDDY);
    page.private = order as u32;
    let area = &mut zone.free_area[order];
    area.free_list.push_front(mem_map, pfn);
    area.nr_free += 1;
}

/// Takes the free block headed by `pfn`, of `order`, off its list.
fn del_from_free_area(zone: &mut Zone, mem_map: &mut [Page], pfn: Pfn, order: usize) {
    let area = &mut zone.free_area[order];
    area.free_list.remove(mem_map, pfn);
    area.nr_free -= 1;
    let page = &mut mem_map[index(pfn)];
    page.flags.remove(PageFlags::BUDDY);
    page.private = 0;
}

/// Whether `buddy` heads a free block of exactly `order` in `zone`, so that
/// the block being freed may merge with it (Linux's `page_is_buddy`).
fn page_is_buddy(zone: &Zone, mem_map: &[Page], buddy: Pfn, order: usize) -> bool {
    if !zone.contains(buddy) {
        return false;
    }
    let page = &mem_map[index(buddy)];
    page.flags.contains(PageFlags::BUDDY) && page.private == order as u32
}

/// Takes a block of 2^`order` pages off `zone`'s free lists, splitting a
/// larger block if needed, and returns its first frame; `None` if no free
/// block is large enough. The zone's `free_pages` is the caller's to update.
pub fn __rmqueue(zone: &mut Zone, mem_map: &mut [Page], order: usize) -> Option<Pfn> {
    // LAB 1 BEGIN: find the smallest order >= `order` whose list is not empty, take its first block off the list (del_from_free_area), split it down to `order` with `expand`, and return it.
    let current = (order..MAX_ORDER).find(|&o| !zone.free_area[o].free_list.is_empty())?;
    let pfn = zone.free_area[current].free_list.first()?;
    del_from_free_area(zone, mem_map, pfn, current);
    expand(zone, mem_map, pfn, order, current);
    Some(pfn)
    // LAB 1 END
}

/// Splits the free block at `pfn` of order `high` down to order `low`: each
/// time, the upper half goes back on the free list one order down, and the
/// lower half is split further (Linux's `expand`).
fn expand(zone: &mut Zone, mem_map: &mut [Page], pfn: Pfn, low: usize, high: usize) {
    // LAB 1 BEGIN: for each order from high - 1 down to low, put the upper half (pfn + 2^order) on the free list of that order.
    for order in (low..high).rev() {
        add_to_free_area(zone, mem_map, pfn + (1 << order), order);
    }
    // LAB 1 END
}

/// Returns the block of 2^`order` pages at `pfn` to `zone`'s free lists,
/// merging it with its buddy as long as the buddy is free and whole (Linux's
/// `__free_one_page`). The caller has checked that the block was in use and
/// updates `free_pages`.
pub fn __free_one_page(zone: &mut Zone, mem_map: &mut [Page], pfn: Pfn, order: usize) {
    // LAB 1 BEGIN: while order < MAX_ORDER - 1 and the buddy at pfn ^ (1 << order) is free and of the same order (page_is_buddy), take the buddy off its list and continue with the merged block (the lower of the two frames) one order up; then add the block to its free area.
    let (mut pfn, mut order) = (pfn, order);
    while order < MAX_ORDER - 1 {
        let buddy = Pfn::new(pfn.as_u32() ^ (1 << order));
        if !page_is_buddy(zone, mem_map, buddy, order) {
            break;
        }
        del_from_free_area(zone, mem_map, buddy, order);
        pfn = Pfn::new(pfn.as_u32() & !(1 << order));
        order += 1;
    }
    add_to_free_area(zone, mem_map, pfn, order);
    // LAB 1 END
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::page::ZoneType;

    /// A zone of `pages` frames starting at `start`, every frame freed one by
    /// one (which also exercises merging), as the boot hand-over would.
    fn zone_of(start: u32, pages: u32) -> (Zone, Vec<Page>) {
        let mut mem_map = vec![Page::new(ZoneType::Normal); (start + pages) as usize];
        let mut zone = Zone::new(ZoneType::Normal, Pfn::new(start), Pfn::new(start + pages));
        for pfn in start..start + pages {
            mem_map[pfn as usize].flags.remove(PageFlags::RESERVED);
            __free_one_page(&mut zone, &mut mem_map, Pfn::new(pfn), 0);
            zone.free_pages += 1;
        }
        (zone, mem_map)
    }

    fn alloc(zone: &mut Zone, mem_map: &mut [Page], order: usize) -> Option<Pfn> {
        let pfn = __rmqueue(zone, mem_map, order)?;
        zone.free_pages -= 1 << order;
        zone.check_free_lists(mem_map).unwrap();
        Some(pfn)
    }

    fn free(zone: &mut Zone, mem_map: &mut [Page], pfn: Pfn, order: usize) {
        __free_one_page(zone, mem_map, pfn, order);
        zone.free_pages += 1 << order;
        zone.check_free_lists(mem_map).unwrap();
    }

    /// `nr_free` of every order, 0 first.
    fn nr_free(zone: &Zone) -> Vec<u32> {
        zone.free_area.iter().map(|a| a.nr_free).collect()
    }

    #[test]
    fn freeing_every_page_coalesces_into_the_largest_blocks() {
        let (zone, mem_map) = zone_of(0, 4096);
        assert_eq!(nr_free(&zone), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
        zone.check_free_lists(&mem_map).unwrap();
    }

    #[test]
    fn a_zone_not_aligned_to_large_blocks_gets_smaller_ones_at_its_edges() {
        // Frames 3..21: 3, 4-7, 8-15, 16-19, 20.
        let (zone, _) = zone_of(3, 18);
        assert_eq!(nr_free(&zone), [2, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn the_worked_example_splits_and_merges_back() {
        let (mut zone, mut mem_map) = zone_of(0, 16);
        assert_eq!(nr_free(&zone)[..5], [0, 0, 0, 0, 1]);
        assert_eq!(alloc(&mut zone, &mut mem_map, 0), Some(Pfn::new(0)));
        assert_eq!(nr_free(&zone)[..5], [1, 1, 1, 1, 0]);
        let heads: Vec<u32> = (0..4).map(|o| zone.free_area[o].free_list.first().unwrap().as_u32()).collect();
        assert_eq!(heads, [1, 2, 4, 8]);
        free(&mut zone, &mut mem_map, Pfn::new(0), 0);
        assert_eq!(nr_free(&zone)[..5], [0, 0, 0, 0, 1]);
    }

    #[test]
    fn lists_are_last_in_first_out() {
        let (mut zone, mut mem_map) = zone_of(0, 16);
        let pages: Vec<Pfn> = (0..4).map(|_| alloc(&mut zone, &mut mem_map, 0).unwrap()).collect();
        assert_eq!(pages, [0, 1, 2, 3].map(Pfn::new));
        // Pages 0 and 2 cannot merge while 1 and 3 are in use, so both go on
        // the order-0 list, the last freed on top.
        free(&mut zone, &mut mem_map, pages[0], 0);
        free(&mut zone, &mut mem_map, pages[2], 0);
        assert_eq!(alloc(&mut zone, &mut mem_map, 0), Some(pages[2]));
        assert_eq!(alloc(&mut zone, &mut mem_map, 0), Some(pages[0]));
    }

    #[test]
    fn allocation_fails_cleanly_when_no_block_is_large_enough() {
        let (mut zone, mut mem_map) = zone_of(0, 8);
        assert_eq!(alloc(&mut zone, &mut mem_map, 4), None);
        assert_eq!(alloc(&mut zone, &mut mem_map, 3), Some(Pfn::new(0)));
        assert_eq!(alloc(&mut zone, &mut mem_map, 0), None);
        assert_eq!(nr_free(&zone), [0; MAX_ORDER]);
    }

    /// Random allocations and frees checked against a model: every frame is
    /// owned exactly once, by a free block or by one allocation, and
    /// everything merges back at the end.
    #[test]
    fn random_alloc_and_free_keep_every_frame_owned_once() {
        const PAGES: u32 = 2048;
        let (mut zone, mut mem_map) = zone_of(0, PAGES);
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut allocated: Vec<(Pfn, usize)> = Vec::new();
        // Fewer steps under Miri, which runs them some thousand times slower.
        for _ in 0..if cfg!(miri) { 50 } else { 4000 } {
            if next() % 3 != 0 || allocated.is_empty() {
                let order = (next() % 6) as usize;
                let before = zone.free_pages;
                match alloc(&mut zone, &mut mem_map, order) {
                    Some(pfn) => allocated.push((pfn, order)),
                    None => assert!(zone.free_area[order..].iter().all(|a| a.nr_free == 0), "{before} free"),
                }
            } else {
                let (pfn, order) = allocated.swap_remove((next() % allocated.len() as u64) as usize);
                free(&mut zone, &mut mem_map, pfn, order);
            }
            let mut owners = vec![0u8; PAGES as usize];
            let free_blocks = (0..MAX_ORDER)
                .flat_map(|o| zone.free_area[o].free_list.iter(&mem_map).map(move |pfn| (pfn, o)));
            for (pfn, order) in allocated.iter().copied().chain(free_blocks) {
                assert_eq!(pfn.as_u32() % (1 << order), 0, "block at {pfn} not aligned to order {order}");
                for frame in pfn.as_u32()..pfn.as_u32() + (1 << order) {
                    owners[frame as usize] += 1;
                }
            }
            assert!(owners.iter().all(|&n| n == 1), "a frame is owned twice or not at all");
        }
        for (pfn, order) in allocated.drain(..) {
            free(&mut zone, &mut mem_map, pfn, order);
        }
        assert_eq!(nr_free(&zone), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    }
}
