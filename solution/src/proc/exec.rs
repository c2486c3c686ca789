//! Running programs: `execve` (Linux's `do_execve`), and starting the
//! first one, `init`.

use alloc::string::String;
use alloc::vec::Vec;

use super::exit::{WNOHANG, do_wait};
use super::sched::{unlazy_mm, wait_until};
use super::task::{ADDR_COMPAT_LAYOUT, Comm, TaskState, tasks, with_current};
use crate::arch::x86::gdt::{USER_CS, USER_DS, load_tls};
use crate::arch::x86::ptrace::PtRegs;
use crate::arch::x86::switch::prepare_stack;
use crate::fs::binfmt_elf::{ExecError, MAX_ARG_STRINGS, StartState, load_elf_binary};
use crate::fs::rootfs;
use crate::kernel::errno::Errno;
use crate::mm::filemap::WriteAccess;
use crate::mm::mm_struct::{init_mm, mm_alloc, mmput, switch_mm};
use crate::mm::mm_types::MmRef;
use crate::mm::types::VirtAddr;
use crate::mm::uaccess::{copy_from_user, strncpy_from_user};
use crate::mm::unmapped_area::arch_pick_mmap_layout;

/// Longest path or argument string taken (Linux's `PATH_MAX` is 4096).
const MAX_STRING: usize = 256;
/// EFLAGS of a new user program: interrupts on (IF) and the always-one bit.
const USER_EFLAGS: u32 = 0x202;

impl From<ExecError> for Errno {
    fn from(error: ExecError) -> Self {
        match error {
            ExecError::NotExecutable => Errno::ENOEXEC,
            ExecError::NoMemory => Errno::ENOMEM,
            ExecError::ArgumentsTooLong => Errno::E2BIG,
        }
    }
}

/// A fresh address space with `path` loaded from the root file system,
/// and the program's hold on the file, which keeps writers out while it
/// runs; the address space is left loaded. `back` is what to load again if
/// this fails.
fn load_program(
    path: &str,
    argv: &[impl AsRef<str>],
    envp: &[impl AsRef<str>],
    back: MmRef,
) -> Result<(MmRef, StartState, WriteAccess), Errno> {
    let file = rootfs().and_then(|fs| fs.lookup(path)).ok_or(Errno::ENOENT)?;
    let exe_file = WriteAccess::deny(file)?;
    let mm = mm_alloc().ok_or(Errno::ENOMEM)?;
    let legacy = with_current(|task| task.personality & ADDR_COMPAT_LAYOUT != 0);
    arch_pick_mmap_layout(&mut mm.lock(), legacy);
    switch_mm(mm);
    let loaded = load_elf_binary(&mut mm.lock(), file, argv, envp);
    match loaded {
        Ok(start) => Ok((mm, start, exe_file)),
        Err(error) => {
            switch_mm(back);
            mmput(mm);
            Err(error.into())
        }
    }
}

/// The registers a new program starts with: all zero but the entry point,
/// the stack pointer, the user segments and EFLAGS.
fn start_regs(start: &StartState) -> PtRegs {
    let user_ds = u32::from(USER_DS);
    PtRegs {
        eip: start.eip.as_u32(),
        esp: start.esp.as_u32(),
        cs: u32::from(USER_CS),
        ss: user_ds,
        ds: user_ds,
        es: user_ds,
        fs: user_ds,
        gs: user_ds,
        eflags: USER_EFLAGS,
        ..PtRegs::default()
    }
}

/// `execve(path, argv, envp)`: replaces the running program by `path`; on
/// success the system call returns into the new program, whose registers
/// are written over `regs`.
pub fn do_execve(regs: &mut PtRegs, path: VirtAddr, argv: VirtAddr, envp: VirtAddr) -> Result<(), Errno> {
    let old = tasks().current().mm.expect("a user task calls execve");
    let path = user_string(old, path)?;
    let argv = user_strings(old, argv)?;
    let envp = user_strings(old, envp)?;
    let (mm, start, exe_file) = load_program(&path, &argv, &envp, old)?;
    {
        let mut table = tasks();
        let task = table.current();
        task.mm = Some(mm);
        task.active_mm = Some(mm);
        task.comm = Comm::from_path(&path);
        task.exe_file = Some(exe_file);
        // The new program starts with no thread-local storage (Linux's
        // `flush_thread`) and no thread library's exit word.
        (task.tls_array, task.clear_child_tid) = (Default::default(), 0);
        load_tls(&task.tls_array);
    }
    mmput(old);
    *regs = start_regs(&start);
    Ok(())
}

/// A NUL-terminated string at user address `ptr`.
fn user_string(mm: MmRef, ptr: VirtAddr) -> Result<String, Errno> {
    let mut buf = [0u8; MAX_STRING];
    let len = strncpy_from_user(&mut mm.lock(), &mut buf, ptr)?;
    let s = core::str::from_utf8(&buf[..len]).map_err(|_| Errno::EINVAL)?;
    let mut string = String::new();
    string.try_reserve_exact(len).map_err(|_| Errno::ENOMEM)?;
    string.push_str(s);
    Ok(string)
}

/// The strings of a NULL-terminated array of pointers at `array` (a null
/// `array` is an empty list, as Linux allows).
fn user_strings(mm: MmRef, array: VirtAddr) -> Result<Vec<String>, Errno> {
    let mut strings = Vec::new();
    if array.as_u32() == 0 {
        return Ok(strings);
    }
    loop {
        let mut word = [0u8; 4];
        let at = VirtAddr::new(array.as_u32().wrapping_add(4 * strings.len() as u32));
        copy_from_user(&mut mm.lock(), &mut word, at)?;
        let ptr = u32::from_le_bytes(word);
        if ptr == 0 {
            return Ok(strings);
        }
        if strings.len() == MAX_ARG_STRINGS {
            return Err(Errno::E2BIG);
        }
        strings.try_reserve(1).map_err(|_| Errno::ENOMEM)?;
        strings.push(user_string(mm, VirtAddr::new(ptr))?);
    }
}

/// Starts program `path` as pid 1, `init`, with the arguments `args`
/// (space separated) after its name (Linux's `run_init_process`). The idle
/// task, which calls it, runs it by waiting.
pub fn spawn_init(path: &str, args: &str) {
    let mut argv: Vec<&str> = Vec::from([path]);
    argv.extend(args.split_ascii_whitespace().take(MAX_ARG_STRINGS - 1));
    let envp = ["HOME=/", "TERM=linux"];
    let (mm, start, exe_file) = load_program(path, &argv, &envp, init_mm())
        .unwrap_or_else(|error| panic!("cannot run {path} as init: {error:?}"));
    switch_mm(init_mm());
    let mut table = tasks();
    let init = table.create(Comm::from_path(path), Some(mm)).expect("memory for init");
    assert_eq!(init.pid, 1, "init is the first task after the idle task");
    init.exe_file = Some(exe_file);
    let top = init.stack_top().expect("a new task has a kernel stack");
    // SAFETY: the stack was just allocated for this task.
    init.context_esp = unsafe { prepare_stack(top, &start_regs(&start)) };
}

/// Lets the other tasks run until `init` exits; then reaps it and the idle
/// task's other children (kernel threads), loads `init_mm` again and
/// returns init's wait status.
pub fn wait_init() -> u32 {
    let mut status = None;
    wait_until(|| {
        status = match tasks().get(1).map(|init| init.state) {
            Some(TaskState::Zombie(status)) => Some(status),
            _ => None,
        };
        status.is_some()
    });
    while let Ok(Some(_)) = do_wait(-1, WNOHANG) {}
    unlazy_mm();
    status.expect("init exited")
}
