//! Bad pointers given to system calls: the kernel must check every user
//! address it is handed and answer `-EFAULT` (-14), never crash or read or
//! write where the program may not.
//!
//! Each line prints the raw result: every one must be -14 but for a buffer
//! that is only partly mapped, which is written up to the unmapped page.

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
    other_calls();
    0
}

/// Every other call that takes a pointer, given a bad one: each is -14.
fn other_calls() {
    let kernel: *const u8 = without_provenance(0xC000_0000);
    println!("open(kernel address) = {}", sys::open(kernel, 0));
    println!("open(NULL) = {}", sys::open(core::ptr::null(), 0));
    let hello = c"/bin/hello".as_ptr().cast::<u8>();
    let argv = [hello, core::ptr::null()];
    let bad_argv = [hello, kernel, core::ptr::null()];
    let no_env: [*const u8; 1] = [core::ptr::null()];
    println!("execve(kernel address, ...) = {}", sys::execve(kernel, argv.as_ptr(), no_env.as_ptr()));
    println!("execve(path, argv at a kernel address) = {}", sys::execve(hello, kernel.cast(), no_env.as_ptr()));
    println!("execve(path, argv holding a kernel address) = {}", sys::execve(hello, bad_argv.as_ptr(), no_env.as_ptr()));
    println!("execve(path, argv, envp at a kernel address) = {}", sys::execve(hello, argv.as_ptr(), kernel.cast()));
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(0);
    }
    // SAFETY: the kernel must refuse the status pointer.
    let ret = unsafe { sys::waitpid(pid as i32, without_provenance_mut(0xC000_0000), 0) };
    println!("waitpid(child, status at a kernel address) = {ret}");
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(0);
    }
    let mut status = 0;
    // SAFETY: `status` is ours; the kernel must refuse the usage pointer.
    let ret = unsafe { sys::wait4(pid as i32, &mut status, 0, without_provenance_mut(0xC000_0000)) };
    println!("wait4(child, status, 0, rusage at a kernel address) = {ret}");
    // Whatever became of the child, no zombie may stay behind.
    // SAFETY: no status is written.
    while unsafe { sys::waitpid(-1, core::ptr::null_mut(), 0) } > 0 {}
}
