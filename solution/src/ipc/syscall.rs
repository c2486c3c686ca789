//! i386's one entry point to System V IPC, `ipc(call, first, second,
//! third, ptr, fifth)` (Linux's `ipc/syscall.c`), and the direct shared
//! memory calls Linux 4.18 added beside it (`shmget` is 395 to `shmdt`
//! 398). `call`'s high half is a version: 1 asks for iBCS2's `shmat`, which
//! Linux refuses too. Semaphore and message-queue calls answer `-ENOSYS`
//! (Linux has them).

use super::shm::{SHMID64_DS_SIZE, ShmCtl, do_shmat, do_shmdt, do_shmget, shm_rmid, shm_set, shm_stat};
use crate::kernel::errno::{Errno, SysResult};
use crate::kernel::sys_mman::with_mm;
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{copy_from_user, copy_to_user};
use crate::proc::task::with_current;

const SHMAT: u32 = 21;
const SHMDT: u32 = 22;
const SHMGET: u32 = 23;
const SHMCTL: u32 = 24;
/// In `shmctl`'s command through `ipc()`: the caller's structure is
/// `shmid64_ds` (the only layout this kernel reads and writes).
const IPC_64: u32 = 0x100;

fn current_pid() -> u32 {
    with_current(|task| task.pid)
}

/// `ipc(call, first, second, third, ptr, fifth)`.
pub fn sys_ipc(call: u32, first: u32, second: u32, third: u32, ptr: u32) -> SysResult {
    let version = call >> 16;
    match call & 0xffff {
        SHMAT if version == 1 => Err(Errno::EINVAL),
        SHMAT => {
            // The address goes back through `third`, not as the result.
            let at = sys_shmat(first as i32, ptr, second)?;
            with_mm(|mm| {
                copy_to_user(mm, VirtAddr::new(third), &at.to_le_bytes())?;
                Ok(0)
            })
        }
        SHMDT => sys_shmdt(ptr),
        SHMGET => sys_shmget(first as i32, second, third),
        SHMCTL => sys_shmctl(first as i32, second & !IPC_64, ptr, second & IPC_64 != 0),
        _ => Err(Errno::ENOSYS),
    }
}

/// `shmat(id, addr, flags)`: where the segment was attached.
pub fn sys_shmat(id: i32, addr: u32, flags: u32) -> SysResult {
    let pid = current_pid();
    with_mm(|mm| do_shmat(mm, id, addr, flags, pid))
}

/// `shmget(key, size, flags)`: a segment's id.
pub fn sys_shmget(key: i32, size: u32, flags: u32) -> SysResult {
    do_shmget(key, size, flags, current_pid())
}

/// `shmdt(addr)`.
pub fn sys_shmdt(addr: u32) -> SysResult {
    with_mm(|mm| do_shmdt(mm, addr))
}

/// `shmctl(id, cmd, buf)`; `ipc64` says `buf` is a `struct shmid64_ds`.
/// The old `struct shmid_ds` is not supported: `IPC_STAT` and `IPC_SET`
/// without `IPC_64` answer `-EINVAL`.
pub fn sys_shmctl(id: i32, cmd: u32, buf: u32, ipc64: bool) -> SysResult {
    let buf = VirtAddr::new(buf);
    match ShmCtl::from_cmd(cmd).ok_or(Errno::EINVAL)? {
        ShmCtl::Rmid => shm_rmid(id),
        ShmCtl::Stat | ShmCtl::Set if !ipc64 => Err(Errno::EINVAL),
        ShmCtl::Stat => {
            let ds = shm_stat(id)?;
            with_mm(|mm| {
                copy_to_user(mm, buf, &ds)?;
                Ok(0)
            })
        }
        ShmCtl::Set => {
            let mut ds = [0; SHMID64_DS_SIZE];
            with_mm(|mm| {
                copy_from_user(mm, &mut ds, buf)?;
                Ok(0)
            })?;
            shm_set(id, &ds)
        }
    }
}
