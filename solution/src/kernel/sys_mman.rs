//! The memory system calls: `brk`, `mmap2`, `munmap`, `mprotect` and
//! `madvise`. Each
//! finds the caller's address space and hands its arguments to `mm`.

use super::errno::{Errno, SysResult};
use crate::fs::file::{File, FileData};
use crate::mm::do_mmap::{MAP_ANONYMOUS, do_mmap_pgoff, do_munmap, sys_brk};
use crate::mm::madvise::sys_madvise;
use crate::mm::mm_types::MmStruct;
use crate::mm::mprotect::sys_mprotect;
use crate::mm::types::VirtAddr;
use crate::proc::task::with_current;

/// Runs `f` on the caller's address space.
fn with_mm(f: impl FnOnce(&mut MmStruct) -> SysResult) -> SysResult {
    let mm = with_current(|task| task.mm).ok_or(Errno::EFAULT)?;
    f(&mut mm.lock())
}

/// `brk(addr)`: the new end of the heap (the old one if it cannot move).
pub fn brk(addr: u32) -> SysResult {
    with_mm(|mm| Ok(sys_brk(mm, VirtAddr::new(addr)).as_u32()))
}

/// `mmap2(addr, len, prot, flags, fd, pgoff)`: the offset is in pages.
/// Only initrd files can be mapped (`/proc` files give `-ENODEV`).
pub fn mmap2(addr: u32, len: u32, prot: u32, flags: u32, fd: u32, pgoff: u32) -> SysResult {
    let file = if flags & MAP_ANONYMOUS != 0 {
        None
    } else {
        let file = with_current(|task| match task.files.get(fd) {
            Some(File::Bytes { data: FileData::Initrd(file), .. }) => Ok(*file),
            Some(_) => Err(Errno::ENODEV),
            None => Err(Errno::EBADF),
        })?;
        Some(file)
    };
    let pgoff = if file.is_some() { pgoff } else { 0 };
    with_mm(|mm| do_mmap_pgoff(mm, VirtAddr::new(addr), len, prot, flags, file, pgoff).map(VirtAddr::as_u32))
}

/// `munmap(addr, len)`.
pub fn munmap(addr: u32, len: u32) -> SysResult {
    with_mm(|mm| do_munmap(mm, VirtAddr::new(addr), len).map(|()| 0))
}

/// `mprotect(addr, len, prot)`.
pub fn mprotect(addr: u32, len: u32, prot: u32) -> SysResult {
    with_mm(|mm| sys_mprotect(mm, VirtAddr::new(addr), len, prot).map(|()| 0))
}

/// `madvise(addr, len, advice)`.
pub fn madvise(addr: u32, len: u32, advice: u32) -> SysResult {
    with_mm(|mm| sys_madvise(mm, VirtAddr::new(addr), len, advice).map(|()| 0))
}
