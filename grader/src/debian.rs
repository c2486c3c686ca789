//! Fetching files out of Debian's packages without installing anything:
//! the oracle's i386 kernel (`oracle.rs`) and the i386 C library the musl
//! programs link with (`musl.rs`).
//!
//! Fetching changes the machine's apt state, which is acceptable for a
//! development or CI machine: it adds the `i386` architecture
//! (`dpkg --add-architecture i386`, idempotent) and, when the package lists
//! know no such package yet or name a version the archive no longer has,
//! runs `apt-get update`. Both need root, so this runs them as root or
//! through `sudo -n`. `apt-get download` fetches each package and
//! `dpkg-deb -x` unpacks it into a scratch directory; the caller keeps the
//! files it needs from there.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Downloads the packages `packages` names into `scratch` and unpacks them
/// all into `scratch/root`, which it returns. `packages` runs again after
/// an `apt-get update` if its names or the download fail the first time.
/// `what` names the files for the message when root is missing.
pub fn fetch(
    what: &str,
    scratch: &Path,
    packages: impl Fn() -> Result<Vec<String>, String>,
) -> Result<PathBuf, String> {
    let is_root = command_output("id", &["-u"]).is_ok_and(|uid| uid.trim() == "0");
    let sudo: &[&str] = if is_root { &[] } else { &["sudo", "-n"] };
    if !is_root && command_output("sudo", &["-n", "true"]).is_err() {
        return Err(format!(
            "fetching {what} needs root (dpkg --add-architecture i386): run this once as root"
        ));
    }
    let as_root = |args: &[&str]| {
        let command: Vec<&str> = sudo.iter().chain(args).copied().collect();
        command_output(command[0], &command[1..])
    };
    as_root(&["dpkg", "--add-architecture", "i386"])?;
    fs::create_dir_all(scratch).map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let download_all = || -> Result<Vec<PathBuf>, String> {
        packages()?.iter().map(|package| download(scratch, package)).collect()
    };
    let debs = download_all().or_else(|_| {
        // Lists that predate the i386 architecture, or name an old version
        // the archive has dropped: update them and try once more. The
        // update's own status is ignored, since one unreachable suite (a
        // mirror in the middle of a sync) fails it while the rest is fine.
        let _ = as_root(&["apt-get", "update", "-q"]);
        download_all()
    })?;
    let root = scratch.join("root");
    for deb in debs {
        command_output("dpkg-deb", &["-x", &deb.display().to_string(), &root.display().to_string()])?;
    }
    Ok(root)
}

/// Downloads `package` (`name` or `name:arch`) into `dir`; returns the `.deb`.
fn download(dir: &Path, package: &str) -> Result<PathBuf, String> {
    let download = Command::new("apt-get").args(["download", "-q", package]).current_dir(dir).output();
    check(download, &format!("apt-get download {package}"))?;
    let name = package.split(':').next().unwrap_or(package);
    find_file(dir, &format!("{name}_"))
}

/// The file of `dir` whose name starts with `prefix`.
pub fn find_file(dir: &Path, prefix: &str) -> Result<PathBuf, String> {
    fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with(prefix)))
        .ok_or_else(|| format!("{} holds no {prefix}*", dir.display()))
}

/// Runs `program args...` and returns its standard output, or its last
/// error line.
pub fn command_output(program: &str, args: &[&str]) -> Result<String, String> {
    check(Command::new(program).args(args).output(), &format!("{program} {}", args.join(" ")))
}

/// The standard output of a command that ran successfully, or an error
/// naming `what` with the last line it wrote to standard error.
fn check(output: io::Result<std::process::Output>, what: &str) -> Result<String, String> {
    let output = output.map_err(|e| format!("cannot run {what}: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().rev().find(|line| line.starts_with("E:")).or(stderr.lines().last());
        return Err(format!("{what} failed: {}", reason.unwrap_or("no message").trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
