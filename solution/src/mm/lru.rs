//! The LRU lists (Linux 2.6's, in `mm/swap.c`): every user frame that
//! reclaim could take, anonymous or a file's, is on one of its zone's two
//! lists, `active` for pages in use and `inactive` for pages that may go.
//! A new anonymous page starts active: it was just written. A file's page
//! starts inactive and its second use promotes it (`mark_page_accessed`),
//! so that a file read once passes through without pushing out pages in
//! use. Pages join a list at its head, so the oldest are at its end, where
//! reclaim (`vmscan.rs`) looks first.
//!
//! The functions work on the zones and `mem_map` they are given, so the
//! host tests run them on a simulated machine; `node.rs` calls them on the
//! real one.

use super::page::{Page, PageFlags, PageList, ZoneType, index};
use super::types::Pfn;
use super::zone::Zone;

/// The list of a frame of `zone`, active or not, and its count.
fn list_of(zones: &mut [Zone], zone: ZoneType, active: bool) -> (&mut PageList, &mut u32) {
    let zone = &mut zones[zone as usize];
    if active {
        (&mut zone.active_list, &mut zone.nr_active)
    } else {
        (&mut zone.inactive_list, &mut zone.nr_inactive)
    }
}

/// Puts the user frame `pfn`, on no list yet, at the head of its zone's
/// active or inactive list (Linux's `lru_cache_add_active` and
/// `lru_cache_add`).
pub fn lru_cache_add(zones: &mut [Zone], mem_map: &mut [Page], pfn: Pfn, active: bool) {
    let page = &mut mem_map[index(pfn)];
    debug_assert!(!page.flags.contains(PageFlags::LRU), "pfn {pfn} is on an LRU list already");
    page.flags.insert(PageFlags::LRU);
    page.flags.set(PageFlags::ACTIVE, active);
    let (list, count) = list_of(zones, page.zone, active);
    list.push_front(mem_map, pfn);
    *count += 1;
}

/// Takes `pfn` off its LRU list, if it is on one (Linux's
/// `del_page_from_lru`): when it is freed.
pub fn del_page_from_lru(zones: &mut [Zone], mem_map: &mut [Page], pfn: Pfn) {
    let Page { zone, flags, .. } = mem_map[index(pfn)];
    if !flags.contains(PageFlags::LRU) {
        return;
    }
    let (list, count) = list_of(zones, zone, flags.contains(PageFlags::ACTIVE));
    list.remove(mem_map, pfn);
    *count -= 1;
    mem_map[index(pfn)].flags.remove(PageFlags::LRU | PageFlags::ACTIVE | PageFlags::REFERENCED);
}

/// The frame at the end of `zone`'s active or inactive list: the one that
/// went on it longest ago, which reclaim looks at first.
pub fn lru_last(zones: &mut [Zone], zone: ZoneType, active: bool) -> Option<Pfn> {
    list_of(zones, zone, active).0.last()
}

/// Moves `pfn`, on an LRU list, to the head of its zone's active or
/// inactive list, its mark cleared (the `list_move` of Linux's
/// `refill_inactive_zone` and `shrink_list`); returns whether it changed
/// lists.
pub fn lru_move(zones: &mut [Zone], mem_map: &mut [Page], pfn: Pfn, active: bool) -> bool {
    let was_active = mem_map[index(pfn)].flags.contains(PageFlags::ACTIVE);
    del_page_from_lru(zones, mem_map, pfn);
    lru_cache_add(zones, mem_map, pfn, active);
    was_active != active
}

/// Notes a use of `pfn` (Linux's `mark_page_accessed`): the first since it
/// was last looked at sets `REFERENCED`; a second, on the inactive list,
/// moves it to the head of the active list. Returns whether it moved.
pub fn mark_page_accessed(zones: &mut [Zone], mem_map: &mut [Page], pfn: Pfn) -> bool {
    let flags = mem_map[index(pfn)].flags;
    let promote =
        flags.contains(PageFlags::LRU | PageFlags::REFERENCED) && !flags.contains(PageFlags::ACTIVE);
    if promote {
        del_page_from_lru(zones, mem_map, pfn);
        lru_cache_add(zones, mem_map, pfn, true);
    } else {
        mem_map[index(pfn)].flags.insert(PageFlags::REFERENCED);
    }
    promote
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;

    fn machine() -> (Vec<Zone>, Vec<Page>) {
        let zones = vec![Zone::new(ZoneType::Dma, Pfn::new(0), Pfn::new(8))];
        let mut mem_map = vec![Page::new(ZoneType::Dma); 8];
        mem_map.iter_mut().for_each(|page| page.flags = PageFlags::empty());
        (zones, mem_map)
    }

    fn lists(zone: &Zone, mem_map: &[Page]) -> (Vec<u32>, Vec<u32>) {
        let pfns = |list: &PageList| list.iter(mem_map).map(Pfn::as_u32).collect();
        (pfns(&zone.active_list), pfns(&zone.inactive_list))
    }

    #[test]
    fn new_anonymous_pages_are_active_and_file_pages_inactive() {
        let (mut zones, mut mem_map) = machine();
        lru_cache_add(&mut zones, &mut mem_map, Pfn::new(1), true);
        lru_cache_add(&mut zones, &mut mem_map, Pfn::new(2), false);
        lru_cache_add(&mut zones, &mut mem_map, Pfn::new(3), false);
        assert_eq!(lists(&zones[0], &mem_map), (vec![1], vec![3, 2]));
        assert_eq!((zones[0].nr_active, zones[0].nr_inactive), (1, 2));
    }

    #[test]
    fn a_second_use_promotes_an_inactive_page() {
        let (mut zones, mut mem_map) = machine();
        lru_cache_add(&mut zones, &mut mem_map, Pfn::new(4), false);
        assert!(!mark_page_accessed(&mut zones, &mut mem_map, Pfn::new(4)), "a first use only marks it");
        assert!(mem_map[4].flags.contains(PageFlags::REFERENCED));
        assert!(mark_page_accessed(&mut zones, &mut mem_map, Pfn::new(4)), "a second use promotes it");
        assert_eq!(lists(&zones[0], &mem_map), (vec![4], vec![]));
        assert_eq!(mem_map[4].flags, PageFlags::LRU | PageFlags::ACTIVE, "promotion clears the mark");
        assert!(!mark_page_accessed(&mut zones, &mut mem_map, Pfn::new(4)), "an active page stays");
        assert_eq!(zones[0].nr_active, 1);
    }

    #[test]
    fn reclaim_takes_the_oldest_and_moves_pages_between_the_lists() {
        let (mut zones, mut mem_map) = machine();
        for pfn in [1, 2, 3] {
            lru_cache_add(&mut zones, &mut mem_map, Pfn::new(pfn), true);
        }
        assert_eq!(lru_last(&mut zones, ZoneType::Dma, true), Some(Pfn::new(1)), "the oldest first");
        assert!(lru_move(&mut zones, &mut mem_map, Pfn::new(1), false), "deactivated");
        assert!(!lru_move(&mut zones, &mut mem_map, Pfn::new(2), true), "rotated to the head");
        assert_eq!(lists(&zones[0], &mem_map), (vec![2, 3], vec![1]));
        assert_eq!((zones[0].nr_active, zones[0].nr_inactive), (2, 1));
        assert_eq!(lru_last(&mut zones, ZoneType::Dma, true), Some(Pfn::new(3)));
        assert_eq!(lru_last(&mut zones, ZoneType::Dma, false), Some(Pfn::new(1)));
        assert_eq!(mem_map[1].flags, PageFlags::LRU, "inactive, unmarked");
    }

    #[test]
    fn a_freed_page_leaves_its_list_and_its_marks() {
        let (mut zones, mut mem_map) = machine();
        lru_cache_add(&mut zones, &mut mem_map, Pfn::new(5), true);
        mark_page_accessed(&mut zones, &mut mem_map, Pfn::new(5));
        del_page_from_lru(&mut zones, &mut mem_map, Pfn::new(5));
        assert_eq!(lists(&zones[0], &mem_map), (vec![], vec![]));
        assert_eq!((zones[0].nr_active, mem_map[5].flags), (0, PageFlags::empty()));
        del_page_from_lru(&mut zones, &mut mem_map, Pfn::new(5));
        assert_eq!(zones[0].nr_active, 0, "a page on no list is left alone");
    }
}
