//! `msync`: write a file mapping's changes back to the file (Linux's
//! `mm/msync.c`). Nothing here is ever to write back: the initrd never
//! changes, and what a shared mapping writes stays in the page cache
//! (`filemap.rs`). What is left is the part a program sees: the checks of
//! the flags and of the range, with Linux's answers.

use super::do_mmap::page_align;
use super::error::MmError;
use super::mm_types::MmStruct;
use super::mmap::find_vma;
use super::types::VirtAddr;
use super::vma::VmFlags;

pub const MS_ASYNC: u32 = 1;
pub const MS_INVALIDATE: u32 = 2;
pub const MS_SYNC: u32 = 4;

/// `msync(start, len, flags)`: the range must be mapped (a hole is
/// `NotMapped`, after the regions past it are checked unless the call is
/// `MS_ASYNC` alone), and `MS_INVALIDATE` may not drop locked pages.
pub fn do_msync(mm: &mut MmStruct, start: VirtAddr, len: u32, flags: u32) -> Result<(), MmError> {
    let both = MS_ASYNC | MS_SYNC;
    if flags & !(both | MS_INVALIDATE) != 0 || flags & both == both {
        return Err(MmError::BadFlags);
    }
    if !start.is_page_aligned() {
        return Err(MmError::BadAddress);
    }
    let end = page_align(len).and_then(|len| start.as_u32().checked_add(len)).ok_or(MmError::NotMapped)?;
    let (mut at, mut hole) = (start.as_u32(), false);
    while at < end {
        let vma = find_vma(mm, VirtAddr::new(at)).ok_or(MmError::NotMapped)?;
        let v = vma.get(mm);
        if v.vm_start.as_u32() > at {
            if flags == MS_ASYNC || v.vm_start.as_u32() >= end {
                return Err(MmError::NotMapped);
            }
            hole = true;
        }
        if flags & MS_INVALIDATE != 0 && v.vm_flags.contains(VmFlags::LOCKED) {
            return Err(MmError::Locked);
        }
        at = v.vm_end.as_u32();
    }
    if hole { Err(MmError::NotMapped) } else { Ok(()) }
}
