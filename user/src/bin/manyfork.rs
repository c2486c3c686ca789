//! Many processes created and reaped: every one's memory comes back (the
//! kernel checks the free-page count when `init` exits).

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

const CHILDREN: i32 = 100;

fn main(_args: &[&str]) -> i32 {
    let mut sum = 0;
    for i in 0..CHILDREN {
        let pid = sys::fork();
        if pid == 0 {
            sys::exit(i);
        }
        let mut status = 0;
        // SAFETY: `status` is ours to fill.
        unsafe { sys::waitpid(pid as i32, &mut status, 0) };
        sum += status >> 8;
    }
    println!("{CHILDREN} children forked and reaped; their exit codes add up to {sum}");
    ulib::cat(b"/proc/mmlist\0");
    0
}
