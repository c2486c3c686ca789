//! The kernel heap runs out: a child maps page after page as separate
//! regions until the kernel has no memory left for another region's
//! descriptor. Every request that needs kernel memory then fails with
//! `-ENOMEM` (`mmap`, opening a `/proc` file, `fork`) and the kernel goes
//! on; once the regions are unmapped, `fork` works again, and every page
//! comes back when the child is gone.

#![no_std]
#![no_main]

use ulib::sys::{self, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ, PROT_WRITE};
use ulib::{println, proc_value};

ulib::entry!(main);

const PAGE: usize = 4096;
const BASE: usize = 0x1000_0000;
/// Regions unmapped once the heap is out.
const RELEASED: usize = 512;

/// Maps one page at a time, with alternating permissions so that no two
/// neighbours merge, until `mmap` fails; returns how many it mapped and
/// the error.
fn map_until_failure() -> (usize, isize) {
    let mut mapped = 0;
    loop {
        let prot = if mapped % 2 == 0 { PROT_READ } else { PROT_READ | PROT_WRITE };
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
        // SAFETY: NOREPLACE never touches memory in use.
        let addr = unsafe { sys::mmap2(BASE + mapped * PAGE, PAGE, prot, flags, -1, 0) };
        if addr < 0 {
            return (mapped, addr);
        }
        mapped += 1;
    }
}

/// What the child does: exhaust the kernel heap, try what needs it, free
/// it, and try again.
fn exhaust() -> i32 {
    // Printing now copies the pages printing writes (they are
    // copy-on-write since the fork) while there is memory for them.
    println!("the child maps regions until mmap fails");
    let (mapped, error) = map_until_failure();
    // Give a few pages back, enough for this process's own faults (its
    // stack pages are copy-on-write since the fork) but not for a large
    // request.
    let kept = mapped.saturating_sub(RELEASED);
    // SAFETY: nothing uses the pages.
    let released = unsafe { sys::munmap(BASE + kept * PAGE, RELEASED * PAGE) };
    println!("mmap failed with {error} after more than 1000 regions: {}", mapped > 1000);
    println!("munmap the last {RELEASED}: {released}");
    println!("open /proc/self/maps: {}", sys::open(b"/proc/self/maps\0".as_ptr(), 0));
    println!("fork: {}", sys::fork());
    // SAFETY: nothing uses the pages.
    println!("munmap the others: {}", unsafe { sys::munmap(BASE, kept * PAGE) });
    let status = in_child(|| 3);
    println!("fork again: a child that exited with {}", (status >> 8) & 0xff);
    0
}

/// Runs `child` in a child process and returns its wait status.
fn in_child(child: fn() -> i32) -> i32 {
    let pid = sys::fork();
    if pid == 0 {
        sys::exit(child());
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    status
}

fn main(_args: &[&str]) -> i32 {
    let free = || {
        ulib::drop_caches();
        proc_value(b"/proc/meminfo\0", "MemFree:").unwrap_or(0)
    };
    // A first child that does nothing faults in the pages the parent's own
    // fork and wait use, so that the count before is the one to return to.
    in_child(|| 0);
    let before = free();
    let status = in_child(exhaust);
    let after = free();
    println!("the child exited with {}, signal {}", (status >> 8) & 0xff, status & 0x7f);
    println!("free memory before the fork and now differs by {} kB", before.abs_diff(after));
    0
}
