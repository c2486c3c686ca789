//! `start_kernel`: the first Rust code, called by the boot code with paging on
//! and the boot page directory loaded.

use spin::Once;

use crate::arch::x86::e820::E820Map;
use crate::arch::x86::multiboot::{self, BootModule, boot_modules};
use crate::arch::x86::setup_arch;
use crate::drivers::ata::ata_probe;
use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::drivers::serial;
use crate::fs::{mount_root, rootfs};
use crate::kernel::cmdline::{self, ForkMode};
use crate::kernel::printk;
use crate::mm::cow::set_fork_copies;
use crate::mm::dump::{FreeFrames, show_layout};
use crate::mm::init::{mem_init, paging_init, setup_bootmem};
use crate::mm::layout::{EARLY_MAPPED, MAXMEM};
use crate::mm::mm_struct::mm_init;
use crate::mm::swapfile::nr_swap_pages;
use crate::mm::types::{PAGE_SHIFT, Pfn, PhysAddr};
use crate::proc::exec::{spawn_init, wait_init};
use crate::{pr_info, pr_warn, scenarios};

/// The memory map in use (after `mem=`), kept for the monitor.
static MEMORY_MAP: Once<E820Map> = Once::new();

/// The memory map in use, after `mem=`.
pub fn memory_map() -> E820Map {
    MEMORY_MAP.get().expect("start_kernel keeps the memory map").clone()
}

/// The first program when `init=` names none.
const DEFAULT_INIT: &str = "/bin/init";

/// Brings the kernel up, then runs the scenario named by `test=`, or the
/// program named by `init=` (or `/bin/init`) as the first process, or,
/// without an initrd, the console monitor.
pub extern "C" fn start_kernel(magic: u32, mbi: u32) -> ! {
    serial::init();
    setup_arch();
    pr_info!("vmlab {}: a teaching kernel modelled on Linux 2.6 on i386", env!("CARGO_PKG_VERSION"));
    let boot = multiboot::parse(magic, PhysAddr::new(mbi));
    pr_info!("Kernel command line: {}", boot.cmdline);
    let options = cmdline::parse(boot.cmdline, |error| pr_warn!("{error}"));
    if let Some(level) = options.loglevel {
        printk::set_console_loglevel(level);
    }

    let mut e820 = boot.e820;
    pr_info!("BIOS-provided physical RAM map:");
    show_memory_map("BIOS-e820", &e820);
    if let Some(mem) = options.mem {
        e820.limit_regions(mem);
        pr_info!("user-defined physical RAM map:");
        show_memory_map("user", &e820);
    }
    MEMORY_MAP.call_once(|| e820.clone());
    show_modules(boot_modules());
    let max_pfn = Pfn::new((e820.ram_end() >> PAGE_SHIFT) as u32);
    let max_low_pfn = find_max_low_pfn(max_pfn, options.highmem);
    show_lowmem_highmem(max_low_pfn, max_pfn);

    let (mut bootmem, bitmap) = setup_bootmem(&e820, boot_modules(), max_low_pfn);
    paging_init(max_low_pfn, &mut bootmem);
    mem_init(&e820, bootmem, bitmap, max_pfn);
    show_layout();

    mm_init();
    if options.fork == Some(ForkMode::Copy) {
        pr_info!("fork=copy: fork copies private pages up front (a benchmark mode)");
        set_fork_copies(true);
    }
    if let Some(initrd) = boot_modules().first() {
        mount_root(initrd.bytes());
    }
    ata_probe();
    // From here on the kernel runs with interrupts off, enabling them only
    // while it halts: nothing preempts it (see proc::sched).
    // As Linux, without `init=` the first program is the initrd's init; with
    // no initrd there is only the kernel monitor.
    let default_init = rootfs().and_then(|fs| fs.lookup(DEFAULT_INIT)).map(|_| DEFAULT_INIT);
    match (options.test, options.init.or(default_init)) {
        (Some(name), _) => scenarios::run(name),
        (None, Some(path)) => run_init(path, options.init_args),
        (None, None) => super::monitor::run(),
    }
}

/// Runs `path` as the first process and ends the run when it exits,
/// checking that every page it used came back.
fn run_init(path: &str, args: &str) -> ! {
    let free = FreeFrames::now();
    pr_info!("Run {path} as init process");
    spawn_init(path, args);
    let status = wait_init();
    match status & 0x7f {
        0 => pr_info!("init exited with code {}", status >> 8),
        signal => pr_info!("init killed by signal {signal}"),
    }
    pr_info!("pages not returned: {}", free.not_returned());
    let (swap_total, swap_free) = nr_swap_pages();
    if swap_total != 0 {
        pr_info!("swap slots not returned: {}", swap_total - swap_free);
    }
    qemu_exit(QemuExitCode::Success)
}

/// Prints the memory map as Linux's `print_memory_map` does, each line
/// tagged with `who`.
pub fn show_memory_map(who: &str, e820: &E820Map) {
    for entry in e820.entries() {
        pr_info!(" {who}: {entry}");
    }
}

fn show_modules(modules: &[BootModule]) {
    for (i, module) in modules.iter().enumerate() {
        pr_info!("multiboot: module {i} at [mem {}-{}], {} bytes", module.start, module.end, module.len());
    }
}

/// The end of low memory: all of RAM up to `MAXMEM`, less the `highmem=`
/// size if one was asked (Linux's `highmem_pages`); a size that would leave
/// low memory smaller than the boot mapping is refused.
fn find_max_low_pfn(max_pfn: Pfn, highmem: Option<u64>) -> Pfn {
    let max_low_pfn = max_pfn.min(Pfn::new(MAXMEM >> PAGE_SHIFT));
    let Some(bytes) = highmem else {
        return max_low_pfn;
    };
    let pages = u32::try_from(bytes >> PAGE_SHIFT).unwrap_or(u32::MAX);
    match max_pfn.as_u32().checked_sub(pages).filter(|&low| low >= EARLY_MAPPED >> PAGE_SHIFT) {
        Some(low) => max_low_pfn.min(Pfn::new(low)),
        None => {
            pr_warn!(
                "highmem={}MB leaves less than {}MB of low memory: ignored",
                bytes >> 20,
                EARLY_MAPPED >> 20
            );
            max_low_pfn
        }
    }
}

/// Prints how much RAM the direct map covers and how much is HIGHMEM.
fn show_lowmem_highmem(max_low_pfn: Pfn, max_pfn: Pfn) {
    let mb = |pages: u32| pages >> (20 - PAGE_SHIFT);
    pr_info!("{}MB HIGHMEM available.", mb(max_pfn.as_u32() - max_low_pfn.as_u32()));
    pr_info!("{}MB LOWMEM available.", mb(max_low_pfn.as_u32()));
}
