//! The scheduler: round robin over runnable tasks in pid order, preempting
//! a task that has used its time slice when it returns to user mode (the
//! kernel itself is not preemptible, as Linux 2.6 without
//! `CONFIG_PREEMPT`). Task 0, the idle task, runs only when nothing else can.
//!
//! The context switch also switches address spaces (`switch_mm`), and only
//! when needed: a kernel thread has no `mm` of its own and keeps the
//! previous task's loaded, borrowing it as its `active_mm` (the lazy-TLB
//! trick), so switching to and from kernel threads costs no CR3 reload.

use core::sync::atomic::{AtomicBool, Ordering};

use super::task::{Pid, TaskState, Tasks, tasks};
use crate::arch::x86::cpu::{halt_with_interrupts, take_pending_interrupts};
use crate::arch::x86::gdt::{load_tls, set_kernel_stack};
use crate::arch::x86::switch::switch_to;
use crate::mm::mm_struct::{init_mm, mmdrop, mmgrab, switch_mm};

/// Set by the timer: the running task has used its slice.
static NEED_RESCHED: AtomicBool = AtomicBool::new(false);

/// Called on every timer tick: one tick is a time slice.
pub fn scheduler_tick() {
    NEED_RESCHED.store(true, Ordering::Relaxed);
}

/// Whether the running task should give the processor up.
pub fn need_resched() -> bool {
    NEED_RESCHED.load(Ordering::Relaxed)
}

/// A safe point in a long system call (Linux's `cond_resched`): the timer
/// tick that came meanwhile is taken, and if the running task has used its
/// slice, the next one runs before the call goes on. The kernel is not
/// preemptible, so without such points a long call holds the processor to
/// its end. The caller must hold no lock another task may need.
pub fn cond_resched() {
    take_pending_interrupts();
    if need_resched() {
        schedule();
    }
}

/// The next task to run after `current`: the first runnable one in pid
/// order after it, wrapping around; the idle task only if no other.
fn pick_next_task(tasks: &Tasks) -> Pid {
    if tasks.iter().any(|t| t.pid == 1 && t.state != TaskState::Running) {
        // init is gone: the idle task takes over and ends the run.
        return 0;
    }
    let runnable = || tasks.iter().filter(|t| t.state == TaskState::Running).map(|t| t.pid);
    let after = runnable().filter(|&pid| pid > tasks.current).min();
    after.or_else(|| runnable().min()).unwrap_or(0)
}

/// Gives the processor to the next runnable task, if it is not the running
/// one; returns whether another task ran. Called with interrupts off.
pub fn schedule() -> bool {
    NEED_RESCHED.store(false, Ordering::Relaxed);
    let mut table = tasks();
    let (prev, next) = (table.current, pick_next_task(&table));
    if prev == next {
        return false;
    }
    let next_esp = context_switch_mm(&mut table, prev, next);
    load_tls(&table.get(next).expect("next exists").tls_array);
    let prev_esp: *mut u32 = &mut table.current().context_esp;
    table.current = next;
    drop(table);
    // SAFETY: `next_esp` was saved by a switch or prepared for a new task,
    // on a stack freed only after its task is reaped; `prev_esp` lies in a
    // boxed task that outlives this switch.
    unsafe { switch_to(&mut *prev_esp, next_esp) };
    true
}

// ANCHOR: context_switch_mm
/// The address-space half of a switch from `prev` to `next`, and the
/// kernel stack in the TSS; returns `next`'s saved stack pointer.
fn context_switch_mm(table: &mut Tasks, prev: Pid, next: Pid) -> u32 {
    let prev_task = table.get(prev).expect("prev exists");
    let lazy_prev = prev_task.mm.is_none();
    let loaded = prev_task.active_mm.expect("the running task has an address space loaded");
    if lazy_prev {
        // Like Linux, a lazy task keeps nothing while switched out; its
        // reference goes once the next task holds its own.
        prev_task.active_mm = None;
    }
    let task = table.get(next).expect("next exists");
    let mm = task.mm.unwrap_or(loaded);
    if task.mm.is_none() {
        mmgrab(mm);
    } else if mm != loaded {
        switch_mm(mm);
    }
    task.active_mm = Some(mm);
    if let Some(top) = task.stack_top() {
        set_kernel_stack(top);
    }
    let next_esp = task.context_esp;
    if lazy_prev {
        mmdrop(loaded);
    }
    next_esp
}
// ANCHOR_END: context_switch_mm

/// Waits until `done` says so, letting other tasks run meanwhile and
/// halting when none can. Called with interrupts off.
pub fn wait_until(mut done: impl FnMut() -> bool) {
    while !done() {
        if !schedule() {
            halt_with_interrupts();
        }
    }
}

/// Makes the running kernel thread give back the address space it
/// borrowed and load `init_mm` again (Linux keeps the borrowed one until
/// the next switch; the idle task does this at the end of a run so that
/// every page is accounted for).
pub fn unlazy_mm() {
    let mut table = tasks();
    let task = table.current();
    let borrowed = task.active_mm.expect("the running task has an address space loaded");
    if task.mm.is_none() && borrowed != init_mm() {
        task.active_mm = Some(init_mm());
        mmgrab(init_mm());
        switch_mm(init_mm());
        drop(table);
        mmdrop(borrowed);
    }
}
