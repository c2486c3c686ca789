//! Ending tasks: `exit` (Linux's `do_exit`) and `wait4`.
//!
//! An exiting task gives its address space up (`mmput`) but keeps it
//! loaded, borrowed like a kernel thread's, until the switch away from it;
//! its children go to `init`; it stays a zombie holding its wait status
//! until its parent collects it with `wait4`, which frees its kernel stack.

use core::sync::atomic::Ordering;

use super::sched::{schedule, wait_until};
use super::task::{Pid, SIGBUS, TaskState, TaskStruct, tasks, with_current};
use crate::arch::x86::ptrace::PtRegs;
use crate::fs::file::FdTable;
use crate::kernel::errno::Errno;
use crate::mm::mm_struct::{mmgrab, mmput};
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::copy_to_user;
use crate::pr_info;

/// `wait4` option: return at once if no child has exited.
pub const WNOHANG: u32 = 1;

/// Ends the running task with wait status `status`: the exit code in bits
/// 8-15, or the killing signal in bits 0-6, as Linux encodes it.
pub fn do_exit(status: u32) -> ! {
    let (mm, clear_child_tid) = {
        let mut table = tasks();
        let pid = table.current;
        let task = table.current();
        task.state = TaskState::Zombie(status);
        // A zombie keeps no files open and no program file held.
        (task.files, task.exe_file) = (FdTable::empty(), None);
        let (mm, tid) = (task.mm.take(), task.clear_child_tid);
        for child in table.iter_mut().filter(|t| t.ppid == pid) {
            child.ppid = 1;
        }
        (mm, tid)
    };
    if let Some(mm) = mm {
        // A thread library waits on this word for the thread's end (Linux's
        // `mm_release`; vmlab has no futex to wake, so waiters poll it).
        if clear_child_tid != 0 && mm.mm_users.load(Ordering::Relaxed) > 1 {
            let _ = copy_to_user(&mut mm.lock(), VirtAddr::new(clear_child_tid), &0u32.to_le_bytes());
        }
        // The descriptor stays loaded as `active_mm` until the switch away.
        mmgrab(mm);
        mmput(mm);
        #[cfg(feature = "debug_vm")]
        crate::mm::debug_vm::check_free_lists();
    }
    loop {
        schedule();
    }
}

/// Waits for a child (`pid`, or any with -1) to exit, reaps it and returns
/// its pid and wait status; `Ok(None)` with `WNOHANG` when none has exited
/// yet; `ECHILD` when there is no such child.
pub fn do_wait(pid: i32, options: u32) -> Result<Option<Reaped>, Errno> {
    let mut result = None;
    wait_until(|| {
        result = Some(reap_child(pid));
        match result {
            Some(Ok(None)) => options & WNOHANG != 0,
            _ => true,
        }
    });
    result.expect("the condition ran")
}

/// A child that `do_wait` reaped.
#[derive(Clone, Copy, Debug)]
pub struct Reaped {
    pub pid: Pid,
    /// The wait status: the exit code or the signal.
    pub status: u32,
    /// The faults it took (for `wait4`'s `rusage`).
    pub min_flt: u32,
    pub maj_flt: u32,
}

/// A zombie child matching `pid`, reaped; `Ok(None)` if the matching
/// children all still run.
fn reap_child(pid: i32) -> Result<Option<Reaped>, Errno> {
    let mut table = tasks();
    let me = table.current;
    let matches = |t: &&TaskStruct| t.ppid == me && t.pid != me && (pid == -1 || pid == t.pid as i32);
    if !table.iter().any(|t| matches(&t)) {
        return Err(Errno::ECHILD);
    }
    let zombie = table.iter().filter(matches).find_map(|child| match child.state {
        TaskState::Zombie(status) => {
            Some(Reaped { pid: child.pid, status, min_flt: child.min_flt, maj_flt: child.maj_flt })
        }
        TaskState::Running => None,
    });
    if let Some(reaped) = zombie {
        table.release(reaped.pid);
    }
    Ok(zombie)
}

/// Kills the running task for an exception it caused in user mode,
/// reporting it as Linux does (`force_sig` of a fatal signal).
pub fn force_sig_fault(signal: u32, regs: &PtRegs, address: Option<u32>) -> ! {
    let (comm, pid) = with_current(|task| (task.comm, task.pid));
    let (ip, sp, error) = (regs.eip, regs.esp, regs.error_code);
    // Linux prints nothing for SIGBUS; a line saying why the process died
    // helps more than silence.
    let what = if signal == SIGBUS { "bus error" } else { "segfault" };
    match address {
        Some(address) => {
            pr_info!("{comm}[{pid}]: {what} at {address:x} ip {ip:08x} sp {sp:08x} error {error:x}")
        }
        None => pr_info!("{comm}[{pid}]: trap {} ip:{ip:x} sp:{sp:x} error:{error:x}", regs.vector),
    }
    do_exit(signal)
}
