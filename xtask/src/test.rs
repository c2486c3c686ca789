//! `test`: everything CI checks, in one command. It expects the lab crates
//! to be exactly as generated: each unmodified lab must fail its own
//! scenarios with its stubs' message and pass every other one, and must
//! pass its own once the reference is pasted back into it.

use std::time::Instant;

use grader::build::{Kernel, cargo};
use grader::grade::{Outcome, Verdict, grade};
use grader::qemu::End;
use grader::{oracle, scenario};

use grader::lab::labs as declared_labs;

use crate::labs::{LabsArgs, labs, paste_back, restore_labs};
use crate::{Result, book, setup};

/// Boots of each scenario on the reference kernel, to prove determinism.
const REPEAT: u32 = 3;

pub fn test() -> Result {
    setup::setup_all()?;
    let started = Instant::now();
    step("host unit tests and snapshot tests (cargo test)", host_tests)?;
    step("the reference kernel's host tests under Miri", miri_tests)?;
    step("lab crates in sync with solution/ and labs/labs.toml", || labs(&LabsArgs::check_only()))?;
    step("every scenario on the reference kernel, 3 runs each", reference_is_deterministic)?;
    step("every scenario once with the debug_vm checks on", debug_vm_holds)?;
    for lab in declared_labs() {
        step(&format!("unmodified lab {} crate", lab.number), || unmodified_lab(lab.number))?;
        step(&format!("lab {} crate with the reference pasted back", lab.number), || solved_lab(lab.number))?;
    }
    step("the C programs on Linux and on vmlab", c_programs_match_linux)?;
    step("the book", || book::build_book(false))?;
    println!("\nAll tests passed in {:.0?}.", started.elapsed());
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result) -> Result {
    println!("\n==> {name}");
    let started = Instant::now();
    f().map_err(|e| format!("{name}: {e}"))?;
    println!("==> {name}: ok ({:.1?})", started.elapsed());
    Ok(())
}

/// The reference kernel's host tests (the buddy allocator, the red-black
/// tree, the regions, the page-table walk on simulated memory...) under
/// Miri, which reports undefined behaviour and leaks: the raw pointers of
/// the tree and the region handles above all. It runs on a pinned nightly,
/// installed when missing; where it cannot be, the step says so and passes.
fn miri_tests() -> Result {
    if !setup::ensure_miri() {
        println!("skipped: no Miri");
        return Ok(());
    }
    let status = std::process::Command::new("cargo")
        .current_dir(grader::workspace_root())
        .env_remove("RUSTUP_TOOLCHAIN")
        // A target directory of the pinned nightly's own: artifacts another
        // nightly of the same version left in `target/miri` look fresh to
        // cargo, but Miri cannot load them.
        .env("CARGO_TARGET_DIR", grader::workspace_root().join("target").join(setup::MIRI_TOOLCHAIN))
        .args([&format!("+{}", setup::MIRI_TOOLCHAIN), "miri", "test", "-p", "solution", "--lib"])
        .status()
        .map_err(|e| format!("cannot run cargo miri: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "Miri found undefined behaviour or a leak, or a test failed".into())
}

fn host_tests() -> Result {
    let status = cargo("test")
        .env("INSTA_UPDATE", "no")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    status.success().then_some(()).ok_or_else(|| "cargo test failed".into())
}

fn reference_is_deterministic() -> Result {
    let outcomes = grade(&Kernel::Reference, &scenario::all()?, REPEAT)?;
    all_passed(&outcomes)
}

/// The reference kernel built with `debug_vm` (regions validated when the
/// lock is released, free lists at every exit, freed frames poisoned)
/// gives every scenario's snapshot: the checks print nothing unless one
/// fails.
fn debug_vm_holds() -> Result {
    all_passed(&grade(&Kernel::DebugVm, &scenario::all()?, 1)?)
}

fn all_passed(outcomes: &[Outcome]) -> Result {
    match outcomes.iter().find(|o| o.verdict != Verdict::Passed) {
        None => Ok(()),
        Some(o) => Err(format!("{}: {}", o.scenario.name, o.describe())),
    }
}

/// Lab `n` as generated: its own scenarios end in its stubs' panic; every
/// other scenario passes, or ends in that same panic when it needs the
/// lab's code (lab 1's allocator is on the boot path, so every scenario
/// needs it; lab 2's memory descriptor is needed by every process).
fn unmodified_lab(n: u8) -> Result {
    let outcomes = grade(&Kernel::lab(n, false), &scenario::all()?, 1)?;
    let stub = format!("lab {n}: ");
    for outcome in &outcomes {
        let stub_panic = matches!(&outcome.end, Some(End::Panic(message)) if message.contains(&stub));
        let passed = outcome.verdict == Verdict::Passed;
        let own = outcome.scenario.lab == Some(n);
        if !(stub_panic || (!own && passed)) {
            return Err(format!("{}: {}", outcome.scenario.name, outcome.describe()));
        }
    }
    println!("(lab {n}'s scenarios failed with its stubs' message, as they must)");
    Ok(())
}

/// The generator's own test: lab `n`'s crate with the reference files in
/// place of its stubs passes every scenario of lab `n`. The lab files are
/// restored as generated afterwards (if the run is interrupted,
/// `cargo xtask labs --force` restores them).
fn solved_lab(n: u8) -> Result {
    paste_back(n)?;
    let own: Vec<_> = scenario::all()?.into_iter().filter(|s| s.lab == Some(n)).collect();
    let outcomes = grade(&Kernel::lab(n, false), &own, 1);
    restore_labs()?;
    all_passed(&outcomes?)
}

/// The C programs that make the oracle comparison: the same binary must
/// print the same and end the same on Debian's Linux and on vmlab.
const DIFFERENTIAL: &[&str] = &[
    "chello",
    "cabi",
    "cmman",
    "cmaps",
    "cfault",
    "ccow",
    "cpopulate",
    "cmadvise",
    "cshm",
    "cmremap",
    "csmaps",
    "clibc",
    "cpagecache",
    "mmalloc",
    "mmaps",
];

/// Runs each differential program on Linux (Debian's i386 kernel, fetched
/// once) and on the reference kernel, and compares. Without a way to fetch
/// Linux (offline, no root) the step says so and is skipped rather than
/// failed: it tests the kernel, not the network.
fn c_programs_match_linux() -> Result {
    if let Err(error) = oracle::linux_kernel() {
        println!("SKIPPED: cannot fetch Debian's Linux kernel: {error}");
        return Ok(());
    }
    let vmlab = grader::build::build(&Kernel::Reference)?;
    for name in DIFFERENTIAL {
        let program = grader::initrd::c_program(name).ok_or(format!("{name} was not built"))?;
        let on_linux = oracle::run_on_linux(&program, &[])?;
        let on_vmlab = oracle::run_on_vmlab(&vmlab, name)?;
        if on_linux != on_vmlab {
            return Err(format!("{name} differs: on Linux {on_linux:?}, on vmlab {on_vmlab:?}"));
        }
        println!("{name}: same output and end on Linux and vmlab ({})", on_vmlab.end());
    }
    Ok(())
}
