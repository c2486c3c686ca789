//! The task (Linux's `task_struct`) and the life of the first process:
//! loaded from the initrd, run in user mode, ended by `exit` or by a fault.

use spin::{Mutex, Once};

use crate::arch::x86::cpu::write_cr3;
use crate::arch::x86::gdt::set_kernel_stack;
use crate::arch::x86::process::start_thread;
use crate::arch::x86::ptrace::PtRegs;
use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::fs::binfmt_elf::{MAX_ARG_STRINGS, load_elf_binary};
use crate::fs::initramfs::Initramfs;
use crate::mm::gfp::GFP_KERNEL;
use crate::mm::kernel_pgtable::{SWAPPER_PG_DIR, swapper_pg_dir_phys};
use crate::mm::layout::{__va, PAGE_SIZE};
use crate::mm::mm_struct::{MmStruct, exit_mmap, mm_alloc, switch_mm};
use crate::mm::node::{alloc_pages, nr_free_pages};
use crate::pr_info;

pub type Pid = u32;

/// Kernel stacks are 2^1 pages, 8 KiB, as Linux i386's `THREAD_SIZE`.
const THREAD_ORDER: usize = 1;
/// Signals a fault kills a process with (Linux's numbers).
pub const SIGILL: u32 = 4;
pub const SIGTRAP: u32 = 5;
pub const SIGBUS: u32 = 7;
pub const SIGFPE: u32 = 8;
pub const SIGSEGV: u32 = 11;

/// A process.
pub struct TaskStruct {
    pub pid: Pid,
    /// The parent's pid (0 for the first process, whose parent is the kernel).
    pub ppid: Pid,
    /// The program's name, as `ps` shows it.
    pub comm: &'static str,
    pub mm: MmStruct,
}

/// The running process.
static CURRENT: Mutex<Option<TaskStruct>> = Mutex::new(None);
/// Free pages before the first process was created, to check that its
/// exit gives everything back.
static FREE_BEFORE_INIT: Once<u32> = Once::new();

/// Runs `f` on the running process.
pub fn with_current<R>(f: impl FnOnce(&mut TaskStruct) -> R) -> R {
    f(CURRENT.lock().as_mut().expect("no process is running"))
}

/// Runs program `path` of `initrd` as the first process, pid 1, with the
/// arguments `args` (space-separated) after its name (Linux's
/// `run_init_process`).
pub fn run_init_process(initrd: Initramfs, path: &'static str, args: &str) -> ! {
    pr_info!("Run {path} as init process");
    FREE_BEFORE_INIT.call_once(nr_free_pages);
    let file = initrd
        .lookup(path)
        .unwrap_or_else(|| panic!("No init found: {path} is not in the initrd"));
    let mut argv = [""; MAX_ARG_STRINGS];
    argv[0] = path;
    let argc = 1 + args
        .split_ascii_whitespace()
        .zip(&mut argv[1..])
        .map(|(a, slot)| *slot = a)
        .count();
    let kernel_stack = alloc_pages(GFP_KERNEL, THREAD_ORDER).expect("memory for a kernel stack");
    let mut mm = mm_alloc().expect("memory for the first address space");
    switch_mm(&mm);
    let start = load_elf_binary(&mut mm, file, &argv[..argc], &["HOME=/", "TERM=linux"])
        .unwrap_or_else(|error| panic!("cannot run {path}: {error:?}"));
    let comm = path.rsplit('/').next().unwrap_or(path);
    *CURRENT.lock() = Some(TaskStruct {
        pid: 1,
        ppid: 0,
        comm,
        mm,
    });
    set_kernel_stack(__va(kernel_stack.addr()).as_u32() + (PAGE_SIZE << THREAD_ORDER));
    start_thread(start.eip, start.esp)
}

/// Ends the running process with wait status `status` (the exit code in
/// bits 8-15, or the killing signal in bits 0-6, as Linux encodes it): its
/// address space is torn down. The first process's end ends the run.
pub fn do_exit(status: u32) -> ! {
    let task = CURRENT.lock().take().expect("no process is running");
    // Back on the kernel's own page tables before freeing the process's.
    // SAFETY: swapper_pg_dir maps the whole kernel.
    unsafe { write_cr3(swapper_pg_dir_phys(&SWAPPER_PG_DIR.lock())) };
    exit_mmap(task.mm);
    match status & 0x7f {
        0 => pr_info!(
            "{}[{}]: exited with code {}",
            task.comm,
            task.pid,
            status >> 8
        ),
        signal => pr_info!("{}[{}]: killed by signal {signal}", task.comm, task.pid),
    }
    let before = *FREE_BEFORE_INIT.get().expect("init ran");
    let stack_pages = 1 << THREAD_ORDER;
    pr_info!(
        "pages not returned after exit: {} (besides its kernel stack)",
        before - stack_pages - nr_free_pages()
    );
    qemu_exit(QemuExitCode::Success)
}

/// Kills the running process for an exception it caused in user mode,
/// reporting it as Linux does.
pub fn force_sig_fault(signal: u32, regs: &PtRegs, address: Option<u32>) -> ! {
    let (comm, pid) = with_current(|task| (task.comm, task.pid));
    match address {
        Some(address) => pr_info!(
            "{comm}[{pid}]: segfault at {address:x} ip {:08x} sp {:08x} error {:x}",
            regs.eip,
            regs.esp,
            regs.error_code
        ),
        None => pr_info!(
            "{comm}[{pid}]: trap {} ip:{:x} sp:{:x} error:{:x}",
            regs.vector,
            regs.eip,
            regs.esp,
            regs.error_code
        ),
    }
    do_exit(signal)
}
