//! Memory management, in layers from the bottom up. Each module uses only
//! modules of its own layer or of the layers before it in this list, so the
//! list can be read in order (`solution/tests/mm_layers.rs` checks it):
//!
//! 1. addresses: address types and the page size, the virtual layout;
//! 2. physical frames: frame descriptors and zones, the boot-time and buddy
//!    allocators, the LRU lists of user frames, the node that holds them;
//! 3. page tables: entries, the walk, the kernel's own tables, the
//!    temporary mappings of `highmem` and the pkmap window, kmalloc,
//!    vmalloc and boot-time set-up;
//! 4. regions: a process's descriptor and its regions as data, the region
//!    tree and list and their operations, finding room for a new one, and
//!    the objects regions may map: the page index files and shared-memory
//!    objects keep, and the shared-memory objects; and the swap areas that
//!    anonymous pages may go to, with their cache of pages and their I/O;
//! 5. user pages: faults bring them in (from a file's page cache, a
//!    shared-memory object or nothing), copy-on-write shares them, `zap` takes them out, user
//!    copies reach them, each frame's reverse map lists the entries that
//!    map it, and a swapped page comes back;
//! 6. the region system calls: `mmap`, `munmap` and `brk`, `mprotect`,
//!    `madvise`, `mremap`;
//! 7. address spaces: the descriptor's life cycle (`fork`, `exec`, exit)
//!    and the views of it;
//! 8. reclaim: aging the LRU lists and freeing their pages, to swap or
//!    back to their file, across every address space.

// 1. Addresses.
pub mod layout;
pub mod types;

// 2. Physical frames.
pub mod bootmem;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/buddy.rs")]
pub mod buddy;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/gfp.rs")]
pub mod gfp;
pub mod lru;
#[cfg(target_os = "none")]
pub mod node;
pub mod page;
pub mod page_alloc;
pub mod vmstat;
pub mod zone;

// 3. Page tables and kernel mappings.
#[cfg(target_os = "none")]
#[cfg_attr(lab = "7", path = "../../../labs/07-highmem/highmem.rs")]
pub mod highmem;
#[cfg(target_os = "none")]
pub mod init;
#[cfg(target_os = "none")]
pub mod kernel_pgtable;
pub mod pgtable;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/pgwalk.rs")]
pub mod pgwalk;
#[cfg_attr(lab = "7", path = "../../../labs/07-highmem/pkmap.rs")]
pub mod pkmap;
#[cfg(target_os = "none")]
pub mod slab;
pub mod vmalloc;

// 4. Regions.
pub mod address_space;
pub mod error;
pub mod mm_types;
#[cfg_attr(lab = "3", path = "../../../labs/03-vma/mmap.rs")]
pub mod mmap;
#[cfg(target_os = "none")]
pub mod page_io;
pub mod shmem;
#[cfg(target_os = "none")]
pub mod swap_state;
pub mod swapfile;
#[cfg_attr(lab = "6", path = "../../../labs/06-mmap/unmapped_area.rs")]
pub mod unmapped_area;
pub mod vma;

// 5. User pages.
#[cfg(target_os = "none")]
#[cfg_attr(lab = "5", path = "../../../labs/05-cow/cow.rs")]
pub mod cow;
#[cfg(target_os = "none")]
pub mod fault_common;
#[cfg(target_os = "none")]
pub mod filemap;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "4", path = "../../../labs/04-fault/memory.rs")]
pub mod memory;
#[cfg(target_os = "none")]
pub mod rmap;
#[cfg(target_os = "none")]
pub mod shmem_vm;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "8", path = "../../../labs/08-swap/swap_fault.rs")]
pub mod swap_fault;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "8", path = "../../../labs/08-swap/try_to_unmap.rs")]
pub mod try_to_unmap;
#[cfg(target_os = "none")]
pub mod uaccess;
#[cfg(target_os = "none")]
pub mod zap;

// 6. Region system calls.
#[cfg(target_os = "none")]
#[cfg_attr(lab = "6", path = "../../../labs/06-mmap/do_mmap.rs")]
pub mod do_mmap;
#[cfg(target_os = "none")]
pub mod madvise;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "6", path = "../../../labs/06-mmap/mprotect.rs")]
pub mod mprotect;
#[cfg(target_os = "none")]
pub mod mremap;
#[cfg(target_os = "none")]
pub mod msync;

// 7. Address spaces.
#[cfg(feature = "debug_vm")]
pub mod debug_vm;
#[cfg(target_os = "none")]
pub mod dump;
#[cfg(target_os = "none")]
#[cfg_attr(lab = "2", path = "../../../labs/02-mm/mm_struct.rs")]
pub mod mm_struct;

// 8. Reclaim.
#[cfg(target_os = "none")]
#[cfg_attr(lab = "8", path = "../../../labs/08-swap/vmscan.rs")]
pub mod vmscan;

// Host-only tests and benchmarks, which may use any layer.
#[cfg(test)]
mod tests;
