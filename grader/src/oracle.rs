//! Linux itself as the oracle: the C programs of `user/c` run unchanged on a
//! real i386 Linux kernel, in the same `qemu-system-i386`, so that what they
//! print on vmlab can be compared with what they print on the kernel whose
//! system-call ABI vmlab implements.
//!
//! The kernel is Debian's `linux-image-686` (the 32-bit, non-PAE flavour),
//! fetched once from Debian's i386 archive and cached as
//! [`KERNEL`]. Each run boots it with a tiny initramfs whose only file is
//! the program, as `/init`: Linux runs it as its first process, with the
//! words after `--` on the command line as `argv[1..]` (`argv[0]` is
//! `"/init"`). When init exits, Linux panics with
//! `Kernel panic - not syncing: Attempted to kill init! exitcode=0x...`,
//! which carries init's wait status; `panic=-1` then reboots at once and
//! `-no-reboot` turns the reboot into QEMU's exit. Everything the serial
//! console printed before that line is the program's output: see
//! [`COMMAND_LINE`] for how Linux's own messages are kept off the console.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cpio::NewcBuilder;

use crate::debian;
use crate::qemu::{self, Machine, QEMU};
use crate::workspace_root;

/// The cached kernel (a bzImage), relative to the repository.
pub const KERNEL: &str = "target/oracle/vmlinuz-686";

/// Debian's metapackage that depends on the current 686 kernel image.
const METAPACKAGE: &str = "linux-image-686:i386";

/// How long one run on Linux may take; a boot takes 5 to 10 s under TCG.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Linux's options, before the `--` that starts init's arguments:
///
/// - `console=ttyS0`: the console, init's standard input, output and error,
///   is the serial port that QEMU's `-serial stdio` captures;
/// - `quiet loglevel=1 printk.time=0`: no boot messages, only emergency
///   ones (the panic line), without a timestamp;
/// - `sysctl.debug.exception-trace=0`: no `init[1]: segfault at ...` report
///   when a fault kills the program, which Linux prints at emergency level
///   for init alone (`show_signal_msg`);
/// - `panic=-1`: reboot as soon as init has exited;
/// - `cryptomgr.notests`: skip the self-tests of the crypto algorithms, which
///   take seconds under TCG and have nothing to do with system calls.
pub const COMMAND_LINE: &str = "console=ttyS0 quiet loglevel=1 printk.time=0 \
    sysctl.debug.exception-trace=0 panic=-1 cryptomgr.notests";

/// What Linux prints when the first process ends; the wait status follows
/// in hexadecimal.
const INIT_EXIT: &str = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x";

/// How a program ended on Linux and what it wrote to the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxRun {
    /// What the program (and any child it left running) wrote, with the
    /// terminal's `\r\n` turned back into the `\n` the program wrote.
    pub output: String,
    /// init's wait status, as `wait4` reports it: the exit code in bits
    /// 8-15, or the number of the signal that killed it in bits 0-6.
    pub status: u32,
}

impl LinuxRun {
    /// How init ended, in the words vmlab's `run_init` uses.
    pub fn end(&self) -> String {
        match self.status & 0x7f {
            0 => format!("init exited with code {}", (self.status >> 8) & 0xff),
            signal => format!("init killed by signal {signal}"),
        }
    }
}

/// The path of Debian's i386 Linux kernel, fetched the first time.
///
/// Fetches it once from Debian (see `debian.rs`): the package
/// `linux-image-686` depends on (about 50 MiB), of which only
/// `boot/vmlinuz-*` is kept.
pub fn linux_kernel() -> Result<PathBuf, String> {
    let kernel = workspace_root().join(KERNEL);
    if kernel.exists() {
        return Ok(kernel);
    }
    eprintln!("Fetching Debian's i386 Linux kernel (once)...");
    // A scratch directory per process, so that two first runs at once (a
    // parallel test run) do not collide; the rename that ends it is atomic.
    let scratch = kernel.with_file_name(format!("download-{}", std::process::id()));
    let fetched = debian::fetch("Debian's i386 kernel", &scratch, || kernel_package().map(|p| vec![p]))
        .map_err(|e| format!("{e}, or put an i386 bzImage at {KERNEL}"))
        .and_then(|root| debian::find_file(&root.join("boot"), "vmlinuz-"))
        .and_then(|vmlinuz| {
            fs::rename(&vmlinuz, &kernel).map_err(|e| format!("cannot move {}: {e}", vmlinuz.display()))
        });
    let _ = fs::remove_dir_all(&scratch);
    fetched.map(|()| kernel)
}

/// The kernel package `linux-image-686` currently depends on, such as
/// `linux-image-6.1.0-50-686:i386`.
fn kernel_package() -> Result<String, String> {
    let depends = debian::command_output("apt-cache", &["depends", METAPACKAGE])?;
    depends
        .lines()
        .find_map(|line| line.trim().strip_prefix("Depends: linux-image-"))
        .map(|rest| format!("linux-image-{rest}"))
        .ok_or_else(|| format!("apt knows no {METAPACKAGE}; is Debian's archive reachable?"))
}

/// Runs the static i386 executable `program` as Linux's init with `args`
/// as its `argv[1..]`, and returns what it printed and how it ended. The
/// initramfs holds vmlab's initrd too (Linux unpacks archives one after the
/// other), so that the program finds the same files in `/bin` on both
/// kernels.
///
/// No `/dev/console` node is needed in the archive: Debian builds its
/// kernels with an empty `CONFIG_INITRAMFS_SOURCE`, so Linux's built-in
/// initramfs (`usr/default_cpio_list`: `/dev`, `/dev/console`, `/root`) is
/// unpacked first and ours on top of it, and init gets the console as its
/// standard input, output and error. An argument cannot hold white space or
/// a double quote, which the kernel's command-line parser would split or
/// strip.
pub fn run_on_linux(program: &Path, args: &[&str]) -> Result<LinuxRun, String> {
    run_on_linux_with(program, args, false)
}

/// As `run_on_linux`, with QEMU's instruction counting if `icount` (for a
/// benchmark's count of work done; it slows Linux's boot).
pub fn run_on_linux_with(program: &Path, args: &[&str], icount: bool) -> Result<LinuxRun, String> {
    if let Some(arg) =
        args.iter().find(|arg| arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"'))
    {
        return Err(format!("cannot pass {arg:?} on Linux's command line: no spaces or quotes"));
    }
    let kernel = linux_kernel()?;
    let elf = fs::read(program).map_err(|e| format!("cannot read {}: {e}", program.display()))?;
    let initrd = crate::initrd::build_initrd()?;
    let files = fs::read(&initrd).map_err(|e| format!("cannot read {}: {e}", initrd.display()))?;
    // One archive per run, so that runs in parallel (tests) do not collide.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let initramfs = kernel.with_file_name(format!("initramfs-{}-{run}.cpio", std::process::id()));
    let mut archive = init_archive(&elf).map_err(|e| format!("cannot write the initramfs: {e}"))?;
    archive.extend_from_slice(&files);
    fs::write(&initramfs, archive).map_err(|e| format!("cannot write {}: {e}", initramfs.display()))?;
    let serial = initramfs.with_extension("out");
    let result = boot(&kernel, &initramfs, &serial, args, icount);
    let _ = fs::remove_file(&initramfs);
    let _ = fs::remove_file(&serial);
    result
}

/// A cpio newc archive holding `elf` as `/init`, owned by root, mode 0755.
fn init_archive(elf: &[u8]) -> io::Result<Vec<u8>> {
    let size = u32::try_from(elf.len()).map_err(|_| io::Error::other("the program is over 4 GiB"))?;
    let mut entry =
        NewcBuilder::new("init").ino(1).mode(0o100755).uid(0).gid(0).mtime(0).write(Vec::new(), size);
    entry.write_all(elf)?;
    cpio::newc::trailer(entry.finish()?)
}

/// Boots Linux with `initramfs`, its serial console written to the file
/// `serial` (a file rather than a pipe, which a program printing more than
/// the pipe holds would block on), and cuts the program's output out of it.
///
/// Without `icount` (the oracle's way: `-icount` slows Linux's boot by a
/// third), as on a real machine, the interleaving of output from processes
/// that run side by side may differ from run to run.
fn boot(
    kernel: &Path,
    initramfs: &Path,
    serial: &Path,
    args: &[&str],
    icount: bool,
) -> Result<LinuxRun, String> {
    let machine = Machine {
        memory: "256M".into(),
        append: format!("{COMMAND_LINE} -- {}", args.join(" ")),
        initrd: Some(initramfs.to_path_buf()),
        input: None,
        disk: None,
        output_limit: qemu::OUTPUT_LIMIT,
    };
    let console = fs::File::create(serial).map_err(|e| format!("cannot create {}: {e}", serial.display()))?;
    let mut child = Command::new(QEMU)
        .args(qemu::qemu_args(kernel, &machine, icount))
        .args(["-serial", "stdio", "-monitor", "none"])
        .stdin(Stdio::null())
        .stdout(console)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {QEMU} ({e}); run `cargo xtask setup` to install it"))?;
    let status = qemu::wait_with_timeout(&mut child, TIMEOUT)?;
    let console = fs::read(serial).map_err(|e| format!("cannot read {}: {e}", serial.display()))?;
    if let Some(run) = parse_console(&console) {
        return Ok(run);
    }
    let mut stderr = String::new();
    let _ = child.stderr.take().map(|mut err| err.read_to_string(&mut stderr));
    let how = match status {
        None => format!("did not end within {} s", TIMEOUT.as_secs()),
        Some(code) => format!("ended without init exiting (QEMU exit status {code}) {}", stderr.trim()),
    };
    Err(format!("Linux {how}; its console said: {:?}", String::from_utf8_lossy(&console).trim_end()))
}

/// The program's output and init's wait status from what Linux's console
/// printed, if init exited. The output ends where the panic starts, which
/// may be in the middle of a line the program did not end.
fn parse_console(console: &[u8]) -> Option<LinuxRun> {
    let text = String::from_utf8_lossy(console).replace("\r\n", "\n");
    let (output, rest) = text.split_once(INIT_EXIT)?;
    let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    let status = u32::from_str_radix(&hex, 16).ok()?;
    Some(LinuxRun { output: output.to_string(), status })
}

/// Runs program `/bin/NAME` of the user initrd as init on the vmlab kernel
/// `kernel`, and returns what it printed and how init ended, with the
/// kernel's own lines (its boot log, a fault report, the end of the run)
/// left out: the same shape as `run_on_linux`, to compare the two.
pub fn run_on_vmlab(kernel: &Path, name: &str) -> Result<LinuxRun, String> {
    run_on_vmlab_with(kernel, name, true)
}

/// As `run_on_vmlab`, with QEMU's instruction counting or without.
pub fn run_on_vmlab_with(kernel: &Path, name: &str, icount: bool) -> Result<LinuxRun, String> {
    let initrd = crate::initrd::build_initrd()?;
    let machine = Machine {
        memory: "256M".into(),
        append: format!("init=/bin/{name}"),
        initrd: Some(initrd),
        input: None,
        disk: None,
        output_limit: qemu::OUTPUT_LIMIT,
    };
    let run = qemu::run_with(kernel, &machine, Duration::from_secs(60), icount)?;
    let text = String::from_utf8_lossy(&run.output).replace("\r\n", "\n");
    let start = format!("Run /bin/{name} as init process\n");
    let after = text.split_once(&start).map(|(_, rest)| rest).ok_or("the program did not start")?;
    let mut output = String::new();
    for line in after.split_inclusive('\n') {
        if let Some(code) = line.trim_end().strip_prefix("init exited with code ") {
            return Ok(LinuxRun { output, status: code.parse::<u32>().map_err(|e| e.to_string())? << 8 });
        }
        if let Some(signal) = line.trim_end().strip_prefix("init killed by signal ") {
            return Ok(LinuxRun { output, status: signal.parse::<u32>().map_err(|e| e.to_string())? });
        }
        if !is_fault_report(line) {
            output.push_str(line);
        }
    }
    Err(format!("/bin/{name} did not end on vmlab ({:?})", run.end))
}

/// Whether `line` is the kernel's report of a user fault (`prog[pid]:
/// segfault at ...`, `bus error at ...`, `trap ...`), which Linux keeps out
/// of the console here.
fn is_fault_report(line: &str) -> bool {
    const REPORTS: [&str; 3] = ["segfault at ", "bus error at ", "trap "];
    line.split_once("]: ")
        .is_some_and(|(who, what)| who.contains('[') && REPORTS.iter().any(|report| what.starts_with(report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_ends_where_linux_panics_and_the_status_follows() {
        let console = b"argc 1\r\nno newline\
            Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300\r\n\
            CPU: 0 PID: 1 Comm: init Not tainted 6.1.0-50-686 #1\r\n";
        let run = parse_console(console).unwrap();
        assert_eq!(run.output, "argc 1\nno newline");
        assert_eq!(run.end(), "init exited with code 3");
        let killed = b"Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\r\n";
        assert_eq!(parse_console(killed).unwrap().end(), "init killed by signal 11");
        assert_eq!(parse_console(b"hello\r\n"), None, "no panic: init did not exit");
    }

    #[test]
    fn archive_holds_the_program_as_init() {
        let archive = init_archive(b"\x7fELF").unwrap();
        let entries: Vec<_> = cpio_reader::iter_files(&archive)
            .map(|e| (e.name().to_string(), e.mode().bits(), e.file().to_vec()))
            .collect();
        assert_eq!(entries, [("init".to_string(), 0o100755, b"\x7fELF".to_vec())]);
    }
}
