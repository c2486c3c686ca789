//! The stack grows on demand: deep recursion runs the stack pointer below
//! the stack region, and each fault just below it extends the region
//! (`VM_GROWSDOWN`), up to the 8 MiB limit.

#![no_std]
#![no_main]

use ulib::{println, proc_value};

ulib::entry!(main);

/// Recurses `depth` times with a 4 KiB frame each; returns a checksum.
#[inline(never)]
fn recurse(depth: u32) -> u32 {
    let mut frame = [0u8; 4096];
    frame[depth as usize % 4096] = depth as u8;
    let frame = core::hint::black_box(&mut frame);
    if depth == 0 { frame[0] as u32 } else { recurse(depth - 1) + frame[depth as usize % 4096] as u32 }
}

fn report(step: &str) {
    let vmstk = proc_value(b"/proc/self/status\0", "VmStk:").unwrap_or(0);
    println!("{step:<26} VmStk {vmstk:5} kB");
}

fn main(_args: &[&str]) -> i32 {
    report("at start");
    println!("recursion 64 deep: checksum {}", recurse(64));
    report("after 256 KiB of stack");
    println!("recursion 1024 deep: checksum {}", recurse(1024));
    report("after 4 MiB of stack");
    0
}
