//! The region limit: an address space may have at most 65530 regions
//! (Linux's `vm.max_map_count`). One page at a time is mapped, with
//! alternating permissions so no two neighbours merge, until `mmap` fails.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const BASE: usize = 0x1000_0000;

fn map_count() -> u32 {
    proc_value(b"/proc/self/status\0", "MapCount:").unwrap_or(0)
}

fn main(_args: &[&str]) -> i32 {
    println!("regions at start: {}", map_count());
    let mut mapped = 0;
    let error = loop {
        let prot = if mapped % 2 == 0 { PROT_READ } else { PROT_READ | PROT_WRITE };
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
        // SAFETY: NOREPLACE never touches memory in use.
        let addr = unsafe { sys::mmap2(BASE + mapped * PAGE, PAGE, prot, flags, -1, 0) };
        if addr < 0 {
            break addr;
        }
        mapped += 1;
    };
    println!("mmap succeeded {mapped} times, then returned {error}");
    println!("regions now: {}", map_count());
    // SAFETY: write to one writable page, and read one read-only page: the
    // regions are real.
    unsafe {
        ((BASE + PAGE) as *mut u32).write(7);
        println!(
            "a page read back: {}",
            ((BASE + PAGE) as *const u32).read() + ((BASE) as *const u32).read()
        );
    }
    // SAFETY: nothing uses the pages any more.
    println!("munmap all of them: {}", unsafe { sys::munmap(BASE, mapped * PAGE) });
    println!("regions left: {}", map_count());
    0
}
