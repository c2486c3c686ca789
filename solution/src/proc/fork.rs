//! Creating tasks: `fork` and `clone` (Linux's `do_fork`), and kernel
//! threads.

use super::task::{Comm, Pid, tasks};
use crate::arch::x86::ptrace::PtRegs;
use crate::arch::x86::switch::{prepare_kernel_thread_stack, prepare_stack};
use crate::mm::mm_struct::{dup_mm, mmget};
use crate::mm::mm_types::MmRef;
use crate::mm::vmscan::try_to_free_pages;

/// `clone` flag: share the address space (a thread).
pub const CLONE_VM: u32 = 0x100;

/// Why a task could not be created.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ForkError {
    /// The task table is full (Linux's `-EAGAIN` at `max_threads`).
    TableFull,
    /// No memory for the task or its address space (`-ENOMEM`).
    NoMemory,
}

/// Creates a child of the running task that returns to user mode with the
/// parent's registers `regs`, except 0 in `eax` and, if given, the stack
/// pointer `stack`. With `CLONE_VM` it shares the parent's address space;
/// otherwise it gets a copy. Returns the child's pid.
pub fn do_fork(flags: u32, stack: Option<u32>, regs: &PtRegs) -> Result<Pid, ForkError> {
    let (parent_mm, comm) = {
        let mut table = tasks();
        // Checked first, as Linux's `copy_process` does, so that a full
        // table costs no copy of the address space.
        if table.is_full() {
            return Err(ForkError::TableFull);
        }
        let parent = table.current();
        (parent.mm.expect("a user task forks"), parent.comm)
    };
    let mm = copy_mm(flags, parent_mm).ok_or(ForkError::NoMemory)?;
    let mut table = tasks();
    let Some(child) = table.create(comm, Some(mm)) else {
        drop(table);
        crate::mm::mm_struct::mmput(mm);
        return Err(ForkError::NoMemory);
    };
    let mut child_regs = *regs;
    child_regs.eax = 0;
    if let Some(esp) = stack {
        child_regs.esp = esp;
    }
    let top = child.stack_top().expect("a new task has a kernel stack");
    // SAFETY: the stack was just allocated for this task.
    child.context_esp = unsafe { prepare_stack(top, &child_regs) };
    Ok(child.pid)
}

/// The child's address space: the parent's, one more user, or a copy. A
/// copy that finds no memory for its page tables and reverse maps reclaims
/// some and starts again, as long as reclaim frees anything (the direct
/// reclaim of Linux's `GFP_KERNEL` allocations).
fn copy_mm(flags: u32, parent: MmRef) -> Option<MmRef> {
    if flags & CLONE_VM != 0 {
        mmget(parent);
        return Some(parent);
    }
    loop {
        if let Some(mm) = dup_mm(parent) {
            return Some(mm);
        }
        if try_to_free_pages(None) == 0 {
            return None;
        }
    }
}

/// Starts a kernel thread running `f` (Linux's `kernel_thread`): no `mm` of
/// its own, it borrows whichever address space is loaded when it runs.
pub fn kernel_thread(name: &str, f: extern "C" fn()) -> Result<Pid, ForkError> {
    let mut table = tasks();
    if table.is_full() {
        return Err(ForkError::TableFull);
    }
    let thread = table.create(Comm::from_path(name), None).ok_or(ForkError::NoMemory)?;
    let top = thread.stack_top().expect("a new task has a kernel stack");
    // SAFETY: the stack was just allocated for this task.
    thread.context_esp = unsafe { prepare_kernel_thread_stack(top, f) };
    Ok(thread.pid)
}
