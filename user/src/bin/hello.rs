//! The first user program: prints its process id and its arguments.
//!
//! It shows that the process runs in user mode with a pid of its own
//! (`getpid`), and that the kernel built the initial stack as Linux's i386
//! ABI lays it out: `argc`, then `argv` (see `ulib`'s documentation).

#![no_std]
#![no_main]

use ulib::{println, sys};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    println!("hello from pid {}", sys::getpid());
    println!("argc = {}", args.len());
    for (i, arg) in args.iter().enumerate() {
        println!("argv[{i}] = {arg}");
    }
    0
}
