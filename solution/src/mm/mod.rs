//! Memory management, bottom up: address types and the address-space layout,
//! frame descriptors and zones, the boot-time and buddy allocators, page
//! tables and their walk, kmalloc, and the kernel's set-up of all of it; then
//! each process's address space: its descriptor, its regions, the system
//! calls that change them, the page-fault path and copy-on-write.

#[cfg(test)]
mod bench;
pub mod bootmem;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/buddy.rs")]
pub mod buddy;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "5", path = "../../../labs/05-cow/cow.rs")]
pub mod cow;
#[cfg(target_os = "none")]
pub mod do_mmap;
#[cfg(target_os = "none")]
pub mod dump;
#[cfg(target_os = "none")]
pub mod filemap;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/gfp.rs")]
pub mod gfp;
#[cfg(target_os = "none")]
pub mod highmem;
#[cfg(target_os = "none")]
pub mod init;
#[cfg(target_os = "none")]
pub mod kernel_pgtable;
pub mod layout;
#[cfg(target_os = "none")]
pub mod madvise;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "4", path = "../../../labs/04-fault/memory.rs")]
pub mod memory;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "2", path = "../../../labs/02-mm/mm_struct.rs")]
pub mod mm_struct;
pub mod mm_types;
#[cfg_attr(lab = "3", path = "../../../labs/03-vma/mmap.rs")]
pub mod mmap;
#[cfg(test)]
mod mmap_tests;
#[cfg(target_os = "none")]
pub mod mprotect;
#[cfg(target_os = "none")]
pub mod node;
pub mod page;
pub mod page_alloc;
pub mod pgtable;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/pgwalk.rs")]
pub mod pgwalk;
#[cfg(target_os = "none")]
pub mod slab;
pub mod types;
#[cfg(target_os = "none")]
pub mod uaccess;
pub mod vma;
#[cfg(test)]
mod vma_bench;
pub mod vmstat;
#[cfg(target_os = "none")]
pub mod zap;
pub mod zone;
