//! The system-call interface: Linux's i386 ABI. `int 0x80` with the call's
//! number in `eax` and its arguments in `ebx`, `ecx`, `edx`, `esi`, `edi`,
//! `ebp`; the result, or `-errno`, goes back in `eax`. Numbers are Linux's,
//! so a static i386 Linux binary that uses only these calls runs unchanged.

use super::errno::{Errno, SysResult, to_eax};
use super::{sys, sys_io, sys_mman, sys_swap};
use crate::arch::x86::ptrace::PtRegs;
use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::drivers::{serial, tty};
use crate::fs::file::{FMode, File, FileData};
use crate::fs::{procfs, rootfs};
use crate::ipc;
use crate::lib::words::put_words;
use crate::mm::filemap::{WriteAccess, file_read, file_write};
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{Fault, access_ok, copy_from_user, copy_to_user, strncpy_from_user};
use crate::pr_info;
use crate::proc::exec::do_execve;
use crate::proc::exit::{do_exit, do_wait};
use crate::proc::fork::{ForkError, do_fork};
use crate::proc::sched::schedule;
use crate::proc::task::{tasks, with_current};

const NR_EXIT: u32 = 1;
const NR_FORK: u32 = 2;
const NR_READ: u32 = 3;
const NR_WRITE: u32 = 4;
const NR_OPEN: u32 = 5;
const NR_CLOSE: u32 = 6;
const NR_WAITPID: u32 = 7;
const NR_EXECVE: u32 = 11;
const NR_GETPID: u32 = 20;
const NR_GETUID: u32 = 24;
const NR_BRK: u32 = 45;
const NR_GETGID: u32 = 47;
const NR_GETEUID: u32 = 49;
const NR_GETEGID: u32 = 50;
const NR_IOCTL: u32 = 54;
const NR_GETPPID: u32 = 64;
const NR_SWAPON: u32 = 87;
const NR_REBOOT: u32 = 88;
const NR_MUNMAP: u32 = 91;
const NR_WAIT4: u32 = 114;
const NR_SWAPOFF: u32 = 115;
const NR_IPC: u32 = 117;
const NR_CLONE: u32 = 120;
const NR_UNAME: u32 = 122;
const NR_MPROTECT: u32 = 125;
const NR_PERSONALITY: u32 = 136;
const NR_MSYNC: u32 = 144;
const NR_READV: u32 = 145;
const NR_WRITEV: u32 = 146;
const NR_SCHED_YIELD: u32 = 158;
const NR_MREMAP: u32 = 163;
const NR_MMAP2: u32 = 192;
const NR_GETUID32: u32 = 199;
const NR_GETGID32: u32 = 200;
const NR_GETEUID32: u32 = 201;
const NR_GETEGID32: u32 = 202;
const NR_MADVISE: u32 = 219;
const NR_SET_THREAD_AREA: u32 = 243;
const NR_EXIT_GROUP: u32 = 252;
const NR_SET_TID_ADDRESS: u32 = 258;
const NR_SHMGET: u32 = 395;
const NR_SHMCTL: u32 = 396;
const NR_SHMAT: u32 = 397;
const NR_SHMDT: u32 = 398;

/// `personality(persona)`: sets the process's execution domain flags,
/// which the next `execve` reads (`ADDR_COMPAT_LAYOUT` picks the legacy
/// layout), and returns the old ones; `0xffffffff` only reads them.
fn sys_personality(persona: u32) -> u32 {
    with_current(|task| {
        let old = task.personality;
        if persona != 0xffff_ffff {
            task.personality = persona;
        }
        old
    })
}

/// Bytes `read` and `write` copy at a time.
const CHUNK: usize = 256;
/// Longest path a call takes.
pub const MAX_PATH: usize = 256;

/// The path at user address `path`, copied into `name`; a path that is not
/// UTF-8 names no file.
pub fn user_path(path: VirtAddr, name: &mut [u8; MAX_PATH]) -> Result<&str, Errno> {
    let mm = with_current(|task| task.mm).ok_or(Errno::EFAULT)?;
    let len = strncpy_from_user(&mut mm.lock(), name, path)?;
    core::str::from_utf8(&name[..len]).map_err(|_| Errno::ENOENT)
}

/// Runs the system call `regs` asks for and puts its result in `eax`.
pub fn do_syscall(regs: &mut PtRegs) {
    let (a, b, c) = (regs.ebx, regs.ecx, regs.edx);
    let result = match regs.eax {
        NR_EXIT | NR_EXIT_GROUP => do_exit((a & 0xff) << 8),
        NR_FORK => do_fork(0, None, regs).map_err(fork_errno),
        NR_CLONE => do_fork(a, (b != 0).then_some(b), regs).map_err(fork_errno),
        NR_READ => sys_read(a, VirtAddr::new(b), c as usize),
        NR_WRITE => sys_write(a, VirtAddr::new(b), c as usize),
        NR_OPEN => sys_open(VirtAddr::new(a), b),
        NR_CLOSE => with_current(|task| task.files.close(a)).then_some(0).ok_or(Errno::EBADF),
        NR_WAITPID => sys_wait4(a as i32, VirtAddr::new(b), c, VirtAddr::new(0)),
        NR_WAIT4 => sys_wait4(a as i32, VirtAddr::new(b), c, VirtAddr::new(regs.esi)),
        NR_EXECVE => match do_execve(regs, VirtAddr::new(a), VirtAddr::new(b), VirtAddr::new(c)) {
            // The new program starts with the registers exec gave it.
            Ok(()) => return,
            Err(errno) => Err(errno),
        },
        NR_GETPID => Ok(with_current(|task| task.pid)),
        NR_GETPPID => Ok(with_current(|task| task.ppid)),
        NR_PERSONALITY => Ok(sys_personality(a)),
        NR_REBOOT => sys_reboot(a, b, c),
        NR_SWAPON => sys_swap::sys_swapon_call(VirtAddr::new(a)),
        NR_SWAPOFF => sys_swap::sys_swapoff_call(VirtAddr::new(a)),
        NR_SCHED_YIELD => {
            schedule();
            Ok(0)
        }
        NR_BRK => sys_mman::sys_brk(a),
        NR_MMAP2 => sys_mman::sys_mmap2(a, b, c, regs.esi, regs.edi, regs.ebp),
        NR_MUNMAP => sys_mman::sys_munmap(a, b),
        NR_MPROTECT => sys_mman::sys_mprotect(a, b, c),
        NR_MADVISE => sys_mman::sys_madvise(a, b, c),
        NR_MSYNC => sys_mman::sys_msync(a, b, c),
        NR_MREMAP => sys_mman::sys_mremap(a, b, c, regs.esi, regs.edi),
        NR_READV => sys_io::sys_readv(a, b, c),
        NR_WRITEV => sys_io::sys_writev(a, b, c),
        NR_IOCTL => sys_io::sys_ioctl(a, b, c),
        NR_GETUID | NR_GETGID | NR_GETEUID | NR_GETEGID => sys::sys_getuid(),
        NR_GETUID32 | NR_GETGID32 | NR_GETEUID32 | NR_GETEGID32 => sys::sys_getuid(),
        NR_UNAME => sys::sys_uname(a),
        NR_SET_THREAD_AREA => sys::sys_set_thread_area(a),
        NR_SET_TID_ADDRESS => sys::sys_set_tid_address(a),
        NR_IPC => ipc::syscall::sys_ipc(a, b, c, regs.esi, regs.edi),
        NR_SHMGET => ipc::syscall::sys_shmget(a as i32, b, c),
        NR_SHMCTL => ipc::syscall::sys_shmctl(a as i32, b, c, true),
        NR_SHMAT => ipc::syscall::sys_shmat(a as i32, b, c),
        NR_SHMDT => ipc::syscall::sys_shmdt(a),
        _ => Err(Errno::ENOSYS),
    };
    regs.eax = to_eax(result);
}

/// `write(fd, buf, count)`: to the console, or into an initrd file open
/// for writing, through its page cache. A file cannot grow: a write stops at
/// its end, and one that starts there is `-ENOSPC`.
pub fn sys_write(fd: u32, buf: VirtAddr, count: usize) -> SysResult {
    let (mm, writable) = with_current(|task| {
        let writable = match task.files.get(fd) {
            Some(File::Console) => true,
            Some(File::Bytes { data: FileData::Initrd { .. } | FileData::DropCaches, mode, .. }) => {
                mode.write
            }
            _ => false,
        };
        (task.mm, writable)
    });
    let (Some(mm), true) = (mm, writable) else {
        return Err(Errno::EBADF);
    };
    let mut chunk = [0u8; CHUNK];
    let mut done = 0;
    while done < count {
        let len = (count - done).min(CHUNK);
        let src = VirtAddr::new(buf.as_u32().wrapping_add(done as u32));
        // A buffer that runs into memory the caller may not read is written
        // up to there, as Linux's pipes and files do; nothing at all is -EFAULT.
        let copied = match copy_from_user(&mut mm.lock(), &mut chunk[..len], src) {
            Ok(()) => len,
            Err(Fault { done: copied }) => copied,
        };
        let written = match write_to(fd, &chunk[..copied]) {
            Ok(written) => written,
            Err(errno) if done == 0 => return Err(errno),
            Err(_) => break,
        };
        done += written;
        if written < len {
            if copied < len && done == 0 {
                return Err(Errno::EFAULT);
            }
            break;
        }
    }
    Ok(done as u32)
}

/// Writes `bytes` to `fd`, the console or a file open for writing (as
/// `sys_write` found it); returns how many it took.
fn write_to(fd: u32, bytes: &[u8]) -> Result<usize, Errno> {
    with_current(|task| match task.files.get(fd) {
        Some(File::Console) => {
            serial::write_bytes(bytes);
            Ok(bytes.len())
        }
        Some(File::Bytes { data: FileData::Initrd { file, .. }, pos, .. }) => {
            let written = file_write(*file, *pos, bytes).map_err(|_| Errno::ENOMEM)?;
            if written == 0 && !bytes.is_empty() {
                return Err(Errno::ENOSPC);
            }
            *pos += written;
            Ok(written)
        }
        Some(File::Bytes { data: FileData::DropCaches, .. }) => procfs::drop_caches(bytes),
        _ => Err(Errno::EBADF),
    })
}

/// `read(fd, buf, count)`: the console gives a line at a time, with echo
/// and backspace, as a terminal in canonical mode; a file gives what is
/// left of it from its offset.
pub fn sys_read(fd: u32, buf: VirtAddr, count: usize) -> SysResult {
    let mm = with_current(|task| task.mm).ok_or(Errno::EBADF)?;
    let mut chunk = [0u8; CHUNK];
    let want = count.min(CHUNK);
    // Checked before waiting for input, as Linux does.
    access_ok(&mut mm.lock(), buf, want, true)?;
    // A file's bytes are copied under the task table's lock; the console is
    // read after it is released, since reading waits for other tasks.
    let from_file = with_current(|task| match task.files.get(fd) {
        None => Err(Errno::EBADF),
        Some(File::Console) => Ok(None),
        Some(File::Bytes { mode: FMode { read: false, .. }, .. }) => Err(Errno::EBADF),
        Some(File::Bytes { data: FileData::Initrd { file, .. }, pos, .. }) => {
            let len = file_read(*file, *pos, &mut chunk[..want]);
            *pos += len;
            Ok(Some(len))
        }
        Some(File::Bytes { data: FileData::DropCaches, .. }) => Err(Errno::EBADF),
        Some(File::Bytes { data: FileData::Generated(text), pos, .. }) => {
            let rest = text.get(*pos..).unwrap_or(&[]);
            let len = rest.len().min(want);
            chunk[..len].copy_from_slice(&rest[..len]);
            *pos += len;
            Ok(Some(len))
        }
    })?;
    let len = match from_file {
        Some(len) => len,
        None => tty::read_line(&mut chunk[..want]),
    };
    copy_to_user(&mut mm.lock(), buf, &chunk[..len])?;
    Ok(len as u32)
}

/// The one `/proc` file that may be written.
const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

/// `open(path, flags)`: files of the initrd, for reading, writing or both,
/// and of `/proc`, for reading only, but `drop_caches`. Other flags are
/// ignored: a file cannot be created, truncated or appended to.
fn sys_open(path: VirtAddr, flags: u32) -> SysResult {
    const O_ACCMODE: u32 = 3;
    let mut name = [0u8; MAX_PATH];
    let path = user_path(path, &mut name)?;
    let mode = FMode::from_flags(flags);
    let data = if path == DROP_CACHES && mode.write {
        FileData::DropCaches
    } else if path.starts_with("/proc/") {
        if flags & O_ACCMODE != 0 {
            return Err(Errno::EROFS);
        }
        FileData::Generated(procfs::proc_read(path)?)
    } else {
        let file = rootfs().and_then(|fs| fs.lookup(path)).ok_or(Errno::ENOENT)?;
        let writer = if mode.write { Some(WriteAccess::get(file)?) } else { None };
        FileData::Initrd { file, writer }
    };
    let file = File::Bytes { data, pos: 0, mode };
    with_current(|task| task.files.install(file)).ok_or(Errno::EMFILE)
}
/// `reboot(magic1, magic2, cmd)`: powering off or halting ends the QEMU
/// run; the two magic numbers must be Linux's.
fn sys_reboot(magic1: u32, magic2: u32, cmd: u32) -> SysResult {
    const MAGIC1: u32 = 0xfee1_dead;
    const MAGIC2: u32 = 672_274_793;
    const CMD_HALT: u32 = 0xcdef_0123;
    const CMD_POWER_OFF: u32 = 0x4321_fedc;
    if magic1 != MAGIC1 || magic2 != MAGIC2 || (cmd != CMD_HALT && cmd != CMD_POWER_OFF) {
        return Err(Errno::EINVAL);
    }
    pr_info!("reboot: Power down");
    qemu_exit(QemuExitCode::Success)
}

/// Linux's error number for a `fork` or `clone` that failed.
fn fork_errno(error: ForkError) -> Errno {
    match error {
        ForkError::TableFull => Errno::EAGAIN,
        ForkError::NoMemory => Errno::ENOMEM,
    }
}

/// Words of Linux i386's `struct rusage`: two `timeval`s, then 14 counters.
const RUSAGE_WORDS: usize = 18;
/// Where `ru_minflt` and `ru_majflt` are among them.
const RU_MINFLT: usize = 8;
const RU_MAJFLT: usize = 9;

/// `wait4(pid, status, options, rusage)` and `waitpid` (no `rusage`). As on
/// Linux, the child is reaped before its status and usage are copied out,
/// so a bad pointer gives `-EFAULT` for a child that is gone. The usage has
/// the child's faults; times are not accounted, and read 0.
fn sys_wait4(pid: i32, status: VirtAddr, options: u32, rusage: VirtAddr) -> SysResult {
    let Some(child) = do_wait(pid, options)? else {
        return Ok(0);
    };
    let mm = tasks().current().mm.expect("a user task waits");
    if status.as_u32() != 0 {
        copy_to_user(&mut mm.lock(), status, &child.status.to_le_bytes())?;
    }
    if rusage.as_u32() != 0 {
        let mut words = [0u32; RUSAGE_WORDS];
        (words[RU_MINFLT], words[RU_MAJFLT]) = (child.min_flt, child.maj_flt);
        let mut bytes = [0u8; RUSAGE_WORDS * 4];
        put_words(&mut bytes, &words);
        copy_to_user(&mut mm.lock(), rusage, &bytes)?;
    }
    Ok(child.pid)
}
