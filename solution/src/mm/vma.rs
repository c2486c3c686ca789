//! What a memory region's flags mean: `vm_flags`, the page protection they
//! give its pages, and why a fault on it can fail. The region itself,
//! `struct vm_area_struct`, is in `mm_types.rs` beside the descriptor that
//! owns it, as in Linux's `mm_types.h`; its operations are in `mmap.rs`.

use bitflags::bitflags;

use super::pgtable::PteFlags;

bitflags! {
    /// What a region allows and how it behaves (Linux's `vm_flags`, same
    /// bit values). `MAY*` bound what `mprotect` may later grant.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct VmFlags: u32 {
        const READ = 0x1;
        const WRITE = 0x2;
        const EXEC = 0x4;
        const SHARED = 0x8;
        const MAYREAD = 0x10;
        const MAYWRITE = 0x20;
        const MAYEXEC = 0x40;
        const MAYSHARE = 0x80;
        /// A stack: faults just below it extend it downwards.
        const GROWSDOWN = 0x100;
        const GROWSUP = 0x200;
        /// Pages are faulted in at once and never reclaimed.
        const LOCKED = 0x2000;
        /// `fork` leaves the region out of the child.
        const DONTCOPY = 0x20000;
        /// `mremap` may not grow it.
        const DONTEXPAND = 0x40000;
    }
}

impl VmFlags {
    /// The access bits: read, write, execute.
    pub const ACCESS: Self = Self::READ.union(Self::WRITE).union(Self::EXEC);
    /// Every `MAY*` bit.
    pub const MAY_ALL: Self = Self::MAYREAD.union(Self::MAYWRITE).union(Self::MAYEXEC);
}

/// The page-table flags of a region's pages (Linux's `protection_map`).
/// i386 cannot forbid execution, so execute implies read. A private
/// writable region maps its pages read-only (`PAGE_COPY`): the first write
/// faults, which is how copy-on-write finds out. No access at all
/// (`PAGE_NONE`) leaves a page present for the kernel only: Linux marks it
/// with a special not-present bit instead, to the same effect on user
/// accesses.
pub fn vm_get_page_prot(flags: VmFlags) -> PteFlags {
    let readonly = PteFlags::PRESENT | PteFlags::USER;
    if !flags.intersects(VmFlags::ACCESS) {
        PteFlags::empty()
    } else if flags.contains(VmFlags::WRITE | VmFlags::SHARED) {
        readonly | PteFlags::RW
    } else {
        readonly
    }
}

/// How a fault was served: from memory (minor) or by reading the backing
/// file (major), Linux's `VM_FAULT_MINOR` and `VM_FAULT_MAJOR`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultKind {
    Minor,
    Major,
}

/// Why a fault on a region could not be served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmFault {
    /// No memory for the page or its page table.
    Oom,
    /// The file has no page there (`SIGBUS`).
    Sigbus,
}
