//! The boot-time allocator (Linux's bootmem): one bit per frame of low
//! memory, set while the frame is reserved or handed out.
//!
//! It starts with every frame reserved, then frees the RAM the firmware
//! reported and reserves again what the kernel occupies: the first page
//! (BIOS data), the kernel image, the boot modules and its own bitmap. It
//! serves page tables and `mem_map` before the buddy allocator exists, and
//! when that is ready, `free_all_bootmem` hands every frame still free over
//! to it. Bootmem is never used again.

use super::types::Pfn;

const BITS: u32 = u32::BITS;

pub struct BootMem<'a> {
    /// Bit `pfn` set: the frame is not free.
    map: &'a mut [u32],
    /// Frames `[0, end)` are tracked.
    end: Pfn,
}

impl<'a> BootMem<'a> {
    /// How many bitmap words `frames` frames need.
    pub const fn map_words(frames: u32) -> usize {
        frames.div_ceil(BITS) as usize
    }

    /// Bootmem over frames `[0, end)` with its bitmap in `map`; every frame
    /// starts reserved.
    pub fn new(map: &'a mut [u32], end: Pfn) -> Self {
        assert!(map.len() >= Self::map_words(end.as_u32()), "bootmem bitmap too small");
        map.fill(u32::MAX);
        Self { map, end }
    }

    fn set(&mut self, pfn: u32, reserved: bool) {
        let (word, bit) = ((pfn / BITS) as usize, pfn % BITS);
        if reserved {
            self.map[word] |= 1 << bit;
        } else {
            self.map[word] &= !(1 << bit);
        }
    }

    fn is_free(&self, pfn: u32) -> bool {
        self.map[(pfn / BITS) as usize] & (1 << (pfn % BITS)) == 0
    }

    /// Marks frames `[start, end)` free (RAM, from the memory map).
    pub fn free_bootmem(&mut self, start: Pfn, end: Pfn) {
        for pfn in start.as_u32()..end.min(self.end).as_u32() {
            self.set(pfn, false);
        }
    }

    /// Marks frames `[start, end)` reserved.
    pub fn reserve_bootmem(&mut self, start: Pfn, end: Pfn) {
        for pfn in start.as_u32()..end.min(self.end).as_u32() {
            self.set(pfn, true);
        }
    }

    /// Reserves and returns the first run of `pages` free frames at or above
    /// `goal` and below `limit`; if there is none, searches again from frame
    /// 0 (as Linux's `__alloc_bootmem` does). The frames are not zeroed.
    pub fn alloc_bootmem(&mut self, pages: u32, goal: Pfn, limit: Pfn) -> Option<Pfn> {
        let limit = limit.min(self.end).as_u32();
        let start = self.find_run(pages, goal.as_u32(), limit).or_else(|| self.find_run(pages, 0, limit))?;
        self.reserve_bootmem(Pfn::new(start), Pfn::new(start + pages));
        Some(Pfn::new(start))
    }

    fn find_run(&self, pages: u32, from: u32, limit: u32) -> Option<u32> {
        let mut run_start = from;
        for pfn in from..limit {
            if !self.is_free(pfn) {
                run_start = pfn + 1;
            } else if pfn + 1 - run_start == pages {
                return Some(run_start);
            }
        }
        None
    }

    /// The number of free frames.
    #[cfg(test)]
    pub fn free_pages(&self) -> u32 {
        (0..self.end.as_u32()).filter(|&pfn| self.is_free(pfn)).count() as u32
    }

    /// Calls `release(start, end)` for every maximal run of free frames,
    /// lowest first (Linux's `free_all_bootmem`), and returns how many
    /// frames it released.
    pub fn free_all_bootmem(self, mut release: impl FnMut(Pfn, Pfn)) -> u32 {
        let mut released = 0;
        let mut pfn = 0;
        while pfn < self.end.as_u32() {
            if !self.is_free(pfn) {
                pfn += 1;
                continue;
            }
            let start = pfn;
            while pfn < self.end.as_u32() && self.is_free(pfn) {
                pfn += 1;
            }
            release(Pfn::new(start), Pfn::new(pfn));
            released += pfn - start;
        }
        released
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pfn(n: u32) -> Pfn {
        Pfn::new(n)
    }

    #[test]
    fn frames_start_reserved_until_freed() {
        let mut map = vec![0; BootMem::map_words(100)];
        let mut bootmem = BootMem::new(&mut map, pfn(100));
        assert_eq!(bootmem.free_pages(), 0);
        bootmem.free_bootmem(pfn(10), pfn(200));
        assert_eq!(bootmem.free_pages(), 90);
        bootmem.reserve_bootmem(pfn(20), pfn(30));
        assert_eq!(bootmem.free_pages(), 80);
    }

    #[test]
    fn alloc_takes_the_first_run_above_the_goal_then_falls_back_to_zero() {
        let mut map = vec![0; BootMem::map_words(64)];
        let mut bootmem = BootMem::new(&mut map, pfn(64));
        bootmem.free_bootmem(pfn(0), pfn(64));
        bootmem.reserve_bootmem(pfn(33), pfn(34));
        assert_eq!(bootmem.alloc_bootmem(4, pfn(30), pfn(64)), Some(pfn(34)));
        assert_eq!(bootmem.alloc_bootmem(30, pfn(40), pfn(64)), Some(pfn(0)));
        assert_eq!(bootmem.alloc_bootmem(30, pfn(0), pfn(64)), None);
        assert_eq!(bootmem.alloc_bootmem(3, pfn(0), pfn(64)), Some(pfn(30)));
    }

    #[test]
    fn free_all_hands_over_each_free_run_once() {
        let mut map = vec![0; BootMem::map_words(40)];
        let mut bootmem = BootMem::new(&mut map, pfn(40));
        bootmem.free_bootmem(pfn(1), pfn(40));
        bootmem.reserve_bootmem(pfn(5), pfn(8));
        bootmem.alloc_bootmem(2, pfn(20), pfn(40));
        let mut runs = Vec::new();
        let released = bootmem.free_all_bootmem(|start, end| runs.push((start.as_u32(), end.as_u32())));
        assert_eq!(runs, [(1, 5), (8, 20), (22, 40)]);
        assert_eq!(released, 4 + 12 + 18);
    }
}
