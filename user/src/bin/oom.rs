//! Memory exhaustion: a child writes page after page of ever more anonymous
//! memory until the kernel has none left. The fault that cannot get a page
//! kills it (Linux's OOM kill, `SIGKILL`); the kernel and the parent carry
//! on, and every page comes back.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const CHUNK: usize = 16 << 20;

/// Maps and writes 16 MiB chunks until something gives.
fn eat_memory() -> ! {
    loop {
        // SAFETY: a new private anonymous mapping touches nothing in use.
        let base =
            unsafe { sys::mmap2(0, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
        if sys::is_error(base) {
            println!("mmap failed: {base}");
            sys::exit(1);
        }
        // SAFETY: every page is inside the new mapping.
        (0..CHUNK / PAGE).for_each(|i| unsafe { ((base as usize + i * PAGE) as *mut u8).write(1) });
    }
}

fn main(_args: &[&str]) -> i32 {
    let free = || proc_value(b"/proc/meminfo\0", "MemFree:").unwrap_or(0);
    let before = free();
    let pid = sys::fork();
    if pid == 0 {
        eat_memory();
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    let after = free();
    println!("the child was killed by signal {}", status & 0x7f);
    println!("free memory before the fork and now differs by {} kB", before.abs_diff(after));
    0
}
