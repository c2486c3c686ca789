//! The calls about the task itself that a C library makes at start-up
//! (Linux's `kernel/sys.c`, and `set_thread_area` from
//! `arch/x86/kernel/tls.c`): who it runs as, what system this is, where
//! its thread data lives.

use super::errno::{Errno, SysResult};
use super::sys_mman::with_mm;
use crate::arch::x86::gdt::load_tls;
use crate::arch::x86::tls::{TlsError, USER_DESC_SIZE, UserDesc, do_set_thread_area};
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{copy_from_user, copy_to_user};
use crate::proc::task::with_current;

/// `getuid`, `geteuid`, `getgid`, `getegid` (and their 32-bit forms):
/// every task runs as root.
pub fn sys_getuid() -> SysResult {
    Ok(0)
}

/// The fields of `struct new_utsname`, 65 bytes each.
const UTS_FIELDS: [&str; 6] = ["Linux", "vmlab", "6.1.0-vmlab", "#1", "i686", "(none)"];
const UTS_LEN: usize = 65;

/// `uname(buf)`: Linux's system name, since vmlab speaks its ABI, with
/// vmlab's own host name and release.
pub fn sys_uname(buf: u32) -> SysResult {
    let mut uts = [0u8; UTS_LEN * UTS_FIELDS.len()];
    for (field, text) in uts.chunks_exact_mut(UTS_LEN).zip(UTS_FIELDS) {
        field[..text.len()].copy_from_slice(text.as_bytes());
    }
    with_mm(|mm| {
        copy_to_user(mm, VirtAddr::new(buf), &uts)?;
        Ok(0)
    })
}

/// `set_tid_address(tidptr)`: where the task's exit writes 0 while others
/// share its address space; returns its thread id, its pid here.
pub fn sys_set_tid_address(tidptr: u32) -> SysResult {
    Ok(with_current(|task| {
        task.clear_child_tid = tidptr;
        task.pid
    }))
}

/// `set_thread_area(u_info)`: gives the task the TLS segment `u_info`
/// describes; when it asks for any free entry (-1), the entry's number goes
/// back into `u_info`. The GDT takes the segment at once, for the caller's
/// next load of `%gs`.
pub fn sys_set_thread_area(u_info: u32) -> SysResult {
    let at = VirtAddr::new(u_info);
    let mut bytes = [0u8; USER_DESC_SIZE];
    with_mm(|mm| {
        copy_from_user(mm, &mut bytes, at)?;
        Ok(0)
    })?;
    let desc = UserDesc::from_bytes(&bytes);
    let entry = with_current(|task| {
        let entry = do_set_thread_area(&mut task.tls_array, &desc);
        load_tls(&task.tls_array);
        entry
    })
    .map_err(|error| match error {
        TlsError::Invalid => Errno::EINVAL,
        TlsError::NoFreeEntry => Errno::ESRCH,
    })?;
    if desc.entry_number == u32::MAX {
        with_mm(|mm| {
            copy_to_user(mm, at, &entry.to_le_bytes())?;
            Ok(0)
        })?;
    }
    Ok(0)
}
