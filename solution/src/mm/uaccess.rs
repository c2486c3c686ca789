//! Copying between the kernel and user space, checked.
//!
//! Before the kernel touches a user range, each of its pages is made
//! present the way a processor fault would make it: `fault_in_user_page`
//! runs the fault handler's decision for the page (find the region, check
//! the access, grow the stack, fault the page in). A page no region allows
//! fails the copy with `-EFAULT`. Linux instead copies at once and, when
//! the copy faults, lets the exception table turn the fault into `-EFAULT`;
//! the effect is the same, and this way every step is plain code. Nothing
//! unmaps a page between the check and the copy: one processor, no
//! preemption in the kernel, no swapping.

use super::layout::PAGE_SIZE;
use super::mm_types::{MmStruct, TASK_SIZE};
use super::pgtable::PteFlags;
use super::pgwalk::Walk;
use super::types::VirtAddr;
use crate::arch::x86::fault::fault_in_user_page;

/// A user range the caller may not access (`-EFAULT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fault;

/// Makes `[addr, addr + len)` of `mm`, the loaded address space, present
/// for reading, or writing when `write` is set; `Fault` if any page of it
/// may not be accessed so (Linux's `access_ok` plus the fault path).
pub fn access_ok(mm: &mut MmStruct, addr: VirtAddr, len: usize, write: bool) -> Result<(), Fault> {
    let end =
        addr.as_u32().checked_add(len as u32).filter(|&end| end <= TASK_SIZE && len <= TASK_SIZE as usize);
    let end = end.ok_or(Fault)?;
    for page in (addr.page_down().as_u32()..end).step_by(PAGE_SIZE as usize).map(VirtAddr::new) {
        let present = match mm.walk(page) {
            Walk::Mapped { pte, .. } => {
                pte.flags().contains(PteFlags::USER) && (!write || pte.flags().contains(PteFlags::RW))
            }
            _ => false,
        };
        if !present {
            fault_in_user_page(mm, page, write, None).map_err(|_| Fault)?;
        }
    }
    Ok(())
}

/// Copies `dst.len()` bytes from user address `src` of `mm`, the loaded
/// address space.
pub fn copy_from_user(mm: &mut MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<(), Fault> {
    access_ok(mm, src, dst.len(), false)?;
    // SAFETY: the range is mapped user memory of the loaded address space.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr::<u8>(), dst.as_mut_ptr(), dst.len()) };
    Ok(())
}

/// Copies `src` to user address `dst` of `mm`, the loaded address space.
pub fn copy_to_user(mm: &mut MmStruct, dst: VirtAddr, src: &[u8]) -> Result<(), Fault> {
    access_ok(mm, dst, src.len(), true)?;
    // SAFETY: the range is mapped, writable user memory of the loaded address space.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr::<u8>(), src.len()) };
    Ok(())
}

/// Writes `len` zero bytes at user address `addr` of `mm` (Linux's
/// `clear_user`).
pub fn clear_user(mm: &mut MmStruct, addr: VirtAddr, len: usize) -> Result<(), Fault> {
    access_ok(mm, addr, len, true)?;
    // SAFETY: the range is present, writable user memory of the loaded address space.
    unsafe { addr.as_mut_ptr::<u8>().write_bytes(0, len) };
    Ok(())
}

/// Copies the NUL-terminated string at user address `src` of `mm` into
/// `dst`, without the NUL, and returns its length; a string that does not
/// fit `dst` is refused like a bad address.
pub fn strncpy_from_user(mm: &mut MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<usize, Fault> {
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
