//! A user fault the kernel must survive: the program reads address 0, where
//! nothing is mapped. The kernel kills it with a segmentation-fault message,
//! as Linux sends SIGSEGV, and goes on running.
//!
//! If the read somehow succeeds, it says so and exits with status 1.

#![no_std]
#![no_main]

use ulib::println;

ulib::entry!(main);

fn main(_args: &[&str]) -> i32 {
    println!("about to touch 0x0");
    // SAFETY: none: the read traps, which is the point of the program. A
    // volatile read happens exactly here, however the code is optimised, and
    // Rust allows one at address 0; after the trap the kernel never returns.
    let _ = unsafe { core::ptr::read_volatile(core::ptr::null::<u32>()) };
    println!("still alive");
    1
}
