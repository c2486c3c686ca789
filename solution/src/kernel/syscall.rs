//! The system-call interface: Linux's i386 ABI. `int 0x80` with the call's
//! number in `eax` and its arguments in `ebx`, `ecx`, `edx`, `esi`, `edi`,
//! `ebp`; the result, or `-errno`, goes back in `eax`. Numbers are Linux's,
//! so a static i386 Linux binary that uses only these calls runs unchanged.

use super::errno::{Errno, SysResult, to_eax};
use crate::arch::x86::ptrace::PtRegs;
use crate::drivers::{serial, tty};
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{copy_from_user, copy_to_user};
use crate::proc::exec::do_execve;
use crate::proc::exit::{do_exit, do_wait};
use crate::proc::fork::do_fork;
use crate::proc::task::{tasks, with_current};

const NR_EXIT: u32 = 1;
const NR_FORK: u32 = 2;
const NR_READ: u32 = 3;
const NR_WRITE: u32 = 4;
const NR_WAITPID: u32 = 7;
const NR_EXECVE: u32 = 11;
const NR_GETPID: u32 = 20;
const NR_BRK: u32 = 45;
const NR_GETPPID: u32 = 64;
const NR_WAIT4: u32 = 114;
const NR_CLONE: u32 = 120;
const NR_SCHED_YIELD: u32 = 158;
const NR_MMAP2: u32 = 192;
const NR_EXIT_GROUP: u32 = 252;

/// Bytes `read` and `write` copy at a time.
const CHUNK: usize = 256;

/// Runs the system call `regs` asks for and puts its result in `eax`.
pub fn do_syscall(regs: &mut PtRegs) {
    let (a, b, c) = (regs.ebx, regs.ecx, regs.edx);
    let result = match regs.eax {
        NR_EXIT | NR_EXIT_GROUP => do_exit((a & 0xff) << 8),
        NR_FORK => do_fork(0, None, regs).map_err(|_| Errno::ENOMEM),
        NR_CLONE => do_fork(a, (b != 0).then_some(b), regs).map_err(|_| Errno::ENOMEM),
        NR_READ => sys_read(a, VirtAddr::new(b), c as usize),
        NR_WRITE => sys_write(a, VirtAddr::new(b), c as usize),
        NR_WAITPID | NR_WAIT4 => sys_wait4(a as i32, VirtAddr::new(b), c),
        NR_EXECVE => match do_execve(regs, VirtAddr::new(a), VirtAddr::new(b), VirtAddr::new(c)) {
            // The new program starts with the registers exec gave it.
            Ok(()) => return,
            Err(errno) => Err(errno),
        },
        NR_GETPID => Ok(with_current(|task| task.pid)),
        NR_GETPPID => Ok(with_current(|task| task.ppid)),
        NR_SCHED_YIELD => Ok(0),
        // The heap and memory mappings are lab 6's.
        NR_BRK | NR_MMAP2 => Err(Errno::ENOSYS),
        _ => Err(Errno::ENOSYS),
    };
    regs.eax = to_eax(result);
}

/// `write(fd, buf, count)`: standard output and error go to the console.
fn sys_write(fd: u32, buf: VirtAddr, count: usize) -> SysResult {
    if fd != 1 && fd != 2 {
        return Err(Errno::EBADF);
    }
    let mm = with_current(|task| task.mm).expect("a user task writes");
    let mut chunk = [0u8; CHUNK];
    let mut done = 0;
    while done < count {
        let len = (count - done).min(CHUNK);
        let src = VirtAddr::new(buf.as_u32().wrapping_add(done as u32));
        copy_from_user(mm.get(), &mut chunk[..len], src).map_err(|_| Errno::EFAULT)?;
        serial::write_bytes(&chunk[..len]);
        done += len;
    }
    Ok(count as u32)
}

/// `read(fd, buf, count)`: standard input is the console, a line at a time
/// with echo and backspace, as a terminal in canonical mode gives it.
fn sys_read(fd: u32, buf: VirtAddr, count: usize) -> SysResult {
    if fd != 0 {
        return Err(Errno::EBADF);
    }
    let mm = with_current(|task| task.mm).expect("a user task reads");
    let mut line = [0u8; CHUNK];
    let len = tty::read_line(&mut line[..count.min(CHUNK)]);
    copy_to_user(mm.get(), buf, &line[..len]).map_err(|_| Errno::EFAULT)?;
    Ok(len as u32)
}

/// `wait4(pid, status, options, rusage)` and `waitpid`: `rusage` is not
/// filled in.
fn sys_wait4(pid: i32, status: VirtAddr, options: u32) -> SysResult {
    let Some((child, wait_status)) = do_wait(pid, options)? else {
        return Ok(0);
    };
    if status.as_u32() != 0 {
        let mm = tasks().current().mm.expect("a user task waits");
        copy_to_user(mm.get(), status, &wait_status.to_le_bytes()).map_err(|_| Errno::EFAULT)?;
    }
    Ok(child)
}
