//! Host-only tests and benchmarks of `mm` that reach across its modules,
//! kept here beside the modules rather than inside them. A module's own
//! small tests stay in its `mod tests`.

mod bench;
mod mmap;
mod unmapped_area;
mod vma_bench;
