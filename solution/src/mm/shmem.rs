//! Shared-memory objects: memory that belongs to an object rather than to
//! an address space, so that every region mapping the object sees the same
//! frames (Linux's shmem inodes, `mm/shmem.c`, without the tmpfs around
//! them). Anonymous `MAP_SHARED` memory is one (Linux's
//! `shmem_zero_setup`, shown in `maps` as `/dev/zero (deleted)`), and so is
//! every System V segment (`ipc/shm.rs`, shown as `/SYSV<key> (deleted)`).
//!
//! An object keeps its frames by page index in an `AddressSpace`, as a
//! file keeps its page cache. The object holds one reference to each
//! frame; the regions that map a frame hold one each. The object's own
//! count is of its users (a region each, and a System V segment for its
//! id); the last `put` hands its frames back.
//!
//! This layer knows no frames' life cycle: faults and freeing are in
//! `shmem_vm.rs`, a layer up.

use alloc::boxed::Box;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use super::address_space::{AddError, AddressSpace};
use super::types::{PAGE_SIZE, Pfn};
use crate::lib::fallible::kbox;

/// Frames held by shared-memory objects, all of them: `/proc/meminfo`'s
/// `Shmem` (Linux's `NR_SHMEM`).
pub static NR_SHMEM: AtomicU32 = AtomicU32::new(0);

/// What the object is, for `/proc/PID/maps`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShmemName {
    /// Anonymous shared memory: `/dev/zero (deleted)`.
    DevZero,
    /// A System V segment made with `key`: `/SYSV%08x (deleted)`.
    SysV { key: i32 },
}

/// A shared-memory object (Linux's shmem inode with its `address_space`).
pub struct ShmemInode {
    /// Its inode number in `maps`: a System V segment's id, as on Linux.
    pub ino: u32,
    pub name: ShmemName,
    /// Its size in bytes; pages at or past the end cannot be had.
    pub size: u32,
    /// Users: regions mapping it, and a System V id naming it.
    users: AtomicU32,
    pages: Mutex<AddressSpace>,
}

/// A handle to an object, as Linux passes `struct inode *`: copyable; the
/// holder of a counted handle (`shmem_file_setup`, `get`) owns one use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ShmemRef(NonNull<ShmemInode>);

// SAFETY: the object's mutable state is behind a lock and an atomic, so
// its handle may be shared and sent between tasks.
unsafe impl Send for ShmemRef {}
// SAFETY: as above.
unsafe impl Sync for ShmemRef {}

impl core::ops::Deref for ShmemRef {
    type Target = ShmemInode;

    fn deref(&self) -> &ShmemInode {
        // SAFETY: the holder of a handle holds a use of the object (or
        // borrows one from a region that does), so it is alive.
        unsafe { self.0.as_ref() }
    }
}

/// A new object of `size` bytes with no frames and one user; `None` when
/// memory is out (Linux's `shmem_file_setup`).
pub fn shmem_file_setup(size: u32, name: ShmemName, ino: u32) -> Option<ShmemRef> {
    let pages = AddressSpace::new(size.div_ceil(PAGE_SIZE))?;
    let inode = ShmemInode { ino, name, size, users: AtomicU32::new(1), pages: Mutex::new(pages) };
    Some(ShmemRef(NonNull::from(Box::leak(kbox(inode)?))))
}

impl ShmemRef {
    /// One more user (Linux's `get_file`).
    pub fn get(self) {
        self.users.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops a user; the last one frees the object, handing each of its
    /// frames to `release` first (Linux's `fput`, then
    /// `shmem_evict_inode`).
    ///
    /// # Safety
    /// The caller owns a use of the object and does not use this handle
    /// again.
    pub unsafe fn put(self, mut release: impl FnMut(Pfn)) {
        if self.users.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let freed = self.pages.lock().remove_pages_if(|pfn| {
            release(pfn);
            true
        });
        NR_SHMEM.fetch_sub(freed, Ordering::Relaxed);
        // SAFETY: that was the last use, and the object came from
        // `Box::leak` in `shmem_file_setup`.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }

    /// How many pages it has (its size rounded up).
    pub fn pages(self) -> u32 {
        self.size.div_ceil(PAGE_SIZE)
    }

    /// The frame at page `index`, if it has one (Linux's `find_get_page`,
    /// without the reference: the caller takes its own).
    pub fn find_page(self, index: u32) -> Option<Pfn> {
        self.pages.lock().find_page(index)
    }

    /// Makes `pfn` the frame at page `index`, the object taking over the
    /// caller's reference to it (Linux's `add_to_page_cache`).
    pub fn add_page(self, index: u32, pfn: Pfn) -> Result<(), AddError> {
        self.pages.lock().add_page(index, pfn)?;
        NR_SHMEM.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    fn object(pages: u32) -> ShmemRef {
        shmem_file_setup(pages * PAGE_SIZE, ShmemName::DevZero, 1).expect("the host has memory")
    }

    #[test]
    fn the_last_user_frees_the_frames_and_the_count() {
        let shm = object(1024);
        shm.get();
        shm.add_page(0, Pfn::new(5)).unwrap();
        shm.add_page(1023, Pfn::new(6)).unwrap();
        assert_eq!(shm.add_page(1024, Pfn::new(7)), Err(AddError::PastEnd));
        assert_eq!(shm.find_page(1023), Some(Pfn::new(6)));
        let mut released = vec![];
        // SAFETY: the test holds two uses and gives back one, then the other.
        unsafe { shm.put(|pfn| released.push(pfn.as_u32())) };
        assert!(released.is_empty());
        // SAFETY: as above.
        unsafe { shm.put(|pfn| released.push(pfn.as_u32())) };
        assert_eq!(released, [5, 6]);
    }
}
