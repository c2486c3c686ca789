//! The memory descriptors of a fork and an exit, step by step, as
//! `/proc/mmlist` shows them: each `mm_struct` with its two counts, the
//! tasks that own it and the kernel threads that borrow it.
//!
//! The parent prints nothing between `fork` and `wait`, and the child only
//! while the parent waits, so the output does not depend on when the
//! scheduler switches between them.

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

fn main(_args: &[&str]) -> i32 {
    println!("== before fork");
    ulib::cat(b"/proc/mmlist\0");
    let pid = sys::fork();
    if pid == 0 {
        println!("== in the child, the parent waiting");
        ulib::cat(b"/proc/mmlist\0");
        ulib::cat(b"/proc/self/status\0");
        sys::exit(0);
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    println!("== after the child exited and was reaped");
    ulib::cat(b"/proc/mmlist\0");
    0
}
