//! Linux i386 system calls: `int 0x80` with the call's number in `eax` and
//! its arguments in `ebx`, `ecx`, `edx`, `esi`, `edi`, `ebp`; the result
//! comes back in `eax`, a value from -4095 to -1 being `-errno`.
//!
//! Each wrapper returns the kernel's raw result, as the system call does, so
//! a program can print exactly what the kernel answered. Pointer arguments are
//! raw pointers, so a program can also hand the kernel a bad one on purpose:
//! the kernel must answer `-EFAULT`. Wrappers through which the kernel writes
//! to the program's memory or changes its mappings are `unsafe`.

use core::arch::asm;
use core::ffi::c_void;

// Linux's numbers for the calls the kernel implements.
pub const NR_EXIT: usize = 1;
pub const NR_FORK: usize = 2;
pub const NR_READ: usize = 3;
pub const NR_WRITE: usize = 4;
pub const NR_OPEN: usize = 5;
pub const NR_CLOSE: usize = 6;
pub const NR_WAITPID: usize = 7;
pub const NR_EXECVE: usize = 11;
pub const NR_GETPID: usize = 20;
pub const NR_BRK: usize = 45;
pub const NR_GETPPID: usize = 64;
pub const NR_REBOOT: usize = 88;
pub const NR_MUNMAP: usize = 91;
pub const NR_WAIT4: usize = 114;
pub const NR_CLONE: usize = 120;
pub const NR_MPROTECT: usize = 125;
pub const NR_SCHED_YIELD: usize = 158;
pub const NR_MMAP2: usize = 192;
pub const NR_MADVISE: usize = 219;
pub const NR_EXIT_GROUP: usize = 252;

pub const PROT_NONE: i32 = 0x0;
pub const PROT_READ: i32 = 0x1;
pub const PROT_WRITE: i32 = 0x2;
pub const PROT_EXEC: i32 = 0x4;
pub const MAP_SHARED: i32 = 0x01;
pub const MAP_PRIVATE: i32 = 0x02;
pub const MAP_FIXED: i32 = 0x10;
pub const MAP_ANONYMOUS: i32 = 0x20;
/// A stack: the region grows down when the program touches just below it.
pub const MAP_GROWSDOWN: i32 = 0x100;
/// Like `MAP_FIXED`, but fails with `-EEXIST` instead of replacing a
/// mapping already there.
pub const MAP_FIXED_NOREPLACE: i32 = 0x100000;

/// System call `nr` with arguments `a`, `b`, `c` in `ebx`, `ecx`, `edx`.
///
/// # Safety
///
/// The call must not break what Rust assumes about the program's memory.
#[inline]
unsafe fn syscall3(nr: usize, a: usize, b: usize, c: usize) -> isize {
    let ret: isize;
    // SAFETY: `int 0x80` changes only `eax` in user space (and whatever
    // memory the call writes, which the caller vouches for).
    unsafe {
        asm!(
            "int 0x80",
            inlateout("eax") nr => ret,
            in("ebx") a,
            in("ecx") b,
            in("edx") c,
            options(nostack),
        );
    }
    ret
}

/// System call `nr` with six arguments, in `ebx`, `ecx`, `edx`, `esi`,
/// `edi`, `ebp`: any call, raw, for a program (the fuzzer) that makes calls
/// no wrapper below covers.
///
/// LLVM keeps `esi` (its base pointer on x86-32) and `ebp` (the frame
/// pointer) for itself, so they cannot be `asm!` operands: `edi` carries the
/// address of the last three arguments instead, and the code loads them
/// after saving `esi` and `ebp` on the stack.
///
/// # Safety
///
/// As for [`syscall3`].
#[inline]
pub unsafe fn syscall6(nr: usize, args: [usize; 6]) -> isize {
    let ret: isize;
    let last = [args[3], args[4], args[5]];
    // SAFETY: as in `syscall3`; `esi` and `ebp` are restored before the end.
    unsafe {
        asm!(
            "push ebp",
            "push esi",
            "mov esi, [edi]",
            "mov ebp, [edi + 8]",
            "mov edi, [edi + 4]",
            "int 0x80",
            "pop esi",
            "pop ebp",
            inlateout("eax") nr => ret,
            in("ebx") args[0],
            in("ecx") args[1],
            in("edx") args[2],
            inlateout("edi") last.as_ptr() => _,
        );
    }
    ret
}

/// System call `nr` with `args` (as [`syscall6`]), then `exit(0)`, with no
/// instruction between the two that touches memory: whatever the call did
/// to the program's text, stack or data (unmapped it, say), the only user
/// code left to run is the `exit`. If the call took the page the `exit`
/// is on, the fetch faults and the kernel kills the program instead.
/// Safe for any call: no Rust code runs after it, in this process or in a
/// child it makes (which returns into the same `exit`).
pub fn syscall_then_exit(nr: usize, args: [usize; 6]) -> ! {
    // SAFETY: nothing runs after the call but the `exit`; `esi` and `ebp`
    // need no restoring, since the code never returns.
    unsafe {
        asm!(
            "mov esi, [edi]",
            "mov ebp, [edi + 8]",
            "mov edi, [edi + 4]",
            "int 0x80",
            "mov eax, {exit}",
            "xor ebx, ebx",
            "int 0x80",
            "ud2",
            exit = const NR_EXIT,
            in("eax") nr,
            in("ebx") args[0],
            in("ecx") args[1],
            in("edx") args[2],
            in("edi") [args[3], args[4], args[5]].as_ptr(),
            options(noreturn),
        )
    }
}

/// `clone(flags, stack)` whose child calls `exit(0)` at once, without
/// touching memory, so that it may run on any stack (or none) and share
/// the parent's address space (`CLONE_VM`) without disturbing it. Returns
/// the child's pid in the parent. `flags` should not ask for the other
/// arguments (`CLONE_PARENT_SETTID`, `CLONE_SETTLS`, `CLONE_CHILD_*TID`):
/// `parent_tid` and `child_tid` are 0, `tls` is whatever `esi` holds.
pub fn clone_exiting_child(flags: usize, stack: usize) -> isize {
    let ret: isize;
    // SAFETY: the parent's registers and memory are unchanged but `eax`;
    // the child only exits.
    unsafe {
        asm!(
            "int 0x80",
            "test eax, eax",
            "jnz 2f",
            "mov eax, {exit}",
            "xor ebx, ebx",
            "int 0x80",
            "ud2",
            "2:",
            exit = const NR_EXIT,
            inlateout("eax") NR_CLONE => ret,
            in("ebx") flags,
            in("ecx") stack,
            in("edx") 0,
            in("edi") 0,
            options(nostack),
        );
    }
    ret
}

/// `exit(status)`: ends the calling thread (here, the process), with the low
/// 8 bits of `status` for its parent.
pub fn exit(status: i32) -> ! {
    // SAFETY: the program's memory is no one's concern any more.
    unsafe { syscall3(NR_EXIT, status as usize, 0, 0) };
    unreachable!("exit returned")
}

/// `exit_group(status)`: ends every thread of the process.
pub fn exit_group(status: i32) -> ! {
    // SAFETY: as for `exit`.
    unsafe { syscall3(NR_EXIT_GROUP, status as usize, 0, 0) };
    unreachable!("exit_group returned")
}

/// `fork()`: the child's pid in the parent, 0 in the child.
pub fn fork() -> isize {
    // SAFETY: the child gets a copy of the memory; neither copy changes.
    unsafe { syscall3(NR_FORK, 0, 0, 0) }
}

/// `read(fd, buf, count)`: bytes read.
///
/// # Safety
///
/// The kernel writes up to `count` bytes at `buf`: they must be writable and
/// hold nothing Rust relies on, or be memory the kernel must refuse.
pub unsafe fn read(fd: i32, buf: *mut u8, count: usize) -> isize {
    // SAFETY: as the caller promises.
    unsafe { syscall3(NR_READ, fd as usize, buf as usize, count) }
}

/// `write(fd, buf, count)`: bytes written.
pub fn write(fd: i32, buf: *const u8, count: usize) -> isize {
    // SAFETY: the kernel only reads the program's memory.
    unsafe { syscall3(NR_WRITE, fd as usize, buf as usize, count) }
}

/// `waitpid(pid, status, options)`: the pid of a child that ended.
///
/// # Safety
///
/// `status` is null or points to an `i32` the kernel may write.
pub unsafe fn waitpid(pid: i32, status: *mut i32, options: i32) -> isize {
    // SAFETY: as the caller promises.
    unsafe { syscall3(NR_WAITPID, pid as usize, status as usize, options as usize) }
}

/// `wait4(pid, status, options, rusage)`: `waitpid`, with the child's
/// resource usage.
///
/// # Safety
///
/// `status` and `rusage` are null or point to memory the kernel may write
/// (an `i32` and a `struct rusage`).
pub unsafe fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut c_void) -> isize {
    let args = [pid as usize, status as usize, options as usize, rusage as usize, 0, 0];
    // SAFETY: as the caller promises.
    unsafe { syscall6(NR_WAIT4, args) }
}

/// `execve(path, argv, envp)`: runs the program at `path` in place of this
/// one; returns only on failure. `path` and the strings are NUL-terminated,
/// `argv` and `envp` end with a null pointer.
pub fn execve(path: *const u8, argv: *const *const u8, envp: *const *const u8) -> isize {
    // SAFETY: the kernel only reads the program's memory, then replaces it.
    unsafe { syscall3(NR_EXECVE, path as usize, argv as usize, envp as usize) }
}

/// `getpid()`: the caller's process id.
pub fn getpid() -> isize {
    // SAFETY: changes no memory.
    unsafe { syscall3(NR_GETPID, 0, 0, 0) }
}

/// `getppid()`: the parent's process id.
pub fn getppid() -> isize {
    // SAFETY: changes no memory.
    unsafe { syscall3(NR_GETPPID, 0, 0, 0) }
}

/// `sched_yield()`: lets another process run.
pub fn sched_yield() -> isize {
    // SAFETY: changes no memory.
    unsafe { syscall3(NR_SCHED_YIELD, 0, 0, 0) }
}

/// `brk(addr)`: moves the end of the heap to `addr` and returns the new end
/// (the current one when `addr` is 0 or refused; the raw system call does
/// not return `-ENOMEM`).
///
/// # Safety
///
/// Shrinking the heap unmaps it: nothing may still use the memory given back.
pub unsafe fn brk(addr: usize) -> isize {
    // SAFETY: as the caller promises.
    unsafe { syscall3(NR_BRK, addr, 0, 0) }
}

/// Whether a system call's result is `-errno` (-4095 to -1) rather than a
/// value: an address above 2 GiB, such as `mmap`'s top-down ones, is
/// negative as an `isize` too.
pub fn is_error(ret: isize) -> bool {
    (-4095..0).contains(&ret)
}

/// `mmap2(addr, length, prot, flags, fd, pgoffset)`: maps `length` bytes
/// and returns their address; the file offset is in pages (`mmap`'s is in
/// bytes).
///
/// # Safety
///
/// A `MAP_FIXED` mapping replaces what was there: nothing may still use it.
pub unsafe fn mmap2(addr: usize, length: usize, prot: i32, flags: i32, fd: i32, pgoffset: usize) -> isize {
    let args = [addr, length, prot as usize, flags as usize, fd as usize, pgoffset];
    // SAFETY: as the caller promises.
    unsafe { syscall6(NR_MMAP2, args) }
}

/// `munmap(addr, length)`: removes the mappings in the range.
///
/// # Safety
///
/// Nothing may still use the memory unmapped.
pub unsafe fn munmap(addr: usize, length: usize) -> isize {
    // SAFETY: as the caller promises.
    unsafe { syscall3(NR_MUNMAP, addr, length, 0) }
}

/// `mprotect(addr, length, prot)`: changes the protection of the pages in
/// the range.
///
/// # Safety
///
/// Nothing may still use the memory in a way the new protection forbids.
pub unsafe fn mprotect(addr: usize, length: usize, prot: i32) -> isize {
    // SAFETY: as the caller promises.
    unsafe { syscall3(NR_MPROTECT, addr, length, prot as usize) }
}

/// `madvise` advice: `fork` leaves the range out of the child.
pub const MADV_DONTFORK: i32 = 10;

/// `madvise(addr, length, advice)`: tells the kernel how the range will be
/// used.
pub fn madvise(addr: usize, length: usize, advice: i32) -> isize {
    // SAFETY: advice changes no memory the program uses.
    unsafe { syscall3(NR_MADVISE, addr, length, advice as usize) }
}

/// `open(path, flags)`: a file descriptor. `path` points at a
/// NUL-terminated string (or is bad on purpose).
pub fn open(path: *const u8, flags: i32) -> isize {
    // SAFETY: the kernel only reads the path, up to its NUL.
    unsafe { syscall3(NR_OPEN, path as usize, flags as usize, 0) }
}

/// `close(fd)`.
pub fn close(fd: i32) -> isize {
    // SAFETY: closing touches no memory of the program.
    unsafe { syscall3(NR_CLOSE, fd as usize, 0, 0) }
}

/// `reboot(LINUX_REBOOT_CMD_POWER_OFF)`: turns the machine off (with QEMU,
/// ends the run).
pub fn power_off() -> isize {
    const MAGIC1: usize = 0xfee1_dead;
    const MAGIC2: usize = 672_274_793;
    const CMD_POWER_OFF: usize = 0x4321_fedc;
    // SAFETY: touches no memory of the program.
    unsafe { syscall3(NR_REBOOT, MAGIC1, MAGIC2, CMD_POWER_OFF) }
}
