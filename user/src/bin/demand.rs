//! Demand paging, measured: a large anonymous mapping costs nothing until
//! it is touched. Writing a page faults once and adds it to the resident
//! set; reading an untouched page maps the shared zero page, which faults
//! but adds nothing; writing that page later copies it.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const PAGES: usize = 1024;

/// Prints the resident set and the fault counts after `step`.
fn report(step: &str) {
    let status = |key| proc_value(b"/proc/self/status\0", key).unwrap_or(0);
    println!(
        "{step:<28} VmSize {:5} kB  RssAnon {:4} kB  minor faults {:4}",
        status("VmSize:"),
        status("RssAnon:"),
        status("MinFlt:"),
    );
}

fn main(_args: &[&str]) -> i32 {
    report("at start");
    // SAFETY: a new private anonymous mapping touches nothing in use.
    let base =
        unsafe { sys::mmap2(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
    let page = |i: usize| (base as usize + i * PAGE) as *mut u32;
    report("mmap 1024 pages (4 MiB)");
    // SAFETY: every address is inside the mapping.
    unsafe {
        (0..100).for_each(|i| page(i).write(i as u32));
        report("wrote 100 pages");
        let sum: u32 = (100..300).map(|i| page(i).read()).sum();
        report("read 200 other pages");
        println!("they read as zeroes: sum {sum}");
        (100..110).for_each(|i| page(i).write(1));
        report("wrote 10 of the read ones");
        let sum: u32 = (0..110).map(|i| page(i).read()).sum();
        println!("sum of what was written: {sum}");
        sys::munmap(base as usize, PAGES * PAGE);
    }
    report("munmap");
    0
}
