//! `fuzz`: a campaign of the system-call fuzzer (`user/src/bin/fuzz.rs`)
//! on the reference kernel. `cargo xtask fuzz --seeds A..B [--per-boot N]
//! [--calls N] [--debug-vm]` boots a fresh kernel for each slice of N seeds, with the
//! fuzzer as `init` on the `fuzz` scenario's machine, and prints for each
//! boot its verdict and the calls it made per second of wall time. For a
//! boot that panicked or hung it runs the seed that was running again,
//! alone and `verbose`, to show the last calls before the end (and, if the
//! seed alone ends well, the whole slice up to it, since the kernel's state
//! after the earlier seeds may be what it takes).
//!
//! Figures, not a test: the short run in the test suite is the `fuzz`
//! scenario. The command fails (exit status 1) when a boot was not clean.

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Args;
use grader::build::{Kernel, build};
use grader::initrd::build_initrd;
use grader::qemu::{self, End};
use grader::scenario;

use crate::{Result, setup};

#[derive(Args)]
pub struct FuzzArgs {
    /// The seeds to run, FIRST..END (END not included), e.g. 0..1000.
    #[arg(long, value_name = "A..B", value_parser = parse_seeds)]
    seeds: Range<u32>,
    /// Seeds per boot: each boot starts a fresh kernel.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    per_boot: u32,
    /// System calls each seed's worker makes.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    calls: u32,
    /// Fuzz the kernel built with its `debug_vm` invariant checks (slower,
    /// but a broken region tree, free list or freed frame panics at once).
    #[arg(long)]
    debug_vm: bool,
}

/// `A..B` with `A < B`.
fn parse_seeds(text: &str) -> Result<Range<u32>> {
    let (first, end) = text.split_once("..").ok_or("expected FIRST..END, e.g. 0..1000")?;
    let seed =
        |word: &str| word.parse::<u32>().map_err(|_| format!("'{word}' is not a seed (0 to {})", u32::MAX));
    let (first, end) = (seed(first)?, seed(end)?);
    if first >= end {
        return Err(format!("{first}..{end} holds no seed: END must be above FIRST"));
    }
    Ok(first..end)
}

/// Wall time a boot may take: the boot itself, then a generous bound per
/// call (a clean run makes a few thousand calls per second under TCG).
fn timeout(seeds: u32, calls: u32) -> Duration {
    Duration::from_secs(30) + Duration::from_millis(5) * seeds * calls
}

/// Calls shown before a panic or hang.
const LAST_CALLS: usize = 10;

pub fn fuzz(args: &FuzzArgs) -> Result {
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    let which = if args.debug_vm { Kernel::DebugVm } else { Kernel::Reference };
    let kernel = build(&which)?;
    build_initrd()?;
    let (seeds, per_boot) = (&args.seeds, args.per_boot);
    println!(
        "fuzzing {which}: seeds {}..{}, {per_boot} per boot, {} calls each",
        seeds.start, seeds.end, args.calls
    );
    let (mut calls, mut wall, mut failed) = (0, Duration::ZERO, Vec::new());
    for first in seeds.clone().step_by(per_boot as usize) {
        let slice = first..first.saturating_add(per_boot).min(seeds.end);
        let boot = Boot::run(&kernel, slice.clone(), args.calls, false)?;
        let problems = boot.problems();
        let made = boot.calls(args.calls);
        let verdict = if problems.is_empty() { "clean".to_string() } else { problems.join("; ") };
        println!(
            "seeds {}..{}: {verdict}; {made} calls in {:.1} s, {:.0} calls/s",
            slice.start,
            slice.end,
            boot.wall.as_secs_f64(),
            made as f64 / boot.wall.as_secs_f64()
        );
        if !problems.is_empty() {
            boot.explain(&kernel, args.calls)?;
            failed.push(format!("{}..{}", slice.start, slice.end));
        }
        (calls, wall) = (calls + made, wall + boot.wall);
    }
    println!(
        "{calls} calls in {:.1} s of QEMU time: {:.0} calls/s",
        wall.as_secs_f64(),
        calls as f64 / wall.as_secs_f64()
    );
    match failed.len() {
        0 => Ok(()),
        n => Err(format!("{n} boot(s) were not clean: seeds {}", failed.join(", "))),
    }
}

/// One boot of the fuzzer and what it printed.
struct Boot {
    seeds: Range<u32>,
    /// The console output, from the line that starts init on.
    output: String,
    end: End,
    wall: Duration,
}

impl Boot {
    /// Boots `kernel` with `/bin/fuzz` as init over `seeds`.
    fn run(kernel: &Path, seeds: Range<u32>, calls: u32, verbose: bool) -> Result<Self> {
        let fuzz = scenario::find("fuzz")?;
        let mut machine = fuzz.machine();
        let verbose = if verbose { " verbose" } else { "" };
        machine.append = format!("init={} -- {}..{} {calls}{verbose}", fuzz.test, seeds.start, seeds.end);
        let started = Instant::now();
        let run = qemu::run(kernel, &machine, timeout(seeds.len() as u32, calls))?;
        let wall = started.elapsed();
        let text = String::from_utf8_lossy(&run.output).replace("\r\n", "\n");
        let start = fuzz.scope().and_then(|line| text.find(&line)).unwrap_or(0);
        Ok(Self { seeds, output: text[start..].to_string(), end: run.end, wall })
    }

    /// The seeds the fuzzer finished: it printed their lines.
    fn finished(&self) -> u32 {
        self.output.lines().filter(|line| line.starts_with("seed ") && line.contains(": last call ")).count()
            as u32
    }

    /// The calls made: those of the finished seeds.
    fn calls(&self, per_seed: u32) -> u64 {
        u64::from(self.finished()) * u64::from(per_seed)
    }

    /// The seed that was running when the run ended, if one was.
    fn running(&self) -> Option<u32> {
        Some(self.seeds.start + self.finished()).filter(|seed| self.seeds.contains(seed))
    }

    /// What went wrong, one phrase each; empty for a clean boot.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        match &self.end {
            End::Success => {}
            End::Panic(message) => problems.push(format!("kernel panic ({message})")),
            End::Timeout => problems.push("hang (timeout)".into()),
            end => problems.push(end.summary()),
        }
        let unexpected = self.output.lines().filter(|line| line.contains("UNEXPECTED")).count();
        if unexpected > 0 {
            problems.push(format!("{unexpected} unexpected fate(s)"));
        }
        let bugs = self.output.lines().filter(|line| is_bug_report(line)).count();
        if bugs > 0 {
            problems.push(format!("{bugs} kernel BUG report(s)"));
        }
        let lost = self.lost_lines().iter().filter_map(|line| pages_lost(line)).max();
        if let Some(pages) = lost {
            problems.push(format!("leaked pages (up to {pages} at once)"));
        }
        if self.end == End::Success && !self.output.contains("init exited with code 0") {
            problems.push("the fuzzer did not finish".into());
        }
        problems
    }

    /// The lines that count pages not returned, when the count is not 0:
    /// the fuzzer's for a seed and for the whole run, the kernel's once
    /// init has exited.
    fn lost_lines(&self) -> Vec<&str> {
        self.output.lines().filter(|line| pages_lost(line).is_some_and(|pages| pages != 0)).collect()
    }

    /// Prints what shows the problems: the lines about them and, for a
    /// panic or hang, the last calls of the seed that was running.
    fn explain(&self, kernel: &Path, calls: u32) -> Result {
        let unexpected =
            self.output.lines().filter(|line| line.contains("UNEXPECTED") || is_bug_report(line));
        for line in unexpected.chain(self.lost_lines()) {
            println!("    {line}");
        }
        if !matches!(self.end, End::Panic(_) | End::Timeout) {
            return Ok(());
        }
        let Some(seed) = self.running() else {
            println!("    the run ended after its last seed");
            return Ok(());
        };
        println!(
            "    seed {seed} was running; reproduce with `cargo xtask fuzz --seeds {seed}..{} --calls {calls}`",
            seed + 1
        );
        let alone = Boot::run(kernel, seed..seed + 1, calls, true)?;
        let again = if alone.end.same_kind(&self.end) {
            println!("    its last calls, run again alone and verbose:");
            alone
        } else {
            println!(
                "    alone it ends with {}; run verbose after the seeds before it ({}..{}):",
                alone.end.summary(),
                self.seeds.start,
                seed + 1
            );
            Boot::run(kernel, self.seeds.start..seed + 1, calls, true)?
        };
        for line in again.tail() {
            println!("      {line}");
        }
        println!("    it ended with {}", again.end.summary());
        Ok(())
    }

    /// The output from the `LAST_CALLS`th call from the end on.
    fn tail(&self) -> Vec<&str> {
        let lines: Vec<&str> = self.output.lines().collect();
        let calls: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim_start().starts_with('#') || lines[i].contains(" child #"))
            .collect();
        let from = calls.len().saturating_sub(LAST_CALLS);
        let start = calls.get(from).copied().unwrap_or(0);
        lines[start..].iter().take(LAST_CALLS + 40).copied().collect()
    }
}

/// Whether the kernel reported a broken invariant it survived: a bad page
/// state, a reverse map out of step, an unused swap entry freed
/// (`BUG: ...`, or Linux's `swap_free: ...`).
fn is_bug_report(line: &str) -> bool {
    line.contains("BUG: ") || line.contains("swap_free: ")
}

/// The count of a line that says how many pages were not returned: the
/// fuzzer's `seed N: ... (K pages not returned)` and `fuzz: ..., K pages
/// not returned`, the kernel's `pages not returned: K`.
fn pages_lost(line: &str) -> Option<i64> {
    const WHAT: &str = "pages not returned";
    if let Some(count) = line.strip_prefix(&format!("{WHAT}: ")) {
        return count.trim().parse().ok();
    }
    let before = line.split_once(WHAT)?.0.trim_end();
    before.rsplit([' ', '(']).next()?.parse().ok()
}
