//! Installing what the commands need, once: the `rust-src` component of the
//! pinned toolchain (for `-Zbuild-std`), QEMU from Debian, mdBook from
//! crates.io, and for `test` a pinned nightly with Miri. Each check is cheap
//! when the tool is already there.

use std::process::{Command, Stdio};

use grader::build::{KernelToolchain, rustup_has_rust_src};
use grader::qemu::QEMU;
use grader::workspace_root;

use crate::Result;

/// The mdBook release the book is built with.
const MDBOOK_VERSION: &str = "0.5.4";

/// The nightly that runs the host tests under Miri, pinned like the stable
/// toolchain so that a new nightly cannot break the test command.
pub const MIRI_TOOLCHAIN: &str = "nightly-2026-05-20";

pub fn setup_all() -> Result {
    ensure_rust_src()?;
    ensure_qemu()?;
    ensure_mdbook()?;
    println!("Everything is installed.");
    Ok(())
}

/// Whether `program args...` runs and exits successfully.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Output of `program args...`, if it ran successfully.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).current_dir(workspace_root()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Installs the Miri toolchain if it is missing; false, after a line that
/// says so, if rustup cannot (no rustup, or no network).
pub fn ensure_miri() -> bool {
    let plus = format!("+{MIRI_TOOLCHAIN}");
    if runs("cargo", &[&plus, "miri", "--version"]) {
        return true;
    }
    println!("Installing {MIRI_TOOLCHAIN} with Miri (rustup)...");
    let install =
        ["toolchain", "install", MIRI_TOOLCHAIN, "--profile", "minimal", "--component", "miri,rust-src"];
    if runs("rustup", &install) && runs("cargo", &[&plus, "miri", "--version"]) {
        return true;
    }
    println!(
        "rustup could not install {MIRI_TOOLCHAIN} with Miri: `rustup {}` does it by hand",
        install.join(" ")
    );
    false
}

/// The channel pinned in `rust-toolchain.toml`.
fn pinned_toolchain() -> Result<String> {
    let path = workspace_root().join("rust-toolchain.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("channel = "))
        .map(|v| v.trim_matches('"').to_string())
        .ok_or_else(|| "rust-toolchain.toml names no channel".into())
}

/// The kernel is built with `-Zbuild-std`, which needs the library sources
/// of exactly the compiler in use: rustup's `rust-src` for the pinned
/// toolchain, or, where rustup cannot download it, Debian's `rustc-web`
/// family as a whole.
pub fn ensure_rust_src() -> Result {
    if KernelToolchain::detect().is_some() {
        return Ok(());
    }
    let toolchain = pinned_toolchain()?;
    println!("Installing the rust-src component of Rust {toolchain}...");
    if runs("rustup", &["component", "add", "rust-src", "--toolchain", &toolchain]) && rustup_has_rust_src() {
        return Ok(());
    }
    println!("rustup could not install rust-src; falling back to Debian's Rust for the kernel.");
    apt_install(&["rustc-web", "cargo-web", "rust-web-src", "lld"], "rust-src")?;
    KernelToolchain::detect().map(|_| ()).ok_or_else(|| {
        format!("no Rust library sources for the kernel; run `rustup component add rust-src --toolchain {toolchain}`")
    })
}

pub fn ensure_qemu() -> Result {
    if runs(QEMU, &["--version"]) {
        return Ok(());
    }
    apt_install(&["qemu-system-x86"], QEMU)
}

pub fn ensure_gdb() -> Result {
    if runs("gdb", &["--version"]) {
        return Ok(());
    }
    apt_install(&["gdb"], "gdb")
}

pub fn ensure_mdbook() -> Result {
    if output("mdbook", &["--version"]).is_some_and(|v| v.contains(MDBOOK_VERSION)) {
        return Ok(());
    }
    println!("Installing mdBook {MDBOOK_VERSION} (a few minutes, once)...");
    let installed = grader::build::cargo("install")
        .args(["mdbook", "--locked", "--version", MDBOOK_VERSION])
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    Err(format!("could not install mdBook; run `cargo install mdbook --locked --version {MDBOOK_VERSION}`"))
}

/// Installs a Debian package with apt, as root or through passwordless sudo.
fn apt_install(packages: &[&str], tool: &str) -> Result {
    let list = packages.join(" ");
    let is_root = output("id", &["-u"]).as_deref() == Some("0");
    let prefix: &[&str] = if is_root { &[] } else { &["sudo", "-n"] };
    if !is_root && !runs("sudo", &["-n", "true"]) {
        return Err(format!(
            "{tool} is missing and installing it needs root: run `sudo apt-get install {list}`"
        ));
    }
    println!("Installing {list} with apt-get...");
    let apt = |args: &[&str]| {
        let mut cmd: Vec<&str> = prefix.to_vec();
        cmd.push("apt-get");
        cmd.extend(args);
        Command::new(cmd[0])
            .args(&cmd[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    let install: Vec<&str> = ["install", "-y", "-q"].iter().chain(packages).copied().collect();
    if apt(&install) || (apt(&["update", "-q"]) && apt(&install)) {
        return Ok(());
    }
    Err(format!("apt-get could not install {list}; install it by hand (`apt-get install {list}`)"))
}
