//! Memory management, bottom up: address types and the address-space layout,
//! page-table entries and the software walk, the early allocator, and the
//! set-up of the kernel's own page tables.

pub mod bootmem;
#[cfg(target_os = "none")]
pub mod dump;
#[cfg(target_os = "none")]
pub mod init;
pub mod layout;
pub mod pgtable;
#[cfg_attr(lab = "1", path = "../../../labs/01-paging/pgwalk.rs")]
pub mod pgwalk;
pub mod types;
