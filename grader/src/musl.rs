//! musl, the C library the programs of `user/musl` link with, so that the
//! kernel runs what a real libc does at start-up, in `malloc` and in
//! `printf`, unchanged.
//!
//! It is Debian's `musl-dev:i386` (the static `libc.a`, its start files and
//! headers), with the 32-bit `libgcc.a` of the host's gcc (from
//! `lib32gcc-N-dev`, for the 64-bit division `printf` needs), fetched once
//! (`debian.rs`) and kept as a small sysroot in [`SYSROOT`]:
//! `include/` and `lib/`. A program is then one gcc call, static and
//! without the host's libc or start files, linked in the order a libc's
//! own `gcc` wrapper uses: `crt1.o crti.o PROGRAM libc.a libgcc.a crtn.o`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::debian;
use crate::workspace_root;

/// The sysroot, relative to the repository.
pub const SYSROOT: &str = "target/musl";

/// The files of `lib/`: musl's start files and library, and libgcc.
const LIBS: [&str; 5] = ["crt1.o", "crti.o", "libc.a", "libgcc.a", "crtn.o"];

/// gcc's flags for a musl program: 32-bit, static, position-dependent,
/// musl's headers only.
const GCC_FLAGS: &[&str] =
    &["-m32", "-static", "-nostdlib", "-nostdinc", "-fno-pie", "-no-pie", "-O1", "-Wall", "-Wextra"];

/// The sysroot, fetched if it is not there yet.
pub fn sysroot() -> Result<PathBuf, String> {
    let root = workspace_root().join(SYSROOT);
    if LIBS.iter().all(|lib| root.join("lib").join(lib).exists()) {
        return Ok(root);
    }
    let version = debian::command_output("gcc", &["-dumpversion"])?;
    let gcc_major = version.trim().split('.').next().unwrap_or_default().to_string();
    eprintln!("Fetching Debian's musl for i386 (once)...");
    // A scratch directory per process, renamed into place when complete.
    let scratch = root.with_file_name(format!("musl-download-{}", std::process::id()));
    let packages = || Ok(vec!["musl-dev:i386".to_string(), format!("lib32gcc-{gcc_major}-dev")]);
    let fetched = debian::fetch("Debian's musl-dev:i386", &scratch, packages)
        .and_then(|unpacked| assemble(&unpacked, &scratch.join("sysroot"), &gcc_major))
        .and_then(|sysroot| {
            let _ = fs::remove_dir_all(&root);
            fs::rename(&sysroot, &root).map_err(|e| format!("cannot move {}: {e}", sysroot.display()))
        });
    let _ = fs::remove_dir_all(&scratch);
    fetched.map(|()| root)
}

/// Copies the headers and the libraries out of the unpacked packages into
/// a sysroot at `to`.
fn assemble(unpacked: &Path, to: &Path, gcc_major: &str) -> Result<PathBuf, String> {
    let musl = unpacked.join("usr/lib/i386-linux-musl");
    let libgcc = unpacked.join(format!("usr/lib/gcc/x86_64-linux-gnu/{gcc_major}/32/libgcc.a"));
    let lib = to.join("lib");
    let copied = fs::create_dir_all(&lib)
        .and_then(|()| copy_tree(&unpacked.join("usr/include/i386-linux-musl"), &to.join("include")))
        .and_then(|()| {
            for name in LIBS {
                let from = if name == "libgcc.a" { libgcc.clone() } else { musl.join(name) };
                fs::copy(&from, lib.join(name))?;
            }
            Ok(())
        });
    copied.map_err(|e| format!("the musl packages are not as expected: {e}"))?;
    Ok(to.to_path_buf())
}

/// Copies the directory tree `from` to `to`.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Compiles and links the musl program `source` into `output`.
pub fn gcc(sysroot: &Path, source: &Path, output: &Path) -> Result<(), String> {
    let lib = |name: &str| sysroot.join("lib").join(name);
    let status = Command::new("gcc")
        .args(GCC_FLAGS)
        .arg("-isystem")
        .arg(sysroot.join("include"))
        .arg("-o")
        .arg(output)
        .args([lib("crt1.o"), lib("crti.o")])
        .arg(source)
        .args([lib("libc.a"), lib("libgcc.a"), lib("crtn.o")])
        .status()
        .map_err(|e| format!("cannot run gcc: {e}"))?;
    if !status.success() {
        return Err(format!("gcc failed on {} (see its errors above)", source.display()));
    }
    Ok(())
}
