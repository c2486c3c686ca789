//! A fork bomb the kernel must survive, in the one shape whose end does not
//! depend on how the processes are scheduled: one process forks until
//! `fork` fails, while none of its children may exit (each waits, yielding,
//! until its parent is gone). So the task table fills up, and the failure
//! must be `-EAGAIN`, as Linux's at `threads-max`. Then the forking process
//! exits, its children find themselves children of `init` and exit too,
//! `init` reaps them all, every page must come back, and `init` must still
//! be able to fork.

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

const EAGAIN: isize = -11;
const ECHILD: isize = -10;

fn main(_args: &[&str]) -> i32 {
    let pid = sys::fork();
    if pid == 0 {
        flood();
    }
    println!("the flood's fork failed with -EAGAIN: {}", reap(pid as i32) == 1);
    // Its children, now init's: reaped until none is left.
    // SAFETY: no status is written.
    while unsafe { sys::waitpid(-1, core::ptr::null_mut(), 0) } > 0 {}
    // SAFETY: as above.
    let left = unsafe { sys::waitpid(-1, core::ptr::null_mut(), 0) };
    println!("every process of the flood was reaped: {}", left == ECHILD);
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(3);
    }
    println!("fork after the flood: a child that exited with {}", reap(pid as i32));
    0
}

/// Forks until `fork` fails, and exits with 1 if it failed with `-EAGAIN`.
/// Each child waits until this process is gone, then exits.
fn flood() -> ! {
    let parent = sys::getpid();
    loop {
        match sys::fork() {
            0 => {
                while sys::getppid() == parent {
                    sys::sched_yield();
                }
                sys::exit(0);
            }
            pid if pid < 0 => sys::exit(i32::from(pid == EAGAIN)),
            _ => {}
        }
    }
}

/// Waits for child `pid` and returns its exit status.
fn reap(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid, &mut status, 0) };
    (status >> 8) & 0xff
}
