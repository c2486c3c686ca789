//! Build script shared by `solution/` and `labs/`: links the kernel with its
//! linker script and turns the lab crate's `labN` features into `cfg(lab = "N")`.

use std::env;

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap();
    // Both packages sit beside each other, so this finds the one linker script.
    let script = format!("{manifest}/../solution/kernel.ld");
    println!("cargo::rerun-if-changed={script}");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("none") {
        println!("cargo::rustc-link-arg-bins=-T{script}");
        println!("cargo::rustc-link-arg-bins=--no-pie");
    }
    for (key, _) in env::vars() {
        if let Some(n) = key.strip_prefix("CARGO_FEATURE_LAB") {
            println!("cargo::rustc-cfg=lab=\"{n}\"");
        }
    }
}
