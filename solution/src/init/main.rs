//! `start_kernel`: the first Rust code, called by the boot code with paging on
//! and the boot page directory loaded.

use crate::arch::x86::cpu::local_irq_enable;
use crate::arch::x86::e820::E820Map;
use crate::arch::x86::multiboot::{self, BootModule, boot_modules};
use crate::arch::x86::sections::kernel_end;
use crate::arch::x86::setup_arch;
use crate::drivers::serial;
use crate::kernel::{cmdline, printk};
use crate::mm::bootmem::BootMem;
use crate::mm::dump::show_layout;
use crate::mm::init::paging_init;
use crate::mm::layout::{EARLY_MAPPED, MAXMEM, PAGE_SIZE};
use crate::mm::types::{Pfn, PhysAddr};
use crate::{pr_debug, pr_info, pr_warn, scenarios};

/// Brings the kernel up, then runs the scenario named by `test=` or, without
/// one, the console monitor.
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

    let mut e820 = boot.e820.clone();
    pr_info!("BIOS-provided physical RAM map:");
    show_memory_map("BIOS-e820", &e820);
    if let Some(mem) = options.mem {
        e820.limit_regions(mem);
        pr_info!("user-defined physical RAM map:");
        show_memory_map("user", &e820);
    }
    show_modules(boot_modules());
    show_lowmem_highmem(&e820);

    let mut bootmem = setup_bootmem(&e820, boot_modules());
    paging_init(&e820, &mut bootmem);
    show_layout();

    local_irq_enable();
    match options.test {
        Some(name) => scenarios::run(name),
        None => super::monitor::run(&e820),
    }
}

/// Prints the memory map as Linux's `print_memory_map` does, each line
/// tagged with `who` said what it is.
pub fn show_memory_map(who: &str, e820: &E820Map) {
    for entry in e820.entries() {
        pr_info!(" {who}: {entry}");
    }
}

/// Prints the modules; where they lie depends on the kernel's size, so the
/// addresses are debug output.
fn show_modules(modules: &[BootModule]) {
    for (i, module) in modules.iter().enumerate() {
        pr_info!("multiboot: module {i}: {} bytes", module.len());
        pr_debug!("multiboot: module {i} at [mem {}-{}]", module.start, module.end);
    }
}

/// Prints how much RAM the direct map covers and how much is HIGHMEM.
fn show_lowmem_highmem(e820: &E820Map) {
    let ram_end = e820.ram_end();
    let lowmem = ram_end.min(u64::from(MAXMEM));
    pr_info!("{}MB HIGHMEM available.", (ram_end - lowmem) >> 20);
    pr_info!("{}MB LOWMEM available.", lowmem >> 20);
}

/// The boot allocator starts after the kernel image and the modules, inside
/// the memory the boot page tables map.
fn setup_bootmem(e820: &E820Map, modules: &[BootModule]) -> BootMem {
    let used_end = modules.iter().map(|m| m.end).fold(kernel_end(), PhysAddr::max);
    let start = used_end.as_u32().next_multiple_of(PAGE_SIZE);
    let (start, end) = e820
        .ram_range_at(u64::from(start), u64::from(EARLY_MAPPED))
        .expect("no free RAM after the kernel image");
    BootMem::new(PhysAddr::new(start as u32).pfn(), Pfn::new((end / u64::from(PAGE_SIZE)) as u32))
}
