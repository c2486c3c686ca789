//! Booting a kernel in `qemu-system-i386` and classifying how the run ended.
//!
//! The kernel ends a run by writing to QEMU's `isa-debug-exit` device: 0x10
//! (QEMU exits 33) on success, 0x11 (35) from its panic handler. With
//! `-no-reboot` a triple fault makes QEMU exit 0, which cannot come from the
//! device. `-icount shift=5,sleep=off` ties the virtual clock to the number of
//! executed instructions, so timer interrupts land at the same instruction in
//! every run and the output is the same bytes each time.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::disk::{Disk, TempImage, drive_args};

pub const QEMU: &str = "qemu-system-i386";
const EXIT_SUCCESS: i32 = 33;
const EXIT_PANIC: i32 = 35;
const EXIT_RESET: i32 = 0;

/// The machine a kernel boots on.
#[derive(Clone, Debug)]
pub struct Machine {
    /// RAM, as QEMU's `-m` takes it (`2G`, `64M`).
    pub memory: String,
    /// The kernel command line.
    pub append: String,
    /// A file loaded as the multiboot module (`-initrd`).
    pub initrd: Option<PathBuf>,
    /// Typed on the console once the kernel has printed its first bytes.
    pub input: Option<String>,
    /// The first IDE disk, made afresh for each run.
    pub disk: Option<Disk>,
    /// Serial output past this many bytes stops the run (`End::OutputLimit`),
    /// so a kernel that floods its console ends at once, with a transcript
    /// of bounded size.
    pub output_limit: usize,
}

/// The output limit of a run that sets none: a thousand times what the
/// longest scenario prints.
pub const OUTPUT_LIMIT: usize = 16 << 20;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The kernel reported success.
    Success,
    /// The kernel panicked; the message is its `Kernel panic` line.
    Panic(String),
    /// The processor reset (a triple fault).
    Reset,
    /// The run did not end before the timeout and was stopped.
    Timeout,
    /// QEMU exited with a status the kernel never uses.
    Exit(i32),
    /// The kernel printed more than the machine's output limit and was
    /// stopped; the output is cut at the limit.
    OutputLimit,
}

impl End {
    /// The line a transcript ends with: what kind of end, without details.
    pub fn summary(&self) -> String {
        match self {
            Self::Success => "success".into(),
            Self::Panic(_) => "kernel panic".into(),
            Self::Reset => "triple fault (reset)".into(),
            Self::Timeout => "timeout".into(),
            Self::Exit(code) => format!("QEMU exit status {code}"),
            Self::OutputLimit => "output limit (stopped)".into(),
        }
    }

    /// Whether this is the same kind of end as `other`, details aside.
    pub fn same_kind(&self, other: &End) -> bool {
        self.summary() == other.summary()
    }
}

/// The serial output of one run and how it ended.
#[derive(Clone, Debug)]
pub struct Run {
    pub output: Vec<u8>,
    pub end: End,
}

/// QEMU's arguments for booting `kernel` on `machine`. `deterministic` adds
/// instruction counting; an interactive run goes without it, so idle time
/// passes in real time.
pub fn qemu_args(kernel: &Path, machine: &Machine, deterministic: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        "-accel",
        "tcg",
        "-m",
        &machine.memory,
        "-display",
        "none",
        "-no-reboot",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(["-kernel".into(), kernel.display().to_string(), "-append".into(), machine.append.clone()]);
    if let Some(initrd) = &machine.initrd {
        args.extend(["-initrd".into(), initrd.display().to_string()]);
    }
    if deterministic {
        args.extend(["-icount".into(), "shift=5,sleep=off".into()]);
    }
    args
}

/// Boots `kernel` with the serial console captured, and stops QEMU after
/// `timeout`. Errors only when QEMU itself cannot run.
pub fn run(kernel: &Path, machine: &Machine, timeout: Duration) -> Result<Run, String> {
    run_with(kernel, machine, timeout, true)
}

/// As `run`, with instruction counting (`deterministic`) or without, as a
/// benchmark that measures time needs.
pub fn run_with(
    kernel: &Path,
    machine: &Machine,
    timeout: Duration,
    deterministic: bool,
) -> Result<Run, String> {
    let stdin = if machine.input.is_some() { Stdio::piped() } else { Stdio::null() };
    let image = machine.disk.as_ref().map(TempImage::create).transpose()?;
    let mut child = Command::new(QEMU)
        .args(qemu_args(kernel, machine, deterministic))
        .args(image.iter().flat_map(|image| drive_args(image.path())))
        .args(["-serial", "stdio", "-monitor", "none"])
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {QEMU} ({e}); run `cargo xtask setup` to install it"))?;
    let (limit, flooded) = (machine.output_limit, Arc::new(AtomicBool::new(false)));
    let full = Arc::clone(&flooded);
    let reader = console(
        &mut child,
        machine.input.as_deref().map(str::as_bytes),
        timeout,
        Vec::new(),
        move |output: &mut Vec<u8>, bytes| {
            output.extend_from_slice(&bytes[..bytes.len().min(limit - output.len())]);
            if output.len() == limit {
                full.store(true, Ordering::Relaxed);
            }
        },
    );
    let status = wait_or_stop(&mut child, timeout, &flooded)?;
    let output = reader.join().unwrap_or_default();
    let end = match status {
        None if flooded.load(Ordering::Relaxed) => End::OutputLimit,
        None => End::Timeout,
        Some(EXIT_SUCCESS) => End::Success,
        Some(EXIT_PANIC) => End::Panic(panic_message(&output)),
        Some(EXIT_RESET) => End::Reset,
        Some(code) => {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            if code == 1 && !stderr.is_empty() {
                return Err(format!("{QEMU} failed: {}", stderr.trim()));
            }
            End::Exit(code)
        }
    };
    Ok(Run { output, end })
}

/// Serves the console of QEMU `child`: a thread passes everything it
/// prints to `sink` (which folds it into `state`), and `input`, if any, is
/// typed once the kernel has printed its first bytes (bytes sent before its
/// UART is set up are lost). Returns the thread, which ends with the state
/// when QEMU closes its output. QEMU takes console input only as fast as
/// the guest reads it; a closed pipe just means the run already ended.
pub fn console<S: Send + 'static>(
    child: &mut Child,
    input: Option<&[u8]>,
    timeout: Duration,
    mut state: S,
    mut sink: impl FnMut(&mut S, &[u8]) + Send + 'static,
) -> JoinHandle<S> {
    let mut stdout = child.stdout.take().expect("QEMU's stdout is piped");
    let (started, kernel_started) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            sink(&mut state, &buf[..n]);
            let _ = started.send(());
        }
        state
    });
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take())
        && kernel_started.recv_timeout(timeout).is_ok()
    {
        let _ = stdin.write_all(input);
    }
    reader
}

/// Waits for `child` to exit and returns its status code, or kills it and
/// returns `None` after `timeout` or as soon as `stop` is set.
fn wait_or_stop(child: &mut Child, timeout: Duration, stop: &AtomicBool) -> Result<Option<i32>, String> {
    const POLL: Duration = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while waited < timeout && !stop.load(Ordering::Relaxed) {
        if let Some(status) = child.wait_timeout(POLL.min(timeout - waited)).map_err(|e| e.to_string())? {
            return Ok(status.code());
        }
        waited += POLL;
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(None)
}

/// Waits for `child` to exit and returns its status code, or kills it after
/// `timeout` and returns `None`.
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Result<Option<i32>, String> {
    wait_or_stop(child, timeout, &AtomicBool::new(false))
}

/// The message of the kernel's `Kernel panic - not syncing:` line.
fn panic_message(output: &[u8]) -> String {
    const PREFIX: &str = "Kernel panic - not syncing: ";
    let text = String::from_utf8_lossy(output);
    text.lines()
        .find_map(|line| line.strip_prefix(PREFIX))
        .unwrap_or("(no panic message printed)")
        .trim_end()
        .to_string()
}
