//! Building kernels for the custom i686 target.
//!
//! The reference kernel is the `solution` package; a student's kernel is the
//! `labs` package, whose crate root is the reference's and whose features
//! `labN` swap in the student's files for lab N.

use std::fmt;
use std::path::PathBuf;
use std::process::Command;

use crate::workspace_root;

/// The target specification every kernel and user program is built for.
pub const TARGET_JSON: &str = "targets/i686-unknown-none.json";

/// Which kernel to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// The reference kernel in `solution/`.
    Reference,
    /// The reference kernel with the student's files for these labs.
    Labs(Vec<u8>),
}

impl Kernel {
    /// Lab `n` alone, or the student's labs `1..=n` together.
    pub fn lab(n: u8, cumulative: bool) -> Self {
        if cumulative {
            Self::Labs((1..=n).collect())
        } else {
            Self::Labs(vec![n])
        }
    }

    fn package(&self) -> &'static str {
        match self {
            Self::Reference => "solution",
            Self::Labs(_) => "labs",
        }
    }

    fn binary(&self) -> &'static str {
        match self {
            Self::Reference => "kernel",
            Self::Labs(_) => "lab-kernel",
        }
    }

    /// A short name for file names and reports: `reference`, `lab1`, `labs1-3`.
    pub fn name(&self) -> String {
        match self {
            Self::Reference => "reference".into(),
            Self::Labs(labs) if labs.len() == 1 => format!("lab{}", labs[0]),
            Self::Labs(labs) => {
                format!(
                    "labs{}-{}",
                    labs.first().unwrap_or(&0),
                    labs.last().unwrap_or(&0)
                )
            }
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reference => write!(f, "the reference kernel"),
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

/// A `cargo` command for the kernel target: build-std, the JSON target, and
/// `RUSTC_BOOTSTRAP=1`, which cargo's `[env]` table cannot set.
pub fn kernel_cargo(subcommand: &str) -> Command {
    let mut cmd = cargo(subcommand);
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .args(["--target", TARGET_JSON])
        .args([
            "-Zbuild-std=core,compiler_builtins,alloc",
            "-Zbuild-std-features=compiler-builtins-mem",
        ])
        .arg("-Zjson-target-spec");
    cmd
}

/// Builds `kernel` and returns the path of a copy of its ELF image that
/// later builds of other variants do not overwrite.
pub fn build(kernel: &Kernel) -> Result<PathBuf, String> {
    let mut cmd = kernel_cargo("build");
    cmd.args(["--package", kernel.package()]);
    if let Kernel::Labs(labs) = kernel {
        let features: Vec<String> = labs.iter().map(|n| format!("lab{n}")).collect();
        cmd.args(["--features", &features.join(",")]);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building {kernel} failed (see the compiler errors above)"
        ));
    }
    let target_dir = workspace_root().join("target");
    let built = target_dir
        .join("i686-unknown-none/debug")
        .join(kernel.binary());
    let kept = target_dir
        .join("kernels")
        .join(format!("{}.elf", kernel.name()));
    std::fs::create_dir_all(kept.parent().unwrap()).map_err(|e| e.to_string())?;
    std::fs::copy(&built, &kept).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    Ok(kept)
}
