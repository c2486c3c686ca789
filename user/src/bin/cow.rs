//! Copy-on-write after `fork`, counted: the child and the parent share
//! every page until one writes. The child's writes copy pages (`cow_copy`);
//! once the child is gone, the parent is the only user of each page and a
//! write simply makes it writable again (`cow_reuse`). A region marked
//! `MADV_DONTFORK` is not copied into a child at all.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const PAGES: usize = 16;

fn vmstat(key: &str) -> u32 {
    proc_value(b"/proc/vmstat\0", key).unwrap_or(0)
}

fn rss_anon() -> u32 {
    proc_value(b"/proc/self/status\0", "RssAnon:").unwrap_or(0)
}

/// Sums the first word of each page.
fn sum(base: usize) -> usize {
    // SAFETY: every page is inside the mapping.
    (0..PAGES).map(|i| unsafe { ((base + i * PAGE) as *const usize).read() }).sum()
}

/// Writes `value` to the first word of pages `from..to`.
fn fill(base: usize, from: usize, to: usize, value: usize) {
    // SAFETY: every page is inside the mapping.
    (from..to).for_each(|i| unsafe { ((base + i * PAGE) as *mut usize).write(value) });
}

fn main(args: &[&str]) -> i32 {
    // With `highfree`, how the copies moved /proc/meminfo's HighFree: run
    // where all user memory is high (`highmem=`), every page is there.
    let high_free = || ulib::proc_value(b"/proc/meminfo\0", "HighFree:").unwrap_or(0);
    let show_high = args.get(1) == Some(&"highfree");
    let high_before = high_free();
    // SAFETY: a new private anonymous mapping touches nothing in use.
    let base =
        unsafe { sys::mmap2(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) }
            as usize;
    fill(base, 0, PAGES, 1);
    println!("parent filled {PAGES} pages: sum {}, RssAnon {} kB", sum(base), rss_anon());
    if show_high {
        println!("HighFree fell by {} kB", high_before - high_free());
    }
    let (copies, reuses) = (vmstat("cow_copy"), vmstat("cow_reuse"));
    let pid = sys::fork();
    if pid == 0 {
        println!("child after fork: sum {}, RssAnon {} kB (shared, counted in both)", sum(base), rss_anon());
        fill(base, 0, 10, 2);
        let copied = vmstat("cow_copy") - copies;
        println!("child wrote 10 pages: sum {}, pages copied {copied} (the 10, and a stack page)", sum(base));
        if show_high {
            println!("HighFree fell by {} kB", high_before - high_free());
        }
        sys::exit(0);
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    println!("parent after the child: sum {} (its pages untouched)", sum(base));
    fill(base, 0, PAGES, 3);
    let (copied, reused) = (vmstat("cow_copy") - copies, vmstat("cow_reuse") - reuses);
    println!(
        "parent wrote all {PAGES}: sum {}, pages copied {copied}, reused {reused} (the 16, and a stack page)",
        sum(base)
    );
    dont_fork(base);
    0
}

/// Marks the region `MADV_DONTFORK`: a child has one region fewer.
fn dont_fork(base: usize) {
    let regions = || proc_value(b"/proc/self/status\0", "MapCount:").unwrap_or(0);
    println!("madvise(MADV_DONTFORK): {}", sys::madvise(base, PAGES * PAGE, sys::MADV_DONTFORK));
    println!("parent has {} regions", regions());
    if sys::fork() == 0 {
        println!("child has {} regions", regions());
        sys::exit(0);
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(-1, &mut status, 0) };
}
