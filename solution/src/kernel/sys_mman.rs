//! The memory system calls: `brk`, `mmap2`, `munmap`, `mprotect`,
//! `madvise`, `msync` and `mremap`. Each entry point finds the caller's address space, hands its
//! arguments to `mm`, and turns `mm`'s reason for a refusal into Linux's
//! error number: the only place where memory management meets `-errno`.

use super::errno::{Errno, SysResult};
use crate::fs::file::{File, FileData};
use crate::mm::do_mmap::{
    MAP_ANONYMOUS, MAP_LOCKED, MAP_POPULATE, do_mmap_pgoff, do_munmap, do_sys_brk, make_pages_present,
};
use crate::mm::error::MmError;
use crate::mm::madvise::do_madvise;
use crate::mm::mm_types::{MmStruct, VmFile};
use crate::mm::mprotect::do_mprotect;
use crate::mm::mremap::do_mremap;
use crate::mm::msync::do_msync;
use crate::mm::types::{PAGE_SIZE, VirtAddr};
use crate::proc::sched::cond_resched;
use crate::proc::task::with_current;

// ANCHOR: errno
/// Linux's error number for each reason `mm` refuses a call.
impl From<MmError> for Errno {
    fn from(error: MmError) -> Self {
        match error {
            MmError::BadAddress | MmError::ZeroLength | MmError::BadFlags | MmError::Overlap => Errno::EINVAL,
            MmError::NotMapped | MmError::NoRoom | MmError::TooManyMaps | MmError::NoMemory => Errno::ENOMEM,
            MmError::OffsetOverflow => Errno::EOVERFLOW,
            MmError::BelowMinAddr => Errno::EPERM,
            MmError::Exists => Errno::EEXIST,
            MmError::Denied => Errno::EACCES,
            MmError::Locked => Errno::EBUSY,
            MmError::NotOneRegion => Errno::EFAULT,
        }
    }
}
// ANCHOR_END: errno

/// Runs `f` on the caller's address space.
pub fn with_mm(f: impl FnOnce(&mut MmStruct) -> SysResult) -> SysResult {
    let mm = with_current(|task| task.mm).ok_or(Errno::EFAULT)?;
    f(&mut mm.lock())
}

/// `brk(addr)`: the new end of the heap (the old one if it cannot move).
pub fn sys_brk(addr: u32) -> SysResult {
    with_mm(|mm| Ok(do_sys_brk(mm, VirtAddr::new(addr)).as_u32()))
}

/// `mmap2(addr, len, prot, flags, fd, pgoff)`: the offset is in pages.
/// Only initrd files can be mapped (`/proc` files give `-ENODEV`).
pub fn sys_mmap2(addr: u32, len: u32, prot: u32, flags: u32, fd: u32, pgoff: u32) -> SysResult {
    let file = if flags & MAP_ANONYMOUS != 0 {
        None
    } else {
        let file = with_current(|task| match task.files.get(fd) {
            Some(File::Bytes { data: FileData::Initrd { file, writer }, .. }) => {
                Ok(VmFile::Initrd { file: *file, write: writer.is_some() })
            }
            Some(_) => Err(Errno::ENODEV),
            None => Err(Errno::EBADF),
        })?;
        Some(file)
    };
    let pgoff = if file.is_some() { pgoff } else { 0 };
    let start = with_mm(|mm| {
        do_mmap_pgoff(mm, VirtAddr::new(addr), len, prot, flags, file, pgoff)
            .map(VirtAddr::as_u32)
            .map_err(Errno::from)
    })?;
    if flags & (MAP_POPULATE | MAP_LOCKED) != 0 {
        mm_populate(VirtAddr::new(start), len);
    }
    Ok(start)
}

/// Pages `mm_populate` faults in under one hold of the lock.
const POPULATE_BATCH: u32 = 64;

/// Faults in `[start, start + len)` of the caller's address space once
/// `mmap` has let the lock go, a batch of pages at a time under the lock,
/// with a `cond_resched` between batches (Linux's `mm_populate`): a
/// populating `mmap2` of 1 GiB then stalls no other task. Stops quietly at
/// the first page it cannot have, as Linux does.
fn mm_populate(start: VirtAddr, len: u32) {
    let Some(mm) = with_current(|task| task.mm) else { return };
    let end = start.as_u32().saturating_add(len);
    let mut at = start.as_u32();
    while at < end {
        let next = at.saturating_add(POPULATE_BATCH * PAGE_SIZE).min(end);
        if !make_pages_present(&mut mm.lock(), VirtAddr::new(at), VirtAddr::new(next)) {
            return;
        }
        cond_resched();
        at = next;
    }
}

/// `munmap(addr, len)`.
pub fn sys_munmap(addr: u32, len: u32) -> SysResult {
    with_mm(|mm| do_munmap(mm, VirtAddr::new(addr), len).map(|()| 0).map_err(Errno::from))
}

/// `mprotect(addr, len, prot)`.
pub fn sys_mprotect(addr: u32, len: u32, prot: u32) -> SysResult {
    with_mm(|mm| do_mprotect(mm, VirtAddr::new(addr), len, prot).map(|()| 0).map_err(Errno::from))
}

/// `msync(addr, len, flags)`.
pub fn sys_msync(addr: u32, len: u32, flags: u32) -> SysResult {
    with_mm(|mm| do_msync(mm, VirtAddr::new(addr), len, flags).map(|()| 0).map_err(Errno::from))
}

/// `madvise(addr, len, advice)`.
pub fn sys_madvise(addr: u32, len: u32, advice: u32) -> SysResult {
    with_mm(|mm| do_madvise(mm, VirtAddr::new(addr), len, advice).map(|()| 0).map_err(Errno::from))
}

/// `mremap(addr, old_len, new_len, flags, new_addr)`: where the range is
/// now.
pub fn sys_mremap(addr: u32, old_len: u32, new_len: u32, flags: u32, new_addr: u32) -> SysResult {
    with_mm(|mm| {
        do_mremap(mm, VirtAddr::new(addr), old_len, new_len, flags, VirtAddr::new(new_addr))
            .map(VirtAddr::as_u32)
            .map_err(Errno::from)
    })
}
