//! `madvise`: advice about how a range will be used (Linux's
//! `mm/madvise.c`). Only the advice that changes what the kernel does here
//! is acted on: `MADV_DONTNEED` and `MADV_FREE` drop the range's pages, and
//! `MADV_DONTFORK` and `MADV_DOFORK` set and clear `VM_DONTCOPY`, so that
//! `fork` leaves the range out of the child.

use super::do_mmap::page_align;
use super::error::MmError;
use super::mm_types::MmStruct;
use super::mmap::find_vma;
use super::mprotect::change_range_flags;
use super::types::VirtAddr;
use super::vma::VmFlags;
use super::zap::zap_page_range;

pub const MADV_NORMAL: u32 = 0;
pub const MADV_RANDOM: u32 = 1;
pub const MADV_SEQUENTIAL: u32 = 2;
pub const MADV_WILLNEED: u32 = 3;
pub const MADV_DONTNEED: u32 = 4;
pub const MADV_FREE: u32 = 8;
pub const MADV_DONTFORK: u32 = 10;
pub const MADV_DOFORK: u32 = 11;

/// `madvise(start, len, advice)` (Linux's `do_madvise`). Read-ahead advice
/// changes nothing, there being no disk to read ahead from, but its range
/// is checked as Linux checks it: aligned, and mapped throughout.
pub fn do_madvise(mm: &mut MmStruct, start: VirtAddr, len: u32, advice: u32) -> Result<(), MmError> {
    match advice {
        MADV_NORMAL | MADV_RANDOM | MADV_SEQUENTIAL | MADV_WILLNEED => change_range_flags(mm, start, len, Ok),
        MADV_DONTNEED | MADV_FREE => madvise_dontneed(mm, start, len, advice),
        MADV_DONTFORK => change_range_flags(mm, start, len, |flags| Ok(flags | VmFlags::DONTCOPY)),
        MADV_DOFORK => change_range_flags(mm, start, len, |flags| Ok(flags - VmFlags::DONTCOPY)),
        _ => Err(MmError::BadFlags),
    }
}

/// Drops the pages of `[start, start + len)`: the next touch faults in a
/// zeroed page, or the file's from the page cache (Linux's
/// `madvise_dontneed_free`).
/// Locked regions refuse, and `MADV_FREE` takes only anonymous memory.
/// Linux frees `MADV_FREE`'s pages only under memory pressure, keeping
/// them if they are written first; dropping them at once is one of the
/// outcomes it allows. Linux checks and drops region by region, so a
/// refusal there may come after earlier regions lost their pages; here
/// every region is checked first.
fn madvise_dontneed(mm: &mut MmStruct, start: VirtAddr, len: u32, advice: u32) -> Result<(), MmError> {
    change_range_flags(mm, start, len, Ok)?;
    let Some(end) = page_align(len).map(|len| start.as_u32() + len) else { return Ok(()) };
    let mut at = start.as_u32();
    while let Some(vma) = find_vma(mm, VirtAddr::new(at)).filter(|_| at < end) {
        let v = vma.get(mm);
        if v.vm_flags.contains(VmFlags::LOCKED) || (advice == MADV_FREE && !v.is_anonymous()) {
            return Err(MmError::BadFlags);
        }
        at = v.vm_end.as_u32();
    }
    zap_page_range(mm, start, VirtAddr::new(end));
    Ok(())
}
