//! Host-only tests of `lib` through its public interface, kept beside its
//! modules rather than inside them.

pub(super) mod rbtree;
