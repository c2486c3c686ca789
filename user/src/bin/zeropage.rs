//! The zero page, shared by many readers: a 256-page anonymous mapping read
//! end to end by the parent and by 8 children maps one frame of zeroes
//! everywhere. Nobody's resident set grows, and no frame is used.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const PAGES: usize = 256;

fn read_all(base: usize) -> usize {
    // SAFETY: every page is inside the mapping.
    (0..PAGES).map(|i| unsafe { ((base + i * PAGE) as *const usize).read() }).sum()
}

fn main(_args: &[&str]) -> i32 {
    let free = || proc_value(b"/proc/meminfo\0", "MemFree:").unwrap_or(0);
    let rss = || proc_value(b"/proc/self/status\0", "RssAnon:").unwrap_or(0);
    // SAFETY: a new private anonymous mapping touches nothing in use.
    let base =
        unsafe { sys::mmap2(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) }
            as usize;
    let (free_before, rss_before) = (free(), rss());
    println!("parent read {PAGES} pages: sum {}", read_all(base));
    println!("parent: RssAnon grew {} kB, free memory fell {} kB", rss() - rss_before, free_before - free());
    for _ in 0..8 {
        if sys::fork() == 0 {
            let before = rss();
            let sum = read_all(base);
            println!("child read them: sum {sum}, RssAnon grew {} kB", rss() - before);
            sys::exit(0);
        }
        let mut status = 0;
        // SAFETY: `status` is ours to fill.
        unsafe { sys::waitpid(-1, &mut status, 0) };
    }
    0
}
