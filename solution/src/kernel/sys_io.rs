//! The vectored and control calls on open files: `readv`, `writev` (what a
//! C library's `stdio` uses) and `ioctl` (Linux's `fs/read_write.c` and
//! `fs/ioctl.c`, with the one terminal request `isatty` needs).

use super::errno::{Errno, SysResult};
use super::sys_mman::with_mm;
use super::syscall::{sys_read, sys_write};
use crate::fs::file::File;
use crate::lib::words::word;
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{copy_from_user, copy_to_user};
use crate::proc::task::with_current;

/// The most segments one call takes (Linux's `UIO_MAXIOV`).
const UIO_MAXIOV: u32 = 1024;
/// Segments copied in from the caller at a time.
const BATCH: u32 = 16;
/// `ioctl` request: the terminal's size, `struct winsize`.
const TIOCGWINSZ: u32 = 0x5413;

/// One segment of a vectored call (`struct iovec`).
#[derive(Clone, Copy)]
struct IoVec {
    base: VirtAddr,
    len: usize,
}

/// Calls `each` on the segments of the caller's array at `iov`, `iovcnt`
/// long, in order, and adds up what they moved; stops after a segment that
/// moved less than its length. An error in the first segment that moves
/// anything is the call's; after bytes have moved, the count is (Linux's
/// `do_loop_readv_writev`).
fn for_each_segment(iov: VirtAddr, iovcnt: u32, each: impl Fn(IoVec) -> SysResult) -> SysResult {
    if iovcnt > UIO_MAXIOV {
        return Err(Errno::EINVAL);
    }
    let mut segments = [IoVec { base: VirtAddr::new(0), len: 0 }; BATCH as usize];
    let (mut done, mut total) = (0, 0);
    for first in (0..iovcnt).step_by(segments.len()) {
        let batch = &mut segments[..(iovcnt - first).min(BATCH) as usize];
        read_iovecs(VirtAddr::new(iov.as_u32().wrapping_add(first * 8)), batch, &mut total)?;
        for segment in batch.iter().filter(|segment| segment.len != 0) {
            let moved = match each(*segment) {
                Ok(moved) => moved,
                Err(errno) if done == 0 => return Err(errno),
                Err(_) => return Ok(done),
            };
            done += moved;
            if (moved as usize) < segment.len {
                return Ok(done);
            }
        }
    }
    Ok(done)
}

/// Copies `out.len()` `struct iovec`s from `at`, adding their lengths to
/// `total`: a length, or a total, that is negative as a `ssize_t` is
/// `EINVAL`. (Linux checks every segment before it moves a byte; here a
/// bad segment after the first batch of 16 is found once those moved.)
fn read_iovecs(at: VirtAddr, out: &mut [IoVec], total: &mut u32) -> Result<(), Errno> {
    let mut bytes = [0u8; BATCH as usize * 8];
    let bytes = &mut bytes[..out.len() * 8];
    with_mm(|mm| {
        copy_from_user(mm, bytes, at)?;
        Ok(0)
    })?;
    for (segment, raw) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let len = word(raw, 1);
        *total = total.checked_add(len).filter(|&t| t <= i32::MAX as u32).ok_or(Errno::EINVAL)?;
        *segment = IoVec { base: VirtAddr::new(word(raw, 0)), len: len as usize };
    }
    Ok(())
}

/// `readv(fd, iov, iovcnt)`: reads into each segment in turn.
pub fn sys_readv(fd: u32, iov: u32, iovcnt: u32) -> SysResult {
    for_each_segment(VirtAddr::new(iov), iovcnt, |s| sys_read(fd, s.base, s.len))
}

/// `writev(fd, iov, iovcnt)`: writes each segment in turn.
pub fn sys_writev(fd: u32, iov: u32, iovcnt: u32) -> SysResult {
    for_each_segment(VirtAddr::new(iov), iovcnt, |s| sys_write(fd, s.base, s.len))
}

/// `ioctl(fd, request, arg)`: the console answers `TIOCGWINSZ` with the
/// size Linux gives a serial console, 0 rows by 0 columns; any other
/// request, or any other file, is `ENOTTY` (Linux's terminals take many
/// more requests).
pub fn sys_ioctl(fd: u32, request: u32, arg: u32) -> SysResult {
    let console = with_current(|task| task.files.get(fd).map(|file| matches!(file, File::Console)));
    match console.ok_or(Errno::EBADF)? {
        true if request == TIOCGWINSZ => with_mm(|mm| {
            copy_to_user(mm, VirtAddr::new(arg), &[0u8; 8])?;
            Ok(0)
        }),
        _ => Err(Errno::ENOTTY),
    }
}
