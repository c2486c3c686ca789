//! `struct page`: one descriptor per physical page frame, all of them in one
//! array, `mem_map`, indexed by page frame number (Linux's flat memory model).
//!
//! A descriptor says what the frame is doing: reserved for the kernel, free
//! in the buddy allocator (and heading a block of which order), or in use
//! (with a reference count). Its `lru` link threads it on one list at a time:
//! a buddy free list, the slab's partial list, or an LRU list.
//! Links are frame numbers rather than pointers, so the same code runs on a
//! simulated `mem_map` in the host tests.

use bitflags::bitflags;

use super::types::Pfn;

/// The zones a frame can belong to (Linux's `enum zone_type`); it is
/// recorded in each `Page`, so it lives here, below the zones themselves.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum ZoneType {
    Dma = 0,
    Normal = 1,
    HighMem = 2,
}

impl ZoneType {
    pub const ALL: [ZoneType; 3] = [Self::Dma, Self::Normal, Self::HighMem];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Dma => "DMA",
            Self::Normal => "Normal",
            Self::HighMem => "HighMem",
        }
    }
}

bitflags! {
    /// The `PG_*` state bits of a frame.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct PageFlags: u16 {
        /// Never given to an allocator: firmware, kernel image, boot data.
        const RESERVED = 1 << 0;
        /// Heads a free block in the buddy allocator; `private` is its order.
        const BUDDY = 1 << 1;
        /// Holds kmalloc objects; `private` is its first free object.
        const SLAB = 1 << 2;
        /// Anonymous memory of user space (Linux's `PageAnon`), as opposed
        /// to a file's page.
        const ANON = 1 << 3;
        /// Free, and filled with `PAGE_POISON` when it was freed (only
        /// with the `debug_vm` feature).
        const POISONED = 1 << 4;
        /// Backed by swap rather than a file: a frame of a shared-memory
        /// object. (Linux sets `PG_swapbacked` on anonymous frames too; here
        /// `ANON` alone marks those.)
        const SWAPBACKED = 1 << 5;
        /// Held by an object's `AddressSpace`, a file's page cache or a
        /// shared-memory object's pages, which has a reference to it
        /// (Linux knows such a frame by its `page->mapping`).
        const PAGECACHE = 1 << 6;
        /// A page-cache frame that may hold what is not in the file: it was
        /// written by `write`, or mapped by a region that may write it.
        /// Nothing may drop it (Linux's `PG_dirty`).
        const DIRTY = 1 << 7;
        /// On one of its zone's LRU lists (Linux's `PG_lru`).
        const LRU = 1 << 8;
        /// On the active list, not the inactive one (`PG_active`).
        const ACTIVE = 1 << 9;
        /// Used since it was put on its list or last looked at
        /// (`PG_referenced`): one more use promotes it.
        const REFERENCED = 1 << 10;
        /// Mapped by the one page-table entry `pte` holds, not by a chain
        /// of them (Linux 2.6.0's `PG_direct`).
        const DIRECT = 1 << 11;
        /// In the swap cache, which has a reference to it: `private` is
        /// its swap entry (Linux's `PG_swapcache`).
        const SWAPCACHE = 1 << 12;
    }
}

/// "No frame": the end of a list.
const NIL: u32 = u32::MAX;

/// A link in a doubly linked list of frames.
#[derive(Clone, Copy, Debug)]
pub struct ListLink {
    next: u32,
    prev: u32,
}

/// The descriptor of one page frame (Linux's `struct page`).
#[derive(Clone, Debug)]
pub struct Page {
    pub flags: PageFlags,
    /// The zone the frame belongs to.
    pub zone: ZoneType,
    /// Objects handed out from this frame while it is a slab; for a user
    /// page table, the page-directory index it serves.
    pub inuse: u16,
    /// References to the frame (`_count`); 0 while it is free.
    pub count: u32,
    /// The order of the free block it heads (`BUDDY`), the address of its
    /// first free object (`SLAB`), its swap entry (`SWAPCACHE`), or, for a
    /// user page table, the address of its owner's `MmCell` (Linux 2.6.0
    /// keeps a page table's owner and address in `mapping` and `index`).
    pub private: u32,
    /// Its place in a free list, slab list or LRU list.
    pub lru: ListLink,
    /// The page-table entries mapping a user frame, for its reverse map:
    /// the physical address of the only one (`DIRECT`), or where the chain
    /// of them is (`rmap.rs`); 0 if none.
    pub pte: u32,
}

impl Page {
    /// A reserved frame of `zone`, on no list: how every frame starts.
    pub const fn new(zone: ZoneType) -> Self {
        Self {
            flags: PageFlags::RESERVED,
            zone,
            inuse: 0,
            count: 0,
            private: 0,
            lru: ListLink { next: NIL, prev: NIL },
            pte: 0,
        }
    }
}

/// A doubly linked list of frames through their `lru` links, newest first
/// (Linux's `list_head` with `list_add`: last in, first out), whose last,
/// oldest frame is at hand too, for reclaim.
#[derive(Clone, Debug)]
pub struct PageList {
    head: u32,
    tail: u32,
}

impl Default for PageList {
    fn default() -> Self {
        Self::new()
    }
}

impl PageList {
    pub const fn new() -> Self {
        Self { head: NIL, tail: NIL }
    }

    pub fn is_empty(&self) -> bool {
        self.head == NIL
    }

    /// The frame at the head, if any.
    pub fn first(&self) -> Option<Pfn> {
        (self.head != NIL).then(|| Pfn::new(self.head))
    }

    /// The frame at the end: the one put on the list longest ago.
    pub fn last(&self) -> Option<Pfn> {
        (self.tail != NIL).then(|| Pfn::new(self.tail))
    }

    /// Puts `pfn` at the head.
    pub fn push_front(&mut self, mem_map: &mut [Page], pfn: Pfn) {
        let old = self.head;
        mem_map[index(pfn)].lru = ListLink { next: old, prev: NIL };
        if old == NIL {
            self.tail = pfn.as_u32();
        } else {
            mem_map[old as usize].lru.prev = pfn.as_u32();
        }
        self.head = pfn.as_u32();
    }

    /// Takes `pfn`, which must be on this list, off it.
    pub fn remove(&mut self, mem_map: &mut [Page], pfn: Pfn) {
        let ListLink { next, prev } = mem_map[index(pfn)].lru;
        if prev == NIL {
            debug_assert_eq!(self.head, pfn.as_u32(), "pfn {pfn} is not on this list");
            self.head = next;
        } else {
            mem_map[prev as usize].lru.next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            mem_map[next as usize].lru.prev = prev;
        }
        mem_map[index(pfn)].lru = ListLink { next: NIL, prev: NIL };
    }

    /// The frames on the list, head first.
    pub fn iter<'a>(&self, mem_map: &'a [Page]) -> impl Iterator<Item = Pfn> + 'a {
        let mut at = self.head;
        core::iter::from_fn(move || {
            (at != NIL).then(|| {
                let pfn = Pfn::new(at);
                at = mem_map[at as usize].lru.next;
                pfn
            })
        })
    }
}

/// The `mem_map` index of a frame (Linux's `pfn_to_page`).
pub const fn index(pfn: Pfn) -> usize {
    pfn.as_u32() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pfns(list: &PageList, mem_map: &[Page]) -> Vec<u32> {
        list.iter(mem_map).map(Pfn::as_u32).collect()
    }

    #[test]
    fn a_descriptor_is_the_28_bytes_the_lab_1_chapter_counts() {
        assert_eq!(core::mem::size_of::<Page>(), 28);
    }

    #[test]
    fn a_list_is_last_in_first_out_and_removes_from_anywhere() {
        let mut mem_map = vec![Page::new(ZoneType::Dma); 8];
        let mut list = PageList::new();
        assert!(list.is_empty());
        for pfn in [1, 5, 3, 7] {
            list.push_front(&mut mem_map, Pfn::new(pfn));
        }
        assert_eq!(pfns(&list, &mem_map), [7, 3, 5, 1]);
        assert_eq!(list.last(), Some(Pfn::new(1)), "the oldest");
        list.remove(&mut mem_map, Pfn::new(5));
        assert_eq!(pfns(&list, &mem_map), [7, 3, 1]);
        list.remove(&mut mem_map, Pfn::new(7));
        list.remove(&mut mem_map, Pfn::new(1));
        assert_eq!(pfns(&list, &mem_map), [3]);
        assert_eq!((list.first(), list.last()), (Some(Pfn::new(3)), Some(Pfn::new(3))));
        list.remove(&mut mem_map, Pfn::new(3));
        assert!(list.is_empty());
        assert_eq!(list.last(), None);
    }
}
