//! Building kernels for the custom i686 target.
//!
//! The reference kernel is the `solution` package; a student's kernel is the
//! `labs` package, whose crate root is the reference's and whose features
//! `labN` swap in the student's files for lab N.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// The target specification every kernel and user program is built for.
pub const TARGET_JSON: &str = "targets/i686-unknown-none.json";

/// Which kernel to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// The reference kernel in `solution/`.
    Reference,
    /// The reference kernel with its `debug_vm` checks (Linux's
    /// `CONFIG_DEBUG_VM`), which panic on a broken invariant.
    DebugVm,
    /// The reference kernel with the student's files for these labs.
    Labs(Vec<u8>),
}

impl Kernel {
    /// Lab `n` alone, or the student's labs `1..=n` together.
    pub fn lab(n: u8, cumulative: bool) -> Self {
        if cumulative { Self::Labs((1..=n).collect()) } else { Self::Labs(vec![n]) }
    }

    fn package(&self) -> &'static str {
        match self {
            Self::Reference | Self::DebugVm => "solution",
            Self::Labs(_) => "labs",
        }
    }

    fn binary(&self) -> &'static str {
        match self {
            Self::Reference | Self::DebugVm => "kernel",
            Self::Labs(_) => "lab-kernel",
        }
    }

    /// A short name for file names and reports: `reference`, `lab1`, `labs1-3`.
    pub fn name(&self) -> String {
        match self {
            Self::Reference => "reference".into(),
            Self::DebugVm => "debug-vm".into(),
            Self::Labs(labs) if labs.len() == 1 => format!("lab{}", labs[0]),
            Self::Labs(labs) => {
                format!("labs{}-{}", labs.first().unwrap_or(&0), labs.last().unwrap_or(&0))
            }
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reference => write!(f, "the reference kernel"),
            Self::DebugVm => write!(f, "the reference kernel with debug_vm"),
            Self::Labs(labs) if labs.len() == 1 => write!(f, "your lab {} kernel", labs[0]),
            Self::Labs(_) => write!(f, "your cumulative kernel ({})", self.name()),
        }
    }
}

/// A `cargo` command run from the repository root, with the cargo that runs
/// this program (so the pinned toolchain) when there is one.
pub fn cargo(subcommand: &str) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root()).arg(subcommand);
    cmd
}

/// The compiler kernels are built with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KernelToolchain {
    /// The toolchain pinned in `rust-toolchain.toml`, with its `rust-src`.
    Rustup,
    /// Debian's `rustc-web`, `cargo-web`, `rust-web-src` and `lld`, where
    /// rustup cannot download `rust-src`. `-Zbuild-std` needs the library
    /// sources of exactly the compiler in use, so this one builds with its
    /// own cargo and rustc into its own target directory.
    Debian,
}

/// Where Debian's `rust-web-src` puts the library sources.
const DEBIAN_LIBRARY: &str = "/usr/lib/rustlib/src/rust/library/core";

impl KernelToolchain {
    /// Rustup's toolchain when its `rust-src` is installed, else Debian's
    /// when that is installed. `VMLAB_KERNEL_TOOLCHAIN=debian` picks
    /// Debian's even when rustup's would do.
    pub fn detect() -> Option<Self> {
        let forced = std::env::var("VMLAB_KERNEL_TOOLCHAIN").is_ok_and(|t| t == "debian");
        if !forced && rustup_has_rust_src() {
            return Some(Self::Rustup);
        }
        let debian = Path::new(DEBIAN_LIBRARY).is_dir() && Path::new("/usr/bin/ld.lld").exists();
        debian.then_some(Self::Debian)
    }

    fn target_dir(self) -> PathBuf {
        match self {
            Self::Rustup => workspace_root().join("target"),
            Self::Debian => workspace_root().join("target/debian"),
        }
    }
}

/// Whether the pinned toolchain has the library sources `-Zbuild-std` needs.
pub fn rustup_has_rust_src() -> bool {
    let sysroot = Command::new("rustc").args(["--print", "sysroot"]).current_dir(workspace_root()).output();
    sysroot.is_ok_and(|out| {
        let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
        out.status.success() && Path::new(&sysroot).join("lib/rustlib/src/rust/library/core").is_dir()
    })
}

/// A `cargo` command for the kernel target: build-std, the JSON target,
/// `RUSTC_BOOTSTRAP=1` (which cargo's `[env]` table cannot set), and the
/// toolchain's target directory, shared by every package built for the
/// target (the user programs' workspace too) so that `core` is built once.
pub fn kernel_cargo(subcommand: &str, toolchain: KernelToolchain) -> Command {
    let mut cmd = match toolchain {
        KernelToolchain::Rustup => cargo(subcommand),
        KernelToolchain::Debian => {
            let mut cmd = Command::new("/usr/bin/cargo");
            cmd.current_dir(workspace_root())
                .arg(subcommand)
                .env_remove("RUSTUP_TOOLCHAIN")
                .env("RUSTC", "/usr/bin/rustc")
                .env("CARGO_TARGET_I686_UNKNOWN_NONE_LINKER", "ld.lld");
            cmd
        }
    };
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .arg("--target-dir")
        .arg(toolchain.target_dir())
        .args(["--target", TARGET_JSON])
        .args(["-Zbuild-std=core,compiler_builtins,alloc", "-Zbuild-std-features=compiler-builtins-mem"])
        .arg("-Zjson-target-spec");
    cmd
}

/// Builds `kernel` and returns the path of a copy of its ELF image that
/// later builds of other variants do not overwrite.
pub fn build(kernel: &Kernel) -> Result<PathBuf, String> {
    let toolchain =
        KernelToolchain::detect().ok_or("no Rust library sources for the kernel; run `cargo xtask setup`")?;
    let mut cmd = kernel_cargo("build", toolchain);
    cmd.args(["--package", kernel.package()]);
    match kernel {
        Kernel::Reference => {}
        Kernel::DebugVm => _ = cmd.args(["--features", "debug_vm"]),
        Kernel::Labs(labs) => {
            let features: Vec<String> = labs.iter().map(|n| format!("lab{n}")).collect();
            cmd.args(["--features", &features.join(",")]);
        }
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building {kernel} failed (see the compiler errors above)"));
    }
    let target_dir = toolchain.target_dir();
    let built = target_dir.join("i686-unknown-none/debug").join(kernel.binary());
    let kept = target_dir.join("kernels").join(format!("{}.elf", kernel.name()));
    std::fs::create_dir_all(kept.parent().unwrap()).map_err(|e| e.to_string())?;
    std::fs::copy(&built, &kept).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    Ok(kept)
}
