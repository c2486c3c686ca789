//! A fork bomb the kernel must survive: a binary tree of processes, each
//! forking two children before it waits for them, six levels deep. Its 63
//! inner processes alone fill the task table beside `init`, so forks fail
//! once it is full: with `-EAGAIN`, as Linux's at `threads-max`. The depth
//! bounds the bomb, so it ends on every kernel, however the processes are
//! scheduled; then every process must be reaped, every page returned, and
//! `init` must fork again.

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

/// Levels below the first process.
const DEPTH: u32 = 6;
/// The exit status of a process whose subtree had a fork fail with
/// `-EAGAIN` (0 otherwise).
const SAW_EAGAIN: i32 = 1;
const EAGAIN: isize = -11;

fn main(_args: &[&str]) -> i32 {
    let pid = sys::fork();
    if pid == 0 {
        bomb(0);
    }
    let status = reap(pid as i32);
    println!("a fork in the bomb failed with -EAGAIN: {}", status == SAW_EAGAIN);
    // SAFETY: no status is written.
    let left = unsafe { sys::waitpid(-1, core::ptr::null_mut(), 0) };
    println!("every process of the bomb was reaped: {}", left == -10);
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(3);
    }
    println!("fork after the bomb: a child that exited with {}", reap(pid as i32));
    0
}

/// The process at `depth`: forks two children (unless it is a leaf), waits
/// for them, and exits with `SAW_EAGAIN` if a fork in its subtree got it.
fn bomb(depth: u32) -> ! {
    let (mut children, mut status) = (0, 0);
    for _ in 0..if depth < DEPTH { 2 } else { 0 } {
        match sys::fork() {
            0 => bomb(depth + 1),
            EAGAIN => status |= SAW_EAGAIN,
            pid if pid < 0 => println!("fork failed with {pid}, not -EAGAIN"),
            _ => children += 1,
        }
    }
    for _ in 0..children {
        status |= reap(-1);
    }
    sys::exit(status)
}

/// Waits for child `pid` (-1: any) and returns its exit status.
fn reap(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid, &mut status, 0) };
    (status >> 8) & 0xff
}
