//! Copying between the kernel and user space, checked.
//!
//! Every user pointer a system call receives is checked before the kernel
//! touches it: the range must lie below `TASK_SIZE` and every page of it be
//! mapped, user-accessible and, for writes, writable in the caller's page
//! tables. Only then is it copied, through the user address itself (the
//! caller's address space is the one loaded). Pages are never swapped or
//! populated lazily yet, so a checked range stays valid; lab 4 replaces the
//! check by fixing up the fault instead.

use super::layout::PAGE_SIZE;
use super::mm_struct::{MmStruct, TASK_SIZE};
use super::pgtable::PteFlags;
use super::pgwalk::Walk;
use super::types::VirtAddr;

/// A user range the caller may not access (`-EFAULT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fault;

/// Whether `[addr, addr + len)` is user memory of `mm` the caller may read,
/// or write when `write` is set (Linux's `access_ok` plus the page check).
pub fn access_ok(mm: &MmStruct, addr: VirtAddr, len: usize, write: bool) -> bool {
    let Some(end) = addr.as_u32().checked_add(len as u32) else {
        return false;
    };
    if end > TASK_SIZE || len > TASK_SIZE as usize {
        return false;
    }
    let first = addr.as_u32() & !(PAGE_SIZE - 1);
    (first..end).step_by(PAGE_SIZE as usize).all(|page| match mm.walk(VirtAddr::new(page)) {
        Walk::Mapped { pte, .. } => {
            pte.flags().contains(PteFlags::USER) && (!write || pte.flags().contains(PteFlags::RW))
        }
        _ => false,
    })
}

/// Copies `dst.len()` bytes from user address `src` of `mm`, the loaded
/// address space.
pub fn copy_from_user(mm: &MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<(), Fault> {
    if !access_ok(mm, src, dst.len(), false) {
        return Err(Fault);
    }
    // SAFETY: the range is mapped user memory of the loaded address space.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr::<u8>(), dst.as_mut_ptr(), dst.len()) };
    Ok(())
}

/// Copies `src` to user address `dst` of `mm`, the loaded address space.
pub fn copy_to_user(mm: &MmStruct, dst: VirtAddr, src: &[u8]) -> Result<(), Fault> {
    if !access_ok(mm, dst, src.len(), true) {
        return Err(Fault);
    }
    // SAFETY: the range is mapped, writable user memory of the loaded address space.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr::<u8>(), src.len()) };
    Ok(())
}

/// Copies the NUL-terminated string at user address `src` of `mm` into
/// `dst`, without the NUL, and returns its length; a string that does not
/// fit `dst` is refused like a bad address.
pub fn strncpy_from_user(mm: &MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<usize, Fault> {
    for (i, slot) in dst.iter_mut().enumerate() {
        let mut byte = [0u8];
        copy_from_user(mm, &mut byte, VirtAddr::new(src.as_u32().wrapping_add(i as u32)))?;
        if byte[0] == 0 {
            return Ok(i);
        }
        *slot = byte[0];
    }
    Err(Fault)
}
