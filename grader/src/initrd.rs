//! The initrd: the user programs of `user/`, built and packed into the cpio
//! "newc" archive that QEMU loads with `-initrd` and the kernel runs its
//! programs from (`/bin/NAME`).
//!
//! - Rust programs, `user/src/bin/NAME.rs`, linked with `ulib`: one cargo
//!   build for the kernel's target, set up as the kernel's own (build-std,
//!   the JSON target) and in the same target directory, so `core` is
//!   compiled once for both.
//! - C programs, `user/c/NAME.c`, including `user/c/*.h`: one gcc call
//!   each, a static Linux i386 executable without a libc, built into
//!   `target/user/c/NAME` when it is missing or older than its sources.
//! - musl programs, `user/musl/NAME.c`: the same, linked with musl
//!   (`musl.rs`), into `target/user/musl/NAME`. Where musl cannot be
//!   fetched (no root, no network) they are left out with a warning, and
//!   only their scenarios fail.
//!
//! The archive is reproducible: the entries sorted by name (the `bin`
//! directory first), each with mode 0755, owner and group 0, mtime 0 and an
//! inode number from a hash of its path, so the same programs always give
//! the same bytes. It is rewritten only when those bytes change.
//!
//! Writing newc is the `cpio` crate's job. It was chosen over `hadris-cpio`
//! because it is exactly that job and no more: a dependency-free builder
//! that writes one entry with every header field set by the caller, so
//! nothing of the host's file system (times, owners, inode numbers) can leak
//! into the archive; `hadris-cpio` is a larger reader-and-writer that builds
//! archives from file trees. The kernel reads the archive with
//! `cpio_reader`, which the tests below use too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cpio::NewcBuilder;

use crate::build::{KernelToolchain, kernel_cargo};
use crate::musl;
use crate::workspace_root;

/// The archive, relative to the repository.
pub const ARCHIVE: &str = "target/initrd/initrd.cpio";

/// gcc's flags for a C program: 32-bit, static, no libc or start files
/// (`-nostdlib`, so `-m32` needs no 32-bit libraries), no position-independent
/// code, and no stack protector (its canary lives in libc's thread data).
const GCC_FLAGS: &[&str] = &[
    "-m32",
    "-static",
    "-nostdlib",
    "-ffreestanding",
    "-fno-pie",
    "-no-pie",
    "-fno-stack-protector",
    "-O1",
    "-Wall",
    "-Wextra",
];

/// A regular file that anyone may run, and a directory.
const FILE_MODE: u32 = 0o100755;
const DIR_MODE: u32 = 0o040755;

/// Builds every user program and packs them into the initrd as `bin/NAME`;
/// returns the archive's path.
pub fn build_initrd() -> Result<PathBuf, String> {
    let mut programs = BTreeMap::new();
    let built = build_rust_programs()?.into_iter().chain(build_c_programs()?).chain(build_musl_programs()?);
    for (name, path) in built {
        if programs.insert(name.clone(), path).is_some() {
            return Err(format!(
                "two user programs are named {name}: rename user/src/bin/{name}.rs, user/c/{name}.c \
                 or user/musl/{name}.c"
            ));
        }
    }
    let mut files = Vec::new();
    for (name, path) in programs {
        let data = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if name == "hello" {
            files.extend(malformed_executables(&data)?);
        }
        files.push((format!("bin/{name}"), data));
    }
    let archive = newc_archive(&files).map_err(|e| format!("cannot write the archive: {e}"))?;
    let path = workspace_root().join(ARCHIVE);
    if fs::read(&path).ok().as_ref() != Some(&archive) {
        fs::create_dir_all(path.parent().expect("the archive is in a directory"))
            .and_then(|()| fs::write(&path, &archive))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(path)
}

/// The built C or musl program `name` (`user/c/NAME.c` or
/// `user/musl/NAME.c`), if there is one.
pub fn c_program(name: &str) -> Option<PathBuf> {
    let built = workspace_root().join("target/user");
    ["c", "musl"].iter().map(|kind| built.join(kind).join(name)).find(|path| path.exists())
}

/// Executables broken on purpose, each `hello` with one thing spoiled, as
/// `bad/NAME`: `execve` must refuse every one with `-ENOEXEC` (the
/// `badexec` program tries them).
fn malformed_executables(hello: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    // ELF32 header fields: where the program headers are, their size and
    // how many; each program header starts with its type.
    const E_PHOFF: usize = 0x1c;
    const E_PHENTSIZE: usize = 0x2a;
    const E_PHNUM: usize = 0x2c;
    const PT_NULL: u32 = 0;
    const PT_LOAD: u32 = 1;
    let read = |at: usize, len: usize| hello.get(at..at + len).ok_or("bin/hello is not an ELF32 file");
    let phoff = u32::from_le_bytes(read(E_PHOFF, 4)?.try_into().expect("4 bytes")) as usize;
    let phentsize = u16::from_le_bytes(read(E_PHENTSIZE, 2)?.try_into().expect("2 bytes")) as usize;
    let phnum = u16::from_le_bytes(read(E_PHNUM, 2)?.try_into().expect("2 bytes")) as usize;
    read(phoff, phnum * phentsize)?;
    let with = |at: usize, bytes: &[u8]| {
        let mut file = hello.to_vec();
        file[at..at + bytes.len()].copy_from_slice(bytes);
        file
    };
    let mut no_load = hello.to_vec();
    for header in (0..phnum).map(|i| phoff + i * phentsize) {
        if no_load[header..header + 4] == PT_LOAD.to_le_bytes() {
            no_load[header..header + 4].copy_from_slice(&PT_NULL.to_le_bytes());
        }
    }
    Ok(vec![
        ("bad/phnum-ffff".into(), with(E_PHNUM, &0xffff_u16.to_le_bytes())),
        ("bad/phnum-0".into(), with(E_PHNUM, &0_u16.to_le_bytes())),
        ("bad/phentsize-16".into(), with(E_PHENTSIZE, &16_u16.to_le_bytes())),
        ("bad/no-load".into(), no_load),
        ("bad/truncated".into(), hello[..E_PHNUM + 2].to_vec()),
    ])
}

/// Builds the Rust programs; returns each one's name and executable.
fn build_rust_programs() -> Result<Vec<(String, PathBuf)>, String> {
    let toolchain = KernelToolchain::detect()
        .ok_or("no Rust library sources for the user programs; run `cargo xtask setup`")?;
    let mut cmd = kernel_cargo("build", toolchain);
    cmd.arg("--manifest-path").arg(workspace_root().join("user/Cargo.toml"));
    // The executables' paths come from cargo's JSON messages on standard
    // output; its diagnostics and progress go to standard error, as usual.
    let output = cmd
        .args(["--bins", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("building the user programs failed (see the compiler errors above)".into());
    }
    Ok(executables(&output.stdout))
}

/// The binaries that cargo's JSON messages report: name and path.
fn executables(messages: &[u8]) -> Vec<(String, PathBuf)> {
    messages
        .split(|&byte| byte == b'\n')
        .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|message| {
            let name = message["target"]["name"].as_str()?;
            let path = message["executable"].as_str()?;
            Some((name.to_string(), PathBuf::from(path)))
        })
        .collect()
}

/// Builds the C programs that are missing or older than their sources;
/// returns each one's name and executable.
fn build_c_programs() -> Result<Vec<(String, PathBuf)>, String> {
    build_sources("c", gcc)
}

/// Builds the musl programs as `build_c_programs` does, if musl is there
/// or can be fetched.
fn build_musl_programs() -> Result<Vec<(String, PathBuf)>, String> {
    if files_with_extension(&workspace_root().join("user/musl"), "c")?.is_empty() {
        return Ok(Vec::new());
    }
    match musl::sysroot() {
        Ok(sysroot) => build_sources("musl", |source, output| musl::gcc(&sysroot, source, output)),
        Err(reason) => {
            eprintln!("warning: the programs of user/musl are left out: {reason}");
            Ok(Vec::new())
        }
    }
}

/// Builds each `user/KIND/NAME.c` into `target/user/KIND/NAME` with
/// `compile` when it is missing or older than its sources (the file and
/// the directory's headers).
fn build_sources(
    kind: &str,
    compile: impl Fn(&Path, &Path) -> Result<(), String>,
) -> Result<Vec<(String, PathBuf)>, String> {
    let dir = workspace_root().join("user").join(kind);
    let out_dir = workspace_root().join("target/user").join(kind);
    fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let headers = files_with_extension(&dir, "h")?;
    let mut programs = Vec::new();
    for source in files_with_extension(&dir, "c")? {
        let name = source
            .file_stem()
            .and_then(|stem| stem.to_str())
            .ok_or_else(|| format!("{} is not a UTF-8 name", source.display()))?
            .to_string();
        let output = out_dir.join(&name);
        if is_stale(&output, headers.iter().chain([&source])) {
            compile(&source, &output)?;
        }
        programs.push((name, output));
    }
    Ok(programs)
}

/// The files of `dir` whose name ends in `.extension`, sorted.
fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|ext| ext == extension) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Whether `output` is missing or older than one of `inputs`.
fn is_stale<'a>(output: &Path, mut inputs: impl Iterator<Item = &'a PathBuf>) -> bool {
    let modified = |path: &Path| fs::metadata(path).and_then(|meta| meta.modified());
    let Ok(built) = modified(output) else {
        return true;
    };
    inputs.any(|input| modified(input).is_ok_and(|changed| changed > built))
}

/// Compiles the C program `source` into `output`.
fn gcc(source: &Path, output: &Path) -> Result<(), String> {
    let status = Command::new("gcc").args(GCC_FLAGS).arg("-o").arg(output).arg(source).status().map_err(
        |e| match e.kind() {
            io::ErrorKind::NotFound => "gcc not found: install it (`sudo apt-get install gcc`); \
                 -m32 needs nothing more, since the C programs use no libc (-nostdlib)"
                .to_string(),
            _ => format!("cannot run gcc: {e}"),
        },
    )?;
    if !status.success() {
        return Err(format!("gcc failed on {} (see its errors above)", source.display()));
    }
    Ok(())
}

/// A file's inode number: a hash of its path (FNV-1a, folded below 100000),
/// so that adding a program leaves every other file's number, which
/// `/proc/PID/maps` shows, as it was.
fn inode_number(path: &str) -> u32 {
    let hash =
        path.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    2 + hash % 99_991
}

/// A cpio newc archive of `files` (path in the archive, contents): a
/// directory entry for each directory on their paths, then the files, all
/// sorted by path (so a directory comes before what it holds), and the
/// trailer.
fn newc_archive(files: &[(String, Vec<u8>)]) -> io::Result<Vec<u8>> {
    let dirs: BTreeSet<&str> =
        files.iter().flat_map(|(path, _)| path.match_indices('/').map(|(end, _)| &path[..end])).collect();
    let mut entries: Vec<(&str, u32, &[u8])> = dirs
        .into_iter()
        .map(|dir| (dir, DIR_MODE, &[][..]))
        .chain(files.iter().map(|(path, data)| (path.as_str(), FILE_MODE, data.as_slice())))
        .collect();
    entries.sort_by_key(|&(path, ..)| path);
    let mut archive = Vec::new();
    for (path, mode, data) in entries {
        let ino = inode_number(path);
        let size =
            u32::try_from(data.len()).map_err(|_| io::Error::other(format!("{path} is over 4 GiB")))?;
        let mut entry =
            NewcBuilder::new(path).ino(ino).mode(mode).uid(0).gid(0).mtime(0).write(archive, size);
        entry.write_all(data)?;
        archive = entry.finish()?;
    }
    cpio::newc::trailer(archive)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path, mode and contents of each entry, as the kernel's reader sees
    /// them, after checking that nothing of the host leaked into it.
    fn entries(archive: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
        cpio_reader::iter_files(archive)
            .map(|e| {
                assert_eq!((e.uid(), e.gid(), e.mtime()), (0, 0, 0), "{}", e.name());
                (e.name().into(), e.mode().bits(), e.file().into())
            })
            .collect()
    }

    #[test]
    fn archive_holds_sorted_files_after_their_directory() {
        let files = [("bin/b".to_string(), b"second".to_vec()), ("bin/a".to_string(), b"first".to_vec())];
        let archive = newc_archive(&files).unwrap();
        assert_eq!(
            entries(&archive),
            [
                ("bin".into(), DIR_MODE, vec![]),
                ("bin/a".into(), FILE_MODE, b"first".to_vec()),
                ("bin/b".into(), FILE_MODE, b"second".to_vec()),
            ]
        );
        assert!(archive.ends_with(b"TRAILER!!!\0\0\0\0"), "a newc trailer ends it");
        let reversed = [files[1].clone(), files[0].clone()];
        assert_eq!(newc_archive(&reversed).unwrap(), archive, "the input's order does not matter");
    }

    #[test]
    fn initrd_holds_every_program_and_rebuilds_identically() {
        let path = build_initrd().expect("the user programs build");
        let first = fs::read(&path).unwrap();
        let programs: Vec<_> =
            entries(&first).into_iter().filter(|(_, mode, _)| *mode == FILE_MODE).collect();
        let names: Vec<_> = programs.iter().map(|(name, ..)| name.as_str()).collect();
        assert!(names.is_sorted(), "sorted by name: {names:?}");
        for program in ["bin/init", "bin/hello", "bin/chello", "bin/cabi"] {
            assert!(names.contains(&program), "{program} missing from {names:?}");
        }
        for (name, _, elf) in &programs {
            // ELF32, little-endian; ET_EXEC, EM_386.
            assert_eq!(&elf[..6], b"\x7fELF\x01\x01", "{name}");
            assert_eq!(&elf[16..20], [2, 0, 3, 0], "{name}");
        }
        build_initrd().unwrap();
        assert_eq!(fs::read(&path).unwrap(), first, "the archive is reproducible");
    }
}
