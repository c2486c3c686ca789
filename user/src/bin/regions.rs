//! Memory regions made, merged, split and refused through the system calls,
//! with `/proc/self/maps` after each step: what lab 3's `vma_merge`,
//! `split_vma` and `insert_vm_struct` do, seen from user space.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{cat, println};

ulib::entry!(main);

const PAGE: usize = 4096;
/// Where the anonymous regions go: free, and easy to read in the maps.
const BASE: usize = 0x5000_0000;
const RW: i32 = PROT_READ | PROT_WRITE;
const ANON: i32 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;

fn maps(step: &str) {
    println!("== {step}");
    cat(b"/proc/self/maps\0");
}

/// Maps `pages` anonymous pages at `addr` with `prot`, never replacing.
fn map(addr: usize, pages: usize, prot: i32) -> isize {
    // SAFETY: NOREPLACE never touches memory in use.
    unsafe { sys::mmap2(addr, pages * PAGE, prot, ANON, -1, 0) }
}

fn main(_args: &[&str]) -> i32 {
    maps("after exec: text, read-only data, .bss and heap, stack");
    println!("mmap 4 pages at {BASE:#x}: {:#x}", map(BASE, 4, RW));
    maps("one new region");
    println!("mmap 2 pages right above: {:#x}", map(BASE + 4 * PAGE, 2, RW));
    maps("the same flags: merged into one region of 6 pages");
    // SAFETY: the region is ours; each page is written while writable.
    unsafe {
        for page in 0..6 {
            ((BASE + page * PAGE) as *mut usize).write(page);
        }
        println!("mprotect page 2 read-only: {}", sys::mprotect(BASE + 2 * PAGE, PAGE, PROT_READ));
        maps("split in three");
        println!("mprotect it read-write again: {}", sys::mprotect(BASE + 2 * PAGE, PAGE, RW));
        maps("merged back into one");
        println!("munmap page 1: {}", sys::munmap(BASE + PAGE, PAGE));
        maps("split around the hole");
        let kept: usize =
            [0, 2, 3, 4, 5].iter().map(|&page| ((BASE + page * PAGE) as *const usize).read()).sum();
        println!("the pages kept their contents: sum {kept}");
    }
    println!("mmap over page 4 (overlap): {}", map(BASE + 4 * PAGE, 1, RW));
    println!("mmap into the hole at page 1: {:#x}", map(BASE + PAGE, 1, RW));
    maps("the hole filled: one region again");
    let fd = sys::open(c"/bin/hello".as_ptr().cast(), 0);
    // SAFETY: a new private mapping of a file touches nothing in use.
    let file = unsafe { sys::mmap2(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd as i32, 1) };
    println!("mmap /bin/hello from page 1, anywhere: {file:#x}");
    // SAFETY: `brk(0)` only asks where the heap ends.
    let heap = unsafe { sys::brk(0) } as usize;
    // SAFETY: the heap grows into free space; nothing uses it yet.
    let grown = unsafe { sys::brk(heap + 3 * PAGE) } as usize;
    println!("brk grew the heap by {} pages", (grown - heap) / PAGE);
    maps("a file region just below mmap_base, and the heap 3 pages longer");
    // SAFETY: nothing uses the regions any more.
    println!("munmap everything mapped: {}", unsafe {
        sys::munmap(BASE, 6 * PAGE) + sys::munmap(file as usize, 2 * PAGE)
    });
    maps("back to the program's own regions and the heap");
    0
}
