//! Swap areas (Linux's `mm/swapfile.c`): a disk prepared by `mkswap`,
//! turned on with `swapon` and off with `swapoff`, and one count per page
//! slot of it, the `swap_map`, which says how many swap entries name the
//! slot. Lab 8 fills the slots; this part reads the area's header, keeps
//! the map, and shows the area in `/proc/swaps` and `/proc/meminfo`.
//!
//! The header is the area's first page, as `mkswap` writes it (Linux's
//! `union swap_header`, version 1): the signature `SWAPSPACE2` in the page's
//! last ten bytes; at byte 1024 the version, the number of the last usable
//! page, and how many bad pages follow in a list at byte 1536. Page 0 is the
//! header itself, and bad pages are never used: their count is
//! `SWAP_MAP_BAD`.

use core::fmt;

use super::types::PAGE_SIZE;

/// Where the header's fields are, in bytes.
const SIGNATURE_AT: usize = PAGE_SIZE as usize - 10;
const VERSION_AT: usize = 1024;
const LAST_PAGE_AT: usize = 1028;
const NR_BADPAGES_AT: usize = 1032;
const BADPAGES_AT: usize = 1536;
/// Bad pages the header has room for (Linux's `MAX_SWAP_BADPAGES`).
pub const MAX_SWAP_BADPAGES: u32 = (PAGE_SIZE - BADPAGES_AT as u32 - 10) / 4;
/// The count of a slot that may never be used (Linux's `SWAP_MAP_BAD`).
pub const SWAP_MAP_BAD: u16 = 0x8000;

/// What a valid header says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SwapHeader {
    /// The last page of the area that may hold a slot.
    pub last_page: u32,
    pub nr_badpages: u32,
}

/// Why a header was refused, with Linux's message for each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BadHeader {
    /// No `SWAPSPACE2` (a blank disk, or a version 0 area: `SWAP-SPACE`).
    NoSignature,
    /// A version other than 1.
    Version(u32),
    /// `last_page` past the device's end, or no page after the header.
    Size { last_page: u32, device_pages: u32 },
    /// More bad pages than the header can list, or one out of range.
    BadPages,
}

impl fmt::Display for BadHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoSignature => write!(f, "Unable to find swap-space signature"),
            Self::Version(version) => write!(f, "Unable to handle swap header version {version}"),
            Self::Size { last_page, device_pages } => {
                write!(
                    f,
                    "Swap area shorter than signature indicates: last page {last_page}, device {device_pages} pages"
                )
            }
            Self::BadPages => write!(f, "Swap area has a bad-page list it cannot hold"),
        }
    }
}

impl SwapHeader {
    /// Reads the header page of an area `device_pages` pages long.
    pub fn parse(page: &[u8; PAGE_SIZE as usize], device_pages: u32) -> Result<Self, BadHeader> {
        if &page[SIGNATURE_AT..] != b"SWAPSPACE2" {
            return Err(BadHeader::NoSignature);
        }
        let version = word(page, VERSION_AT);
        if version != 1 {
            return Err(BadHeader::Version(version));
        }
        let (last_page, nr_badpages) = (word(page, LAST_PAGE_AT), word(page, NR_BADPAGES_AT));
        if last_page == 0 || last_page >= device_pages {
            return Err(BadHeader::Size { last_page, device_pages });
        }
        let bad_in_range = (0..nr_badpages.min(MAX_SWAP_BADPAGES))
            .all(|i| (1..=last_page).contains(&word(page, BADPAGES_AT + 4 * i as usize)));
        if nr_badpages > MAX_SWAP_BADPAGES || !bad_in_range {
            return Err(BadHeader::BadPages);
        }
        Ok(Self { last_page, nr_badpages })
    }

    /// The bad pages the header lists.
    pub fn bad_pages<'a>(&self, page: &'a [u8; PAGE_SIZE as usize]) -> impl Iterator<Item = u32> + 'a {
        (0..self.nr_badpages as usize).map(move |i| word(page, BADPAGES_AT + 4 * i))
    }

    /// The pages that may hold a slot: all after the header, less the bad
    /// ones (Linux's `si->pages`).
    pub fn usable_pages(&self) -> u32 {
        self.last_page - self.nr_badpages
    }
}

/// The little-endian word at byte `at`.
fn word(page: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(page[at..at + 4].try_into().expect("four bytes"))
}

/// Slots taken one after another before allocation looks for a fresh run
/// of free ones (Linux's `SWAPFILE_CLUSTER`), so that pages swapped out
/// together lie together on the disk and come back in few seeks.
pub const SWAPFILE_CLUSTER: u32 = 256;
/// The highest count of a slot (Linux's `SWAP_MAP_MAX`): an entry more is
/// refused, and its page stays in memory.
pub const SWAP_MAP_MAX: u16 = 0x7fff;

/// Which slots of an area are free and where allocation goes next: the
/// allocation half of Linux's `swap_info_struct`. The counts themselves
/// are the area's `swap_map`, which each method is given.
#[derive(Clone, Debug)]
pub struct SwapSlots {
    /// No free slot lies below `lowest_bit` or above `highest_bit`; once
    /// the area is full, `lowest_bit > highest_bit`.
    lowest_bit: u32,
    highest_bit: u32,
    /// Where the current cluster goes on, and how many slots it has left.
    cluster_next: u32,
    cluster_nr: u32,
    /// Slots that may hold a page (neither the header nor bad), and those
    /// in use.
    pages: u32,
    inuse_pages: u32,
}

impl SwapSlots {
    /// The slots of a new area whose `map` is 0 for every usable slot.
    pub fn new(map: &[u16]) -> Self {
        let free = || map.iter().enumerate().filter(|(_, count)| **count == 0).map(|(at, _)| at as u32);
        let pages = free().count() as u32;
        let (lowest_bit, highest_bit) = (free().next().unwrap_or(1), free().next_back().unwrap_or(0));
        Self { lowest_bit, highest_bit, cluster_next: lowest_bit, cluster_nr: 0, pages, inuse_pages: 0 }
    }

    pub fn pages(&self) -> u32 {
        self.pages
    }

    pub fn inuse_pages(&self) -> u32 {
        self.inuse_pages
    }

    /// Takes a free slot, its count set to 1 (Linux's `scan_swap_map`): the
    /// next one of the current cluster; when that is used up, the start of
    /// the lowest run of `SWAPFILE_CLUSTER` free slots; without one, the
    /// lowest free slot. `None` when every slot is in use.
    pub fn scan_swap_map(&mut self, map: &mut [u16]) -> Option<u32> {
        if self.inuse_pages == self.pages {
            return None;
        }
        if self.cluster_nr == 0 {
            self.cluster_next = self.free_cluster(map).unwrap_or(self.lowest_bit);
            self.cluster_nr = SWAPFILE_CLUSTER;
        }
        let free = |at: &u32| map[*at as usize] == 0;
        let from = self.cluster_next.max(self.lowest_bit);
        let offset = (from..=self.highest_bit).find(free).or_else(|| (self.lowest_bit..from).find(free))?;
        map[offset as usize] = 1;
        self.inuse_pages += 1;
        self.cluster_nr -= 1;
        self.cluster_next = offset + 1;
        if self.inuse_pages == self.pages {
            (self.lowest_bit, self.highest_bit) = (self.highest_bit + 1, self.highest_bit);
        } else {
            self.lowest_bit += u32::from(offset == self.lowest_bit);
            self.highest_bit -= u32::from(offset == self.highest_bit);
        }
        Some(offset)
    }

    /// The first slot of the lowest run of `SWAPFILE_CLUSTER` free slots.
    fn free_cluster(&self, map: &[u16]) -> Option<u32> {
        if self.pages - self.inuse_pages < SWAPFILE_CLUSTER {
            return None;
        }
        let mut run_start = self.lowest_bit;
        for at in self.lowest_bit..=self.highest_bit {
            if map[at as usize] != 0 {
                run_start = at + 1;
            } else if at + 1 - run_start == SWAPFILE_CLUSTER {
                return Some(run_start);
            }
        }
        None
    }

    /// One more entry names slot `offset` (Linux's `swap_duplicate`, for
    /// `fork`): `false`, and no change, if the slot is not in use or its
    /// count is at `SWAP_MAP_MAX`.
    pub fn swap_duplicate(&self, map: &mut [u16], offset: u32) -> bool {
        let count = &mut map[offset as usize];
        let taken = (1..SWAP_MAP_MAX).contains(count);
        *count += u16::from(taken);
        taken
    }

    /// One entry fewer names slot `offset` (Linux's `swap_entry_free`);
    /// the slot is free again when none is left. Returns the count left, or
    /// `None`, and no change, if the slot was not in use.
    pub fn swap_entry_free(&mut self, map: &mut [u16], offset: u32) -> Option<u16> {
        let count = map.get_mut(offset as usize).filter(|count| (1..=SWAP_MAP_MAX).contains(*count))?;
        *count -= 1;
        if *count == 0 {
            self.inuse_pages -= 1;
            self.lowest_bit = self.lowest_bit.min(offset);
            self.highest_bit = self.highest_bit.max(offset);
        }
        Some(*count)
    }
}

/// The area's entry in `/proc/swaps`: `name`, its size and the pages in
/// use, in KiB, and its priority, as Linux prints them.
pub fn swaps_line(out: &mut impl fmt::Write, name: &str, pages: u32, inuse: u32, prio: i32) -> fmt::Result {
    writeln!(
        out,
        "{name:<39} partition\t{}\t{}\t{prio}",
        pages * (PAGE_SIZE / 1024),
        inuse * (PAGE_SIZE / 1024)
    )
}

/// `/proc/swaps`'s heading.
pub const SWAPS_HEADING: &str = "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n";

/// Turning the one disk on and off as swap, which needs the hardware.
#[cfg(target_os = "none")]
mod kernel {
    use core::fmt::{self, Write};

    use spin::Mutex;

    use super::{BadHeader, SWAP_MAP_BAD, SWAPS_HEADING, SwapHeader, SwapSlots, swaps_line};
    use crate::drivers::ata::{SECTOR_SIZE, disk_sectors, read_sectors};
    use crate::mm::pgtable::SwpEntry;
    use crate::mm::types::{PAGE_SIZE, Pfn, VirtAddr};
    use crate::mm::vmalloc::{vfree, vmalloc};
    use crate::{pr_err, pr_info};

    /// The name of the one swap device: the first IDE disk, as Linux 2.6
    /// calls it.
    pub const SWAP_DEVICE: &str = "/dev/hda";

    /// A swap area in use (Linux's `struct swap_info_struct`).
    struct SwapInfo {
        /// One count per page of the area, in `vmalloc` memory: Linux's
        /// `swap_map`, too large to ask for as contiguous frames.
        swap_map: VirtAddr,
        /// Pages of the area, header included.
        max: u32,
        /// Which slots are free.
        slots: SwapSlots,
        /// The swap cache's frame for each slot, 0 for none, in `vmalloc`
        /// memory too. (Linux finds a swap-cache page by its entry in the
        /// radix tree of `swapper_space`; an array as long as the map is
        /// simpler, and allocated once, at `swapon`, so that reclaim never
        /// needs memory to add a page.)
        cache: VirtAddr,
        prio: i32,
    }

    impl SwapInfo {
        /// The counts and the free slots, to change together.
        fn map_and_slots(&mut self) -> (&mut [u16], &mut SwapSlots) {
            // SAFETY: `swapon` vmalloc'ed `max` counts at `swap_map` for
            // this area alone, and they live until `swapoff`.
            let map =
                unsafe { core::slice::from_raw_parts_mut(self.swap_map.as_mut_ptr(), self.max as usize) };
            (map, &mut self.slots)
        }

        /// The swap cache's frame numbers, one per slot.
        fn cache(&mut self) -> &mut [u32] {
            // SAFETY: `swapon` vmalloc'ed `max` words at `cache` for this
            // area alone, and they live until `swapoff`.
            unsafe { core::slice::from_raw_parts_mut(self.cache.as_mut_ptr(), self.max as usize) }
        }
    }

    /// The area's number in swap entries: vmlab has one area.
    const SWAP_TYPE: u32 = 0;

    /// The area, when swap is on (vmlab has one device: Linux's
    /// `swap_info` array of one).
    static SWAP: Mutex<Option<SwapInfo>> = Mutex::new(None);

    /// Why `swapon` or `swapoff` refused.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum SwapError {
        /// No such device: no disk, or another path.
        NoDevice,
        /// The area is on already.
        Busy,
        /// Not a swap area (its header refused), or `swapoff` of one that
        /// is not on.
        Invalid,
        /// No memory for the map, or the disk failed.
        NoMemory,
        /// Slots are in use: lab 8's `swapoff` brings them in first.
        InUse,
    }

    /// `swapon(path)`: reads the disk's header and turns it on as swap, the
    /// header page and the bad pages marked unusable (Linux's
    /// `sys_swapon`). A refused header is reported with Linux's message.
    pub fn sys_swapon(path: &str) -> Result<(), SwapError> {
        let sectors = disk_sectors().filter(|_| path == SWAP_DEVICE).ok_or(SwapError::NoDevice)?;
        let mut swap = SWAP.lock();
        if swap.is_some() {
            return Err(SwapError::Busy);
        }
        let mut page = [0u8; PAGE_SIZE as usize];
        read_sectors(0, &mut page).map_err(|_| SwapError::NoMemory)?;
        let device_pages = sectors / (PAGE_SIZE / SECTOR_SIZE as u32);
        let header = SwapHeader::parse(&page, device_pages).map_err(|bad: BadHeader| {
            pr_info!("swapon: {bad}");
            SwapError::Invalid
        })?;
        let max = header.last_page + 1;
        let swap_map = vmalloc(max * 2, "swapon").ok_or(SwapError::NoMemory)?;
        let Some(cache) = vmalloc(max * 4, "swapon") else {
            vfree(swap_map);
            return Err(SwapError::NoMemory);
        };
        let mut info = SwapInfo { swap_map, max, slots: SwapSlots::new(&[]), cache, prio: -1 };
        info.cache().fill(0);
        let (map, slots) = info.map_and_slots();
        map.fill(0);
        map[0] = SWAP_MAP_BAD;
        header.bad_pages(&page).for_each(|bad| map[bad as usize] = SWAP_MAP_BAD);
        *slots = SwapSlots::new(map);
        let kib = header.usable_pages() * (PAGE_SIZE / 1024);
        pr_info!("Adding {kib}k swap on {path}.  Priority:{} extents:1 across:{kib}k", info.prio);
        *swap = Some(info);
        Ok(())
    }

    /// `swapoff(path)`: turns the area off and frees its map (Linux's
    /// `sys_swapoff`).
    pub fn sys_swapoff(path: &str) -> Result<(), SwapError> {
        if path != SWAP_DEVICE {
            return Err(SwapError::NoDevice);
        }
        let mut swap = SWAP.lock();
        let info = swap.as_ref().ok_or(SwapError::Invalid)?;
        if info.slots.inuse_pages() != 0 {
            return Err(SwapError::InUse);
        }
        vfree(info.swap_map);
        vfree(info.cache);
        *swap = None;
        Ok(())
    }

    /// `/proc/swaps`.
    pub fn swaps_text(out: &mut impl Write) -> fmt::Result {
        out.write_str(SWAPS_HEADING)?;
        match &*SWAP.lock() {
            Some(info) => {
                swaps_line(out, SWAP_DEVICE, info.slots.pages(), info.slots.inuse_pages(), info.prio)
            }
            None => Ok(()),
        }
    }

    /// Swap pages in all, and free (`SwapTotal` and `SwapFree`).
    pub fn nr_swap_pages() -> (u32, u32) {
        SWAP.lock()
            .as_ref()
            .map_or((0, 0), |info| (info.slots.pages(), info.slots.pages() - info.slots.inuse_pages()))
    }

    /// A free slot, its count 1 for the caller's entry (Linux's
    /// `get_swap_page`); `None` if swap is off or full.
    pub fn get_swap_page() -> Option<SwpEntry> {
        let mut swap = SWAP.lock();
        let (map, slots) = swap.as_mut()?.map_and_slots();
        slots.scan_swap_map(map).map(|offset| SwpEntry::new(SWAP_TYPE, offset))
    }

    /// One more entry names `entry`'s slot (Linux's `swap_duplicate`);
    /// `false` if the slot is not in use or its count is full.
    pub fn swap_duplicate(entry: SwpEntry) -> bool {
        let mut swap = SWAP.lock();
        swap.as_mut().is_some_and(|info| {
            let (map, slots) = info.map_and_slots();
            entry.swp_type() == SWAP_TYPE
                && entry.offset() < map.len() as u32
                && slots.swap_duplicate(map, entry.offset())
        })
    }

    /// One entry fewer names `entry`'s slot, freed with the last (Linux's
    /// `swap_free`). An entry naming no slot in use is reported with
    /// Linux's message and changes nothing.
    pub fn swap_free(entry: SwpEntry) {
        let mut swap = SWAP.lock();
        let freed = swap.as_mut().filter(|_| entry.swp_type() == SWAP_TYPE).and_then(|info| {
            let (map, slots) = info.map_and_slots();
            slots.swap_entry_free(map, entry.offset())
        });
        if freed.is_none() {
            pr_err!("swap_free: Unused swap offset entry {:08x}", entry.offset());
        }
    }

    /// The swap cache's frame for `entry`'s slot, if it has one.
    pub fn swap_cache_page(entry: SwpEntry) -> Option<Pfn> {
        let mut swap = SWAP.lock();
        let info = swap.as_mut().filter(|_| entry.swp_type() == SWAP_TYPE)?;
        info.cache().get(entry.offset() as usize).copied().filter(|&pfn| pfn != 0).map(Pfn::new)
    }

    /// Records `pfn`, or no frame, as the swap cache's for `entry`'s slot,
    /// which must be in use.
    pub fn set_swap_cache_page(entry: SwpEntry, pfn: Option<Pfn>) {
        let mut swap = SWAP.lock();
        let info = swap.as_mut().filter(|_| entry.swp_type() == SWAP_TYPE).expect("swap is on");
        info.cache()[entry.offset() as usize] = pfn.map_or(0, Pfn::as_u32);
    }

    /// How many entries name `entry`'s slot (Linux's `swap_count`); 0 for
    /// a free slot or no swap.
    pub fn swap_count(entry: SwpEntry) -> u16 {
        let mut swap = SWAP.lock();
        let count = swap.as_mut().filter(|_| entry.swp_type() == SWAP_TYPE).and_then(|info| {
            let (map, _) = info.map_and_slots();
            map.get(entry.offset() as usize).copied()
        });
        count.filter(|&count| count != SWAP_MAP_BAD).unwrap_or(0)
    }
}

#[cfg(target_os = "none")]
pub use kernel::{
    SWAP_DEVICE, SwapError, get_swap_page, nr_swap_pages, set_swap_cache_page, swap_cache_page, swap_count,
    swap_duplicate, swap_free, swaps_text, sys_swapoff, sys_swapon,
};

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;

    /// A header as `mkswap` writes it for an area of `pages` pages.
    fn header(pages: u32, bad: &[u32]) -> [u8; PAGE_SIZE as usize] {
        let mut page = [0u8; PAGE_SIZE as usize];
        page[SIGNATURE_AT..].copy_from_slice(b"SWAPSPACE2");
        page[VERSION_AT..VERSION_AT + 4].copy_from_slice(&1u32.to_le_bytes());
        page[LAST_PAGE_AT..LAST_PAGE_AT + 4].copy_from_slice(&(pages - 1).to_le_bytes());
        page[NR_BADPAGES_AT..NR_BADPAGES_AT + 4].copy_from_slice(&(bad.len() as u32).to_le_bytes());
        for (i, &b) in bad.iter().enumerate() {
            page[BADPAGES_AT + 4 * i..BADPAGES_AT + 4 * i + 4].copy_from_slice(&b.to_le_bytes());
        }
        page
    }

    #[test]
    fn a_mkswap_header_gives_its_usable_pages() {
        let page = header(4096, &[]);
        let parsed = SwapHeader::parse(&page, 4096).unwrap();
        assert_eq!(parsed, SwapHeader { last_page: 4095, nr_badpages: 0 });
        assert_eq!(parsed.usable_pages(), 4095, "all but the header");
        let page = header(4096, &[7, 9]);
        let parsed = SwapHeader::parse(&page, 4096).unwrap();
        assert_eq!(parsed.usable_pages(), 4093);
        assert!(parsed.bad_pages(&page).eq([7, 9]));
    }

    #[test]
    fn every_bad_header_is_refused_with_its_reason() {
        assert_eq!(SwapHeader::parse(&[0; PAGE_SIZE as usize], 4096), Err(BadHeader::NoSignature));
        let mut old = header(4096, &[]);
        old[SIGNATURE_AT..].copy_from_slice(b"SWAP-SPACE");
        assert_eq!(SwapHeader::parse(&old, 4096), Err(BadHeader::NoSignature));
        let mut v2 = header(4096, &[]);
        v2[VERSION_AT] = 2;
        assert_eq!(SwapHeader::parse(&v2, 4096), Err(BadHeader::Version(2)));
        assert_eq!(
            SwapHeader::parse(&header(4096, &[]), 2048),
            Err(BadHeader::Size { last_page: 4095, device_pages: 2048 })
        );
        assert_eq!(
            SwapHeader::parse(&header(1, &[]), 1),
            Err(BadHeader::Size { last_page: 0, device_pages: 1 })
        );
        assert_eq!(
            SwapHeader::parse(&header(4096, &[0]), 4096),
            Err(BadHeader::BadPages),
            "page 0 is the header"
        );
        assert_eq!(SwapHeader::parse(&header(4096, &[4096]), 4096), Err(BadHeader::BadPages));
        let mut many = header(4096, &[]);
        many[NR_BADPAGES_AT..NR_BADPAGES_AT + 4].copy_from_slice(&(MAX_SWAP_BADPAGES + 1).to_le_bytes());
        assert_eq!(SwapHeader::parse(&many, 4096), Err(BadHeader::BadPages));
    }

    /// A `swap_map` of `len` slots: the header and the `bad` ones marked.
    fn swap_map(len: usize, bad: &[usize]) -> Vec<u16> {
        let mut map = vec![0; len];
        map[0] = SWAP_MAP_BAD;
        bad.iter().for_each(|&at| map[at] = SWAP_MAP_BAD);
        map
    }

    #[test]
    fn slots_are_taken_in_order_around_bad_ones_until_the_area_is_full() {
        let mut map = swap_map(8, &[3]);
        let mut slots = SwapSlots::new(&map);
        assert_eq!(slots.pages(), 6);
        let taken: Vec<u32> = core::iter::from_fn(|| slots.scan_swap_map(&mut map)).collect();
        assert_eq!(taken, [1, 2, 4, 5, 6, 7]);
        assert_eq!(slots.inuse_pages(), 6);
        assert_eq!(slots.scan_swap_map(&mut map), None, "full");
        assert_eq!(slots.swap_entry_free(&mut map, 5), Some(0));
        assert_eq!(slots.scan_swap_map(&mut map), Some(5), "the one freed slot");
        assert_eq!(slots.swap_entry_free(&mut map, 3), None, "a bad slot is never in use");
    }

    #[test]
    fn a_used_up_cluster_moves_to_the_next_run_of_free_slots() {
        let cluster = SWAPFILE_CLUSTER as usize;
        let mut map = swap_map(4 * cluster, &[]);
        let mut slots = SwapSlots::new(&map);
        let first: Vec<u32> = (0..cluster).map(|_| slots.scan_swap_map(&mut map).unwrap()).collect();
        assert_eq!(first, (1..=cluster as u32).collect::<Vec<_>>(), "one cluster, in order");
        // Free every other slot of it: the holes are no run, so the next
        // cluster starts after them rather than filling them.
        (1..=cluster as u32)
            .step_by(2)
            .for_each(|at| assert_eq!(slots.swap_entry_free(&mut map, at), Some(0)));
        assert_eq!(slots.scan_swap_map(&mut map), Some(cluster as u32 + 1));
        assert_eq!(slots.scan_swap_map(&mut map), Some(cluster as u32 + 2));
    }

    #[test]
    fn counts_grow_with_each_entry_and_the_slot_frees_with_the_last() {
        let mut map = swap_map(4, &[]);
        let mut slots = SwapSlots::new(&map);
        let at = slots.scan_swap_map(&mut map).unwrap();
        assert!(slots.swap_duplicate(&mut map, at), "a second entry, as after fork");
        assert_eq!(map[at as usize], 2);
        assert!(!slots.swap_duplicate(&mut map, 2), "a free slot cannot be named twice");
        assert!(!slots.swap_duplicate(&mut map, 0), "nor the header");
        assert_eq!(slots.swap_entry_free(&mut map, at), Some(1));
        assert_eq!(slots.inuse_pages(), 1);
        assert_eq!(slots.swap_entry_free(&mut map, at), Some(0));
        assert_eq!((slots.inuse_pages(), slots.swap_entry_free(&mut map, at)), (0, None));
        map[1] = SWAP_MAP_MAX;
        assert!(!slots.swap_duplicate(&mut map, 1), "a count at its maximum is refused");
    }

    #[test]
    fn proc_swaps_lines_are_linuxs() {
        let mut text = String::from(SWAPS_HEADING);
        swaps_line(&mut text, "/dev/hda", 4095, 0, -1).unwrap();
        assert_eq!(
            text,
            "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n/dev/hda                                partition\t16380\t0\t-1\n"
        );
    }
}
