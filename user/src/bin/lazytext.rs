//! A program whose code and data are mostly never used: 256 KiB of
//! read-only data it never reads. It is mapped (`VmSize`) but only the
//! pages touched are read from the file (`RssFile`, major faults).

#![no_std]
#![no_main]

use ulib::{println, proc_value};

ulib::entry!(main);

/// 64 pages of data, each page's first word its number.
static UNUSED: [[u32; 1024]; 64] = {
    let mut pages = [[0; 1024]; 64];
    let mut i = 0;
    while i < 64 {
        pages[i][0] = i as u32;
        i += 1;
    }
    pages
};

fn report(step: &str) {
    let status = |key| proc_value(b"/proc/self/status\0", key).unwrap_or(0);
    let (size, file, majors) = (status("VmSize:"), status("RssFile:"), status("MajFlt:"));
    println!("{step:<22} VmSize {size:4} kB  RssFile {file:3} kB  major faults {majors}");
}

fn main(_args: &[&str]) -> i32 {
    report("at start");
    let first = core::hint::black_box(&UNUSED)[0][0];
    report("read 1 page of data");
    let some: u32 = (0..8).map(|i| core::hint::black_box(&UNUSED)[i * 8][0]).sum();
    report("read 8 pages of data");
    println!("values read: {first} and {some}");
    0
}
