//! Generic kernel data structures (Linux's `lib/`): code that knows nothing
//! of memory, tasks or devices, and is unit-tested on the host.

#[cfg_attr(lab = "3", path = "../../../labs/03-vma/rbtree.rs")]
pub mod rbtree;
#[cfg(test)]
mod rbtree_tests;
