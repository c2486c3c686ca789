//! `swapon` and `swapoff` (Linux's `sys_swapon` and `sys_swapoff`, in
//! `mm/swapfile.c`): the path names the device, and the errors are
//! Linux's for each way a path can be wrong.

use super::errno::{Errno, SysResult};
use crate::fs::rootfs;
use crate::mm::swapfile::{SwapError, sys_swapoff, sys_swapon};
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::strncpy_from_user;
use crate::proc::task::with_current;

/// The longest path taken.
const MAX_PATH: usize = 256;

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

/// The path at user address `path`, copied into `name`.
fn user_path(path: VirtAddr, name: &mut [u8; MAX_PATH]) -> Result<&str, Errno> {
    let mm = with_current(|task| task.mm).ok_or(Errno::EFAULT)?;
    let len = strncpy_from_user(&mut mm.lock(), name, path)?;
    core::str::from_utf8(&name[..len]).map_err(|_| Errno::ENOENT)
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
