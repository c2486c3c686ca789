//! Memory-management state printed in stable text formats: what the
//! scenarios and the monitor show, and what the grader's snapshots hold.

use super::init::{high_memory, walk_kernel};
use super::layout::KernelLayout;
use super::pgtable::{FlagNames, pgd_index, pte_index};
use super::pgwalk::Walk;
use super::types::VirtAddr;
use crate::arch::x86::sections::kernel_sections;
use crate::pr_info;

/// Prints the walk of `va` through `swapper_pg_dir`, one line:
/// `0xc0100000: pgd[768] P RW -> pte[256] P RW G -> 0x00100000`.
pub fn show_walk(va: VirtAddr) -> Walk {
    let walk = walk_kernel(va);
    let (i, j) = (pgd_index(va), pte_index(va));
    match walk {
        Walk::NoPageTable { .. } => pr_info!("{va}: pgd[{i}] not present"),
        Walk::NotMapped { pgd, .. } => {
            pr_info!("{va}: pgd[{i}] {} -> pte[{j}] not present", FlagNames(pgd.flags()))
        }
        Walk::Mapped { pgd, pte, phys } => pr_info!(
            "{va}: pgd[{i}] {} -> pte[{j}] {} -> {phys}",
            FlagNames(pgd.flags()),
            FlagNames(pte.flags())
        ),
    }
    walk
}

/// Prints the virtual memory layout, as Linux's `mem_init` does.
pub fn show_layout() {
    pr_info!("{}", KernelLayout { high_memory: high_memory(), sections: kernel_sections() });
}
