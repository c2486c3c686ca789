//! `bench`: figures, never assertions. The buddy allocator against the
//! `buddy_system_allocator` crate (a host benchmark in release mode), and
//! the wall time of booting the reference kernel to the end of `test=boot`.

use std::time::{Duration, Instant};

use grader::build::{Kernel, build, cargo};
use grader::qemu;
use grader::scenario;

use crate::{Result, setup};

/// Boots timed; the best is reported.
const BOOTS: usize = 5;

pub fn bench() -> Result {
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    buddy_benchmark()?;
    boot_time()
}

fn buddy_benchmark() -> Result {
    let status = cargo("test")
        .args(["--release", "--quiet", "--package", "solution", "--bin", "kernel", "--"])
        .args(["--ignored", "--exact", "mm::bench::buddy_benchmark", "--nocapture"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status.success().then_some(()).ok_or_else(|| "the buddy benchmark failed".into())
}

fn boot_time() -> Result {
    let image = build(&Kernel::Reference)?;
    let boot = scenario::find("boot").expect("the boot scenario exists");
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
