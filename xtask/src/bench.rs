//! `bench`: figures, never assertions. Two host benchmarks in release
//! mode: the buddy allocator against the `buddy_system_allocator` crate,
//! and `find_vma` over 65530 regions against a list walk and a `BTreeMap`.
//! Then, on the reference kernel in QEMU: the wall time of booting to the
//! end of `test=boot`, and the cost of `fork` + `exit` with copy-on-write
//! against copying every page up front (`fork=copy`), as `/bin/forkbench`
//! measures it.

use std::path::Path;
use std::time::{Duration, Instant};

use grader::build::{Kernel, build, cargo};
use grader::initrd;
use grader::qemu::{self, End, Machine};
use grader::scenario;

use crate::{Result, setup};

/// Boots timed; the best is reported.
const BOOTS: usize = 5;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Instead: vmlab's memory paths against Linux's, the same program on
    /// both kernels, interleaved (`user/c/cbench.c`).
    #[arg(long)]
    linux: bool,
    /// Boots of each kernel per pass, with --linux.
    #[arg(long, default_value_t = 5, value_name = "N")]
    runs: usize,
}

pub fn bench(args: &BenchArgs) -> Result {
    if args.linux {
        return crate::bench_linux::bench_linux(args.runs.max(1));
    }
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    host_benchmark("mm::tests::bench::buddy_benchmark", "the buddy benchmark")?;
    host_benchmark("mm::tests::vma_bench::find_vma_benchmark", "the find_vma benchmark")?;
    boot_time()?;
    fork_benchmark()
}

/// Runs the kernel's ignored host test `test` in release mode; it prints
/// its own figures.
fn host_benchmark(test: &str, what: &str) -> Result {
    let status = cargo("test")
        .args(["--release", "--quiet", "--package", "solution", "--lib", "--"])
        .args(["--ignored", "--exact", test, "--nocapture"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status.success().then_some(()).ok_or_else(|| format!("{what} failed"))
}

fn boot_time() -> Result {
    let image = build(&Kernel::Reference)?;
    let boot = scenario::find("boot")?;
    let mut best = Duration::MAX;
    for _ in 0..BOOTS {
        let start = Instant::now();
        qemu::run(&image, &boot.machine(), boot.timeout)?;
        best = best.min(start.elapsed());
    }
    println!(
        "\nreference kernel, QEMU start to exit of test=boot at -m {}: {:.2} s (best of {BOOTS})",
        boot.memory,
        best.as_secs_f64()
    );
    Ok(())
}

/// A run of `/bin/forkbench` may take this long (copying 4096 pages at
/// each fork under emulation is the slow part; it takes seconds).
const FORKBENCH_TIMEOUT: Duration = Duration::from_secs(600);

/// What one run of `/bin/forkbench` printed: touched pages and cycles per
/// fork + exit, in its order, and the cycles per instruction of a plain
/// loop; and the wall time of the whole QEMU run.
struct ForkRun {
    cycles: Vec<(u32, u64)>,
    per_instruction: Option<u64>,
    wall: Duration,
}

/// `/bin/forkbench` on the reference kernel, sharing pages copy-on-write
/// and then copying them (`fork=copy`), printed side by side.
fn fork_benchmark() -> Result {
    let image = build(&Kernel::Reference)?;
    initrd::build_initrd()?;
    let cow = forkbench(&image, "")?;
    let copy = forkbench(&image, "fork=copy")?;
    println!(
        "\nfork + exit + waitpid on the reference kernel: TSC cycles per fork, as /bin/forkbench averages them"
    );
    println!("{:>8} {:>14} {:>14} {:>11}", "pages", "copy-on-write", "fork=copy", "copy/cow");
    for (&(pages, cow_cycles), &(copy_pages, copy_cycles)) in cow.cycles.iter().zip(&copy.cycles) {
        assert_eq!(pages, copy_pages, "both runs print the same sizes in the same order");
        let ratio = copy_cycles as f64 / cow_cycles as f64;
        println!("{pages:>8} {cow_cycles:>14} {copy_cycles:>14} {ratio:>10.2}x");
    }
    let (cow_wall, copy_wall) = (cow.wall.as_secs_f64(), copy.wall.as_secs_f64());
    println!(
        "{:>8} {cow_wall:>13.2}s {copy_wall:>13.2}s {:>10.2}x  (QEMU wall time of the whole run)",
        "run",
        copy_wall / cow_wall
    );
    let per_instruction = |run: &ForkRun| run.per_instruction.map_or("?".into(), |c| c.to_string());
    println!(
        "TSC cycles per instruction of a plain loop: {} and {}. Under -icount the TSC follows \
         the guest's instruction count, not real time: the cycles count instructions.",
        per_instruction(&cow),
        per_instruction(&copy)
    );
    Ok(())
}

/// Boots `image` with `init=/bin/forkbench` and kernel `options`, timed,
/// and reads the figures it printed.
fn forkbench(image: &Path, options: &'static str) -> Result<ForkRun> {
    let machine = Machine {
        memory: "2G".into(),
        append: format!("init=/bin/forkbench {options}"),
        initrd: Some(grader::workspace_root().join(initrd::ARCHIVE)),
        input: None,
        disk: None,
        output_limit: qemu::OUTPUT_LIMIT,
    };
    let start = Instant::now();
    let run = qemu::run(image, &machine, FORKBENCH_TIMEOUT)?;
    let wall = start.elapsed();
    let output = String::from_utf8_lossy(&run.output);
    if run.end != End::Success || !output.contains("init exited with code 0") {
        return Err(format!("/bin/forkbench {options} ended with {}:\n{output}", run.end.summary()));
    }
    let cycles: Vec<(u32, u64)> = output.lines().filter_map(forkbench_figure).collect();
    if cycles.is_empty() {
        return Err(format!("/bin/forkbench {options} printed no figures:\n{output}"));
    }
    let per_instruction = output.lines().find_map(|line| {
        let rest =
            line.strip_prefix("forkbench: ")?.strip_suffix(" cycles per instruction of a dec/jnz loop")?;
        rest.parse().ok()
    });
    Ok(ForkRun { cycles, per_instruction, wall })
}

/// The pages and cycles of a line `forkbench: P pages, F forks, C cycles
/// per fork+exit`.
fn forkbench_figure(line: &str) -> Option<(u32, u64)> {
    let words: Vec<&str> = line.strip_prefix("forkbench: ")?.split_whitespace().collect();
    match words[..] {
        [pages, "pages,", _, "forks,", cycles, "cycles", ..] => {
            Some((pages.parse().ok()?, cycles.parse().ok()?))
        }
        _ => None,
    }
}
