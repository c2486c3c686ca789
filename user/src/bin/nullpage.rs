//! Page 0, and every page below `mmap_min_addr` (64 KiB), can never be
//! mapped: a NULL pointer, or a small offset from one, then always faults
//! in a program and is `-EFAULT` (-14) in a system call. `MAP_FIXED` there
//! is `-EPERM` (-1), a hint there is raised to 64 KiB, and a stack region
//! never grows down into it.
//!
//! Each line prints a call and the kernel's raw result.

#![no_std]
#![no_main]

use core::ptr::{null, without_provenance};

use ulib::{println, sys};

ulib::entry!(main);

const PAGE: usize = 4096;
/// Linux's `mmap_min_addr` as Debian sets it.
const MMAP_MIN_ADDR: usize = 0x1_0000;
const RW: i32 = sys::PROT_READ | sys::PROT_WRITE;
const ANON: i32 = sys::MAP_PRIVATE | sys::MAP_ANONYMOUS;

/// `mmap2` of anonymous memory.
fn map(addr: usize, len: usize, flags: i32) -> isize {
    // SAFETY: only fixed mappings below 64 KiB, where the program has
    // nothing, or anywhere the kernel chooses.
    unsafe { sys::mmap2(addr, len, RW, ANON | flags, -1, 0) }
}

fn main(_args: &[&str]) -> i32 {
    println!("mmap MAP_FIXED at 0 = {}", map(0, PAGE, sys::MAP_FIXED));
    println!("mmap MAP_FIXED_NOREPLACE at 0 = {}", map(0, PAGE, sys::MAP_FIXED_NOREPLACE));
    println!("mmap MAP_FIXED at 0xf000 = {}", map(0xf000, PAGE, sys::MAP_FIXED));
    println!("mmap MAP_FIXED across 64 KiB = {}", map(0xf000, 2 * PAGE, sys::MAP_FIXED));
    let hinted = map(0x1000, PAGE, 0);
    println!("mmap with the hint 0x1000 = {hinted:#x}");
    // SAFETY: the page just mapped, which nothing uses.
    unsafe { sys::munmap(hinted as usize, PAGE) };

    // Had a mapping at 0 been made, these would read page 0.
    println!("write(1, NULL, 4) = {}", sys::write(1, null(), 4));
    println!("open(NULL, 0) = {}", sys::open(null(), 0));

    // A stack region at 64 KiB: a buffer just below it would grow it into
    // the forbidden pages, so the kernel refuses the copy.
    let stack = map(MMAP_MIN_ADDR, PAGE, sys::MAP_FIXED | sys::MAP_GROWSDOWN);
    println!("mmap MAP_GROWSDOWN at 64 KiB = {stack:#x}");
    let below = without_provenance(MMAP_MIN_ADDR - 8);
    println!("write(1, 64 KiB - 8, 8) = {}", sys::write(1, below, 8));
    0
}
