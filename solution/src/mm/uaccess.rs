//! Copying between the kernel and user space, checked.
//!
//! Before the kernel touches a page of a user range, the page is made
//! present the way a processor fault would make it: `fault_in_user_page`
//! runs the fault handler's decision for the page (find the region, check
//! the access, grow the stack, fault the page in). The copy goes a page at
//! a time up to the first page that may not be accessed, and reports how
//! far it got, so that a `write` whose buffer ends in unmapped memory
//! returns the bytes before it. Linux instead copies at once and, when the copy faults, finds
//! the faulting instruction in its exception table and jumps to a fix-up
//! that returns the bytes not copied; the effect is the same, and this way
//! every step is plain code. Nothing unmaps a page between its check and
//! its copy: one processor, no preemption in the kernel, and reclaim runs
//! only within a fault, before the page is checked again.
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

/// Hands `piece` each part of `[addr, addr + len)` of `mm`, the loaded
/// address space, that lies in one page (its offset in the range, its
/// address, its length), in order, each as soon as its page is present for
/// reading, or writing when `write` is set; stops at the first page that
/// may not be accessed so. Returns how many bytes it handed on. A piece is
/// used before the next page is faulted in, since that fault may reclaim
/// the pages before it.
fn for_each_user_piece(
    mm: &mut MmStruct,
    addr: VirtAddr,
    len: usize,
    write: bool,
    mut piece: impl FnMut(usize, VirtAddr, usize),
) -> usize {
    let mut done = 0;
    while done < len {
        let Some(at) = addr.as_u32().checked_add(done as u32) else { break };
        if at >= TASK_SIZE || !user_page_ready(mm, VirtAddr::new(at).page_down(), write) {
            break;
        }
        let n = ((PAGE_SIZE - at % PAGE_SIZE) as usize).min(len - done);
        piece(done, VirtAddr::new(at), n);
        done += n;
    }
    done
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
    whole(for_each_user_piece(mm, addr, len, write, |_, _, _| {}), len)
}

/// Copies `dst.len()` bytes from user address `src` of `mm`, the loaded
/// address space; on a fault, the bytes before it are copied.
pub fn copy_from_user(mm: &mut MmStruct, dst: &mut [u8], src: VirtAddr) -> Result<(), Fault> {
    let len = dst.len();
    let done = for_each_user_piece(mm, src, len, false, |at, user, n| {
        // SAFETY: the `n` bytes at `user` are mapped user memory of the
        // loaded address space, and not null (page 0 is never mapped).
        unsafe { core::ptr::copy_nonoverlapping(user.as_ptr::<u8>(), dst[at..].as_mut_ptr(), n) };
    });
    whole(done, len)
}

/// Copies `src` to user address `dst` of `mm`, the loaded address space;
/// on a fault, the bytes before it are copied.
pub fn copy_to_user(mm: &mut MmStruct, dst: VirtAddr, src: &[u8]) -> Result<(), Fault> {
    let done = for_each_user_piece(mm, dst, src.len(), true, |at, user, n| {
        // SAFETY: the `n` bytes at `user` are mapped, writable user memory
        // of the loaded address space, and not null.
        unsafe { core::ptr::copy_nonoverlapping(src[at..].as_ptr(), user.as_mut_ptr::<u8>(), n) };
    });
    whole(done, src.len())
}

/// Writes `len` zero bytes at user address `addr` of `mm` (Linux's
/// `clear_user`); on a fault, the bytes before it are cleared.
pub fn clear_user(mm: &mut MmStruct, addr: VirtAddr, len: usize) -> Result<(), Fault> {
    let done = for_each_user_piece(mm, addr, len, true, |_, user, n| {
        // SAFETY: the `n` bytes at `user` are present, writable user memory
        // of the loaded address space, and not null.
        unsafe { user.as_mut_ptr::<u8>().write_bytes(0, n) };
    });
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
