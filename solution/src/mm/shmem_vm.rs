//! The regions of shared-memory objects (the `vm_operations_struct` of
//! Linux's `mm/shmem.c`): a fault finds the object's frame for the page, or
//! gives the object a new zeroed one, so that every region mapping the
//! object sees the same memory; `open` and `close` count each region as a
//! user of the object. `shmem_zero_setup` makes the object behind
//! anonymous `MAP_SHARED` memory.

use core::sync::atomic::{AtomicU32, Ordering};

use super::gfp::{GFP_HIGHUSER, Gfp};
use super::highmem::alloc_pages;
use super::mm_types::{VmAreaStruct, VmFile, VmOperations};
use super::node::{get_page, put_page, set_page_cache};
use super::shmem::{ShmemName, ShmemRef, shmem_file_setup};
use super::types::Pfn;
use super::vma::{FaultKind, VmFault};

/// The operations of anonymous `MAP_SHARED` regions.
pub static SHMEM_VM_OPS: VmOperations =
    VmOperations { open: Some(shmem_open), close: Some(shmem_close), fault: Some(shmem_fault) };

/// The inode number of the next anonymous object (Linux's `get_next_ino`).
static NEXT_INO: AtomicU32 = AtomicU32::new(1);

/// A new object of `len` bytes for anonymous `MAP_SHARED` memory, with one
/// use for the caller; `None` when memory is out (Linux's
/// `shmem_zero_setup`). Its regions map it writable, with `SHMEM_VM_OPS`.
pub fn shmem_zero_setup(len: u32) -> Option<ShmemRef> {
    let ino = NEXT_INO.fetch_add(1, Ordering::Relaxed);
    shmem_file_setup(len, ShmemName::DevZero, ino)
}

/// The object a shmem region maps.
pub fn region_shm(vma: &VmAreaStruct) -> ShmemRef {
    match vma.vm_file {
        Some(VmFile::Shmem { shm, .. }) => shm,
        _ => unreachable!("a shmem region maps a shared-memory object"),
    }
}

/// A region began to map the object: one more user.
pub fn shmem_open(vma: &mut VmAreaStruct) {
    region_shm(vma).get();
}

/// A region is going away: one user less, and the last frees the frames.
pub fn shmem_close(vma: &mut VmAreaStruct) {
    // SAFETY: the region held a use (its `open`, or the `mmap` that made
    // it), and it is going away, so its handle is not used again.
    unsafe { shmem_put(region_shm(vma)) };
}

/// Drops a use of `shm`; the last one drops the object's reference to each
/// of its frames, and frees it.
///
/// # Safety
/// As for `ShmemRef::put`: the caller owns the use and gives up the handle.
pub unsafe fn shmem_put(shm: ShmemRef) {
    // SAFETY: the caller's promise.
    unsafe { shm.put(put_page) };
}

/// The object's frame for page `pgoff`, with a reference for the caller's
/// mapping: the one it has, or a new zeroed one it keeps from now on
/// (Linux's `shmem_fault`). A page past the object's end is `Sigbus`.
pub fn shmem_fault(vma: &VmAreaStruct, pgoff: u32) -> Result<(Pfn, FaultKind), VmFault> {
    let shm = region_shm(vma);
    if pgoff >= shm.pages() {
        return Err(VmFault::Sigbus);
    }
    let pfn = match shm.find_page(pgoff) {
        Some(pfn) => pfn,
        None => {
            let pfn = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).ok_or(VmFault::Oom)?;
            set_page_cache(pfn, true);
            if shm.add_page(pgoff, pfn).is_err() {
                put_page(pfn);
                return Err(VmFault::Oom);
            }
            pfn
        }
    };
    get_page(pfn);
    Ok((pfn, FaultKind::Minor))
}
