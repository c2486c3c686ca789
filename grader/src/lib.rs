//! The autograder: builds a kernel (the reference or a student's lab crate),
//! boots it in a fresh QEMU per scenario, captures the serial console,
//! normalises it and compares it with the snapshot in `grader/snapshots/`.
//!
//! The same scenarios run as `cargo test` integration tests (with `insta`,
//! so `cargo insta review` works) and through `cargo xtask grade`, which
//! prints a scored table and writes a JSON report.

pub mod build;
pub mod debian;
pub mod disk;
pub mod grade;
pub mod initrd;
pub mod lab;
pub mod musl;
pub mod normalize;
pub mod oracle;
pub mod qemu;
pub mod scenario;
pub mod snapshot;

use std::path::PathBuf;

/// The repository's root directory.
pub fn workspace_root() -> PathBuf {
    let grader = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    grader.parent().expect("the grader lives inside the repository").to_path_buf()
}
