//! `fork`, `wait`, `execve` and `exit` as Linux defines them: the child gets
//! a copy of the parent's memory, the parent collects each child's wait
//! status, `execve` replaces a program, and a child killed by a fault leaves
//! its parent running.

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

/// Changed by the child; the parent's copy must not change.
static mut COUNTER: i32 = 100;

fn wait(pid: i32) -> (isize, i32) {
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    let child = unsafe { sys::waitpid(pid, &mut status, 0) };
    (child, status)
}

fn counter() -> i32 {
    // SAFETY: one thread; the value is copied.
    unsafe { COUNTER }
}

fn main(_args: &[&str]) -> i32 {
    println!("parent: pid {}", sys::getpid());
    let pid = sys::fork();
    if pid == 0 {
        // SAFETY: one thread in this process.
        unsafe { COUNTER += 1 };
        println!("child: pid {}, parent {}, counter {}", sys::getpid(), sys::getppid(), counter());
        sys::exit(7);
    }
    let (child, status) = wait(pid as i32);
    println!("parent: fork gave {pid}, waited for {child}, status {status:#06x}, counter {}", counter());
    println!("parent: wait with no child left = {}", wait(-1).0);

    let argv = [c"/bin/nothing".as_ptr().cast(), core::ptr::null()];
    println!(
        "parent: execve(/bin/nothing) = {}",
        sys::execve(c"/bin/nothing".as_ptr().cast(), argv.as_ptr(), core::ptr::null())
    );

    let pid = sys::fork();
    if pid == 0 {
        let argv = [c"/bin/hello".as_ptr().cast(), c"from-exec".as_ptr().cast(), core::ptr::null()];
        sys::execve(c"/bin/hello".as_ptr().cast(), argv.as_ptr(), core::ptr::null());
        sys::exit(127);
    }
    let (_, status) = wait(pid as i32);
    println!("parent: hello exited, status {status:#06x}");

    let pid = sys::fork();
    if pid == 0 {
        let argv = [c"/bin/segv".as_ptr().cast(), core::ptr::null()];
        sys::execve(c"/bin/segv".as_ptr().cast(), argv.as_ptr(), core::ptr::null());
        sys::exit(127);
    }
    let (_, status) = wait(pid as i32);
    println!("parent: segv ended, status {status:#06x} (signal {}); the parent runs on", status & 0x7f);
    0
}
