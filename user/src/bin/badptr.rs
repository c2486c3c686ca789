//! Bad pointers given to system calls: the kernel must check every user
//! address it is handed and answer `-EFAULT` (-14), never crash or read or
//! write where the program may not.
//!
//! Each line prints the raw result: the first three must be -14; a buffer
//! that is only partly mapped is written up to the unmapped page.

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

    // A buffer whose end runs into an unmapped page: the bytes before it
    // are written and counted, as Linux's pipes and files do.
    // SAFETY: two fresh pages, the second unmapped again at once.
    let buf = unsafe {
        let buf = sys::mmap2(0, 8192, sys::PROT_READ | sys::PROT_WRITE, sys::MAP_PRIVATE | sys::MAP_ANONYMOUS, -1, 0);
        sys::munmap(buf as usize + 4096, 4096);
        buf as usize
    };
    let tail = b"partial\n";
    let start = buf + 4096 - tail.len();
    // SAFETY: the last bytes of the page still mapped.
    unsafe { core::ptr::copy_nonoverlapping(tail.as_ptr(), start as *mut u8, tail.len()) };
    let ret = sys::write(1, without_provenance(start), 16);
    println!("write(8 bytes, then an unmapped page) = {ret}");
    0
}
