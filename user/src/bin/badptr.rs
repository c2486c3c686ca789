//! Bad pointers given to system calls: the kernel must check every user
//! address it is handed and answer `-EFAULT` (-14), never crash or read or
//! write where the program may not.
//!
//! Each line prints the raw result; all three must be -14.

#![no_std]
#![no_main]

use core::ptr::{without_provenance, without_provenance_mut};

use ulib::{println, sys};

ulib::entry!(main);

fn main(_args: &[&str]) -> i32 {
    // PAGE_OFFSET: the first byte of the kernel's half of the address space,
    // which user mode may not touch and the kernel must not touch for it.
    let ret = sys::write(1, without_provenance(0xC000_0000), 16);
    println!("write(kernel address) = {ret}");

    // The first page is never mapped (a NULL pointer plus a little): the
    // address is a user one, but nothing is there.
    let ret = sys::write(1, without_provenance(0x10), 8);
    println!("write(unmapped address) = {ret}");

    // A buffer for the kernel to fill, in the kernel's own top page.
    // SAFETY: no Rust object lives there; the kernel must refuse it.
    let ret = unsafe { sys::read(0, without_provenance_mut(0xFFFF_F000), 4) };
    println!("read(kernel address) = {ret}");
    0
}
