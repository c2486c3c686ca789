//! Two-level i386 page tables: the entry formats and how a virtual address
//! splits into indices.
//!
//! ```text
//!  31            22 21            12 11             0
//! +----------------+----------------+----------------+
//! | page directory |  page table    |  offset in the |
//! | index (10 bits)| index (10 bits)|  page (12 bits)|
//! +----------------+----------------+----------------+
//! ```
//!
//! Linux names the levels pgd, pud, pmd, pte; on two-level i386 the pud and
//! pmd are folded into the pgd, so only [`Pgd`] and [`Pte`] exist here.

use core::fmt;
use core::ops::{Index, IndexMut};

use bitflags::bitflags;

use super::types::{PAGE_SHIFT, Pfn, VirtAddr};

/// Bits of the virtual address above the page-directory index.
pub const PGDIR_SHIFT: u32 = 22;
/// Entries per page table.
pub const PTRS_PER_PTE: usize = 1024;
/// The first page-directory entry of kernel space (`PAGE_OFFSET >> PGDIR_SHIFT`).
pub const KERNEL_PGD_BOUNDARY: usize = 768;

bitflags! {
    /// The low 12 bits of a page-directory or page-table entry.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct PteFlags: u32 {
        const PRESENT = 1 << 0;
        const RW = 1 << 1;
        const USER = 1 << 2;
        const PWT = 1 << 3;
        const PCD = 1 << 4;
        const ACCESSED = 1 << 5;
        const DIRTY = 1 << 6;
        /// In a page-directory entry: a 4 MiB page (only the boot tables use it).
        const PSE = 1 << 7;
        /// The TLB keeps the entry across CR3 reloads (`CR4.PGE`).
        const GLOBAL = 1 << 8;
    }
}

/// Flags of the kernel's own mappings: present, writable, global.
pub const PAGE_KERNEL: PteFlags = PteFlags::PRESENT.union(PteFlags::RW).union(PteFlags::GLOBAL);
/// Flags of a page-directory entry pointing at a kernel page table.
pub const PAGE_TABLE: PteFlags = PteFlags::PRESENT.union(PteFlags::RW);

const FLAGS_MASK: u32 = (1 << PAGE_SHIFT) - 1;

macro_rules! page_entry {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name(u32);

        impl $name {
            /// The entry that maps nothing.
            pub const NONE: Self = Self(0);

            /// An entry that maps frame `pfn` with `flags`.
            pub const fn new(pfn: Pfn, flags: PteFlags) -> Self {
                Self((pfn.as_u32() << PAGE_SHIFT) | flags.bits())
            }

            /// The frame the entry points at.
            pub const fn pfn(self) -> Pfn {
                Pfn::new(self.0 >> PAGE_SHIFT)
            }

            pub const fn flags(self) -> PteFlags {
                PteFlags::from_bits_retain(self.0 & FLAGS_MASK)
            }

            pub const fn present(self) -> bool {
                self.0 & PteFlags::PRESENT.bits() != 0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:#010x})", stringify!($name), self.0)
            }
        }
    };
}

page_entry! {
    /// A page-directory entry (`pgd_t`): points at a page table.
    Pgd
}

page_entry! {
    /// A page-table entry (`pte_t`): points at a page frame.
    Pte
}

impl Pte {
    /// Whether the entry holds nothing at all (Linux's `pte_none`): neither
    /// a mapping nor a swap entry.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// A page's place in swap: which area (`type`) and which slot of it
/// (Linux's `swp_entry_t`, built by `swp_entry`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct SwpEntry {
    swp_type: u32,
    offset: u32,
}

/// Bits of a swap entry's area number in a page-table entry (Linux's
/// `MAX_SWAPFILES_SHIFT`): bits 1-5.
const SWP_TYPE_BITS: u32 = 5;
/// Where the slot number starts in a page-table entry: above the bits the
/// processor and Linux give other meanings (`_PAGE_FILE` is bit 6 and
/// `_PAGE_PROTNONE` bit 7 in Linux 2.6's i386 format).
const SWP_OFFSET_SHIFT: u32 = 8;
/// Areas a page-table entry can name.
pub const MAX_SWAPFILES: u32 = 1 << SWP_TYPE_BITS;
/// The highest slot a page-table entry can name: 2^24 pages, 64 GiB.
pub const SWP_OFFSET_MAX: u32 = u32::MAX >> SWP_OFFSET_SHIFT;

impl SwpEntry {
    /// Slot `offset` of area `swp_type`: both must fit in a page-table entry.
    pub const fn new(swp_type: u32, offset: u32) -> Self {
        assert!(swp_type < MAX_SWAPFILES && offset <= SWP_OFFSET_MAX, "a swap entry out of range");
        Self { swp_type, offset }
    }

    /// The area's number (Linux's `swp_type`).
    pub const fn swp_type(self) -> u32 {
        self.swp_type
    }

    /// The slot in the area (Linux's `swp_offset`).
    pub const fn offset(self) -> u32 {
        self.offset
    }

    /// The entry as one word, the way a page-table entry holds it
    /// (`swp_entry_t.val`): for a page descriptor to keep.
    pub const fn val(self) -> u32 {
        (self.offset << SWP_OFFSET_SHIFT) | (self.swp_type << 1)
    }

    /// The entry whose word is `val`.
    pub const fn from_val(val: u32) -> Self {
        Self::new((val >> 1) & (MAX_SWAPFILES - 1), val >> SWP_OFFSET_SHIFT)
    }
}

/// The not-present entry that says the page is in swap at `entry` (Linux's
/// `swp_entry_to_pte`):
///
/// ```text
///  31                               8 7 6 5       1 0
/// +----------------------------------+-+-+---------+-+
/// |          slot (offset)           |0|0|  type   |0|
/// +----------------------------------+-+-+---------+-+
/// ```
///
/// `PRESENT` is clear, so the processor ignores the rest and faults; the
/// fault handler finds the page's slot in it.
pub const fn swp_entry_to_pte(entry: SwpEntry) -> Pte {
    Pte(entry.val())
}

/// The swap entry a not-present entry holds (Linux's `pte_to_swp_entry`),
/// or `None` for one that holds nothing (`pte_none`) or maps a page.
pub const fn pte_to_swp_entry(pte: Pte) -> Option<SwpEntry> {
    if pte.present() || pte.0 == 0 {
        return None;
    }
    Some(SwpEntry::from_val(pte.0))
}

/// A page directory or page table: 1024 entries filling one page.
#[repr(C, align(4096))]
pub struct PageTable<E>(pub [E; 1024]);

impl<E: Copy> PageTable<E> {
    /// A table with every entry set to `entry`.
    pub const fn filled(entry: E) -> Self {
        Self([entry; 1024])
    }
}

impl<E> Index<usize> for PageTable<E> {
    type Output = E;
    fn index(&self, i: usize) -> &E {
        &self.0[i]
    }
}

impl<E> IndexMut<usize> for PageTable<E> {
    fn index_mut(&mut self, i: usize) -> &mut E {
        &mut self.0[i]
    }
}

// ANCHOR: index
/// The page-directory index of `va`: its top 10 bits.
pub const fn pgd_index(va: VirtAddr) -> usize {
    (va.as_u32() >> PGDIR_SHIFT) as usize
}

/// The page-table index of `va`: its middle 10 bits.
pub const fn pte_index(va: VirtAddr) -> usize {
    ((va.as_u32() >> PAGE_SHIFT) as usize) & (PTRS_PER_PTE - 1)
}
// ANCHOR_END: index

/// Where the span of `addr`'s page-directory entry ends, or `end` if that
/// comes first (Linux's `pgd_addr_end`): the step of every walk that goes
/// one page table at a time.
pub const fn pgd_addr_end(addr: u32, end: u32) -> u32 {
    let boundary = (addr & !((1 << PGDIR_SHIFT) - 1)).wrapping_add(1 << PGDIR_SHIFT);
    if boundary.wrapping_sub(1) < end.wrapping_sub(1) { boundary } else { end }
}

/// Shows the flags as Linux's page-table dumps do (`P RW U G`...),
/// leaving out Accessed and Dirty, which depend on what ran before.
pub struct FlagNames(pub PteFlags);

impl fmt::Display for FlagNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (PteFlags::PRESENT, "P"),
            (PteFlags::RW, "RW"),
            (PteFlags::USER, "U"),
            (PteFlags::PWT, "PWT"),
            (PteFlags::PCD, "PCD"),
            (PteFlags::PSE, "PSE"),
            (PteFlags::GLOBAL, "G"),
        ];
        let mut first = true;
        for (flag, name) in names {
            if self.0.contains(flag) {
                write!(f, "{}{name}", if first { "" } else { " " })?;
                first = false;
            }
        }
        if first { write!(f, "-") } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_splits_into_ten_ten_twelve() {
        let va = VirtAddr::new(0xC010_2345);
        assert_eq!(pgd_index(va), 0x300);
        assert_eq!(pte_index(va), 0x102);
        assert_eq!(va.page_offset(), 0x345);
        assert_eq!(pgd_index(VirtAddr::new(0xFFFF_FFFF)), 1023);
        assert_eq!(pte_index(VirtAddr::new(0xFFFF_FFFF)), 1023);
    }

    #[test]
    fn pgd_addr_end_stops_at_each_table() {
        assert_eq!(pgd_addr_end(0x0804_8000, 0x0900_0000), 0x0840_0000);
        assert_eq!(pgd_addr_end(0x0804_8000, 0x0805_0000), 0x0805_0000);
        assert_eq!(pgd_addr_end(0xbfff_0000, 0xc000_0000), 0xc000_0000);
        assert_eq!(pgd_addr_end(0xffc0_0000, 0xffff_f000), 0xffff_f000);
    }

    #[test]
    fn entries_keep_frame_and_flags_apart() {
        let pte = Pte::new(Pfn::new(0xABCDE), PAGE_KERNEL);
        assert_eq!(format!("{pte:?}"), "Pte(0xabcde103)");
        assert_eq!(pte.pfn(), Pfn::new(0xABCDE));
        assert_eq!(pte.flags(), PAGE_KERNEL);
        assert!(pte.present());
        assert!(!Pte::NONE.present());
    }

    #[test]
    fn a_swap_entry_round_trips_through_a_not_present_entry() {
        for entry in [SwpEntry::new(0, 1), SwpEntry::new(31, SWP_OFFSET_MAX), SwpEntry::new(3, 0x1234)] {
            let pte = swp_entry_to_pte(entry);
            assert!(!pte.present(), "{pte:?} must fault");
            assert_ne!(pte, Pte::NONE);
            assert_eq!(pte_to_swp_entry(pte), Some(entry));
        }
        assert_eq!(format!("{:?}", swp_entry_to_pte(SwpEntry::new(3, 0x1234))), "Pte(0x00123406)");
        assert_eq!(pte_to_swp_entry(Pte::NONE), None, "an empty entry names no slot");
        assert_eq!(pte_to_swp_entry(Pte::new(Pfn::new(5), PAGE_KERNEL)), None, "a present entry maps a page");
    }

    #[test]
    #[should_panic(expected = "a swap entry out of range")]
    fn a_slot_past_24_bits_cannot_be_named() {
        SwpEntry::new(0, SWP_OFFSET_MAX + 1);
    }

    #[test]
    fn flag_names_skip_accessed_and_dirty() {
        let flags = PAGE_KERNEL | PteFlags::ACCESSED | PteFlags::DIRTY | PteFlags::USER;
        assert_eq!(FlagNames(flags).to_string(), "P RW U G");
        assert_eq!(FlagNames(PteFlags::empty()).to_string(), "-");
    }
}
