//! Why `mm` refused to change an address space. The memory system calls
//! return these, each saying what was wrong; the system-call layer
//! (`kernel/sys_mman.rs`) turns them into Linux's error numbers, so that
//! `-errno` appears only at that boundary. Several reasons share a number
//! on Linux (`-EINVAL` and `-ENOMEM` above all): the table there shows which.

use super::mmap::VmaError;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MmError {
    /// An address that must be page-aligned is not, or a range runs past
    /// the top of user space.
    BadAddress,
    /// A length of zero where the call needs pages.
    ZeroLength,
    /// Flags, protection bits or advice the call does not take, or a
    /// combination it does not support.
    BadFlags,
    /// The file pages of a mapping would run past page 2^32.
    OffsetOverflow,
    /// A mapping below `MMAP_MIN_ADDR`, where nothing may be mapped.
    BelowMinAddr,
    /// `MAP_FIXED_NOREPLACE` found the range taken.
    Exists,
    /// The access is more than the backing or the region's `MAY*` bits
    /// allow (a writable shared mapping of the read-only initrd).
    Denied,
    /// Part of the range has no region.
    NotMapped,
    /// No room in the address space: no free range of the length, the heap
    /// would run into a region, the stack past its limit.
    NoRoom,
    /// `MAX_MAP_COUNT` regions already.
    TooManyMaps,
    /// The kernel heap has no memory for a region.
    NoMemory,
    /// A new region would overlap an old one.
    Overlap,
    /// The range holds locked pages the call would drop (`msync`'s
    /// `MS_INVALIDATE`).
    Locked,
    /// The range is not inside one region (`mremap` moves or grows one
    /// region at a time).
    NotOneRegion,
}

impl From<VmaError> for MmError {
    fn from(error: VmaError) -> Self {
        match error {
            VmaError::TooManyMaps => Self::TooManyMaps,
            VmaError::NoMemory => Self::NoMemory,
            VmaError::Overlap => Self::Overlap,
        }
    }
}
