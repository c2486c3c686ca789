//! Generic kernel code (Linux's `lib/`): data structures and helpers that
//! know nothing of pages, tasks or devices, and are unit-tested on the host.

pub mod fallible;
#[cfg_attr(lab = "3", path = "../../../labs/03-vma/rbtree.rs")]
pub mod rbtree;
#[cfg(test)]
mod tests;
pub mod words;
