//! The cost of `fork` + `exit` + `waitpid` as the parent's memory grows: for
//! each size, an anonymous mapping written page by page, then `FORKS`
//! children that exit at once, timed with the time-stamp counter. Run by
//! `cargo xtask bench` on a kernel sharing pages copy-on-write (the default)
//! and on one copying them up front (`fork=copy`).
//!
//! Under QEMU with `-icount` (as the grader runs it), `rdtsc` reads the
//! virtual clock, which advances a fixed step per guest instruction: the
//! "cycles" count instructions executed, kernel and user, not the time a
//! real processor would take (a page copy costs its instruction count, not
//! its memory traffic). The program first prints the cycles per
//! instruction of a plain loop, which shows the ratio (2^shift).

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{eprintln, println};

ulib::entry!(main);

const PAGE: usize = 4096;
/// Pages written before forking.
const SIZES: [usize; 3] = [16, 256, 4096];
/// Timed forks per size, after one untimed.
const FORKS: u64 = 20;

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads the counter; the kernel leaves `CR4.TSD`
    // clear, so user mode may use it.
    unsafe { core::arch::x86::_rdtsc() }
}

/// TSC cycles per instruction of a `dec` + `jnz` loop.
fn cycles_per_instruction() -> u64 {
    const LOOPS: u64 = 1 << 20;
    let start = rdtsc();
    // SAFETY: the loop changes only `ecx`, which is declared.
    unsafe {
        core::arch::asm!("2:", "dec ecx", "jnz 2b", inout("ecx") LOOPS as u32 => _, options(nomem, nostack))
    };
    (rdtsc() - start) / (2 * LOOPS)
}

/// Forks a child that exits at once and waits for it; false on failure.
fn fork_and_reap() -> bool {
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(0);
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    pid > 0 && unsafe { sys::waitpid(pid as i32, &mut status, 0) } == pid && status == 0
}

/// Maps `pages` pages and writes one word in each, so each has a frame.
fn touched_mapping(pages: usize) -> Option<usize> {
    // SAFETY: a new private anonymous mapping touches nothing in use.
    let base =
        unsafe { sys::mmap2(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
    if sys::is_error(base) {
        return None;
    }
    // SAFETY: every page is inside the mapping.
    (0..pages).for_each(|i| unsafe { ((base as usize + i * PAGE) as *mut usize).write(i) });
    Some(base as usize)
}

/// Average cycles of one fork + exit + wait with `pages` touched pages.
fn measure(pages: usize) -> Option<u64> {
    let base = touched_mapping(pages)?;
    let ok = fork_and_reap();
    let start = rdtsc();
    let ok = (0..FORKS).fold(ok, |ok, _| ok && fork_and_reap());
    let cycles = rdtsc() - start;
    // SAFETY: the mapping is ours and nothing refers to it any more.
    unsafe { sys::munmap(base, pages * PAGE) };
    ok.then_some(cycles / FORKS)
}

fn main(_args: &[&str]) -> i32 {
    println!("forkbench: {} cycles per instruction of a dec/jnz loop", cycles_per_instruction());
    for pages in SIZES {
        let Some(cycles) = measure(pages) else {
            eprintln!("forkbench: mmap, fork or waitpid failed with {pages} pages");
            return 1;
        };
        println!("forkbench: {pages} pages, {FORKS} forks, {cycles} cycles per fork+exit");
    }
    0
}
