//! Tasks (Linux's `task_struct`) and the table of them.
//!
//! Task 0 is the kernel's boot context, Linux's swapper: the idle task, a
//! kernel thread like every task without an `mm`. Task 1 is `init`, the
//! first user process. A task's kernel stack holds its kernel context while
//! it is switched out; a zombie keeps its stack and its exit status until
//! its parent reaps it with `wait4`.

use alloc::boxed::Box;
use core::fmt;

use spin::{Mutex, MutexGuard};

use crate::arch::x86::tls::{GDT_ENTRY_TLS_ENTRIES, TlsArray};
use crate::fs::file::FdTable;
use crate::lib::fallible::kbox;
use crate::mm::filemap::WriteAccess;
use crate::mm::gfp::GFP_KERNEL;
use crate::mm::highmem::alloc_pages;
use crate::mm::layout::lowmem_page_address;
use crate::mm::mm_struct::init_mm;
use crate::mm::mm_types::MmRef;
use crate::mm::node::__free_pages;
use crate::mm::types::{PAGE_SIZE, Pfn};

pub type Pid = u32;

/// Most tasks at once, the idle task aside.
pub const NR_TASKS: usize = 64;

/// Kernel stacks are 2^1 pages, 8 KiB, as Linux i386's `THREAD_SIZE`.
pub const THREAD_ORDER: usize = 1;
/// Signals: the ones faults kill with, and their numbers on Linux.
pub const SIGILL: u32 = 4;
pub const SIGTRAP: u32 = 5;
pub const SIGBUS: u32 = 7;
pub const SIGFPE: u32 = 8;
pub const SIGKILL: u32 = 9;
pub const SIGSEGV: u32 = 11;

/// A program name, as `ps` shows it (Linux's `comm`, 16 bytes).
#[derive(Clone, Copy)]
pub struct Comm {
    bytes: [u8; 16],
    len: usize,
}

impl Comm {
    /// The name from the last component of `path`, cut to 15 bytes.
    pub fn from_path(path: &str) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
        let len = name.len().min(15);
        let mut bytes = [0; 16];
        bytes[..len].copy_from_slice(&name[..len]);
        Self { bytes, len }
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("?")
    }
}

impl fmt::Display for Comm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TaskState {
    /// Running or ready to run (a task waiting for something polls).
    Running,
    /// Exited; the wait status waits for the parent.
    Zombie(u32),
}

/// A task.
pub struct TaskStruct {
    pub pid: Pid,
    pub ppid: Pid,
    pub comm: Comm,
    pub state: TaskState,
    /// The address space it owns; `None` for a kernel thread.
    pub mm: Option<MmRef>,
    /// The address space loaded while it runs: its `mm`, or, for a kernel
    /// thread, the one it borrowed from the task before it (lazy TLB);
    /// `None` for a kernel thread while it is switched out.
    pub active_mm: Option<MmRef>,
    /// The first frame of its kernel stack (`None` for task 0, which runs
    /// on the boot stack).
    kernel_stack: Option<Pfn>,
    /// The stack pointer saved when it was switched out.
    pub context_esp: u32,
    /// Its open files.
    pub files: FdTable,
    /// Page faults served without reading a file (minor) and by reading
    /// one (major).
    pub min_flt: u32,
    pub maj_flt: u32,
    /// Linux's execution domain flags (`personality(2)`), inherited by
    /// children and kept across `execve`.
    pub personality: u32,
    /// Its thread-local storage segments (`set_thread_area`), inherited by
    /// children and cleared by `execve`.
    pub tls_array: TlsArray,
    /// Where its exit writes 0 while its address space has other users,
    /// for a thread library that waits for its end (`set_tid_address`).
    pub clear_child_tid: u32,
    /// The hold on the write access of the file its program runs from
    /// (Linux keeps it with the address space, as `mm->exe_file`).
    pub exe_file: Option<WriteAccess>,
}

/// The personality flag that asks `execve` for the legacy, bottom-up
/// layout of mappings (`setarch -L`).
pub const ADDR_COMPAT_LAYOUT: u32 = 0x020_0000;

impl TaskStruct {
    /// The top of the kernel stack, for the TSS.
    pub fn stack_top(&self) -> Option<u32> {
        self.kernel_stack.map(|pfn| lowmem_page_address(pfn).as_u32() + (PAGE_SIZE << THREAD_ORDER))
    }
}

/// Every task, and which one runs.
pub struct Tasks {
    /// Task 0, the idle task (Linux's static `init_task`).
    idle: TaskStruct,
    /// The other tasks, boxed so that a task stays where it is while others
    /// come and go. A fixed table (as Linux 2.2's `NR_TASKS`) keeps no memory
    /// once its tasks are gone, so page counts compare exactly.
    slots: [Option<Box<TaskStruct>>; NR_TASKS],
    pub current: Pid,
    next_pid: Pid,
}

/// The task table. Static, with the idle task inside, so that the boot
/// allocates nothing for it.
static TASKS: Mutex<Tasks> = Mutex::new(Tasks {
    idle: TaskStruct {
        pid: 0,
        ppid: 0,
        comm: Comm { bytes: *b"swapper\0\0\0\0\0\0\0\0\0", len: 7 },
        state: TaskState::Running,
        mm: None,
        active_mm: Some(init_mm()),
        kernel_stack: None,
        context_esp: 0,
        files: FdTable::console(),
        min_flt: 0,
        maj_flt: 0,
        personality: 0,
        tls_array: [0; GDT_ENTRY_TLS_ENTRIES],
        clear_child_tid: 0,
        exe_file: None,
    },
    slots: [const { None }; NR_TASKS],
    current: 0,
    next_pid: 1,
});

/// The task table, locked. Never hold it across `schedule`.
pub fn tasks() -> MutexGuard<'static, Tasks> {
    TASKS.lock()
}

impl Tasks {
    pub fn current(&mut self) -> &mut TaskStruct {
        let pid = self.current;
        self.get(pid).expect("the current task exists")
    }

    pub fn get(&mut self, pid: Pid) -> Option<&mut TaskStruct> {
        match pid {
            0 => Some(&mut self.idle),
            _ => self.slots.iter_mut().flatten().find(|t| t.pid == pid).map(|task| &mut **task),
        }
    }

    /// Every task, the idle task first.
    pub fn all(&self) -> impl Iterator<Item = &TaskStruct> {
        core::iter::once(&self.idle).chain(self.iter())
    }

    /// The tasks other than the idle task.
    pub fn iter(&self) -> impl Iterator<Item = &TaskStruct> {
        self.slots.iter().flatten().map(|task| &**task)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut TaskStruct> {
        self.slots.iter_mut().flatten().map(|task| &mut **task)
    }

    /// Whether every slot holds a task.
    pub fn is_full(&self) -> bool {
        self.slots.iter().all(Option::is_some)
    }

    /// A new task, child of the current one, with a kernel stack, the given
    /// address space and a copy of the current task's open files; `None`
    /// when memory or the table is full.
    pub fn create(&mut self, comm: Comm, mm: Option<MmRef>) -> Option<&mut TaskStruct> {
        let slot = self.slots.iter().position(Option::is_none)?;
        let files = self.current().files.try_clone()?;
        let (personality, tls_array) = (self.current().personality, self.current().tls_array);
        let exe_file = self.current().exe_file.as_ref().map(WriteAccess::dup);
        let kernel_stack = alloc_pages(GFP_KERNEL, THREAD_ORDER)?;
        let (pid, ppid) = (self.next_pid, self.current);
        let task = TaskStruct {
            pid,
            ppid,
            comm,
            state: TaskState::Running,
            mm,
            active_mm: mm,
            kernel_stack: Some(kernel_stack),
            context_esp: 0,
            files,
            min_flt: 0,
            maj_flt: 0,
            personality,
            tls_array,
            clear_child_tid: 0,
            exe_file,
        };
        let Some(task) = kbox(task) else {
            __free_pages(kernel_stack, THREAD_ORDER);
            return None;
        };
        self.next_pid += 1;
        self.slots[slot] = Some(task);
        self.get(pid)
    }

    /// Frees a reaped zombie's kernel stack and descriptor.
    pub fn release(&mut self, pid: Pid) {
        let slot = self.slots.iter_mut().find(|slot| slot.as_ref().is_some_and(|t| t.pid == pid));
        if let Some(stack) = slot.and_then(Option::take).and_then(|task| task.kernel_stack) {
            __free_pages(stack, THREAD_ORDER);
        }
    }
}

/// Runs `f` on the running task.
pub fn with_current<R>(f: impl FnOnce(&mut TaskStruct) -> R) -> R {
    f(tasks().current())
}
