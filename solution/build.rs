//! Build script shared by `solution/` and `labs/`: links the kernel with its
//! linker script, turns the lab crate's `labN` features into `cfg(lab = "N")`,
//! and declares the values `cfg(lab)` may take: the labs of `labs/labs.toml`.

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
    let labs = format!("{manifest}/../labs/labs.toml");
    println!("cargo::rerun-if-changed={labs}");
    let values: Vec<String> = declared_labs(&labs).iter().map(|n| format!("\"{n}\"")).collect();
    println!("cargo::rustc-check-cfg=cfg(lab, values({}))", values.join(", "));
    for (key, _) in env::vars() {
        if let Some(n) = key.strip_prefix("CARGO_FEATURE_LAB") {
            println!("cargo::rustc-cfg=lab=\"{n}\"");
        }
    }
}

/// The lab numbers the manifest declares.
fn declared_labs(path: &str) -> Vec<i64> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let manifest: toml::Table = text.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
    let labs = manifest.get("lab").and_then(|l| l.as_array()).map_or(&[][..], |l| l.as_slice());
    labs.iter().filter_map(|lab| lab.get("number")?.as_integer()).collect()
}
