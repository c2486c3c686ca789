//! The persistent kmap window's bookkeeping (Linux's `kmap_high` and
//! `kunmap_high`, in `mm/highmem.c`): which of the `LAST_PKMAP` pages at
//! `PKMAP_BASE` maps which high frame, how many users each has, and when a
//! slot may be used again. The page-table entries and the TLB are the
//! caller's, through `PkmapPtes`, so that this state machine is plain data.
//!
//! A slot's count (`pkmap_count`) is Linux's:
//!
//! - 0: free, and no stale translation of it can be in the TLB;
//! - 1: no user, but its entry may still be mapped or cached in the TLB;
//! - n + 1: mapped, with n users.
//!
//! A `kunmap` only counts down: a slot at 1 keeps its entry, and a `kmap`
//! of the same frame finds it again. New mappings take slots in turn from
//! `last_pkmap_nr`; when the search wraps past the end of the window,
//! `flush_all_zero_pkmaps` clears every slot at 1 and flushes the window's
//! translations once, for all of them. A search that goes round without a
//! free slot fails (`Full`), and the caller waits for a `kunmap` to bring
//! some slot down to 1.
//!
//! `page_address` finds a frame's slot through a hash of frame numbers
//! (Linux's `page_address_htable`): 128 buckets, each a list threaded
//! through the slots themselves, so the table never allocates.

use super::layout::LAST_PKMAP;
use super::types::Pfn;

/// Slots in the window.
const SLOTS: usize = LAST_PKMAP as usize;
/// Buckets of the frame-to-slot hash (Linux's `PA_HASH_ORDER` of 7).
const BUCKETS: usize = 128;

/// What the window needs of the hardware: its page-table entries, and the
/// TLB.
pub trait PkmapPtes {
    /// Maps slot `nr` to frame `pfn`.
    fn set(&mut self, nr: usize, pfn: Pfn);
    /// Unmaps slot `nr`, leaving its translation in the TLB for now.
    fn clear(&mut self, nr: usize);
    /// Drops the TLB's translations of the whole window.
    fn flush_all(&mut self);
}

/// A `kmap` that found every slot in use: the caller must wait for a
/// `kunmap` (Linux sleeps on `pkmap_map_wait`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Full;

/// A `kunmap` of a frame the window does not map: a kernel bug.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NotMapped(pub Pfn);

/// How the window has been used, for `/proc` and the scenarios.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct PkmapStats {
    /// Slots mapped now (count 2 or more).
    pub in_use: u32,
    /// The most slots mapped at once.
    pub high_water: u32,
    /// Times `flush_all_zero_pkmaps` ran.
    pub flushes: u32,
    /// `kmap`s that found the window full.
    pub full: u32,
}

/// The window's state (Linux's `pkmap_count`, `last_pkmap_nr` and the
/// page-address hash).
pub struct Pkmap {
    count: [u32; SLOTS],
    /// The frame each slot with a count of 1 or more maps.
    page: [Option<Pfn>; SLOTS],
    /// Where the next search for a free slot starts.
    last_pkmap_nr: usize,
    /// The first slot of each hash bucket, and each slot's next one.
    bucket: [Option<u16>; BUCKETS],
    next: [Option<u16>; SLOTS],
    stats: PkmapStats,
}

impl Default for Pkmap {
    fn default() -> Self {
        Self::new()
    }
}

impl Pkmap {
    /// A window with every slot free.
    pub const fn new() -> Self {
        Self {
            count: [0; SLOTS],
            page: [None; SLOTS],
            last_pkmap_nr: 0,
            bucket: [None; BUCKETS],
            next: [None; SLOTS],
            stats: PkmapStats { in_use: 0, high_water: 0, flushes: 0, full: 0 },
        }
    }

    pub fn stats(&self) -> PkmapStats {
        self.stats
    }

    /// The slot mapping `pfn`, if any (Linux's `page_address` for a high
    /// page, as a slot number).
    pub fn page_address(&self, pfn: Pfn) -> Option<usize> {
        let mut at = self.bucket[hash(pfn)];
        while let Some(nr) = at {
            if self.page[nr as usize] == Some(pfn) {
                return Some(nr as usize);
            }
            at = self.next[nr as usize];
        }
        None
    }

    /// One more user of `pfn`'s slot, mapping it in a new slot first if it
    /// has none (Linux's `kmap_high`); `Full` when every slot has users.
    pub fn kmap_high(&mut self, pfn: Pfn, ptes: &mut impl PkmapPtes) -> Result<usize, Full> {
        // LAB 7 BEGIN: the frame's slot (page_address), or a new one (map_new_virtual, whose Full goes back to the caller); one more user of it (count + 1). A count that reaches 2 is one more slot in use: keep stats.in_use and stats.high_water.
        let nr = match self.page_address(pfn) {
            Some(nr) => nr,
            None => self.map_new_virtual(pfn, ptes)?,
        };
        self.count[nr] += 1;
        if self.count[nr] == 2 {
            self.stats.in_use += 1;
            self.stats.high_water = self.stats.high_water.max(self.stats.in_use);
        }
        Ok(nr)
        // LAB 7 END
    }

    /// One user fewer of `pfn`'s slot (Linux's `kunmap_high`); returns
    /// whether the slot has no users left, so that a waiting `kmap` may
    /// now succeed.
    pub fn kunmap_high(&mut self, pfn: Pfn) -> Result<bool, NotMapped> {
        // LAB 7 BEGIN: the frame's slot must have a user (count 2 or more), else NotMapped(pfn). Count one user fewer; at 1 the slot has none left (stats.in_use one less): return true, so that a waiting kmap may try again.
        let nr = self.page_address(pfn).filter(|&nr| self.count[nr] >= 2).ok_or(NotMapped(pfn))?;
        self.count[nr] -= 1;
        let unused = self.count[nr] == 1;
        if unused {
            self.stats.in_use -= 1;
        }
        Ok(unused)
        // LAB 7 END
    }

    /// Finds a free slot for `pfn` and maps it there with a count of 1
    /// (Linux's `map_new_virtual`, whose caller sleeps where this says
    /// `Full`).
    fn map_new_virtual(&mut self, pfn: Pfn, ptes: &mut impl PkmapPtes) -> Result<usize, Full> {
        // LAB 7 BEGIN: look at the slots after last_pkmap_nr in turn, wrapping modulo the window; wrapping to slot 0 first runs flush_all_zero_pkmaps, and then a whole round may be looked at again. A slot at 0 is taken: ptes.set it, count 1, record the frame (page, hash_insert). A round with no free slot is Full (count it in stats.full).
        // Slots left to look at: a whole round, counted again after a flush,
        // which may have freed the ones already passed.
        let mut left = SLOTS;
        while left > 0 {
            self.last_pkmap_nr = (self.last_pkmap_nr + 1) % SLOTS;
            if self.last_pkmap_nr == 0 {
                self.flush_all_zero_pkmaps(ptes);
                left = SLOTS;
            }
            let nr = self.last_pkmap_nr;
            if self.count[nr] == 0 {
                ptes.set(nr, pfn);
                self.count[nr] = 1;
                self.page[nr] = Some(pfn);
                self.hash_insert(nr, pfn);
                return Ok(nr);
            }
            left -= 1;
        }
        self.stats.full += 1;
        Err(Full)
        // LAB 7 END
    }

    /// Frees every slot with no users, with one flush of the TLB for them
    /// all (Linux's `flush_all_zero_pkmaps`).
    fn flush_all_zero_pkmaps(&mut self, ptes: &mut impl PkmapPtes) {
        // LAB 7 BEGIN: every slot at 1 goes to 0: ptes.clear it, forget its frame (page, hash_remove). If any was cleared, one ptes.flush_all for them all, counted in stats.flushes.
        let mut cleared = false;
        for nr in 0..SLOTS {
            if self.count[nr] != 1 {
                continue;
            }
            self.count[nr] = 0;
            ptes.clear(nr);
            let pfn = self.page[nr].take().expect("a slot at 1 maps a frame");
            self.hash_remove(nr, pfn);
            cleared = true;
        }
        if cleared {
            ptes.flush_all();
            self.stats.flushes += 1;
        }
        // LAB 7 END
    }

    fn hash_insert(&mut self, nr: usize, pfn: Pfn) {
        let bucket = &mut self.bucket[hash(pfn)];
        self.next[nr] = *bucket;
        *bucket = Some(nr as u16);
    }

    fn hash_remove(&mut self, nr: usize, pfn: Pfn) {
        let after = self.next[nr].take();
        let head = &mut self.bucket[hash(pfn)];
        if *head == Some(nr as u16) {
            *head = after;
            return;
        }
        let mut at = head.expect("a mapped slot is in its frame's bucket");
        while self.next[at as usize] != Some(nr as u16) {
            at = self.next[at as usize].expect("a mapped slot is in its frame's bucket");
        }
        self.next[at as usize] = after;
    }
}

/// A frame's bucket.
fn hash(pfn: Pfn) -> usize {
    pfn.as_u32() as usize % BUCKETS
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    /// The window's entries as a test sees them, and its flushes.
    #[derive(Default)]
    struct Ptes {
        entries: Vec<(usize, Option<Pfn>)>,
        flushes: u32,
    }

    impl PkmapPtes for Ptes {
        fn set(&mut self, nr: usize, pfn: Pfn) {
            self.entries.push((nr, Some(pfn)));
        }

        fn clear(&mut self, nr: usize) {
            self.entries.push((nr, None));
        }

        fn flush_all(&mut self) {
            self.flushes += 1;
        }
    }

    fn frame(n: u32) -> Pfn {
        Pfn::new(0x40000 + n)
    }

    #[test]
    fn a_frame_mapped_twice_shares_its_slot_and_its_counts() {
        let (mut pkmap, mut ptes) = (Pkmap::new(), Ptes::default());
        let nr = pkmap.kmap_high(frame(1), &mut ptes).unwrap();
        assert_eq!(nr, 1, "the search starts after slot 0");
        assert_eq!(pkmap.kmap_high(frame(1), &mut ptes), Ok(nr));
        assert_eq!(pkmap.count[nr], 3, "two users: n + 1");
        assert_eq!(ptes.entries, [(1, Some(frame(1)))], "mapped once");
        assert_eq!(pkmap.kunmap_high(frame(1)), Ok(false));
        assert_eq!(pkmap.kunmap_high(frame(1)), Ok(true), "the last user leaves the slot at 1");
        assert_eq!(pkmap.count[nr], 1);
        assert_eq!(pkmap.page_address(frame(1)), Some(nr), "still mapped, until a flush");
        assert_eq!(pkmap.kmap_high(frame(1), &mut ptes), Ok(nr), "found again, not mapped again");
        assert_eq!(ptes.entries.len(), 1);
    }

    #[test]
    fn kunmap_of_a_frame_without_users_is_refused() {
        let (mut pkmap, mut ptes) = (Pkmap::new(), Ptes::default());
        assert_eq!(pkmap.kunmap_high(frame(9)), Err(NotMapped(frame(9))));
        pkmap.kmap_high(frame(9), &mut ptes).unwrap();
        pkmap.kunmap_high(frame(9)).unwrap();
        assert_eq!(pkmap.kunmap_high(frame(9)), Err(NotMapped(frame(9))), "its count is 1: no user to drop");
    }

    #[test]
    fn the_wrap_frees_every_unused_slot_with_one_flush() {
        let (mut pkmap, mut ptes) = (Pkmap::new(), Ptes::default());
        // Slots 1..1023 in turn; every other one is given back.
        for n in 1..SLOTS as u32 {
            pkmap.kmap_high(frame(n), &mut ptes).unwrap();
            if n % 2 == 0 {
                pkmap.kunmap_high(frame(n)).unwrap();
            }
        }
        assert_eq!(ptes.flushes, 0);
        // The next search wraps to slot 0: the flush frees the even slots.
        assert_eq!(pkmap.kmap_high(frame(5000), &mut ptes), Ok(0));
        assert_eq!(ptes.flushes, 1);
        let cleared = ptes.entries.iter().filter(|(_, pfn)| pfn.is_none()).count();
        assert_eq!(cleared, SLOTS / 2 - 1, "slots 2, 4, ..., 1022");
        assert_eq!(pkmap.page_address(frame(2)), None);
        assert_eq!(pkmap.page_address(frame(3)), Some(3));
        assert_eq!(pkmap.kmap_high(frame(5001), &mut ptes), Ok(2), "the first slot the flush freed");
        assert_eq!(pkmap.stats(), PkmapStats { in_use: 514, high_water: 514, flushes: 1, full: 0 });
    }

    #[test]
    fn a_full_window_refuses_until_a_kunmap_and_then_reuses_after_a_flush() {
        let (mut pkmap, mut ptes) = (Pkmap::new(), Ptes::default());
        for n in 0..SLOTS as u32 {
            pkmap.kmap_high(frame(n), &mut ptes).unwrap();
        }
        assert_eq!(pkmap.kmap_high(frame(7777), &mut ptes), Err(Full));
        assert_eq!(pkmap.kmap_high(frame(3), &mut ptes), Ok(4), "a mapped frame is still found");
        pkmap.kunmap_high(frame(3)).unwrap();
        assert_eq!(pkmap.kunmap_high(frame(100)), Ok(true), "slot 101 has no users now");
        let flushes = ptes.flushes;
        let nr = pkmap.kmap_high(frame(7777), &mut ptes).unwrap();
        assert_eq!(nr, 101);
        assert_eq!(ptes.flushes, flushes + 1, "freeing slot 101 took a flush");
        assert_eq!(pkmap.page_address(frame(100)), None);
        assert_eq!(pkmap.stats().full, 1);
    }

    #[test]
    fn frames_in_one_bucket_are_told_apart() {
        let (mut pkmap, mut ptes) = (Pkmap::new(), Ptes::default());
        let frames = [frame(0), frame(BUCKETS as u32), frame(2 * BUCKETS as u32)];
        let slots: Vec<usize> = frames.iter().map(|&pfn| pkmap.kmap_high(pfn, &mut ptes).unwrap()).collect();
        for (pfn, nr) in frames.iter().zip(&slots) {
            assert_eq!(pkmap.page_address(*pfn), Some(*nr));
        }
        // Free the middle one of the chain through a wrap.
        pkmap.kunmap_high(frames[1]).unwrap();
        pkmap.last_pkmap_nr = SLOTS - 1;
        pkmap.kmap_high(frame(1), &mut ptes).unwrap();
        assert_eq!(pkmap.page_address(frames[1]), None);
        assert_eq!(pkmap.page_address(frames[0]), Some(slots[0]));
        assert_eq!(pkmap.page_address(frames[2]), Some(slots[2]));
    }
}
