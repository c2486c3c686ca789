//! `bench --linux`: the memory paths of vmlab against Linux's, the same
//! benchmark binary (`user/c/cbench.c`) booted in turn on the reference
//! kernel and on Debian's i386 Linux kernel (the oracle's), in the same
//! QEMU with the same memory, interleaved so that both see the same host.
//!
//! Two passes. Without `-icount` the time stamp counter is the host's: the
//! figures are time, and noisy. With `-icount` it ticks with instructions
//! executed: the figures are work done, the same each run. Each line gives
//! both kernels' median and range over the runs, and vmlab's median as a
//! fraction of Linux's. A benchmark's `check` lines (what the operations
//! computed) must agree between the kernels, or the figures mean nothing.

use std::collections::BTreeMap;

use grader::build::{Kernel, build};
use grader::initrd;
use grader::oracle::{LinuxRun, run_on_linux_with, run_on_vmlab_with};

use crate::{Result, setup};

/// The benchmark program, `user/c/cbench.c`.
const PROGRAM: &str = "cbench";

/// Ticks per operation, by operation, from one run's output; and its check
/// lines.
struct Figures {
    ticks: BTreeMap<String, u64>,
    checks: Vec<String>,
}

impl Figures {
    fn parse(run: &LinuxRun, kernel: &str) -> Result<Self> {
        if run.status != 0 {
            return Err(format!("{PROGRAM} on {kernel} ended with {}: {}", run.end(), run.output));
        }
        let mut figures = Figures { ticks: BTreeMap::new(), checks: Vec::new() };
        for line in run.output.lines() {
            if line.starts_with("check ") {
                figures.checks.push(line.to_string());
            } else if let Some((name, ticks)) =
                line.split_once(' ').and_then(|(n, t)| Some((n, t.parse().ok()?)))
            {
                figures.ticks.insert(name.to_string(), ticks);
            } else {
                return Err(format!("{PROGRAM} on {kernel} printed {line:?}"));
            }
        }
        Ok(figures)
    }
}

/// Runs the comparison, `runs` boots of each kernel per pass.
pub fn bench_linux(runs: usize) -> Result {
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    let vmlab = build(&Kernel::Reference)?;
    initrd::build_initrd()?;
    let program = initrd::c_program(PROGRAM).ok_or("user/c/cbench.c was not built")?;
    for icount in [false, true] {
        let mut on = [Vec::new(), Vec::new()];
        for i in 0..runs {
            eprint!(
                "\r{} pass: run {} of {runs} on each kernel",
                if icount { "work" } else { "time" },
                i + 1
            );
            on[0].push(Figures::parse(&run_on_vmlab_with(&vmlab, PROGRAM, icount)?, "vmlab")?);
            on[1].push(Figures::parse(&run_on_linux_with(&program, &[], icount)?, "Linux")?);
        }
        eprintln!();
        let checks = &on[0][0].checks;
        if let Some(other) = on.iter().flatten().find(|figures| &figures.checks != checks) {
            return Err(format!("{PROGRAM} computed different results: {checks:?} and {:?}", other.checks));
        }
        report(&on, icount);
    }
    Ok(())
}

/// Prints one pass's table.
fn report(on: &[Vec<Figures>; 2], icount: bool) {
    if icount {
        println!("\nwork: TSC ticks per operation under -icount (proportional to instructions executed)");
    } else {
        println!("\ntime: TSC ticks per operation, no -icount (the host's clock: noisy)");
    }
    println!(
        "{:<24} {:>24} {:>24} {:>12}",
        "operation", "vmlab median (range)", "Linux median (range)", "vmlab/Linux"
    );
    for name in on[0][0].ticks.keys() {
        let [vmlab, linux] =
            on.each_ref().map(|runs| Spread::of(runs.iter().filter_map(|f| f.ticks.get(name).copied())));
        let ratio = vmlab.median as f64 / linux.median.max(1) as f64;
        println!("{name:<24} {:>24} {:>24} {ratio:>12.2}", vmlab.to_string(), linux.to_string());
    }
}

/// The median and range of a figure over the runs.
struct Spread {
    median: u64,
    min: u64,
    max: u64,
}

impl Spread {
    fn of(values: impl Iterator<Item = u64>) -> Self {
        let mut values: Vec<u64> = values.collect();
        values.sort_unstable();
        let (min, max) = (values.first().copied().unwrap_or(0), values.last().copied().unwrap_or(0));
        Self { median: values.get(values.len() / 2).copied().unwrap_or(0), min, max }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}-{})", self.median, self.min, self.max)
    }
}
