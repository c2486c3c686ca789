//! Links every program with `user.ld`: a static, non-PIE executable at
//! Linux's classic 0x08048000 (the kernel's `solution/build.rs` does the same
//! with its own script).
//!
//! The programs go into the initrd, which QEMU loads into the guest's memory,
//! so the linker leaves out their DWARF: a few KiB each instead of 3 MiB. The
//! symbols stay, for gdb and disassembly. (The profile's `strip` setting
//! would do the same but give `core` a build of its own, where a link
//! argument lets the programs share the kernel's.)

use std::env;

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap();
    let script = format!("{manifest}/user.ld");
    println!("cargo::rerun-if-changed={script}");
    println!("cargo::rustc-link-arg-bins=-T{script}");
    println!("cargo::rustc-link-arg-bins=--no-pie");
    println!("cargo::rustc-link-arg-bins=--strip-debug");
}
