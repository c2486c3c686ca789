//! The system-call interface: Linux's i386 ABI. `int 0x80` with the call's
//! number in `eax` and its arguments in `ebx`, `ecx`, `edx`, `esi`, `edi`,
//! `ebp`; the result, or `-errno`, goes back in `eax`. Numbers are Linux's,
//! so a static i386 Linux binary that uses only these calls runs unchanged.

use super::errno::{Errno, SysResult, to_eax};
use crate::arch::x86::ptrace::PtRegs;
use crate::drivers::serial;
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::copy_from_user;
use crate::proc::task::{do_exit, with_current};

const NR_EXIT: u32 = 1;
const NR_WRITE: u32 = 4;
const NR_GETPID: u32 = 20;
const NR_BRK: u32 = 45;
const NR_GETPPID: u32 = 64;
const NR_SCHED_YIELD: u32 = 158;
const NR_MMAP2: u32 = 192;
const NR_EXIT_GROUP: u32 = 252;

/// Bytes `write` copies from user space at a time.
const WRITE_CHUNK: usize = 256;

/// Runs the system call `regs` asks for and puts its result in `eax`.
pub fn do_syscall(regs: &mut PtRegs) {
    let result = match regs.eax {
        NR_EXIT | NR_EXIT_GROUP => do_exit((regs.ebx & 0xff) << 8),
        NR_WRITE => sys_write(regs.ebx, VirtAddr::new(regs.ecx), regs.edx as usize),
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
    let mut chunk = [0u8; WRITE_CHUNK];
    let mut done = 0;
    while done < count {
        let len = (count - done).min(WRITE_CHUNK);
        let src = VirtAddr::new(buf.as_u32().wrapping_add(done as u32));
        with_current(|task| copy_from_user(&task.mm, &mut chunk[..len], src))
            .map_err(|_| Errno::EFAULT)?;
        serial::write_bytes(&chunk[..len]);
        done += len;
    }
    Ok(count as u32)
}
