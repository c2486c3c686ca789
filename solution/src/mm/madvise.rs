//! `madvise`: advice about how a range will be used (Linux's
//! `mm/madvise.c`). Only the advice that changes what the kernel does here
//! is acted on: `MADV_DONTFORK` and `MADV_DOFORK` set and clear
//! `VM_DONTCOPY`, so that `fork` leaves the range out of the child.

use super::error::MmError;
use super::mm_types::MmStruct;
use super::mprotect::change_range_flags;
use super::types::VirtAddr;
use super::vma::VmFlags;

pub const MADV_NORMAL: u32 = 0;
pub const MADV_RANDOM: u32 = 1;
pub const MADV_SEQUENTIAL: u32 = 2;
pub const MADV_WILLNEED: u32 = 3;
pub const MADV_DONTFORK: u32 = 10;
pub const MADV_DOFORK: u32 = 11;

/// `madvise(start, len, advice)` (Linux's `do_madvise`). Read-ahead advice
/// changes nothing, there being no disk to read ahead from, but its range
/// is checked as Linux checks it: aligned, and mapped throughout.
pub fn do_madvise(mm: &mut MmStruct, start: VirtAddr, len: u32, advice: u32) -> Result<(), MmError> {
    match advice {
        MADV_NORMAL | MADV_RANDOM | MADV_SEQUENTIAL | MADV_WILLNEED => change_range_flags(mm, start, len, Ok),
        MADV_DONTFORK => change_range_flags(mm, start, len, |flags| Ok(flags | VmFlags::DONTCOPY)),
        MADV_DOFORK => change_range_flags(mm, start, len, |flags| Ok(flags - VmFlags::DONTCOPY)),
        _ => Err(MmError::BadFlags),
    }
}
