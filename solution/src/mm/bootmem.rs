//! The boot-time allocator: the first allocator the kernel has.
//!
//! Before any real allocator exists, the kernel still needs page frames for
//! its own page tables. `BootMem` hands them out one after another from free
//! RAM above the kernel image and the boot loader's data, and never frees,
//! as Linux i386 does with `init_pg_tables_end` before bootmem.

use super::types::Pfn;

/// Frames `[next, end)` are free and not yet handed out.
pub struct BootMem {
    next: Pfn,
    end: Pfn,
}

impl BootMem {
    /// An allocator over the free frames `[start, end)`.
    pub const fn new(start: Pfn, end: Pfn) -> Self {
        Self { next: start, end }
    }

    /// Takes the next free frame, or `None` when the range is used up.
    pub fn alloc_low_page(&mut self) -> Option<Pfn> {
        if self.next >= self.end {
            return None;
        }
        let pfn = self.next;
        self.next = pfn + 1;
        Some(pfn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_each_frame_once_then_stops() {
        let mut bootmem = BootMem::new(Pfn::new(0x200), Pfn::new(0x203));
        let frames: Vec<_> = std::iter::from_fn(|| bootmem.alloc_low_page()).collect();
        assert_eq!(frames, [Pfn::new(0x200), Pfn::new(0x201), Pfn::new(0x202)]);
        assert_eq!(bootmem.alloc_low_page(), None);
    }
}
