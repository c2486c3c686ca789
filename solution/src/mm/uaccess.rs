//! Copying between the kernel and user space, checked.
//!
//! Before the kernel touches a user range, each of its pages is made
//! present the way a processor fault would make it: `fault_in_user_page`
//! runs the fault handler's decision for the page (find the region, check
//! the access, grow the stack, fault the page in). The copy then runs up to
//! the first page that may not be accessed, and reports how far it got, so
//! that a `write` whose buffer ends in unmapped memory returns the bytes
//! before it. Linux instead copies at once and, when the copy faults, finds
//! the faulting instruction in its exception table and jumps to a fix-up
//! that returns the bytes not copied; the effect is the same, and this way
//! every step is plain code. Nothing unmaps a page between the check and
//! the copy: one processor, no preemption in the kernel, no swapping.
//!
//! Page 0 and the pages up to `MMAP_MIN_ADDR` can never be mapped, so a
//! NULL pointer (or a small offset from one) always fails here.

use super::mm_types::{MmStruct, TASK_SIZE};
use super::pgtable::PteFlags;
use super::pgwalk::Walk;
use super::types::{PAGE_SIZE, VirtAddr};
use crate::arch::x86::fault::fault_in_user_page;

/// A user range the caller may not access (`-EFAULT`) in full: only its
/// first `done` bytes may be (and, for a copy, were copied).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fault {
    pub done: usize,
}

/// Makes the pages of `[addr, addr + len)` of `mm`, the loaded address
/// space, present for reading, or writing when `write` is set, up to the
/// first one that may not be accessed so; returns how many bytes from
/// `addr` on may be.
fn fault_in_range(mm: &mut MmStruct, addr: VirtAddr, len: usize, write: bool) -> usize {
    let Some(last) = (len as u32).checked_sub(1) else { return 0 };
    let last = addr.as_u32().saturating_add(last);
    let mut page = addr.page_down().as_u32();
    while page <= last {
        if page >= TASK_SIZE || !user_page_ready(mm, VirtAddr::new(page), write) {
            return page.saturating_sub(addr.as_u32()) as usize;
        }
        let Some(next) = page.checked_add(PAGE_SIZE) else { break };
        page = next;
    }
    len
}

/// Whether the user page at `page` is mapped for the access, after
/// faulting it in if it was not.
fn user_page_ready(mm: &mut MmStruct, page: VirtAddr, write: bool) -> bool {
    let present = match mm.walk(page) {
        Walk::Mapped { pte, .. } => {
            pte.flags().contains(PteFlags::USER) && (!write || pte.flags().contains(PteFlags::RW))
        }
        _ => false,
    };
    present || fault_in_user_page(mm, page, write, None).is_ok()
}

/// `Ok` if all of `len` bytes may be accessed, else how many may.
fn whole(done: usize, len: usize) -> Result<(), Fault> {
    if done == len { Ok(()) } else { Err(Fault { done }) }
}

/// Makes `[addr, addr + len)` of `mm`, the loaded address space, present
/// for reading, or writing when `write` is set (Linux's `access_ok` plus
/// the fault path).
pub fn access_ok(mm: &mut MmStruct, addr: VirtAddr, len: usize, write: bool) -> Result<(), Fault> {
    whole(fault_in_range(mm, addr, len, write), len)
}

/// Copies `dst.len()` bytes from user address `src` of `mm`, the loaded
/// address space; on a fault, the bytes before it are copied.
pub fn copy_from_user(mm: &mut MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<(), Fault> {
    let done = fault_in_range(mm, src, dst.len(), false);
    if done > 0 {
        // SAFETY: the first `done` bytes at `src` are mapped user memory of
        // the loaded address space, and `src` is not null (page 0 is never
        // mapped).
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr::<u8>(), dst.as_mut_ptr(), done) };
    }
    whole(done, dst.len())
}

/// Copies `src` to user address `dst` of `mm`, the loaded address space;
/// on a fault, the bytes before it are copied.
pub fn copy_to_user(mm: &mut MmStruct, dst: VirtAddr, src: &[u8]) -> Result<(), Fault> {
    let done = fault_in_range(mm, dst, src.len(), true);
    if done > 0 {
        // SAFETY: the first `done` bytes at `dst` are mapped, writable user
        // memory of the loaded address space, and `dst` is not null.
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr::<u8>(), done) };
    }
    whole(done, src.len())
}

/// Writes `len` zero bytes at user address `addr` of `mm` (Linux's
/// `clear_user`); on a fault, the bytes before it are cleared.
pub fn clear_user(mm: &mut MmStruct, addr: VirtAddr, len: usize) -> Result<(), Fault> {
    let done = fault_in_range(mm, addr, len, true);
    if done > 0 {
        // SAFETY: the first `done` bytes at `addr` are present, writable
        // user memory of the loaded address space, and `addr` is not null.
        unsafe { addr.as_mut_ptr::<u8>().write_bytes(0, done) };
    }
    whole(done, len)
}

/// Copies the NUL-terminated string at user address `src` of `mm` into
/// `dst`, without the NUL, and returns its length; a string that does not
/// fit `dst` is refused like a bad address.
pub fn strncpy_from_user(mm: &mut MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<usize, Fault> {
    for (i, slot) in dst.iter_mut().enumerate() {
        let mut byte = [0u8];
        copy_from_user(mm, &mut byte, VirtAddr::new(src.as_u32().wrapping_add(i as u32)))
            .map_err(|_| Fault { done: i })?;
        if byte[0] == 0 {
            return Ok(i);
        }
        *slot = byte[0];
    }
    Err(Fault { done: dst.len() })
}
