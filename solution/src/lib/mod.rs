//! Generic kernel code (Linux's `lib/`): data structures and helpers that
//! know nothing of pages, tasks or devices, and are unit-tested on the host.

pub mod fallible;
#[cfg_attr(lab = "3", path = "../../../labs/03-vma/rbtree.rs")]
pub mod rbtree;
// Host-only until lab 8 replays reference strings on the kernel itself.
#[cfg(not(target_os = "none"))]
pub mod replacement;
#[cfg(test)]
mod tests;
pub mod words;
