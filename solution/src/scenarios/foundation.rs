//! Scenarios that prove the foundation: the boot log, the timer, and that each
//! way a run can go wrong is reported as what it is.

use crate::arch::x86::cpu::halt_with_interrupts;
use crate::arch::x86::idt;
use crate::arch::x86::multiboot::boot_modules;
use crate::arch::x86::pit::{HZ, jiffies};
use crate::drivers::ata::{SECTOR_SIZE, disk_sectors, read_sectors, write_sectors};
use crate::drivers::serial;
use crate::fs::procfs::proc_read;
use crate::mm::layout::high_memory;
use crate::mm::layout::vmalloc_start;
use crate::mm::pgtable::{pte_to_swp_entry, swp_entry_to_pte};
use crate::mm::swapfile::{
    SWAP_DEVICE, get_swap_page, swap_count, swap_duplicate, swap_free, sys_swapoff, sys_swapon,
};
use crate::pr_info;

/// The boot log itself is the test; then ten timer ticks prove interrupts.
pub fn boot() {
    const TICKS: u64 = 10;
    while jiffies() < TICKS {
        halt_with_interrupts();
    }
    pr_info!("timer: {TICKS} ticks at HZ={HZ}");
}

/// The boot modules (QEMU's `-initrd` files) are intact: their size and
/// first line.
pub fn modules() {
    for (i, module) in boot_modules().iter().enumerate() {
        let bytes = module.bytes();
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let text = core::str::from_utf8(line).unwrap_or("(not text)");
        pr_info!("module {i}: {} bytes, first line: {text}", bytes.len());
    }
}

/// A deliberate kernel panic.
pub fn panic() {
    panic!("test=panic asked for a kernel panic");
}

/// A kernel write to the vmalloc area, where nothing is mapped yet.
pub fn pagefault() {
    let address = vmalloc_start(high_memory());
    pr_info!("writing to {address}, the start of the empty vmalloc area");
    // SAFETY: not safe at all: the write must fault, and the fault is the test.
    unsafe { address.as_mut_ptr::<u32>().write_volatile(0x5a5a_5a5a) };
}

/// A kernel that never ends; the grader must stop it.
pub fn hang() {
    pr_info!("spinning forever");
    loop {
        halt_with_interrupts();
    }
}

/// Prints the same line for ever, as a kernel stuck in a loop that
/// reports might: the grader stops it at the scenario's output limit.
pub fn flood() {
    for line in 0u64.. {
        pr_info!("flooding the console, line {line}");
    }
}

/// An exception with no IDT to deliver it: the processor resets.
pub fn triple_fault() {
    pr_info!("loading an empty IDT, then raising a breakpoint");
    idt::load_empty();
    // SAFETY: not safe at all: the reset is the test.
    unsafe { core::arch::asm!("int3") };
}

/// The kernel monitor, driven by the grader's typed input; its `exit` ends
/// the run.
pub fn monitor() {
    crate::init::monitor::run();
}

/// The first IDE disk, a swap area `mkswap` made: its header read, its last
/// sector written and read back, and a transfer past its end refused.
pub fn disk() {
    let Some(sectors) = disk_sectors() else {
        pr_info!("no disk");
        return;
    };
    let mut page = [0u8; 4096];
    read_sectors(0, &mut page).expect("the header page reads");
    let signature = core::str::from_utf8(&page[4086..]).unwrap_or("?");
    let word = |at: usize| u32::from_le_bytes(page[at..at + 4].try_into().expect("four bytes"));
    pr_info!("sector 0..8: signature {signature}, version {}, last_page {}", word(1024), word(1028));
    let last = sectors - 1;
    let pattern: [u8; SECTOR_SIZE] = core::array::from_fn(|i| (i as u8) ^ 0x5a);
    write_sectors(last, &pattern).expect("the last sector writes");
    let mut back = [0u8; SECTOR_SIZE];
    read_sectors(last, &mut back).expect("the last sector reads");
    pr_info!("sector {last} written and read back the same: {}", back == pattern);
    pr_info!("a read past the end: {:?}", read_sectors(last, &mut page));
}

/// The slots of a swap area, as lab 8's swap-out will take them: a first
/// cluster taken in order, the next one after it, a slot named twice (as
/// `fork` names it) and freed with its last entry, `swapoff` refused while
/// a slot is in use, and every count back to zero at the end.
pub fn swapslots() {
    sys_swapon(SWAP_DEVICE).expect("the disk is a swap area");
    let slots: alloc::vec::Vec<_> = core::iter::from_fn(get_swap_page).take(300).collect();
    let runs = slots.windows(2).filter(|pair| pair[1].offset() != pair[0].offset() + 1).count();
    pr_info!(
        "{} slots taken: {} to {}, in {} run(s)",
        slots.len(),
        slots[0].offset(),
        slots[slots.len() - 1].offset(),
        runs + 1
    );
    let pte = swp_entry_to_pte(slots[1]);
    pr_info!(
        "slot {} in a page-table entry: {pte:?}, read back: {:?}",
        slots[1].offset(),
        pte_to_swp_entry(pte)
    );
    pr_info!("duplicated: {}, count {}", swap_duplicate(slots[1]), swap_count(slots[1]));
    swap_free(slots[1]);
    pr_info!("freed once: count {}", swap_count(slots[1]));
    pr_info!("swapoff with slots in use: {:?}", sys_swapoff(SWAP_DEVICE));
    serial::write_bytes(&proc_read("/proc/swaps").expect("/proc/swaps exists"));
    slots.iter().for_each(|&slot| swap_free(slot));
    pr_info!("all freed: count {}", swap_count(slots[1]));
    swap_free(slots[1]);
    serial::write_bytes(&proc_read("/proc/swaps").expect("/proc/swaps exists"));
    pr_info!("swapoff: {:?}", sys_swapoff(SWAP_DEVICE));
}
