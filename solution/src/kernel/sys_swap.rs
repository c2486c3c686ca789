//! `swapon` and `swapoff` (Linux's `sys_swapon` and `sys_swapoff`, in
//! `mm/swapfile.c`): the path names the device, and the errors are
//! Linux's for each way a path can be wrong.

use super::errno::{Errno, SysResult};
use super::syscall::{MAX_PATH, user_path};
use crate::fs::rootfs;
use crate::mm::swapfile::{SwapError, sys_swapoff, sys_swapon};
use crate::mm::types::VirtAddr;

/// `swapon(path, flags)`: the flags (a priority, discard) are ignored.
pub fn sys_swapon_call(path: VirtAddr) -> SysResult {
    let mut name = [0u8; MAX_PATH];
    let path = user_path(path, &mut name)?;
    sys_swapon(path).map(|()| 0).map_err(|error| errno(path, error))
}

/// `swapoff(path)`.
pub fn sys_swapoff_call(path: VirtAddr) -> SysResult {
    let mut name = [0u8; MAX_PATH];
    let path = user_path(path, &mut name)?;
    sys_swapoff(path).map(|()| 0).map_err(|error| errno(path, error))
}

/// Linux's error: a path that is no device but an existing file holds no
/// swap signature (`EINVAL`), one that names nothing is `ENOENT`.
fn errno(path: &str, error: SwapError) -> Errno {
    match error {
        SwapError::NoDevice if rootfs().and_then(|fs| fs.lookup(path)).is_some() => Errno::EINVAL,
        SwapError::NoDevice => Errno::ENOENT,
        SwapError::Busy => Errno::EBUSY,
        SwapError::Invalid => Errno::EINVAL,
        SwapError::NoMemory => Errno::ENOMEM,
        SwapError::InUse => Errno::EBUSY,
    }
}
