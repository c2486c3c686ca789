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

    use super::{BadHeader, SWAP_MAP_BAD, SWAPS_HEADING, SwapHeader, swaps_line};
    use crate::drivers::ata::{SECTOR_SIZE, disk_sectors, read_sectors};
    use crate::mm::types::{PAGE_SIZE, VirtAddr};
    use crate::mm::vmalloc::{vfree, vmalloc};
    use crate::pr_info;

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
        /// Pages that may hold a slot.
        pages: u32,
        /// Slots in use.
        inuse_pages: u32,
        prio: i32,
    }

    impl SwapInfo {
        fn swap_map(&mut self) -> &mut [u16] {
            // SAFETY: `swapon` vmalloc'ed `max` counts at `swap_map` for
            // this area alone, and they live until `swapoff`.
            unsafe { core::slice::from_raw_parts_mut(self.swap_map.as_mut_ptr(), self.max as usize) }
        }
    }

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
        let mut info = SwapInfo { swap_map, max, pages: header.usable_pages(), inuse_pages: 0, prio: -1 };
        let map = info.swap_map();
        map[0] = SWAP_MAP_BAD;
        header.bad_pages(&page).for_each(|bad| map[bad as usize] = SWAP_MAP_BAD);
        pr_info!(
            "Adding {}k swap on {path}.  Priority:{} extents:1 across:{}k",
            info.pages * (PAGE_SIZE / 1024),
            info.prio,
            info.pages * (PAGE_SIZE / 1024)
        );
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
        if info.inuse_pages != 0 {
            return Err(SwapError::InUse);
        }
        vfree(info.swap_map);
        *swap = None;
        Ok(())
    }

    /// `/proc/swaps`.
    pub fn swaps_text(out: &mut impl Write) -> fmt::Result {
        out.write_str(SWAPS_HEADING)?;
        match &*SWAP.lock() {
            Some(info) => swaps_line(out, SWAP_DEVICE, info.pages, info.inuse_pages, info.prio),
            None => Ok(()),
        }
    }

    /// Swap pages in all, and free (`SwapTotal` and `SwapFree`).
    pub fn nr_swap_pages() -> (u32, u32) {
        SWAP.lock().as_ref().map_or((0, 0), |info| (info.pages, info.pages - info.inuse_pages))
    }
}

#[cfg(target_os = "none")]
pub use kernel::{SwapError, nr_swap_pages, swaps_text, sys_swapoff, sys_swapon};

#[cfg(test)]
mod tests {
    use alloc::string::String;

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
