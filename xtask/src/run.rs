//! `run` and `gdb`: boot a kernel with the serial console on this terminal,
//! with the initrd of user programs, so that it starts the shell
//! (`/bin/init`); `--monitor` boots without it, into the kernel monitor.
//!
//! On a terminal, QEMU's console multiplexer is on (Ctrl-A X quits, Ctrl-A C
//! reaches QEMU's monitor). With input piped in, the input is the console's
//! script: it is fed to the kernel, and once it ends the kernel has a few
//! seconds to finish before QEMU is stopped.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::Args;
use grader::build::{Kernel, build};
use grader::disk::{Disk, TempImage, drive_args};
use grader::initrd::build_initrd;
use grader::qemu::{Machine, QEMU, console, qemu_args, wait_with_timeout};
use grader::workspace_root;

use crate::{Result, setup};

#[derive(Args)]
pub struct RunArgs {
    /// Boot your lab N kernel instead of the reference kernel.
    #[arg(long, value_name = "N")]
    lab: Option<u8>,
    /// RAM of the machine, as QEMU's -m takes it.
    #[arg(long, default_value = "2G", value_name = "SIZE")]
    mem: String,
    /// Boot without the initrd: the kernel monitor instead of the shell.
    #[arg(long)]
    monitor: bool,
    /// Attach a swap disk of SIZE MiB (`16M`), made with util-linux's
    /// mkswap, as the first IDE disk.
    #[arg(long, value_name = "SIZE")]
    swap: Option<String>,
    /// Kernel command-line options, e.g. `test=pgwalk mem=512M`.
    #[arg(last = true, value_name = "KERNEL OPTIONS")]
    options: Vec<String>,
}

/// How long a kernel may run after piped input has ended.
const AFTER_INPUT: Duration = Duration::from_secs(10);

pub fn run(args: &RunArgs, gdb: bool) -> Result {
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    if gdb {
        setup::ensure_gdb()?;
    }
    let kernel = match args.lab {
        Some(n) => Kernel::lab(grader::lab::find(n)?.number, false),
        None => Kernel::Reference,
    };
    let kernel_image = build(&kernel)?;
    let initrd = if args.monitor { None } else { Some(build_initrd()?) };
    let disk = args.swap.as_ref().map(|size| Disk::parse(&format!("swap {size}"))).transpose()?;
    let image = disk.as_ref().map(TempImage::create).transpose()?;
    let machine = Machine {
        memory: args.mem.clone(),
        append: args.options.join(" "),
        initrd,
        input: None,
        disk,
        output_limit: grader::qemu::OUTPUT_LIMIT,
    };
    let mut qemu = Command::new(QEMU);
    qemu.args(qemu_args(&kernel_image, &machine, false)).args(["-monitor", "none"]);
    qemu.args(image.iter().flat_map(|image| drive_args(image.path())));
    if gdb {
        qemu.args(["-s", "-S"]);
        print_gdb_help(&kernel_image);
    }
    let status = if std::io::stdin().is_terminal() {
        eprintln!("Booting {kernel}; Ctrl-A X quits QEMU.");
        qemu.args(["-serial", "mon:stdio"]).status().map_err(|e| format!("cannot start {QEMU}: {e}"))?.code()
    } else {
        run_scripted(qemu.args(["-serial", "stdio"]))?
    };
    match status {
        Some(33) => Ok(()),
        Some(35) => Err("the kernel panicked".into()),
        Some(0) => Err("the machine reset (triple fault)".into()),
        Some(code) => Err(format!("{QEMU} exited with status {code}")),
        None => Err("QEMU was stopped: the kernel kept running after the input ended".into()),
    }
}

/// Feeds this process's standard input to QEMU's serial port once the kernel
/// has printed its first line (before that, the UART's reset would drop
/// it); after the input ends, waits `AFTER_INPUT` for QEMU to exit, then
/// stops it.
fn run_scripted(qemu: &mut Command) -> Result<Option<i32>> {
    let mut script = Vec::new();
    std::io::stdin().read_to_end(&mut script).map_err(|e| format!("cannot read the input: {e}"))?;
    let mut child = qemu
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {QEMU}: {e}"))?;
    let echo = console(&mut child, Some(&script), AFTER_INPUT, (), |(), bytes| {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    });
    let status = wait_with_timeout(&mut child, AFTER_INPUT);
    let _ = echo.join();
    status
}

fn print_gdb_help(image: &Path) {
    let relative = image.strip_prefix(workspace_root()).unwrap_or(image);
    eprintln!("QEMU waits for gdb on localhost:1234. In another terminal, from the repository root:");
    eprintln!("  gdb {} -ex 'target remote :1234' -ex 'break start_kernel' -ex continue", relative.display());
}
